"""Calendar-day (自然日) time limits: the seeded statutory periods, templates and chains that carry
the unit, the schedule across the 2026 Spring Festival, the API, the Gantt page and the export."""

import io
import json
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.org.scope import SYSTEM
from diaodu.procedures import defaults, services
from diaodu.procedures.models import (
    Procedure,
    ProcedureChain,
    ProcedureTemplate,
    ProjectProcedure,
)

D = date
WD, CD = "working_days", "calendar_days"


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


def test_seeded_notice_periods_count_calendar_days_and_say_why(db):
    items = {
        (p.template.code, p.code): p
        for p in Procedure.objects.filter(template__is_current=True).select_related("template")
    }
    for key in (
        ("enterprise_approval", "Q09"),
        ("enterprise_filing", "B08"),
        ("land_with_design", "D04"),
    ):
        sale = items[key]
        assert (sale.duration_wd, sale.duration_unit) == (30, CD)
        assert "第十条（公告不少于20日）" in sale.duration_source
        assert "第十九条（挂牌不少于10日）" in sale.duration_source
        assert "自然日" in sale.duration_source
        assert sale.duration_label == "30 个自然日"
    tender = items[("gov_invest", "G14")]
    assert (tender.duration_wd, tender.duration_unit) == (35, CD)
    assert "公示不少于3日" in tender.duration_source
    permit = items[("enterprise_filing", "B15")]  # 行政许可 time limit: working days
    assert (permit.duration_wd, permit.duration_unit) == (7, WD)
    assert {p.duration_unit for p in items.values()} == {WD, CD}
    assert sum(p.duration_unit == CD for p in items.values()) == 4


def _as_first_seeded(template_code, code, source="旧依据"):
    Procedure.objects.filter(
        template__code=template_code, template__is_current=True, code=code
    ).update(duration_wd=defaults.FIRST_SEEDED_IN_WORKING_DAYS[(template_code, code)][1],
             duration_unit=WD, duration_source=source)  # fmt: skip


def test_existing_databases_get_the_calendar_days_without_touching_chains_or_edits(make_chain):
    # a database seeded before calendar days: every period in working days
    for tpl_code, code in defaults.FIRST_SEEDED_IN_WORKING_DAYS:
        _as_first_seeded(tpl_code, code)
    # an administrator had changed the listing period of one template: it is left alone
    Procedure.objects.filter(template__code="land_with_design", code="D04").update(duration_wd=25)
    chain = make_chain()  # made from enterprise_filing v1, whose B08 says 30 working days
    assert chain.items.get(code="B08").duration_unit == WD

    assert defaults.apply_calendar_days(django_apps) == 3

    filing = ProcedureTemplate.objects.filter(code="enterprise_filing").order_by("version")
    v1, v2 = list(filing)
    assert not v1.is_current and v2.is_current and v2.version == 2
    assert v2.change_note == defaults.CALENDAR_DAY_NOTE
    assert v1.items.get(code="B08").duration_unit == WD  # the version the chain was made from
    assert v2.items.get(code="B08").duration_unit == CD
    assert v2.items.count() == v1.items.count() == 18
    assert ProcedureChain.objects.get(pk=chain.pk).template_id == v1.pk
    assert chain.items.get(code="B08").duration_unit == WD  # the project's own copy
    # no chain was made from these: corrected in place
    approval = ProcedureTemplate.objects.get(code="enterprise_approval")
    assert approval.version == 1 and approval.items.get(code="Q09").duration_unit == CD
    assert "第十九条" in approval.items.get(code="Q09").duration_source
    design = ProcedureTemplate.objects.get(code="land_with_design")
    assert design.items.get(code="D04").duration_wd == 25
    assert design.items.get(code="D04").duration_unit == WD
    assert defaults.apply_calendar_days(django_apps) == 0  # idempotent


@pytest.fixture
def before_festival(pinned_clock):
    pinned_clock.set(D(2026, 1, 26))
    return D(2026, 1, 26)


@pytest.fixture
def land_sale(make_project, before_festival, person):
    """A chain 出让方案 (5 工作日) → 招拍挂 (30 自然日) → 规划许可 (7 工作日), target 03-13."""
    rows = [
        {"code": "A", "name": "出让方案批复", "stage": "land_planning", "duration_wd": "5"},
        {
            "code": "B",
            "name": "土地招拍挂出让",
            "stage": "land_planning",
            "duration_wd": "30",
            "duration_unit": CD,
            "duration_source": "公告20日、挂牌10日",
            "predecessors": "A",
        },
        {
            "code": "C",
            "name": "建设用地规划许可证",
            "stage": "land_planning",
            "duration_wd": "7",
            "predecessors": "B",
        },
    ]
    with acting_as(None):
        tpl = services.save_template(
            SYSTEM, None, code="sale", name="出让", items=rows, change_note="测试"
        )
        project = make_project(start=D(2026, 3, 13))
        return services.create_chain(SYSTEM, project, tpl)


def test_template_and_chain_carry_the_unit(land_sale):
    tpl = ProcedureTemplate.objects.get(code="sale")
    assert [p.duration_unit for p in tpl.items.all()] == [WD, CD, WD]
    assert [it.duration_unit for it in land_sale.items.order_by("sort_order")] == [WD, CD, WD]
    entry = AuditEntry.objects.filter(action="procedures.template_save").latest("id")
    assert "B 土地招拍挂出让 30自然日" in " ".join(entry.after["items"])


def test_spring_festival_chain_on_time_in_calendar_days_twelve_late_in_working_days(
    land_sale, person
):
    # Hand computation in engine/tests/test_schedule.py: B runs 02-02 .. 03-03 (30 自然日),
    # C 03-04 .. 03-12, 开工 03-13 = target.  In 工作日 B ends 03-19 and 开工 slips to 03-31.
    chain = ProcedureChain.objects.get(pk=land_sale.pk)
    assert chain.expected_start == D(2026, 3, 13) and chain.days_late_wd == 0
    assert chain.critical_path == ["A", "B", "C"]
    b = land_sale.items.get(code="B")
    assert (b.earliest_start, b.earliest_finish) == (D(2026, 2, 2), D(2026, 3, 3))
    sec = person("mishu_wl")
    b = services.update_item(sec, b, {"duration_unit": WD}, version=b.version)
    chain.refresh_from_db()
    assert chain.expected_start == D(2026, 3, 31) and chain.days_late_wd == 12
    entry = AuditEntry.objects.filter(action__startswith="procedures.item").latest("id")
    assert (entry.before["duration_unit"], entry.after["duration_unit"]) == (CD, WD)


def test_bad_unit_refused_in_chinese_and_nothing_changes(land_sale, person):
    b = land_sale.items.get(code="B")
    with pytest.raises(ValidationError) as exc:
        services.update_item(person("mishu_wl"), b, {"duration_unit": "hours"})
    assert "时限单位" in exc.value.message_dict["duration_unit"][0]
    b.refresh_from_db()
    assert b.duration_unit == CD and b.version == 1
    with pytest.raises(ValidationError) as exc:
        services.save_template(
            SYSTEM,
            None,
            code="bad",
            name="坏",
            items=[
                {
                    "code": "A",
                    "name": "公告",
                    "stage": "land_planning",
                    "duration_wd": "20",
                    "duration_unit": "周",
                }
            ],  # fmt: skip
        )
    assert "第 1 行（A）" in exc.value.message_dict["items"][0]
    assert "时限单位" in exc.value.message_dict["items"][0]
    assert not ProcedureTemplate.objects.filter(code="bad").exists()


def test_api_reads_and_writes_the_unit(land_sale, client_for):
    c = client_for("wl_zhuren")
    pid = land_sale.project_id
    rows = api(c, "get", f"/projects/{pid}/procedures").json()
    assert [(r["code"], r["duration_unit"]) for r in rows] == [("A", WD), ("B", CD), ("C", WD)]
    sched = api(c, "get", f"/projects/{pid}/schedule").json()
    assert [r["duration_unit"] for r in sched["items"]] == [WD, CD, WD]
    assert sched["days_late_wd"] == 0
    b = land_sale.items.get(code="B")
    r = api(c, "patch", f"/projects/{pid}/procedures/{b.pk}", {"duration_unit": WD})
    assert r.status_code == 200 and r.json()["duration_unit"] == WD
    assert api(c, "get", f"/projects/{pid}/schedule").json()["days_late_wd"] == 12
    r = api(c, "patch", f"/projects/{pid}/procedures/{b.pk}", {"duration_unit": "月"})
    assert r.status_code == 422 and "时限单位" in r.json()["errors"]["duration_unit"][0]
    r = api(
        c,
        "post",
        f"/projects/{pid}/procedures",
        {"name": "批前公示", "duration_wd": 7, "duration_unit": CD, "predecessors": "C"},
    )
    assert r.status_code == 201 and r.json()["duration_unit"] == CD


def test_gantt_page_forms_and_export_show_the_unit(land_sale, client_for):
    c = client_for("wl_zhuren")
    pid = land_sale.project_id
    html = c.get(f"/procedures/project/{pid}/").content.decode()
    assert "30 个自然日" in html and "5 个工作日" in html
    assert 'title="时限按自然日计">自然日</span>' in html
    assert html.count('data-critical="1"') == 3
    b = land_sale.items.get(code="B")
    form = c.get(f"/procedures/items/{b.pk}/").content.decode()
    assert '<option value="calendar_days" selected>自然日</option>' in form
    r = c.post(
        f"/procedures/items/{b.pk}/",
        {"version": b.version, "duration_wd": "30", "duration_unit": WD},
    )
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.duration_unit == WD

    resp = c.get(f"/procedures/project/{pid}/export/")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    head = rows[3]
    assert head[4:6] == ("办理时限", "时限单位")
    body = {r[1]: r for r in rows[4:]}
    assert body["B"][4:6] == (30, "工作日") and body["A"][4:6] == (5, "工作日")
    assert "预计延误 12 个工作日" in rows[1][0]
    assert body["B"][head.index("关键路径")] == "是"
    assert client_for("gx_zhuren").get(f"/procedures/project/{pid}/export/").status_code == 404


def test_template_form_saves_the_unit(land_sale, client_for):
    c = client_for("duchashi")
    tpl = ProcedureTemplate.objects.get(code="sale")
    page = c.get(f"/procedures/templates/{tpl.pk}/edit/").content.decode()
    assert '<option value="calendar_days" selected>自然日</option>' in page
    post = {"code": "sale", "name": "出让", "description": "", "change_note": "挂牌改为工作日"}
    rows = [
        ("A", "出让方案批复", "5", WD, ""),
        ("B", "土地招拍挂出让", "30", WD, "A"),
        ("C", "建设用地规划许可证", "7", CD, "B"),
    ]
    data = {**post}
    for key, idx in (
        ("row_code", 0),
        ("row_name", 1),
        ("row_duration_wd", 2),
        ("row_duration_unit", 3),
        ("row_predecessors", 4),
    ):
        data[key] = [r[idx] for r in rows]
    data["row_stage"] = ["land_planning"] * 3
    r = c.post(f"/procedures/templates/{tpl.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    new = ProcedureTemplate.objects.get(code="sale", is_current=True)
    assert new.version == 2
    assert [p.duration_unit for p in new.items.all()] == [WD, WD, CD]
    detail = c.get(f"/procedures/templates/{new.pk}/").content.decode()
    assert "7 个自然日" in detail and "30 个工作日" in detail
