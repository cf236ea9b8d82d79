"""Inputs that cannot crash: a NUL or a lone surrogate anywhere in a request — path, query
parameter, form field, uploaded file name, JSON body at any depth, cookie, header — is refused
with a Chinese 400 naming where it was (an HTML page for pages, JSON for the API), nothing is
written, and nothing answers 500 (PostgreSQL would refuse the NUL)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from diaodu.audit.models import AuditEntry
from diaodu.engine import requestguard
from diaodu.org.models import Unit
from diaodu.projects.models import Project

NUL = "\x00"
SURROGATE = "\ud800"


def _state():
    return Project.objects.count(), AuditEntry.objects.count(), Unit.objects.count()


def _page_refused(r, where: str):
    assert r.status_code == 400, (r.status_code, r.content[:300])
    html = r.content.decode()
    assert "不允许的字符" in html and f"「{where}」" in html
    assert "text/html" in r["Content-Type"]


def _api_refused(r, where: str):
    assert r.status_code == 400, (r.status_code, r.content[:300])
    body = r.json()
    assert "不允许的字符" in body["detail"] and f"「{where}」" in body["detail"]
    assert where in body["errors"]


def test_engine_names_the_character_and_the_place():
    assert requestguard.unstorable("正常文字\t\n") is None
    assert requestguard.unstorable("a\x00b") == "NUL 空字符"
    assert requestguard.unstorable("a\udc00") == "孤立的代理字符 U+DC00"
    assert requestguard.unstorable("😀") is None  # a real pair is fine
    doc = {"agenda": [{"title": "ok"}, {"title": "坏\x00"}], "k\ud800": 1}
    assert requestguard.first_problem(requestguard.json_strings(doc)) == (
        "agenda[1].title",
        "NUL 空字符",
    )
    assert requestguard.first_problem(requestguard.json_strings({"k\ud800": 1}))[0] == "k\\ud800"
    assert requestguard.first_problem(requestguard.json_strings("x\x00")) == (
        "请求体",
        "NUL 空字符",
    )


def test_pages_refuse_nul_in_forms_queries_and_paths(client_for, demo):
    bad = NUL
    c = client_for("duchashi")
    park = Unit.objects.filter(kind="park").first()
    before = _state()
    r = c.post("/projects/new/", {"name": f"新项目{bad}", "unit": park.pk, "stage": "lead"})
    _page_refused(r, "name")
    assert _state() == before
    _page_refused(c.get("/projects/", {"q": f"x{bad}"}), "q")
    _page_refused(c.get("/projects/%00/"), "地址")
    _page_refused(c.get("/supervision/problems/", {"status": bad}), "status")
    upload = SimpleUploadedFile(f"台账{bad}.xlsx", b"PK", content_type="application/octet-stream")
    r = c.post("/projects/import/", {"file": upload, "note": f"说明{bad}"})
    _page_refused(r, "note")
    assert _state() == before


def test_surrogates_in_forms_never_reach_the_database(client_for, demo):
    """A form body is decoded with replacement, so a lone surrogate's bytes arrive as U+FFFD
    (or, in a charset that can carry one, are refused): never a 500."""
    c = client_for("duchashi")
    c.raise_request_exception = False  # Django's own 400 for a non-UTF-8 form is an exception
    park = Unit.objects.filter(kind="park").first()
    for charset in ("utf-8", "utf-16-le"):
        body = f"name=x{SURROGATE}y&unit={park.pk}&stage=lead".encode(charset, "surrogatepass")
        r = c.generic(
            "POST",
            "/projects/new/",
            body,
            content_type=f"application/x-www-form-urlencoded; charset={charset}",
        )
        assert r.status_code < 500
    assert all(
        requestguard.unstorable(n) is None for n in Project.objects.values_list("name", flat=True)
    )


def test_pages_refuse_bad_headers_and_cookies(client_for, demo):
    c = client_for("duchashi")
    _page_refused(c.get("/projects/", HTTP_X_FORWARDED_HOST="a\x00b"), "请求头 X-Forwarded-Host")
    _page_refused(c.get("/projects/", HTTP_USER_AGENT="Mozilla\x00"), "请求头 User-Agent")
    anon = Client()
    r = anon.get("/", HTTP_COOKIE="sessionid=abc\x00def")
    _page_refused(r, "Cookie sessionid")


@pytest.mark.parametrize("bad", [NUL, SURROGATE])
def test_api_refuses_bad_characters_in_json_at_any_depth(client_for, demo, make_project, bad):
    make_project()
    c = client_for("duchashi")
    park = Unit.objects.filter(kind="park").first()
    before = _state()
    body = json.dumps({"name": f"新项目{bad}", "unit_id": park.pk})  # \u escapes survive
    r = c.post("/api/v1/projects/", body, content_type="application/json")
    _api_refused(r, "name")
    r = c.post(
        "/api/v1/supervision/meetings",
        json.dumps({"title": "周调度会", "agenda": [{"title": f"议题{bad}"}]}),
        content_type="application/json",
    )
    _api_refused(r, "agenda[0].title")
    r = c.post(
        "/api/v1/projects/",
        json.dumps({f"name{bad}": "x", "unit_id": park.pk}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "不允许的字符" in r.json()["detail"]
    r = c.post("/api/v1/projects/", json.dumps(f"x{bad}"), content_type="application/json")
    _api_refused(r, "请求体")
    p = Project.objects.first()
    r = c.patch(
        f"/api/v1/projects/{p.pk}",
        json.dumps({"progress_text": f"进度{bad}", "version": p.version}),
        content_type="application/json",
    )
    _api_refused(r, "progress_text")
    assert _state() == before


def test_api_refuses_nul_in_queries_headers_and_tokens(client_for, demo):
    c = client_for("duchashi")
    _api_refused(c.get("/api/v1/projects/", {"q": "x\x00"}), "q")
    _api_refused(c.get("/api/v1/people", {"q": "\x00"}), "q")
    _api_refused(c.get("/api/v1/projects/", {"stage": ["lead", "x\x00"]}), "stage")
    r = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer ddu_\x00abc")
    _api_refused(r, "请求头 Authorization")


def test_clean_requests_pass(client_for, demo):
    c = client_for("duchashi")
    assert c.get("/projects/", {"q": "园区 😀\t"}).status_code == 200
    assert c.get("/api/v1/projects/", {"q": "园区"}).status_code == 200
