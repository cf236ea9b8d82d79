"""Ledger pages and API: filters, scope (pages, API, export), forged ids, saved filters,
columns, optimistic locking in the form, stage moves, funnel, import with progress, query counts."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from diaodu.projects.models import ImportJob, Project, SavedFilter
from diaodu.projects.tests.test_import import messy_workbook

IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "ENQUEUE_ON_COMMIT": False,
    }
}


@pytest.fixture
def ledger(make_project):
    make_project(
        "物流园甲项目",
        unit="QHKFQ-WL",
        secretary="mishu_wl",
        plan_category="new_start",
        total_investment=Decimal("120000"),
        industry="G59",
    )
    make_project(
        "物流园乙项目",
        unit="QHKFQ-WL",
        secretary="mishu_wl",
        plan_category="continuing",
        stage="lead",
    )
    make_project(
        "装备园项目",
        unit="QHKFQ-ZB",
        secretary="mishu_zb",
        plan_category="new_start",
        industry="C36",
    )
    make_project("医药园项目", unit="QHKFQ-SY", secretary="mishu_sy", plan_category="reserve")
    return {p.name: p for p in Project.objects.all()}


def names(response):
    html = response.content.decode()
    return {n for n in ("物流园甲项目", "物流园乙项目", "装备园项目", "医药园项目") if n in html}


SCOPE = {
    "duchashi": {"物流园甲项目", "物流园乙项目", "装备园项目", "医药园项目"},
    "fuzhuren": {"物流园甲项目", "物流园乙项目", "装备园项目", "医药园项目"},
    "wl_zhuren": {"物流园甲项目", "物流园乙项目"},
    "mishu_zb": {"装备园项目"},
    "zhaoshang": {"医药园项目"},  # custom scope: 高新园, 医药园
}


@pytest.mark.parametrize("username", sorted(SCOPE))
def test_ledger_scope_pages_api_export(username, client_for, ledger):
    c = client_for(username)
    assert names(c.get("/projects/")) == SCOPE[username]
    api = c.get("/api/v1/projects/").json()
    assert {p["name"] for p in api["items"]} == SCOPE[username]
    for name, p in ledger.items():
        want = 200 if name in SCOPE[username] else 404
        assert c.get(f"/projects/{p.pk}/").status_code == want
        assert c.get(f"/api/v1/projects/{p.pk}").status_code == want
    r = c.get("/projects/export.xlsx")
    if username in ("mishu_zb", "zhaoshang"):
        assert r.status_code == 403  # no export permission
        return
    ws = load_workbook(io.BytesIO(r.content)).active
    exported = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {n for n in SCOPE["duchashi"] if n in exported} == SCOPE[username]


def test_no_access_for_admins_and_anonymous(client_for, client, ledger):
    for username in ("sysadmin", "secadmin", "auditor"):
        assert client_for(username).get("/projects/").status_code == 403
        assert client_for(username).get("/api/v1/projects/").status_code == 403
    assert client.get("/api/v1/projects/").status_code == 401


def test_filters(client_for, ledger, demo):
    c = client_for("duchashi")
    assert names(c.get("/projects/", {"unit": demo["QHKFQ-WL"].pk})) == {
        "物流园甲项目",
        "物流园乙项目",
    }
    assert names(c.get("/projects/", {"unit": demo["QHKFQ"].pk, "stage": "lead"})) == {
        "物流园乙项目"
    }
    assert names(c.get("/projects/", {"category": "new_start"})) == {"物流园甲项目", "装备园项目"}
    assert names(c.get("/projects/", {"industry": "c36"})) == {"装备园项目"}
    assert names(c.get("/projects/", {"q": "医药"})) == {"医药园项目"}
    sec = ledger["装备园项目"].secretary_id
    assert names(c.get("/projects/", {"person": sec})) == {"装备园项目"}
    assert names(c.get("/projects/", {"person_name": "林晓燕"})) == {"装备园项目"}
    assert names(c.get("/projects/", {"person_name": "没有这个人"})) == set()
    assert "未知的项目阶段" in c.get("/projects/", {"stage": "flying"}).content.decode()
    assert c.get("/projects/count/", {"category": "new_start"}).content.decode() == "共 2 个项目"
    assert client_for("wl_zhuren").get("/projects/count/").content.decode() == "共 2 个项目"
    assert client_for("sysadmin").get("/projects/count/").status_code == 403
    r = c.get("/api/v1/projects/", {"stage": ["lead", "signed"], "sort": "-total"})
    items = r.json()["items"]
    assert items[0]["name"] == "物流园甲项目"
    assert c.get("/api/v1/projects/", {"stage": "flying"}).status_code == 422


def test_forged_unit_filter_refused(client_for, ledger, demo):
    c = client_for("wl_zhuren")
    assert c.get("/projects/", {"unit": demo["QHKFQ-ZB"].pk}).status_code == 404
    assert c.get("/api/v1/projects/", {"unit": demo["QHKFQ-ZB"].pk}).status_code == 404
    assert c.get("/projects/export.xlsx", {"unit": demo["QHKFQ-ZB"].pk}).status_code == 404


def test_columns_and_saved_filters(client_for, ledger):
    c = client_for("duchashi")
    html = c.get("/projects/", {"cols": "code,investor"}).content.decode()
    assert (
        'data-col="code">项目代码</th>' in html
        and 'data-col="investor">建设单位</th>' in html
        and 'data-col="leads"' not in html
    )
    c.post("/projects/filters/", {"name": "新开工", "query": "category=new_start&cols=stage"})
    sf = SavedFilter.objects.get(name="新开工")
    assert names(c.get(f"/projects/?{sf.query}")) == {"物流园甲项目", "装备园项目"}
    assert "新开工" in c.get("/projects/").content.decode()
    assert client_for("wl_zhuren").post(f"/projects/filters/{sf.pk}/delete/").status_code == 404
    c.post(f"/projects/filters/{sf.pk}/delete/")
    assert not SavedFilter.objects.exists()


def test_create_and_edit_with_conflict(client_for, ledger, demo, person):
    c = client_for("wl_zhuren")
    r = c.post(
        "/projects/new/",
        {
            "name": "新建的冷库项目",
            "unit": demo["QHKFQ-WL"].pk,
            "total_investment": "8000",
            "annual_plan_investment": "9000",
            "lead_officials": [person("wl_zhuren").pk],
        },
    )
    assert r.status_code == 200 and "超过总投资" in r.content.decode()
    assert not Project.objects.filter(name="新建的冷库项目").exists()
    r = c.post(
        "/projects/new/",
        {
            "name": "新建的冷库项目",
            "unit": demo["QHKFQ-WL"].pk,
            "total_investment": "8000",
            "lead_officials": [person("wl_zhuren").pk],
            "plan_category": "new_start",
        },
    )
    p = Project.objects.get(name="新建的冷库项目")
    assert r.status_code == 302 and p.lead_officials.get().username == "wl_zhuren"
    # a unit outside scope is refused
    r = c.post("/projects/new/", {"name": "越权", "unit": demo["QHKFQ-ZB"].pk})
    assert r.status_code == 200 and not Project.objects.filter(name="越权").exists()
    # two people open the edit form; the second save is refused with what changed
    form_version = p.version
    other = client_for("duchashi")
    base = {
        "name": p.name,
        "unit": demo["QHKFQ-WL"].pk,
        "total_investment": "8000",
        "version": form_version,
    }
    assert (
        other.post(f"/projects/{p.pk}/edit/", {**base, "total_investment": "9500"}).status_code
        == 302
    )
    r = c.post(f"/projects/{p.pk}/edit/", {**base, "progress_text": "开始打桩"})
    html = r.content.decode()
    assert "保存冲突" in html and "duchashi" in html and "9500" in html
    p.refresh_from_db()
    assert p.total_investment == Decimal("9500") and p.progress_text == ""


def test_api_create_update_conflict_and_stage(client_for, demo):
    c = client_for("wl_zhuren")
    r = c.post(
        "/api/v1/projects/",
        {
            "name": "接口项目",
            "unit_id": demo["QHKFQ-WL"].pk,
            "national_code": "2026-220199-59-03-000777",
            "total_investment": "3000",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pid, v = r.json()["id"], r.json()["version"]
    r = c.post(
        "/api/v1/projects/",
        {"name": "坏代码", "unit_id": demo["QHKFQ-WL"].pk, "national_code": "123"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "national_code" in r.json()["errors"]
    r = c.post(
        "/api/v1/projects/",
        {"name": "越权", "unit_id": demo["QHKFQ-ZB"].pk},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert (
        c.patch(
            f"/api/v1/projects/{pid}",
            {"remarks": "a", "version": v},
            content_type="application/json",
        ).status_code
        == 200
    )
    r = c.patch(
        f"/api/v1/projects/{pid}", {"remarks": "b", "version": v}, content_type="application/json"
    )
    assert r.status_code == 409 and "备注" in r.json()["detail"]
    r = c.post(
        f"/api/v1/projects/{pid}/stage",
        {"to_stage": "negotiating", "on": "2026-04-01"},
        content_type="application/json",
    )
    assert r.status_code == 422 and "version" in r.json()["errors"]  # a move is an update
    v = Project.objects.get(pk=pid).version
    r = c.post(
        f"/api/v1/projects/{pid}/stage",
        {"to_stage": "negotiating", "on": "2026-04-01", "version": v},
        content_type="application/json",
    )
    assert r.status_code == 422 and "早于" in r.json()["errors"]["stage"][0]  # created today
    today = date.today().isoformat()
    r = c.post(
        f"/api/v1/projects/{pid}/stage",
        {"to_stage": "negotiating", "on": today, "version": v - 1},
        content_type="application/json",
    )
    assert r.status_code == 409 and "项目已被" in r.json()["detail"]  # stale: who is named
    r = c.post(
        f"/api/v1/projects/{pid}/stage",
        {"to_stage": "negotiating", "on": today, "version": v},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["stage"] == "negotiating"
    r = c.post(
        f"/api/v1/projects/{pid}/stage",
        {"to_stage": "completed", "on": today, "version": v + 1},
        content_type="application/json",
    )
    assert r.status_code == 422 and "不能从" in r.json()["errors"]["stage"][0]
    assert (
        client_for("zb_zhuren")
        .patch(
            f"/api/v1/projects/{pid}",
            {"remarks": "x", "version": 99},
            content_type="application/json",
        )
        .status_code
        == 404
    )


def test_stage_page_and_timeline(client_for, ledger):
    p = ledger["物流园甲项目"]
    c = client_for("wl_zhuren")
    assert f'name="version" value="{p.version}"' in c.get(f"/projects/{p.pk}/").content.decode()
    move = {"to_stage": "landed", "on": "2026-04-01", "note": "摘牌"}
    r = c.post(f"/projects/{p.pk}/stage/", move, follow=True)  # no version: refused
    assert "请提供项目的版本号" in r.content.decode()
    c.post(f"/projects/{p.pk}/stage/", {**move, "version": p.version})
    r = c.post(
        f"/projects/{p.pk}/stage/",
        {"to_stage": "completed", "on": "2026-04-02", "version": p.version + 1},
        follow=True,
    )
    assert "不能从" in r.content.decode()
    html = c.get(f"/projects/{p.pk}/").content.decode()
    assert "签约 → 落地" in html or "落地" in html
    assert Project.objects.get(pk=p.pk).stage == "landed"
    assert (
        client_for("zb_zhuren")
        .post(f"/projects/{p.pk}/stage/", {"to_stage": "preparing", "on": "2026-04-03"})
        .status_code
        == 404
    )


def test_funnel_page_and_api(client_for, ledger, demo):
    c = client_for("duchashi")
    rows = {r["stage"]: r for r in c.get("/api/v1/projects/funnel").json()}
    assert rows["signed"]["count"] == 3 and rows["lead"]["count"] == 1
    rows = {
        r["stage"]: r
        for r in c.get("/api/v1/projects/funnel", {"unit": demo["QHKFQ-WL"].pk}).json()
    }
    assert rows["signed"]["count"] == 1 and Decimal(rows["signed"]["investment"]) == Decimal(
        "120000"
    )
    html = c.get("/projects/funnel/").content.decode()
    assert "funnel-data" in html
    wl = client_for("wl_zhuren")
    rows = {r["stage"]: r for r in wl.get("/api/v1/projects/funnel").json()}
    assert sum(r["count"] for r in rows.values()) == 2
    assert wl.get("/api/v1/projects/funnel", {"unit": demo["QHKFQ-ZB"].pk}).status_code == 404


@override_settings(TASKS=IMMEDIATE)
def test_web_import_with_progress_and_confirm(client_for, demo):
    c = client_for("duchashi")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("台账.xlsx", messy_workbook())
    r = c.post("/projects/import/", {"file": upload, "unit": demo["QHKFQ"].pk})
    job = ImportJob.objects.get()
    assert r.status_code == 302 and job.dry_run and job.status == "done"
    assert job.total == 3 and job.done == 3 and job.result["created"] == 3
    assert Project.objects.count() == 0
    status = c.get(f"/projects/import/{job.pk}/status/").json()
    assert status["percent"] == 100 and status["status"] == "done"
    html = c.get(f"/projects/import/{job.pk}/").content.decode()
    assert "预检通过" in html
    c.post(f"/projects/import/{job.pk}/confirm/")
    final = ImportJob.objects.exclude(pk=job.pk).get()
    assert final.result["applied"] and Project.objects.count() == 3
    assert client_for("wl_zhuren").get(f"/projects/import/{job.pk}/").status_code == 404
    r = c.post(
        "/projects/import/", {"file": SimpleUploadedFile("x.xls", b"old"), "unit": demo["QHKFQ"].pk}
    )
    assert ".xlsx" in r.content.decode()


@pytest.mark.parametrize("extra", [0, 30])
def test_ledger_and_api_query_counts_fixed(
    client_for, make_project, django_assert_max_num_queries, extra, person
):
    for i in range(extra):
        p = make_project(f"批量项目{i}", unit="QHKFQ-WL")
        p.lead_officials.set([person("wl_zhuren"), person("quzhang")])
    c = client_for("duchashi")
    c.get("/projects/")
    with django_assert_max_num_queries(
        16
    ):  # a fixed number: 30 rows with every column need no more
        assert (
            c.get(
                "/projects/",
                {
                    "cols": ",".join(
                        k for k, _ in __import__("diaodu.projects.views", fromlist=["x"]).COLUMNS
                    )
                },
            ).status_code
            == 200
        )
    with django_assert_max_num_queries(12):
        assert c.get("/api/v1/projects/").status_code == 200
