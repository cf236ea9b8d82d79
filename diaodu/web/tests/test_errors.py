"""Error pages speak Chinese, fit a phone, give the reason the code had and a way back; Django's
validation messages are Chinese too."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

pytestmark = pytest.mark.django_db

VIEWPORT = '<meta name="viewport" content="width=device-width'


def test_404_for_a_missing_page_and_with_the_views_reason(client_for, settings):
    settings.DEBUG = False
    c = client_for("mishu_wl")
    r = c.get("/no/such/page/", HTTP_REFERER="http://testserver/supervision/my/")
    html = r.content.decode()
    assert r.status_code == 404
    assert VIEWPORT in html and "页面不存在" in html and "Not Found" not in html
    assert 'href="http://testserver/supervision/my/"' in html  # back where they came from
    assert 'href="/"' in html and "回到工作台" in html
    html = c.get("/supervision/problems/999999/").content.decode()
    assert "问题不存在或无权查看。" in html  # the reason the view gave


def test_403_shows_the_permission_message(client_for, settings):
    settings.DEBUG = False
    r = client_for("mishu_wl").get("/org/people/")
    html = r.content.decode()
    assert r.status_code == 403
    assert VIEWPORT in html and "没有权限" in html and "Forbidden" not in html
    assert "没有查看人员的权限" in html or "权限" in html.split('data-testid="error-reason"')[1]


def test_403_reason_is_the_exception_text(rf, settings):
    from django.core.exceptions import PermissionDenied

    from diaodu.web.errors import permission_denied

    r = permission_denied(rf.get("/x/"), PermissionDenied("没有查看人员的权限。"))
    assert r.status_code == 403 and "没有查看人员的权限。" in r.content.decode()


def test_csrf_failure_page(person, settings):
    settings.DEBUG = False
    c = Client(enforce_csrf_checks=True)
    c.force_login(person("mishu_wl"))
    r = c.post("/supervision/contacts/new/", {"project": "1"})
    html = r.content.decode()
    assert r.status_code == 403
    assert VIEWPORT in html and "页面已过期" in html and "CSRF" not in html


def test_400_page(rf):
    from diaodu.web.errors import bad_request

    r = bad_request(rf.get("/"))
    assert r.status_code == 400 and VIEWPORT in r.content.decode()
    assert "请求无法处理" in r.content.decode() and 'href="/login/"' in r.content.decode()


@pytest.mark.parametrize(
    "password, message",
    [("aB1!x", "密码太短，至少需要 8 个字符。"), ("Password1", "密码过于常见")],
)
def test_password_rules_speak_chinese(password, message, person):
    from diaodu.org import services

    user = person("mishu_wl")
    with pytest.raises(ValidationError) as exc:
        services.change_own_password(user, "Diaodu@2026", password)
    text = "；".join(exc.value.messages)
    assert message in text and "password" not in text.lower()
