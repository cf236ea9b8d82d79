"""Lights on hand-built cases: the facts are gathered from the database (investment against
序时进度, consecutive missing reports, procedures, problems, contacts), evaluated by the engine
with the zone's stored rules, kept per period with their reasons, and overridable with a reason."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.audit.models import AuditEntry
from diaodu.engine import periods as P
from diaodu.org.scope import SYSTEM
from diaodu.supervision import queries, services
from diaodu.supervision.models import Light
from diaodu.supervision.tests.conftest import aware

W45, W46, W47 = P.parse("2026-W45"), P.parse("2026-W46"), P.parse("2026-W47")


def test_facts_assembled_from_the_database(week, cycle, clock):
    projects = list(queries.owed_projects(SYSTEM, cycle.unit, W47))
    assert {p.name[0] for p in projects} == {"甲", "乙", "丙", "丁"}
    facts = {
        p.name[0]: f
        for p, (f, _plain) in zip(
            projects, [queries.light_facts(projects, cycle, W47)[p.pk] for p in projects]
        )
    }
    expected = Decimal("10619.18")  # 12000 × 323/365 on 19 November
    assert (facts["甲"].investment_completed_ytd, facts["甲"].investment_expected_ytd) == (
        Decimal("3800"),
        expected,
    )
    assert facts["甲"].consecutive_missing_reports == 0 and facts["甲"].weeks_without_contact == 0
    assert (
        facts["丙"].consecutive_missing_reports == 3
    )  # weeks 45, 46 and 47 (the cycle started on 2 November)
    assert facts["丙"].weeks_without_contact == 3 and facts[
        "丙"
    ].investment_completed_ytd == Decimal("0")
    d = facts["丁"]
    assert d.problems[0].escalation_level == 2 and d.problems[0].overdue is True
    assert d.overdue_procedures and d.investment_completed_ytd == Decimal("10000")
    # before the deadline the current week does not count as missing yet
    early = queries.light_facts(projects, cycle, W47, as_of=aware(2026, 11, 19, 16, 59))
    assert early[week["c"].pk][0].consecutive_missing_reports == 2


def test_compute_store_history_and_override(week, cycle, person, clock):
    office = person("duchashi")
    run = services.compute_lights(office, cycle, W47)
    assert (run.computed, run.red, run.yellow, run.green) == (4, 3, 0, 1)
    lights = {
        lt.project.name[0]: lt
        for lt in Light.objects.filter(period="2026-W47").select_related("project")
    }
    assert lights["乙"].color == "green" and lights["乙"].reasons == []
    a = lights["甲"]
    assert a.color == "red" and [r["code"] for r in a.reasons] == ["pace"]
    assert a.reasons[0]["message"] == "完成投资3800万元，仅为序时进度的35.78%（低于70%）"
    assert [r["code"] for r in lights["丙"].reasons] == ["pace", "missing_reports", "no_contact"]
    assert "连续3期未报送周报" in lights["丙"].reason_text
    d_codes = [r["code"] for r in lights["丁"].reasons]
    assert (
        d_codes[:2] == ["problem_escalated", "procedure_overdue"] and "problem_overdue" in d_codes
    )
    assert lights["丁"].facts["problems"][0]["level"] == 2
    # the previous week computed afterwards: the history keeps both periods
    services.compute_lights(office, cycle, W46, as_of=aware(2026, 11, 12, 17, 0))
    assert [lt.period for lt in queries.light_history(week["a"])] == ["2026-W47", "2026-W46"]
    # a leader overrides with a written reason; recomputation keeps it; the audit log has it
    with pytest.raises(ValidationError, match="理由"):
        services.override_light(person("fuzhuren"), a, "yellow", "")
    with pytest.raises(PermissionDenied):
        services.override_light(person("mishu_wl"), a, "yellow", "企业资金已到位")
    lt = services.override_light(
        person("fuzhuren"), a, "yellow", "企业融资已落实，下周集中支付工程款"
    )
    assert (lt.color, lt.effective_color, lt.override_by_name) == ("red", "yellow", "刘成斌")
    services.compute_lights(office, cycle, W47)
    lt.refresh_from_db()
    assert lt.effective_color == "yellow" and lt.color == "red"
    entry = AuditEntry.objects.filter(action="light.override").get()
    assert (
        entry.after["override_reason"].startswith("企业融资")
        and entry.after["override_color"] == "yellow"
    )
    assert AuditEntry.objects.filter(action="lights.compute").count() == 3


def test_rules_are_per_zone_and_validated(week, cycle, person):
    office = person("duchashi")
    with pytest.raises(ValidationError, match="亮灯规则有误"):
        services.save_cycle(
            office, cycle.unit, {"light_rules": {"red_pace_below": "0.95"}}
        )  # red above yellow
    with pytest.raises(ValidationError, match="未知的亮灯规则参数"):
        services.save_cycle(office, cycle.unit, {"light_rules": {"purple": 1}})
    with pytest.raises(PermissionDenied):
        services.save_cycle(person("wl_zhuren"), cycle.unit, {"light_rules": {}})
    services.save_cycle(
        office,
        cycle.unit,
        {
            "light_rules": {
                "red_pace_below": "0.3",
                "red_missing_reports": None,
                "red_no_contact_weeks": None,
            }
        },
    )
    cycle.refresh_from_db()
    services.compute_lights(office, cycle, W47)
    lights = {
        lt.project.name[0]: lt
        for lt in Light.objects.filter(period="2026-W47").select_related("project")
    }
    assert lights["甲"].color == "yellow"  # 35.78% is above the zone's 30% red line
    assert lights["丙"].color == "red"  # pace 0% is still red
    assert {r["code"]: r["color"] for r in lights["丙"].reasons}["missing_reports"] == "yellow"


def test_pace_applies_under_construction_and_from_this_years_start(week, cycle, clock):
    """No investment pace before construction starts; a project started this year is measured
    from its start date, not from January 1."""
    from datetime import date

    from diaodu.projects.models import Project

    a = week["a"]
    Project.objects.filter(pk=a.pk).update(stage="preparing")
    projects = [Project.objects.get(pk=a.pk)]
    facts, plain = queries.light_facts(projects, cycle, W47)[a.pk]
    assert facts.investment_expected_ytd is None and plain["expected_ytd"] is None
    Project.objects.filter(pk=a.pk).update(
        stage="under_construction", actual_start_date=date(2026, 9, 1)
    )
    projects = [Project.objects.get(pk=a.pk)]
    facts, _plain = queries.light_facts(projects, cycle, W47)[a.pk]
    assert facts.investment_expected_ytd == Decimal(
        "7868.85"
    )  # 12000 × 80/122 (1 Sep → 19 Nov of 1 Sep → 31 Dec)
