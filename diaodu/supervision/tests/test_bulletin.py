"""The bulletin: `diaodu bulletin` writes a 通报 whose every figure is checked here against the
database (opened with python-docx), and the period's ledger as Excel."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from docx import Document
from openpyxl import load_workbook

from diaodu.engine import periods as P
from diaodu.engine import stages as S
from diaodu.projects.models import Project
from diaodu.supervision import services
from diaodu.supervision.models import ActionItem, Light, Problem, ProgressReport, Reminder
from diaodu.supervision.tests.conftest import REPORT


@pytest.fixture
def full_week(week, cycle, make_project, person, demo, clock):
    """The week of the issue: one report filed late, one missing and reminded, lights at the deadline,
    a problem escalated to 督办, the Monday meeting with its decisions."""
    office = person("duchashi")
    late = make_project("己·逾期报送项目", completed_this_year=Decimal("5000"))
    clock.set(2026, 11, 19, 18, 0)  # Thursday evening: the 督查室 reminds those missing
    services.remind(office, demo["QHKFQ"], P.parse("2026-W47"))
    clock.set(2026, 11, 20, 9, 30)  # Friday morning: one more report arrives, late
    services.file_report(person("mishu_wl"), late, {**REPORT, "invested": "1234.5"})
    services.compute_lights(office, cycle, P.parse("2026-W47"))
    clock.set(2026, 11, 23, 9, 0)
    m = services.create_meeting(office, demo["QHKFQ"], {"held_on": "2026-11-23"})
    services.add_action_item(
        office,
        m,
        {
            "content": "住建局两周内完成雨污管网接驳审批",
            "unit_id": demo["QHKFQ-ZJ"].pk,
            "owner_name": "杨志刚",
            "deadline": "2026-12-04",
        },
    )
    services.add_action_item(
        office,
        m,
        {
            "content": "物流园督促丙项目恢复报送",
            "unit_id": demo["QHKFQ-WL"].pk,
            "deadline": "2026-11-24",
        },
    )
    return m


def _text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def _ints(pattern, text):
    m = re.search(pattern, text)
    assert m, (pattern, text[:2000])
    return [Decimal(g.replace(",", "")) for g in m.groups()]


def test_bulletin_figures_equal_the_database(full_week, demo, tmp_path, clock):
    out = tmp_path / "通报.docx"
    call_command(
        "bulletin",
        "--unit",
        "QHKFQ",
        "--period",
        "2026-W47",
        "-o",
        str(out),
        "--ledger",
        str(tmp_path / "台账.xlsx"),
    )
    doc = Document(str(out))
    text = _text(doc)
    assert (
        "关于2026年第47周重点项目督查调度情况的通报" in text
        and "清河经济开发区管委会督查室" in text
    )
    for heading in (
        "一、总体情况",
        "二、亮灯情况",
        "三、问题办理情况",
        "四、催报情况",
        "五、下步工作",
    ):
        assert heading in text
    # the database, counted independently
    zone = demo["QHKFQ"]
    owed = Project.objects.filter(unit__path__startswith=zone.path, stage__in=S.ACTIVE)
    reps = ProgressReport.objects.filter(period="2026-W47", project__in=owed)
    n_owed, n_filed, n_late = owed.count(), reps.count(), reps.filter(is_late=True).count()
    assert (n_owed, n_filed, n_late) == (5, 4, 1)
    owed_n, filed, on_time, late, missing, rate = _ints(
        r"应报送进度的重点项目(\d+)个，已报送(\d+)个，其中按时报送(\d+)个、逾期报送(\d+)个，未报送(\d+)个，报送率([\d.]+)%",
        text,
    )
    assert (owed_n, filed, on_time, late, missing) == (
        n_owed,
        n_filed,
        n_filed - n_late,
        n_late,
        n_owed - n_filed,
    )
    assert rate == (Decimal(n_filed) * 100 / n_owed).quantize(Decimal("0.1"))
    invested, ytd, plan, ytd_rate = _ints(
        r"本期完成投资([\d,.]+)万元；本年累计完成投资([\d,.]+)万元（应报项目，不含暂缓、终止项目），"
        r"占应报项目年度计划投资([\d,.]+)万元的([\d.]+)%",
        text,
    )
    assert invested == reps.aggregate(s=Sum("invested"))["s"] == Decimal("2034.5")
    assert plan == owed.aggregate(s=Sum("annual_plan_investment"))["s"]
    assert ytd == owed.aggregate(s=Sum("completed_this_year"))["s"] == Decimal("30034.5")
    assert ytd_rate == (ytd * 100 / plan).quantize(Decimal("0.1"))
    lights = Light.objects.filter(period="2026-W47")
    red, yellow, green = _ints(r"本期亮红灯项目(\d+)个、黄灯项目(\d+)个、绿灯项目(\d+)个", text)
    assert (red, yellow, green) == tuple(
        lights.filter(color=c).count() for c in ("red", "yellow", "green")
    )
    assert red == 4  # 甲 (pace), 丙 (missing), 丁 (督办), 己 (weeks 45 and 46 missing)
    light_table = doc.tables[0]
    assert len(light_table.rows) - 1 == red + yellow
    assert {r.cells[1].text for r in light_table.rows[1:]} == set(
        lights.filter(color__in=["red", "yellow"]).values_list("project__name", flat=True)
    )
    new, resolved, open_, overdue, escalated = _ints(
        r"本期新提出问题(\d+)个，办结(\d+)个；目前尚未销号的问题(\d+)个，其中超过办理时限(\d+)个、督办及以上(\d+)个",
        text,
    )
    problems = Problem.objects.all()
    assert open_ == problems.exclude(status="closed").count() == 1
    assert escalated == problems.filter(escalation_level__gte=2).count() == 1
    assert overdue == 1 and new == 0 and resolved == 0
    assert (
        doc.tables[1].rows[1].cells[1].text == "雨污管网接驳未批复"
        and doc.tables[1].rows[1].cells[5].text == "督办"
    )
    sent, reminded, still_missing, late2 = _ints(
        r"本期共催报(\d+)次，涉及(\d+)个项目。截至通报时仍有(\d+)个项目未报送，(\d+)个项目逾期报送",
        text,
    )
    assert (
        sent == Reminder.objects.filter(period="2026-W47").count() == 2
    )  # 丙 and 己 were missing on Thursday
    assert reminded == 2 and still_missing == 1 and late2 == 1
    missing_table = doc.tables[2]
    assert [r.cells[1].text for r in missing_table.rows[1:]] == ["丙·未报送项目"]
    assert (
        missing_table.rows[1].cells[3].text == "高明" and missing_table.rows[1].cells[4].text == "1"
    )
    n_open, n_overdue = _ints(r"调度会议定事项尚有(\d+)项未完成，其中(\d+)项已超过完成时限", text)
    assert n_open == ActionItem.objects.filter(status="open").count() == 2 and n_overdue == 0
    assert {r.cells[1].text for r in doc.tables[3].rows[1:]} == set(
        ActionItem.objects.values_list("content", flat=True)
    )
    # the ledger of the period
    ws = load_workbook(tmp_path / "台账.xlsx").active
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("2026年第47周" in c for c in cells)
    names = {p.name for p in owed}
    assert names <= set(cells)
    assert any("2026年第47周未报送" in c for c in cells)


def test_bulletin_command_errors(demo, cycle, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command(
            "bulletin", "--unit", "NOPE", "--period", "2026-W47", "-o", str(tmp_path / "a.docx")
        )
    with pytest.raises(CommandError, match="无效"):
        call_command(
            "bulletin", "--unit", "QHKFQ", "--period", "2026-W99", "-o", str(tmp_path / "a.docx")
        )
    with pytest.raises(CommandError, match=".docx 或 .xlsx"):
        call_command(
            "bulletin", "--unit", "QHKFQ", "--period", "2026-W47", "-o", str(tmp_path / "a.pdf")
        )
    call_command(
        "bulletin", "--unit", "QHKFQ-WL", "--period", "2026-W47", "-o", str(tmp_path / "park.xlsx")
    )
    assert load_workbook(io.BytesIO((tmp_path / "park.xlsx").read_bytes())).active is not None
