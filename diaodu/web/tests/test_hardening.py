"""等保2.0 hardening of the shell: token lifecycle, no account enumeration, idle timeout, password
history, security headers, and the API documentation served locally to signed-in people only."""

import statistics
import time
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from diaodu.audit.context import acting_as
from diaodu.audit.models import LoginLog
from diaodu.org import services
from diaodu.org.demo import DEMO_PASSWORD
from diaodu.org.models import ApiToken, User
from diaodu.org.scope import SYSTEM
from diaodu.web.middleware import tile_source


def me(raw: str) -> int:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


# ---------------------------------------------------------------- tokens
def test_token_dies_with_its_account(person):
    user = person("mishu_wl")
    _t, raw = services.create_token(user, "对接")
    assert me(raw) == 200
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    assert me(raw) == 401  # locked
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(minutes=1))
    assert me(raw) == 200  # the lock has passed
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    assert me(raw) == 401  # must change its password first
    User.objects.filter(pk=user.pk).update(must_change_password=False, is_active=False)
    assert me(raw) == 401  # disabled
    User.objects.filter(pk=user.pk).update(is_active=True)
    assert me(raw) == 200


@pytest.mark.parametrize("days", [0, -1, 366, 99999999, "abc", "", None, 1.5, True])
def test_token_lifetime_is_validated(person, days):
    with pytest.raises(ValidationError) as exc:
        services.create_token(person("mishu_wl"), "对接", days)
    assert "1 到 365 天" in str(exc.value)
    assert not ApiToken.objects.exists()


def test_token_lifetime_default_and_no_token_without_expiry(person):
    token, raw = services.create_token(person("mishu_wl"), "对接")
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert me(raw) == 401


def test_token_pages_show_once_and_list_last_use(client_for):
    c = client_for("mishu_wl")
    for days in ("0", "99999999", "-5", "x"):
        r = c.post("/me/tokens/", {"name": "坏", "days": days}, follow=True)
        assert r.status_code == 200 and "1 到 365 天" in r.content.decode()
    assert not ApiToken.objects.exists()
    r = c.post("/me/tokens/", {"name": "手机端", "days": "90"}, follow=True)
    raw = r.context["new_token"]
    assert raw and raw in r.content.decode()
    assert raw not in c.get("/me/").content.decode()  # shown once
    assert me(raw) == 200
    html = c.get("/me/").content.decode()
    assert "最近使用" in html and timezone.localtime().strftime("%Y-%m-%d") in html


# ---------------------------------------------------------------- enumeration
class CountingHasher(PBKDF2PasswordHasher):
    """A real PBKDF2 hash (so timings mean something) that counts its work."""

    algorithm = "pbkdf2_sha256"
    iterations = 60_000
    calls: list[str] = []

    def encode(self, password, salt, iterations=None):
        CountingHasher.calls.append("hash")
        return super().encode(password, salt, iterations)


@pytest.fixture
def real_hasher(settings, person):
    settings.PASSWORD_HASHERS = ["diaodu.web.tests.test_hardening.CountingHasher"]
    user = person("mishu_wl")
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    CountingHasher.calls.clear()
    return user


def _attempt(username, password="Wrong#2026x"):
    return Client().post("/login/", {"username": username, "password": password})


def test_same_message_and_same_work_for_unknown_wrong_and_locked(real_hasher, settings):
    settings.LOCKOUT_THRESHOLD = 100
    answers = {}
    for label, username in (("unknown", "nobody_here"), ("wrong", "mishu_wl")):
        CountingHasher.calls.clear()
        r = _attempt(username)
        answers[label] = r.content.decode().split('role="alert"')[1][:200]
        assert len(CountingHasher.calls) == 1, label  # one password hash each
    User.objects.filter(pk=real_hasher.pk).update(
        locked_until=timezone.now() + timedelta(minutes=9)
    )
    CountingHasher.calls.clear()
    r = _attempt("mishu_wl", DEMO_PASSWORD)
    answers["locked"] = r.content.decode().split('role="alert"')[1][:200]
    assert len(CountingHasher.calls) == 1
    assert answers["unknown"] == answers["wrong"] == answers["locked"]
    assert "已锁定" not in answers["locked"].split("如已锁定")[0]


def test_lockout_answer_is_the_same_as_for_an_unknown_account(real_hasher, settings):
    settings.LOCKOUT_THRESHOLD = 3
    real = [_attempt("mishu_wl").content for _ in range(4)]
    fake = [_attempt("nobody_here").content for _ in range(4)]
    alert = lambda html: html.decode().split('role="alert"')[1][:200]  # noqa: E731
    assert {alert(h) for h in real} == {alert(h) for h in fake}
    assert User.objects.get(pk=real_hasher.pk).locked_until is not None


def test_login_timing_within_two_times(real_hasher, settings):
    settings.LOCKOUT_THRESHOLD = 100
    samples = {"unknown": [], "wrong": []}
    for _ in range(7):
        for label, username in (("unknown", "nobody_here"), ("wrong", "mishu_wl")):
            start = time.perf_counter()
            _attempt(username)
            samples[label].append(time.perf_counter() - start)
    unknown, wrong = (statistics.median(samples[k]) for k in ("unknown", "wrong"))
    assert max(unknown, wrong) / min(unknown, wrong) < 2, samples


# ---------------------------------------------------------------- idle timeout
def test_idle_timeout_is_explained_and_logged(client_for, settings):
    c = client_for("mishu_wl")
    c.get("/")
    session = c.session
    session["diaodu_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    r = c.get("/projects/", follow=True)
    assert "会话已超时，请重新登录" in r.content.decode()
    assert LoginLog.objects.filter(result="timeout", username="mishu_wl").count() == 1
    # the cookie outlives the idle limit, so the server (not the browser) ends the session
    assert settings.SESSION_COOKIE_AGE > settings.SESSION_IDLE_TIMEOUT


def test_idle_clock_starts_at_sign_in(client, demo, settings):
    """A session signed in and then left alone times out too: the sign-in itself starts the
    clock (before, it started at the first page after it, so an unused session never expired)."""
    from django.test import Client

    c = Client()
    r = c.post("/login/", {"username": "mishu_wl", "password": DEMO_PASSWORD})
    assert r.status_code == 302
    seen = c.session.get("diaodu_last_seen")
    assert seen is not None and abs(seen - time.time()) < 60
    session = c.session
    session["diaodu_last_seen"] = seen - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    r = c.get("/", follow=True)
    assert "会话已超时，请重新登录" in r.content.decode()
    # an API call with a token makes no session at all
    assert not Client().get("/api/v1/me").cookies.get(settings.SESSION_COOKIE_NAME)


# ---------------------------------------------------------------- password history
def test_password_history_of_five(person):
    user = person("mishu_wl")
    passwords = [f"Hist#{n}2026ab" for n in range(6)]
    with acting_as(user):
        current = DEMO_PASSWORD
        for new in passwords:
            services.change_own_password(user, current, new)
            user.refresh_from_db()
            current = new
        # the last five (the current one included) are refused
        for old in passwords[1:5]:
            with pytest.raises(ValidationError) as exc:
                services.change_own_password(user, current, old)
            assert "最近 5 次" in str(exc.value)
        services.change_own_password(user, current, passwords[0])  # six ago: allowed


def test_password_history_applies_to_resets(person):
    user = person("mishu_wl")
    with acting_as(None):
        with pytest.raises(ValidationError):
            services.reset_password(SYSTEM, user, DEMO_PASSWORD)


# ---------------------------------------------------------------- headers and settings
def test_security_headers(client_for):
    c = client_for("mishu_wl")
    r = c.get("/")
    csp = r["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.split("style-src-attr")[0]
    assert r["Cache-Control"] == "no-store"
    anon = Client().get("/login/")
    assert "Content-Security-Policy" in anon.headers
    _t, raw = services.create_token(User.objects.get(username="mishu_wl"), "对接")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")["Cache-Control"] == (
        "no-store"
    )


def test_tile_source_for_csp():
    assert tile_source("") == ""
    assert tile_source("/tiles/{z}/{x}/{y}.png") == ""
    assert (
        tile_source("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}")
        == "https://*.tianditu.gov.cn"
    )
    assert tile_source("http://10.1.2.3:8080/{z}/{x}/{y}.png") == "http://10.1.2.3:8080"


def test_tls_settings_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER, "
        "s.SECURE_HSTS_SECONDS)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "diaodu.settings",
        "DIAODU_VAR_DIR": str(tmp_path),
        "DIAODU_SITE_URL": "https://diaodu.example.gov.cn",
        "DIAODU_BEHIND_TLS_PROXY": "true",
        "DIAODU_HSTS_SECONDS": "31536000",
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')", "31536000"]


# ---------------------------------------------------------------- API docs
def test_api_docs_local_and_for_signed_in_people_only(client_for, person):
    anon = Client()
    assert anon.get("/api/v1/openapi.json").status_code == 401
    r = anon.get("/api/v1/docs")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    c = client_for("mishu_wl")
    html = c.get("/api/v1/docs").content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert c.get("/api/v1/openapi.json").status_code == 200
    _t, raw = services.create_token(person("mishu_wl"), "对接")
    r = Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 200


def test_openapi_operation_ids_and_schema_names_unique():
    from ninja import Schema

    from diaodu.api.api import api

    spec = api.get_openapi_schema()
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names: dict[str, type] = {}
    for cls in subclasses(Schema):
        if not cls.__module__.startswith("diaodu.") or ".tests" in cls.__module__:
            continue
        other = names.setdefault(cls.__name__, cls)
        assert other is cls, f"{cls.__name__}: {other.__module__} and {cls.__module__}"
