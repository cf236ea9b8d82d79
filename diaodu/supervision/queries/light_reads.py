"""Lights: the facts each colour is computed from, the lights of a period, history."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.http import Http404

from diaodu import clock
from diaodu.engine import lights as L
from diaodu.engine import pace
from diaodu.engine import periods as P
from diaodu.org.models import Unit
from diaodu.projects.models import Project
from diaodu.supervision.models import (
    RUNNING,
    Light,
    Problem,
    ProgressReport,
    ReportCycle,
    ReportStatus,
    in_totals,
)

from .contact_reads import weeks_without_contact
from .report_reads import owed_projects
from .scope import LOOKBACK, ZERO, _scoped


# ---------------------------------------------------------------- lights
def rules_of(cycle: ReportCycle | None) -> L.LightRules:
    return L.LightRules.from_dict(cycle.light_rules or {}) if cycle else L.LightRules()


def _expected_investment(p: Project, ref) -> Decimal:
    """序时进度 of a project's annual investment plan by `ref`. Only projects under construction
    are held to it (before the start there is nothing to build), and a project that started this
    year is measured from its start date, not from January 1."""
    start = p.actual_start_date
    if start and start.year == ref.year and start > ref.replace(month=1, day=1):
        year_end = ref.replace(month=12, day=31)
        share = Decimal(max((ref - start).days + 1, 0)) / Decimal((year_end - start).days + 1)
        return (p.annual_plan_investment * min(share, Decimal(1))).quantize(Decimal("0.01"))
    return pace.expected_to_date(p.annual_plan_investment, ref, ref.year).quantize(Decimal("0.01"))


def light_facts(
    projects: list[Project], cycle: ReportCycle, period: P.Period, as_of: datetime | None = None
) -> dict[int, tuple[L.ProjectFacts, dict]]:
    """The facts of each project for the period, gathered from the database in a fixed number of
    queries: investment against 序时进度, consecutive missing reports, procedures, problems, contacts."""
    as_of = as_of or clock.now()
    ref = min(as_of.date() if isinstance(as_of, datetime) else as_of, period.end)
    ref = max(ref, period.start)
    ids = [p.pk for p in projects]
    if not ids:
        return {}
    # consecutive missing: owed periods (deadline passed, cycle started) newest first
    start_period = P.of(cycle.starts_on, period.kind)
    owed_periods = [
        p for p in period.back(LOOKBACK) if p >= start_period and cycle.deadline_of(p) <= as_of
    ]
    filed = set(  # a returned report is not filed until it is filed again
        ProgressReport.objects.filter(project_id__in=ids, period__in=[p.code for p in owed_periods])
        .exclude(status=ReportStatus.RETURNED)
        .values_list("project_id", "period")
    )
    # the latest report of the year up to this period: its year-to-date sum
    ytd = {}
    for pid, _y, total in (
        ProgressReport.objects.filter(
            project_id__in=ids, year=ref.year, period_start__lte=period.end
        )
        .filter(in_totals())
        .order_by("project_id", "period_start")
        .values_list("project_id", "year", "ytd")
    ):
        ytd[pid] = total
    warnings = _procedure_warnings(ids)
    problems: dict[int, list] = defaultdict(list)
    for pr in Problem.objects.filter(project_id__in=ids, status__in=RUNNING).order_by("id"):
        problems[pr.project_id].append(pr)
    no_contact = weeks_without_contact(
        ids, ref, min_per_week=cycle.min_contacts_per_week, since=cycle.starts_on
    )
    out = {}
    for p in projects:
        completed = expected = None
        if (
            p.annual_plan_investment
            and p.annual_plan_investment > 0
            and p.stage == "under_construction"
        ):
            expected = _expected_investment(p, ref)
            if p.pk in ytd:
                completed = ytd[p.pk]
            elif p.plan_year in (None, ref.year):
                completed = p.completed_this_year or ZERO
            else:
                completed = ZERO
        n_missing = 0
        for op in owed_periods:
            if (p.pk, op.code) in filed:
                break
            n_missing += 1
        w = warnings.get(p.pk, {"overdue": [], "at_risk": []})
        pfacts = [
            L.ProblemFact(
                pr.title, overdue=pr.is_overdue(ref), escalation_level=pr.escalation_level
            )
            for pr in problems.get(p.pk, [])
        ]
        facts = L.ProjectFacts(
            investment_completed_ytd=completed,
            investment_expected_ytd=expected,
            consecutive_missing_reports=n_missing,
            overdue_procedures=tuple(w["overdue"]),
            at_risk_procedures=tuple(w["at_risk"]),
            problems=tuple(pfacts),
            weeks_without_contact=no_contact.get(p.pk, 0),
            stage=p.stage,
        )
        plain = {
            "as_of": ref.isoformat(),
            "completed_ytd": None if completed is None else str(completed),
            "expected_ytd": None if expected is None else str(expected),
            "missing_reports": n_missing,
            "overdue_procedures": list(w["overdue"]),
            "at_risk_procedures": list(w["at_risk"]),
            "problems": [
                {
                    "id": pr.pk,
                    "title": pr.title,
                    "overdue": pr.is_overdue(ref),
                    "level": pr.escalation_level,
                }
                for pr in problems.get(p.pk, [])
            ],
            "weeks_without_contact": no_contact.get(p.pk, 0),
        }
        out[p.pk] = (facts, plain)
    return out


def _procedure_warnings(ids) -> dict:
    try:
        from diaodu.procedures.queries import procedure_warnings
    except ImportError:  # pragma: no cover
        return {}
    return procedure_warnings(ids)


def lights(
    user, *, period: P.Period | None = None, unit: Unit | None = None, color: str = "", project=None
):
    qs = _scoped(Light.objects.all(), user)
    if period is not None:
        qs = qs.filter(period=period.code)
    if unit is not None:
        qs = qs.filter(project__unit__path__startswith=unit.path)
    if project is not None:
        qs = qs.filter(project=project)
    if color == "red":
        qs = qs.filter(Q(override_color="red") | Q(override_color="", color="red"))
    elif color == "yellow":
        qs = qs.filter(Q(override_color="yellow") | Q(override_color="", color="yellow"))
    elif color == "green":
        qs = qs.filter(Q(override_color="green") | Q(override_color="", color="green"))
    return qs.select_related("project", "project__unit", "project__secretary").order_by(
        "project__unit__path", "project_id"
    )


def period_lights(user, unit: Unit, period: P.Period, color: str = "", *, among=None):
    return lights(user, period=period, unit=unit, color=color).filter(
        project__in=owed_projects(user, unit, period, among=among).values("pk")
    )


def get_light(user, pk) -> Light:
    try:
        return (
            _scoped(Light.objects.all(), user)
            .select_related("project", "project__unit", "cycle")
            .get(pk=int(pk))
        )
    except (Light.DoesNotExist, ValueError, TypeError):
        raise Http404("亮灯记录不存在或无权查看。") from None


def light_history(project: Project, n: int = 12):
    return list(Light.objects.filter(project=project).order_by("-period_end")[:n])


SEVERITY = {"red": 0, "yellow": 1, "green": 2}


def sort_lights(rows):
    return sorted(
        rows,
        key=lambda lt: (SEVERITY.get(lt.effective_color, 3), lt.project.unit.path, lt.project_id),
    )
