"""Pages and API: each list scoped per role, forged ids across parks → 404 (pages and API), fixed
query counts, Chinese errors that change nothing, the downloads, the page figures equal the
bulletin's, and the API flows (multipart report with photo, problem moves, meeting, lights)."""

import io
import json
import re

import pytest
from docx import Document

from diaodu.engine import periods as P
from diaodu.supervision import services
from diaodu.supervision.models import (
    ActionItem,
    Light,
    Problem,
    ProgressReport,
    ReportCycle,
    ReportPhoto,
)
from diaodu.supervision.tests.conftest import REPORT, jpeg

Q = "?period=2026-W47"


@pytest.fixture
def world(week, cycle, make_project, person, demo, clock, media):
    """物流园 (week fixture: 甲乙丙丁) plus one 装备园 project with a report, a photo, a contact, a problem;
    lights of week 47; a zone meeting with an action item."""
    office = person("duchashi")
    clock.set(2026, 11, 18, 11, 0)
    zb = make_project(
        "装备园·数控机床项目", unit="QHKFQ-ZB", secretary="mishu_zb", lat=43.822, lon=125.248
    )
    zb_report = services.file_report(
        person("mishu_zb"), zb, REPORT, photo_files=[jpeg(lat=43.822, lon=125.248)]
    )
    services.log_contact(
        person("mishu_zb"),
        zb,
        {
            "on": "2026-11-17",
            "people": "林晓燕",
            "enterprise_contact": "李总",
            "method": "phone",
            "content": "电话调度",
        },
    )
    zb_problem = services.raise_problem(
        person("mishu_zb"), zb, title="机床车间用电增容", type_code="utilities"
    )
    wl_report = ProgressReport.objects.get(project=week["a"], period="2026-W47")
    clock.set(2026, 11, 19, 17, 0)
    services.compute_lights(office, cycle, P.parse("2026-W47"))
    clock.set(2026, 11, 23, 9, 0)
    m = services.create_meeting(office, demo["QHKFQ"], {"held_on": "2026-11-23"})
    action = services.add_action_item(
        office,
        m,
        {"content": "住建局完成管网审批", "unit_id": demo["QHKFQ-ZJ"].pk, "deadline": "2026-11-30"},
    )
    wl_problem = Problem.objects.get(project=week["d"])
    return {
        "zb": zb,
        "zb_report": zb_report,
        "wl_report": wl_report,
        "zb_problem": zb_problem,
        "wl_problem": wl_problem,
        "meeting": m,
        "action": action,
        "zone": demo["QHKFQ"],
        **week,
    }


WL_NAMES = {"甲·投资滞后项目", "乙·正常项目", "丁·问题督办项目"}
SCOPE = {  # whose reports (week 47) each person sees
    "duchashi": WL_NAMES | {"装备园·数控机床项目"},
    "fuzhuren": WL_NAMES | {"装备园·数控机床项目"},
    "wl_zhuren": WL_NAMES,
    "zb_zhuren": {"装备园·数控机床项目"},
    "mishu_zb": {"装备园·数控机床项目"},
    "ziranziyuan": set(),
}
ALL = WL_NAMES | {"装备园·数控机床项目", "丙·未报送项目"}


def shown(html: str) -> set:
    return {n for n in ALL if n in html}


def test_lists_are_scoped(world, client_for):
    for username in sorted(SCOPE):
        _check_scope(username, client_for(username), world)


def _check_scope(username, c, world):
    unit = f"&unit={world['zone'].pk}" if username in ("duchashi", "fuzhuren") else ""
    r = c.get(f"/supervision/reports/{Q}{unit}")
    assert r.status_code == 200
    assert shown(r.content.decode()) == SCOPE[username]
    api = c.get(f"/api/v1/supervision/reports{Q}{unit}")
    assert api.status_code == 200, api.content
    assert {x["project_name"] for x in api.json()["items"]} == SCOPE[username]
    lights = {
        x["project_name"] for x in c.get(f"/api/v1/supervision/lights{Q}{unit}").json()["items"]
    }
    assert lights == (
        SCOPE[username] | ({"丙·未报送项目"} if SCOPE[username] >= WL_NAMES else set())
    )
    assert shown(c.get(f"/supervision/lights/{Q}{unit}").content.decode()) == lights
    problems = {x["title"] for x in c.get("/api/v1/supervision/problems").json()["items"]}
    expected = {
        "duchashi": {"雨污管网接驳未批复", "机床车间用电增容"},
        "fuzhuren": {"雨污管网接驳未批复", "机床车间用电增容"},
        "wl_zhuren": {"雨污管网接驳未批复"},
        "zb_zhuren": {"机床车间用电增容"},
        "mishu_zb": {"机床车间用电增容"},
        "ziranziyuan": set(),
    }[username]
    assert problems == expected
    page = c.get("/supervision/problems/").content.decode()
    assert {t for t in ("雨污管网接驳未批复", "机床车间用电增容") if t in page} == expected
    meetings = [m["title"] for m in c.get("/api/v1/supervision/meetings").json()["items"]]
    assert bool(meetings) == (username in ("duchashi", "fuzhuren"))
    contacts = c.get(f"/supervision/contacts/{Q}{unit}").content.decode()
    assert ("电话调度" in contacts) == ("装备园·数控机床项目" in SCOPE[username])
    api_contacts = {
        x["project_name"] for x in c.get(f"/api/v1/supervision/contacts{Q}{unit}").json()["items"]
    }
    assert api_contacts == {n for n in SCOPE[username] if n != "丙·未报送项目"}
    missing = [x["project_name"] for x in c.get(f"/api/v1/supervision/missing{Q}{unit}").json()]
    assert missing == (["丙·未报送项目"] if SCOPE[username] >= WL_NAMES else [])
    assert ("丙·未报送项目" in c.get(f"/supervision/missing/{Q}{unit}").content.decode()) == bool(
        missing
    )
    owed = c.get(f"/api/v1/supervision/summary{Q}{unit}").json()["owed"]
    assert owed == len(SCOPE[username]) + len(missing)
    actions = [a["content"] for a in c.get("/api/v1/supervision/actions").json()["items"]]
    assert actions == (["住建局完成管网审批"] if username in ("duchashi", "fuzhuren") else [])
    assert ("住建局完成管网审批" in c.get("/supervision/actions/").content.decode()) == bool(
        actions
    )
    stats = {r["label"]: r["received"] for r in c.get("/api/v1/supervision/problems/stats").json()}
    assert stats == ({"住建局": 1} if "雨污管网接驳未批复" in expected else {})


def test_department_sees_what_is_assigned_to_it(world, client_for, person, demo):
    c = client_for("zhujian")  # 住建局: the 督办 problem and the meeting's action item are theirs
    assert [p["title"] for p in c.get("/api/v1/supervision/problems").json()["items"]] == [
        "雨污管网接驳未批复"
    ]
    assert c.get(f"/supervision/problems/{world['wl_problem'].pk}/").status_code == 200
    assert c.get(f"/api/v1/supervision/reports/{world['wl_report'].pk}").status_code == 404
    assert [a["content"] for a in c.get("/api/v1/supervision/actions").json()["items"]] == [
        "住建局完成管网审批"
    ]
    r = c.post(f"/supervision/actions/{world['action'].pk}/close/", {"result": "已审批"})
    assert r.status_code == 302 and ActionItem.objects.get(pk=world["action"].pk).status == "done"


def test_forged_ids_across_parks_are_404(world, client_for):
    c = client_for("zb_zhuren")  # 装备园 looking at 物流园's records
    wl_report, wl_problem = world["wl_report"], world["wl_problem"]
    light = Light.objects.get(project=world["a"], period="2026-W47")
    photo = ReportPhoto.objects.create(
        report=wl_report,
        file="x.jpg",
        thumb="y.jpg",
        original_name="x.jpg",
        size=1,
        content_type="image/jpeg",
    )
    for url in (
        f"/supervision/reports/{wl_report.pk}/",
        f"/supervision/reports/{wl_report.pk}/edit/",
        f"/supervision/photos/{photo.pk}/",
        f"/supervision/photos/{photo.pk}/thumb/",
        f"/supervision/problems/{wl_problem.pk}/",
        f"/supervision/meetings/{world['meeting'].pk}/",
        f"/supervision/reports/new/{world['a'].pk}/",
        f"/api/v1/supervision/reports/{wl_report.pk}",
        f"/api/v1/supervision/problems/{wl_problem.pk}",
        f"/api/v1/supervision/meetings/{world['meeting'].pk}",
    ):
        assert c.get(url).status_code == 404, url
    posts = [
        (f"/supervision/reports/{wl_report.pk}/return/", {"reason": "x"}),
        (f"/supervision/reports/{wl_report.pk}/accept/", {}),
        (f"/supervision/problems/{wl_problem.pk}/escalate/", {}),
        (f"/supervision/lights/{light.pk}/override/", {"color": "green", "reason": "x"}),
        (f"/supervision/actions/{world['action'].pk}/close/", {"result": "x"}),
        (f"/supervision/meetings/{world['meeting'].pk}/actions/", {"content": "x"}),
    ]
    for url, data in posts:
        assert c.post(url, data).status_code == 404, url
    api_posts = [
        (f"/reports/{wl_report.pk}/return", {"reason": "x", "version": 1}),
        (
            f"/problems/{wl_problem.pk}/transition",
            {"action": "resolve", "answer": "x", "version": 1},
        ),
        (f"/lights/{light.pk}/override", {"color": "green", "reason": "x"}),
        (f"/actions/{world['action'].pk}/close", {"result": "x"}),
        (
            "/contacts",
            {
                "project_id": world["a"].pk,
                "people": "x",
                "enterprise_contact": "y",
                "method": "visit",
                "content": "z",
            },
        ),
        ("/problems", {"project_id": world["a"].pk, "title": "x", "type_code": "land"}),
    ]
    for url, body in api_posts:
        r = c.post(f"/api/v1/supervision{url}", json.dumps(body), content_type="application/json")
        assert r.status_code == 404, (url, r.content)
    r = c.post(
        "/api/v1/supervision/reports",
        {"project_id": world["b"].pk, "progress_text": "x", "invested": "1"},
    )
    assert r.status_code in (404, 403)
    wl_report.refresh_from_db()
    light.refresh_from_db()
    assert (
        wl_report.status == "submitted"
        and light.override_color == ""
        and ActionItem.objects.get(pk=world["action"].pk).status == "open"
    )
    # a unit outside the scope as a filter: 404, not a wider view
    assert c.get(f"/supervision/reports/?unit={world['zone'].pk}").status_code == 404
    assert c.get(f"/api/v1/supervision/summary?unit={world['zone'].pk}").status_code == 404
    # without the permission: 403
    s = client_for("mishu_zb")
    assert (
        s.post(f"/supervision/reports/{world['zb_report'].pk}/return/", {"reason": "x"}).status_code
        == 403
    )
    assert s.get("/supervision/rules/").status_code == 403
    assert s.get("/supervision/bulletin.docx").status_code == 403


def test_list_query_counts_are_fixed(
    world, client_for, make_project, person, clock, django_assert_max_num_queries
):
    c = client_for("duchashi")
    zone = world["zone"].pk
    urls = [
        f"/supervision/reports/{Q}&unit={zone}",
        f"/supervision/lights/{Q}&unit={zone}",
        "/supervision/problems/",
        f"/supervision/contacts/{Q}&unit={zone}",
        "/supervision/meetings/",
        "/supervision/actions/",
        f"/supervision/missing/{Q}&unit={zone}",
        f"/api/v1/supervision/reports{Q}&unit={zone}",
        f"/api/v1/supervision/lights{Q}&unit={zone}",
        "/api/v1/supervision/problems",
        f"/supervision/{Q}&unit={zone}",
    ]
    before = {}
    for url in urls:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200, url
        before[url] = len(ctx.captured_queries)
    clock.set(2026, 11, 18, 12, 0)
    for i in range(12):  # many more rows of every kind
        p = make_project(f"新增项目{i}")
        services.file_report(
            person("mishu_wl"), p, REPORT, photo_files=[jpeg()] if i % 3 == 0 else []
        )
        services.log_contact(
            person("mishu_wl"),
            p,
            {
                "on": "2026-11-17",
                "people": "高明",
                "enterprise_contact": "王",
                "method": "visit",
                "content": "对接",
            },
        )
        services.raise_problem(person("mishu_wl"), p, title=f"问题{i}", type_code="land")
    clock.set(2026, 11, 19, 17, 0)
    services.compute_lights(
        person("duchashi"), world["meeting"].unit.report_cycle, P.parse("2026-W47")
    )
    clock.set(2026, 11, 23, 10, 0)
    for i in range(5):
        services.add_action_item(
            person("duchashi"),
            world["meeting"],
            {"content": f"事项{i}", "owner_name": "张三", "deadline": "2026-12-01"},
        )
    for url in urls:
        with django_assert_max_num_queries(before[url]):
            assert c.get(url).status_code == 200, url


def test_bad_input_on_the_pages_changes_nothing(world, client_for, clock):
    c = client_for("mishu_wl")
    b = world["b"]
    ProgressReport.objects.filter(project=b, period="2026-W48").delete()
    clock.set(2026, 11, 25, 10, 0)
    r = c.post(
        f"/supervision/reports/new/{b.pk}/",
        {"period": "2026-W48", "progress_text": "", "invested": "abc"},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "请填写形象进度" in html and "本期完成投资应为数字" in html
    assert not ProgressReport.objects.filter(project=b, period="2026-W48").exists()
    r = c.post(
        f"/supervision/reports/new/{b.pk}/",
        {"period": "2026-W48", **REPORT, "photos": io.BytesIO(b"%PDF-1.4 not an image")},
    )
    assert "不是有效的图片" in r.content.decode()
    assert not ProgressReport.objects.filter(project=b, period="2026-W48").exists()
    office = client_for("duchashi")
    r = office.post(
        f"/supervision/reports/{world['wl_report'].pk}/return/", {"reason": "  "}, follow=True
    )
    assert "请填写退回原因" in r.content.decode()
    assert ProgressReport.objects.get(pk=world["wl_report"].pk).status == "submitted"
    r = office.post(
        "/supervision/rules/",
        {
            "unit": world["zone"].pk,
            "version": ReportCycle.objects.get(unit=world["zone"]).version,
            "frequency": "weekly",
            "deadline_weekday": "9",
            "red_pace_below": "0.95",
            "yellow_pace_below": "0.9",
        },
    )
    html = r.content.decode()
    assert "截止星期应在 0 到 6 之间" in html
    r = office.post(  # a change of the cycle without the version the form showed
        "/supervision/rules/",
        {"unit": world["zone"].pk, "frequency": "weekly", "deadline_weekday": "1"},
    )
    assert "请提供报送周期的版本号" in r.content.decode()
    r = office.post(
        "/supervision/rules/",
        {"unit": world["zone"].pk, "version": "x", "frequency": "weekly", "deadline_weekday": "1"},
    )
    assert "版本号（version）应为整数" in r.content.decode()
    assert ReportCycle.objects.get(unit=world["zone"]).deadline_weekday == 3
    r = office.post(
        f"/api/v1/supervision/problems/{world['zb_problem'].pk}/transition",
        json.dumps({"action": "close", "version": world["zb_problem"].version}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "不能销号" in r.json()["errors"]["action"][0]
    r = office.post(
        "/api/v1/supervision/reminders",
        json.dumps({"unit_id": world["zone"].pk, "period": "2026-W99"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "没有第99周" in r.json()["errors"]["period"][0]


def test_summary_page_equals_bulletin(world, client_for):
    c = client_for("duchashi")
    zone = world["zone"].pk
    r = c.post("/supervision/missing/remind/", {"unit": zone, "period": "2026-W47"}, follow=True)
    assert "已向 1 个未报送项目发出催报" in r.content.decode()
    html = c.get(f"/supervision/{Q}&unit={zone}").content.decode()
    figs = dict(re.findall(r'data-fig="(\w+)">([^<]+)<', html))
    assert figs["reminders"] == "1"
    r = c.get(f"/supervision/bulletin.docx{Q}&unit={zone}")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    m = re.search(
        r"应报送进度的重点项目(\d+)个，已报送(\d+)个，其中按时报送(\d+)个、逾期报送(\d+)个，未报送(\d+)个，报送率([\d.]+)%",
        text,
    )
    assert (figs["owed"], figs["filed"], figs["late"], figs["missing"], figs["rate"]) == (
        m.group(1),
        m.group(2),
        m.group(4),
        m.group(5),
        m.group(6),
    )
    red = re.search(r"本期亮红灯项目(\d+)个、黄灯项目(\d+)个、绿灯项目(\d+)个", text)
    assert (figs["red"], figs["yellow"], figs["green"]) == red.groups()
    inv = re.search(r"本期完成投资([\d,.]+)万元；本年累计完成投资([\d,.]+)万元", text)
    assert (figs["invested"], figs["ytd"]) == inv.groups()
    assert re.search(r"本期共催报(\d+)次", text).group(1) == figs["reminders"]
    assert re.search(
        r"目前尚未销号的问题(\d+)个，其中超过办理时限(\d+)个、督办及以上(\d+)个", text
    ).groups() == (figs["problems_open"], figs["problems_overdue"], figs["problems_escalated"])
    api = c.get(f"/api/v1/supervision/summary{Q}&unit={zone}").json()
    assert str(api["owed"]) == figs["owed"] and str(api["lights"]["red"]) == figs["red"]
    x = c.get(f"/supervision/ledger.xlsx{Q}&unit={zone}")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")


def test_api_full_flow(world, client_for, person, demo, clock, media):
    sec, office, land = client_for("mishu_wl"), client_for("duchashi"), client_for("ziranziyuan")
    clock.set(2026, 11, 25, 10, 0)
    r = sec.post(
        "/api/v1/supervision/reports",
        {
            "project_id": world["b"].pk,
            "progress_text": "主体结构完成",
            "invested": "300",
            "next_plan": "砌筑",
            "problems": json.dumps(
                [
                    {
                        "title": "地块红线需调整",
                        "type_code": "land",
                        "suggested_unit_id": demo["QHKFQ-ZR"].pk,
                    }
                ]
            ),
            "photos": [jpeg("a.jpg"), jpeg("b.jpg")],
        },
    )
    assert r.status_code == 201, r.content
    rep = r.json()
    assert (
        rep["period"] == "2026-W48"
        and len(rep["photos"]) == 2
        and rep["photos"][0]["latitude"] == "43.865000"
    )
    assert sec.get(rep["photos"][0]["thumb_url"]).status_code == 200
    r = office.post(
        f"/api/v1/supervision/reports/{rep['id']}/return",
        json.dumps({"reason": "照片不清晰", "version": rep["version"]}),
        content_type="application/json",
    )
    assert r.json()["status"] == "returned"
    returned = r
    url = f"/api/v1/supervision/reports/{rep['id']}/resubmit"
    for version, status, says in (
        ("", 422, "请提供周报的版本号"),
        ("abc", 422, "应为整数"),
        ("1", 409, "周报已被"),  # stale: who returned it is named
    ):
        bad = sec.post(url, {"progress_text": "x", "invested": "280", "version": version})
        assert bad.status_code == status and says in bad.json()["errors"]["version"][0], bad.content
    assert ProgressReport.objects.get(pk=rep["id"]).status == "returned"
    r = returned
    r = sec.post(
        f"/api/v1/supervision/reports/{rep['id']}/resubmit",
        {
            "progress_text": "主体结构完成",
            "invested": "280",
            "version": r.json()["version"],
            "remove_photos": str(rep["photos"][0]["id"]),
            "photos": [jpeg("c.jpg")],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["invested"] == "280.00" and {p["name"] for p in r.json()["photos"]} == {
        "b.jpg",
        "c.jpg",
    }
    pid = Problem.objects.get(title="地块红线需调整").pk

    def move(client, **body):
        body.setdefault("version", Problem.objects.get(pk=pid).version)
        return client.post(
            f"/api/v1/supervision/problems/{pid}/transition",
            json.dumps(body),
            content_type="application/json",
        )

    assert move(sec, action="assign", unit_id=demo["QHKFQ-ZR"].pk, deadline_wd=5).status_code == 403
    assert (
        move(office, action="assign", unit_id=demo["QHKFQ-ZR"].pk, deadline_wd=5).json()["due_date"]
        == "2026-12-02"
    )
    assert move(land, action="start").json()["status"] == "in_progress"
    assert move(land, action="resolve", answer="红线已调整").json()["status"] == "resolved"
    done = move(sec, action="close", satisfaction=5).json()
    assert done["status"] == "closed" and done["satisfaction"] == 5 and len(done["events"]) == 5
    r = office.post(
        "/api/v1/supervision/lights/compute",
        json.dumps({"unit_id": demo["QHKFQ"].pk, "period": "2026-W47"}),
        content_type="application/json",
    )
    assert r.json()["computed"] == 5
    light = Light.objects.get(project=world["a"], period="2026-W47")
    r = client_for("fuzhuren").post(
        f"/api/v1/supervision/lights/{light.pk}/override",
        json.dumps({"color": "yellow", "reason": "资金已落实"}),
        content_type="application/json",
    )
    assert r.json()["effective_color"] == "yellow"
    clock.set(2026, 11, 30, 9, 0)
    r = office.post(
        "/api/v1/supervision/meetings",
        json.dumps({"unit_id": demo["QHKFQ"].pk, "held_on": "2026-11-30"}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    m = r.json()
    assert m["period"] == "2026-W48" and [a["kind"] for a in m["agenda"]].count("action") == 1
    r = office.post(
        f"/api/v1/supervision/meetings/{m['id']}/actions",
        json.dumps(
            {
                "content": "自然资源局出具规划条件",
                "owner_id": person("ziranziyuan").pk,
                "deadline": "2026-12-05",
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201
    aid = r.json()["id"]
    assert (
        land.post(
            f"/api/v1/supervision/actions/{aid}/close",
            json.dumps({"result": "已出具"}),
            content_type="application/json",
        ).json()["status"]
        == "done"
    )
    spec = office.get("/api/v1/openapi.json").json()
    assert (
        "/api/v1/supervision/reports" in spec["paths"]
        and "/api/v1/supervision/problems/{problem_id}/transition" in spec["paths"]
    )


def test_project_page_panel_and_rules_page(world, client_for):
    html = client_for("wl_zhuren").get(f"/projects/{world['a'].pk}/").content.decode()
    assert 'data-testid="supervision-panel"' in html and "序时进度" in html and "2026-W47" in html
    office = client_for("duchashi")
    r = office.get(f"/supervision/rules/?unit={world['zone'].pk}")
    assert r.status_code == 200 and 'name="red_pace_below" value="0.7"' in r.content.decode()
    r = office.post(
        "/supervision/rules/",
        {
            "unit": world["zone"].pk,
            "version": world["zone"].report_cycle.version,
            "frequency": "weekly",
            "deadline_weekday": "4",
            "deadline_day": "25",
            "deadline_time": "12:00",
            "starts_on": "2026-11-02",
            "remind_hours_before": "2",
            "min_contacts_per_week": "1",
            "zone_radius_km": "8",
            "project_radius_km": "3",
            "photo_max_days_before": "7",
            "urge_after_wd": "1",
            "supervise_after_wd": "3",
            "elevate_after_wd": "8",
            "is_active": "on",
            "red_pace_below": "0.6",
            "yellow_pace_below": "0.85",
            "red_missing_reports": "",
            "yellow_missing_reports": "1",
            "red_problem_level": "督办",
            "yellow_problem_overdue": "on",
            "red_procedure_overdue": "on",
            "red_no_contact_weeks": "3",
            "yellow_no_contact_weeks": "1",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    cycle = world["zone"].report_cycle
    cycle.refresh_from_db()
    assert (cycle.deadline_weekday, cycle.remind_hours_before, str(cycle.project_radius_km)) == (
        4,
        2,
        "3.00",
    )
    assert (
        cycle.light_rules["red_pace_below"] == "0.6"
        and cycle.light_rules["red_missing_reports"] is None
    )
    assert cycle.light_rules["yellow_procedure_at_risk"] is False
    from diaodu.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="cycle.update").exists()
