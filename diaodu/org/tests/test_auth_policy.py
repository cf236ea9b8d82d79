"""Authentication policy (等保2.0): password rules, lockout, idle timeout, forced change, login log."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from diaodu.audit.context import acting_as
from diaodu.audit.models import LoginLog
from diaodu.org import services
from diaodu.org.demo import DEMO_PASSWORD
from diaodu.org.models import User
from diaodu.org.scope import SYSTEM


def login(client, username, password):
    return client.post(
        "/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="10.0.0.8",
        HTTP_USER_AGENT="pytest-agent",
    )


@pytest.mark.parametrize(
    "password, ok",
    [
        ("Ab1!", False),  # too short
        ("abcdefgh", False),  # one class
        ("abcdefg1", False),  # two classes
        ("abcdef1!", True),  # three classes
        ("Qhkfq2026", True),
        ("Newuser1!", False),  # contains the user name
        ("Password1", False),  # common password list
    ],
)
def test_password_rules(demo, password, ok):
    with acting_as(None):
        if ok:
            u = services.create_person(SYSTEM, username="newuser", password=password, name="新人")
            assert u.must_change_password
        else:
            with pytest.raises(ValidationError) as exc:
                services.create_person(SYSTEM, username="newuser", password=password, name="新人")
            assert "password" in exc.value.message_dict
            assert not User.objects.filter(username="newuser").exists()


def test_lockout_after_five_failures_for_fifteen_minutes(demo):
    c = Client()
    for _ in range(4):
        r = login(c, "mishu_wl", "wrong-password")
        assert "账号或密码错误" in r.content.decode()
    r = login(c, "mishu_wl", "wrong-password")
    assert "账号或密码错误" in r.content.decode()  # the lock is not revealed (no enumeration)
    u = User.objects.get(username="mishu_wl")
    assert u.locked_until is not None
    assert timedelta(minutes=14) < u.locked_until - timezone.now() <= timedelta(minutes=15)
    # the right password does not open a locked account
    r = login(c, "mishu_wl", DEMO_PASSWORD)
    assert "账号或密码错误" in r.content.decode()
    assert "_auth_user_id" not in c.session
    # fifteen minutes later it does
    User.objects.filter(pk=u.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    r = login(c, "mishu_wl", DEMO_PASSWORD)
    assert r.status_code == 302
    results = list(
        LoginLog.objects.filter(username="mishu_wl").order_by("id").values_list("result", flat=True)
    )
    assert results == ["failed"] * 5 + ["locked", "success"]
    entry = LoginLog.objects.filter(username="mishu_wl").last()
    assert entry.ip == "10.0.0.8" and entry.user_agent == "pytest-agent"


def test_security_admin_unlocks(client_for, demo):
    u = User.objects.get(username="mishu_wl")
    User.objects.filter(pk=u.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
    sec = client_for("secadmin")
    assert client_for("sysadmin").post(f"/org/people/{u.pk}/unlock/").status_code == 403
    sec.post(f"/org/people/{u.pk}/unlock/")
    assert User.objects.get(pk=u.pk).locked_until is None


def test_unknown_user_and_disabled_account(demo):
    c = Client()
    r = login(c, "nobody", "whatever1A")
    assert "账号或密码错误" in r.content.decode()
    with acting_as(None):
        services.set_person_active(SYSTEM, User.objects.get(username="mishu_wl"), False)
    r = login(c, "mishu_wl", DEMO_PASSWORD)
    assert "已停用" in r.content.decode()
    assert set(LoginLog.objects.values_list("result", flat=True)) == {"unknown_user", "disabled"}


def test_forced_password_change_at_first_login(demo):
    with acting_as(None):
        services.create_person(SYSTEM, username="xinren", password="Init#2026a", name="新人")
    c = Client()
    r = login(c, "xinren", "Init#2026a")
    assert r.status_code == 302 and r["Location"] == "/password/"
    # every page sends them back to the password form until they change it
    assert c.get("/").headers["Location"] == "/password/"
    assert c.get("/org/units/").headers["Location"] == "/password/"
    assert c.get("/api/v1/me").status_code == 401
    r = c.post(
        "/password/",
        {"old_password": "Init#2026a", "new_password": "weak", "new_password2": "weak"},
    )
    assert "至少" in r.content.decode() or "3 类" in r.content.decode()
    r = c.post(
        "/password/",
        {
            "old_password": "Init#2026a",
            "new_password": "Better#2026",
            "new_password2": "Better#2026",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/"
    assert c.get("/").status_code == 200
    assert not User.objects.get(username="xinren").must_change_password


def test_demo_accounts_skip_forced_change(demo):
    c = Client()
    r = login(c, "mishu_wl", DEMO_PASSWORD)
    assert r["Location"] == "/"


def test_idle_timeout(client_for, settings):
    c = client_for("mishu_wl")
    assert c.get("/").status_code == 200
    session = c.session
    session["diaodu_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    r = c.get("/")
    assert r.status_code == 302 and "timeout=1" in r["Location"]
    assert c.get("/").status_code == 302  # signed out for good
    assert LoginLog.objects.filter(result="timeout").count() == 1
    assert "会话已超时，请重新登录" in c.get(r["Location"]).content.decode()


def test_activity_keeps_session_alive(client_for, settings):
    c = client_for("mishu_wl")
    c.get("/")
    session = c.session
    session["diaodu_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert c.get("/").status_code == 200


def test_open_redirect_refused(demo):
    c = Client()
    r = c.post(
        "/login/?next=https://evil.example/", {"username": "mishu_wl", "password": DEMO_PASSWORD}
    )
    assert r["Location"] == "/"


def test_logout_is_logged(client_for):
    c = client_for("mishu_wl")
    c.post("/logout/")
    assert LoginLog.objects.filter(result="logout", username="mishu_wl").exists()
    assert c.get("/").status_code == 302
