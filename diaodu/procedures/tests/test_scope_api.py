"""Scope (a park cannot read or write another park's chain, in pages and API), and the API:
schedule shape, item CRUD, Chinese 422s."""

import json
from datetime import date

from diaodu.procedures.models import ProcedureChain, ProjectProcedure


def api(c, method, url, body=None):
    """A call of the API; a PATCH of a procedure says the version it was built on (the current
    one) unless the test gives one."""
    kwargs = {"content_type": "application/json"}
    if method == "patch" and body is not None and "version" not in body:
        item = ProjectProcedure.objects.filter(pk=int(url.rstrip("/").rsplit("/", 1)[1])).first()
        body = {**body, "version": item.version if item else 1}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(c, method)(f"/api/v1{url}", **kwargs)


def test_other_park_gets_404_everywhere(make_chain, client_for):
    chain = make_chain()  # 物流园
    pid = chain.project_id
    b01 = chain.items.get(code="B01")
    c = client_for("gx_zhuren")  # 高新园: park staff of another park
    assert c.get(f"/procedures/project/{pid}/").status_code == 404
    assert c.get(f"/procedures/items/{b01.pk}/").status_code == 404
    assert (
        c.post(
            f"/procedures/items/{b01.pk}/", {"status": "done", "actual_finish": "2026-05-20"}
        ).status_code
        == 404
    )
    assert c.post(f"/procedures/items/{b01.pk}/remove/").status_code == 404
    assert c.post(f"/procedures/project/{pid}/delete/").status_code == 404
    assert c.get(f"/procedures/project/{pid}/add/").status_code == 404
    assert api(c, "get", f"/projects/{pid}/schedule").status_code == 404
    assert api(c, "get", f"/projects/{pid}/procedures").status_code == 404
    assert (
        api(
            c, "patch", f"/projects/{pid}/procedures/{b01.pk}", {"status": "not_applicable"}
        ).status_code
        == 404
    )
    assert api(c, "delete", f"/projects/{pid}/procedures/{b01.pk}").status_code == 404
    assert (
        api(c, "post", f"/projects/{pid}/procedures", {"name": "x", "duration_wd": 1}).status_code
        == 404
    )
    b01.refresh_from_db()
    assert b01.status == "not_started" and b01.version == 1
    # an item id of another project through a visible project's URL
    own = make_chain(name="高新项目", unit="QHKFQ-GX", secretary="mishu_gx")
    assert api(c, "get", f"/projects/{own.project_id}/procedures/{b01.pk}").status_code == 404
    assert api(client_for("wl_zhuren"), "get", f"/projects/{pid}/schedule").status_code == 200


def test_readers_without_change_permission_get_403(make_chain, client_for):
    chain = make_chain()
    pid = chain.project_id
    b01 = chain.items.get(code="B01")
    c = client_for("fuzhuren")  # zone leader: sees every park, changes nothing
    html = c.get(f"/procedures/project/{pid}/").content.decode()
    assert 'data-testid="gantt"' in html and "办理</a>" not in html
    assert c.get(f"/procedures/items/{b01.pk}/").status_code == 403
    assert c.post(f"/procedures/items/{b01.pk}/remove/").status_code == 403
    assert api(c, "get", f"/projects/{pid}/schedule").status_code == 200
    r = api(c, "patch", f"/projects/{pid}/procedures/{b01.pk}", {"status": "not_applicable"})
    assert r.status_code == 403 and "新建/编辑项目" in r.json()["detail"]
    assert ProjectProcedure.objects.get(pk=b01.pk).status == "not_started"
    # a department without the project in its scope: 404 on the chain
    assert client_for("ziranziyuan").get(f"/procedures/project/{pid}/").status_code == 404


def test_schedule_api_shape(make_chain, client_for):
    chain = make_chain(start=date(2027, 6, 1))
    r = api(client_for("mishu_wl"), "get", f"/projects/{chain.project_id}/schedule")
    assert r.status_code == 200
    data = r.json()
    assert {"target_start", "expected_start", "days_late_wd", "calendar_warnings", "items"} <= set(
        data
    )
    assert data["target_start"] == "2027-06-01" and data["days_late_wd"] == 0
    assert data["calendar_warnings"] == ["2027年节假日安排尚未录入，已按周一至周五计算工作日"]
    assert len(data["items"]) == 18
    first = data["items"][0]
    for key in (
        "code",
        "name",
        "status",
        "duration_wd",
        "latest_start",
        "latest_finish",
        "earliest_start",
        "earliest_finish",
        "slack_wd",
        "critical",
        "overdue",
    ):
        assert key in first
    assert first["code"] == "B01" and first["latest_start"] and first["critical"] is True
    last = next(i for i in data["items"] if i["code"] == "B18")
    assert last["latest_start"] is None  # 竣工验收: after 开工
    spec = client_for("mishu_wl").get("/api/v1/openapi.json").json()
    assert "/api/v1/projects/{project_id}/schedule" in spec["paths"]
    assert (
        api(client_for("duchashi"), "get", f"/projects/{chain.project_id}/schedule").json() == data
    )


def test_item_crud_api(make_project, client_for, today):
    project = make_project(start=date(2027, 6, 1))
    c = client_for("mishu_wl")
    pid = project.pk
    assert api(c, "get", f"/projects/{pid}/schedule").json()["items"] == []
    r = api(c, "post", f"/projects/{pid}/procedure-chain", {"template": "nope"})
    assert r.status_code == 422 and "不存在" in r.json()["errors"]["template"][0]
    r = api(c, "post", f"/projects/{pid}/procedure-chain", {"template": "gov_invest"})
    assert r.status_code == 201 and len(r.json()["items"]) == 18
    items = api(c, "get", f"/projects/{pid}/procedures").json()
    g01 = items[0]
    assert g01["code"] == "G01" and g01["responsible_unit"] == "发改局" and g01["version"] == 1
    r = api(
        c,
        "patch",
        f"/projects/{pid}/procedures/{g01['id']}",
        {
            "status": "done",
            "actual_start": "2026-05-06",
            "actual_finish": "2026-05-20",
            "doc_number": "清发改〔2026〕9号",
            "version": 1,
        },
    )
    assert r.status_code == 200, r.content
    assert (
        r.json()["status"] == "done"
        and r.json()["version"] == 2
        and r.json()["earliest_finish"] == "2026-05-20"
    )
    r = api(
        c, "patch", f"/projects/{pid}/procedures/{g01['id']}", {"doc_number": "x", "version": 1}
    )
    # a save over someone else's: 409, naming who saved last and the versions
    assert r.status_code == 409, r.content
    stale = r.json()["errors"]["general"][0]
    assert "该手续已被高明于" in stale and "现为第 2 版，您提交时看到的是第 1 版" in stale
    assert r.json()["detail"] == stale
    r = api(c, "patch", f"/projects/{pid}/procedures/{g01['id']}", {"actual_finish": "2026-07-01"})
    assert r.status_code == 422 and "晚于今天" in r.json()["errors"]["actual_finish"][0]
    r = api(c, "patch", f"/projects/{pid}/procedures/{g01['id']}", {"duration_wd": "很多"})
    assert r.status_code == 422 and "整数" in r.json()["errors"]["duration_wd"][0]
    r = api(
        c,
        "patch",
        f"/projects/{pid}/procedures/{g01['id']}",
        {"predecessors": [{"code": "G15", "lag_wd": 0}]},
    )
    assert r.status_code == 422 and "循环依赖" in r.json()["errors"]["predecessors"][0]
    r = api(
        c,
        "post",
        f"/projects/{pid}/procedures",
        {
            "name": "压覆矿产评估",
            "duration_wd": 10,
            "predecessors": [{"code": "G01", "lag_wd": 0}],
            "responsible_text": "自然资源局",
        },
    )
    assert r.status_code == 201 and r.json()["code"] == "X01" and r.json()["added"] is True
    x01 = r.json()["id"]
    zr = next(i for i in items if i["code"] == "G02")["responsible_unit_id"]
    r = api(c, "patch", f"/projects/{pid}/procedures/{x01}", {"responsible_unit_id": zr})
    assert r.status_code == 200 and r.json()["responsible_unit"] == "自然资源局"
    r = api(c, "patch", f"/projects/{pid}/procedures/{x01}", {"responsible_unit_id": 999999})
    assert r.status_code == 422
    assert api(c, "delete", f"/projects/{pid}/procedures/{x01}").json() == {"result": "removed"}
    g03 = next(i for i in items if i["code"] == "G03")["id"]
    assert api(c, "delete", f"/projects/{pid}/procedures/{g03}").json() == {
        "result": "not_applicable"
    }
    sched = api(c, "get", f"/projects/{pid}/schedule").json()
    assert "G03" not in [i["code"] for i in sched["items"]] and len(sched["items"]) == 17
    assert ProcedureChain.objects.get(project_id=pid).items.count() == 18


def test_patch_requires_a_whole_number_version(make_chain, client_for):
    chain = make_chain()
    pid, b01 = chain.project_id, chain.items.get(code="B01")
    c = client_for("duchashi")
    url = f"/api/v1/projects/{pid}/procedures/{b01.pk}"
    for body in ({"doc_number": "x"}, {"doc_number": "x", "version": None}):
        r = c.patch(url, json.dumps(body), content_type="application/json")
        assert r.status_code == 422 and "请提供该手续的版本号" in r.json()["errors"]["version"][0]
    for bad in ("abc", 1.5, [1], 10**30):
        r = c.patch(url, json.dumps({"version": bad}), content_type="application/json")
        assert r.status_code == 422 and "version" in r.json()["errors"], (bad, r.content)
    b01.refresh_from_db()
    assert b01.version == 1 and b01.doc_number == ""
    # the page refuses a form without its version the same way
    r = c.post(f"/procedures/items/{b01.pk}/", {"status": "done", "doc_number": "y"})
    assert r.status_code == 200 and "请提供该手续的版本号" in r.content.decode()
    b01.refresh_from_db()
    assert b01.version == 1 and b01.doc_number == ""
