"""The pages of the tasks app for every demo account (each built-in role): who may open which
page, 404 outside the scope, the buttons that work, and fixed query counts for the lists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.tasks import services
from diaodu.tasks.models import Task

ACCOUNTS = ["duchashi", "quzhang", "wl_zhuren", "ziranziyuan", "fagai", "mishu_wl", "sysadmin",
            "secadmin", "auditor"]  # fmt: skip
VIEWERS = {"duchashi", "quzhang", "wl_zhuren", "ziranziyuan", "fagai"}
HANDLERS = {"duchashi", "wl_zhuren", "ziranziyuan", "fagai"}
MANAGERS = {"duchashi"}


@pytest.fixture
def task(make_task):
    return make_task(nodes=[{"title": "完成初稿", "due_date": "2026-11-30"}])


@pytest.mark.parametrize("username", ACCOUNTS)
def test_each_role_opens_what_its_keys_allow(client_for, task, username, media):
    c = client_for(username)
    pages = {
        "/tasks/": VIEWERS,
        "/tasks/board/": VIEWERS,
        "/tasks/board/?by=leader": VIEWERS,
        "/tasks/board/?by=document": VIEWERS,
        "/tasks/queue/": HANDLERS,
        "/tasks/documents/": MANAGERS,
        "/tasks/documents/new/": MANAGERS,
        "/tasks/import/": MANAGERS,
        "/tasks/new/": MANAGERS,
        "/tasks/export.xlsx": VIEWERS,
    }
    for url, allowed in pages.items():
        code = c.get(url).status_code
        assert code == (200 if username in allowed else 403), (url, code)
    sees = username in {"duchashi", "quzhang", "ziranziyuan"}
    r = c.get(f"/tasks/{task.pk}/")
    expected = 200 if sees else (404 if username in VIEWERS else 403)
    assert r.status_code == expected
    r = c.get("/api/v1/tasks/")
    assert r.status_code == (200 if username in VIEWERS else 403)
    if username in VIEWERS:
        assert [t["id"] for t in r.json()["items"]] == ([task.pk] if sees else [])
    r = c.get(f"/api/v1/tasks/{task.pk}")
    assert r.status_code == (200 if sees else (404 if username in VIEWERS else 403))


def test_buttons_of_the_lead_unit_and_the_office(client_for, task, media):
    dept, office = client_for("ziranziyuan"), client_for("duchashi")
    page = dept.get(f"/tasks/{task.pk}/").content.decode()
    assert 'data-testid="move-sign"' in page and 'data-testid="report-form"' in page
    assert 'data-testid="notice-form"' not in page
    r = dept.post(f"/tasks/{task.pk}/move/sign/", {"version": "1"}, follow=True)
    assert "已签收" in r.content.decode()
    r = dept.post(f"/tasks/{task.pk}/report/", {"text": "", "percent": "200"}, follow=True)
    body = r.content.decode()
    assert "进展情况" in body and "完成比例" in body
    dept.post(f"/tasks/{task.pk}/report/", {"text": "初稿完成一半", "percent": "50"})
    assert Task.objects.get(pk=task.pk).progress == 50
    r = office.post(f"/tasks/{task.pk}/notice/", {"body": "请加快", "reply_wd": "3"}, follow=True)
    assert "督办单督办〔2026〕1号已下发" in r.content.decode()
    n = task.notices.get()
    r = dept.get(f"/tasks/notices/{n.pk}/docx/")
    assert r.status_code == 200 and r["Content-Type"].endswith("document")
    assert client_for("fagai").get(f"/tasks/notices/{n.pk}/docx/").status_code == 404
    r = dept.post(f"/tasks/{task.pk}/move/approve_done/", {"version": "3"})
    assert r.status_code == 403


@pytest.mark.parametrize("url", ["/tasks/", "/tasks/queue/", "/tasks/board/", "/tasks/board/?by=document",
                                 "/api/v1/tasks/", "/api/v1/tasks/board"])  # fmt: skip
def test_list_query_counts_are_fixed(
    client_for, make_task, person, demo, url, django_assert_max_num_queries
):
    c = client_for("duchashi")
    make_task()
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    before = len(ctx.captured_queries)
    for i in range(12):
        t = make_task(f"任务{i}", lead=["QHKFQ-ZR", "QHKFQ-FG", "QHKFQ-WL"][i % 3], support=["QHKFQ-ZJ"],
                      nodes=[{"title": "节点", "due_date": "2026-11-01"}], leader_name=f"领导{i % 4}")  # fmt: skip
        if i % 2:
            services.split_task(
                person("duchashi"), t, {"title": "子", "lead_unit": demo["QHKFQ-ZS"]}
            )
    with django_assert_max_num_queries(before):
        assert c.get(url).status_code == 200


def test_bad_filters_are_named_not_500(client_for, task):
    c = client_for("duchashi")
    r = c.get("/tasks/?status=nope&lead_unit=abc&overdue=maybe")
    assert r.status_code == 200
    r = c.get("/api/v1/tasks/?status=nope")
    assert r.status_code == 422 and "状态" in r.json()["errors"]["status"][0]
    assert c.get("/tasks/?lead_unit=99999999999999").status_code in (200, 404)


def test_office_edits_a_task_against_its_version(client_for, task):
    c = client_for("duchashi")
    assert client_for("ziranziyuan").get(f"/tasks/{task.pk}/edit/").status_code == 403
    page = c.get(f"/tasks/{task.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in page
    form = {"title": "新的任务名称", "lead_unit": task.lead_unit_id, "version": "1", "cadence": "weekly",
            "level": "zone", "recurrence": "", "deadline": "2026-12-20"}  # fmt: skip
    assert c.post(f"/tasks/{task.pk}/edit/", form).status_code == 302
    r = c.post(f"/tasks/{task.pk}/edit/", {**form, "title": "又改"})
    assert r.status_code == 200 and "第 2 版" in r.content.decode()
    assert Task.objects.get(pk=task.pk).title == "新的任务名称"


def test_report_attachment_is_kept_and_scoped(client_for, task, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dept = client_for("ziranziyuan")
    pdf = SimpleUploadedFile("批复.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    dept.post(f"/tasks/{task.pk}/report/", {"text": "取得批复", "percent": "40", "attachment": pdf})
    rep = task.reports.get()
    assert rep.attachment_name == "批复.pdf"
    page = dept.get(f"/tasks/{task.pk}/").content.decode()
    assert f"/tasks/reports/{rep.pk}/file/" in page
    r = dept.get(f"/tasks/reports/{rep.pk}/file/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 test"
    assert client_for("fagai").get(f"/tasks/reports/{rep.pk}/file/").status_code == 404
    assert client_for("mishu_wl").get(f"/tasks/reports/{rep.pk}/file/").status_code == 403
    bad = SimpleUploadedFile("x.exe", b"MZ")
    r = dept.post(f"/tasks/{task.pk}/report/", {"text": "再报", "attachment": bad}, follow=True)
    assert "类型不受支持" in r.content.decode() and task.reports.count() == 1
