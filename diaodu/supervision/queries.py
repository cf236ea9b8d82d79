"""Every read of the supervision loop, through the data scope.

Scope rules:
* Reports, photos, contact logs, lights and reminders hang off a project: visible when the
  project is (projects.queries.visible — the one scoped project read).
* A problem is visible when its project is, and also to the department it is assigned to
  (being named the responsible unit is what makes it visible there, as for procedures).
* A meeting is visible when its unit is among the person's visible units; an action item when
  its meeting is, or when the person owns it or belongs to its responsible unit.
* Figures (the period summary) are computed here once and used by both the pages and the
  bulletin, so that the Word document and the screen always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Q
from django.http import Http404

from diaodu.engine import lights as L
from diaodu.engine import pace
from diaodu.engine import stages as S
from diaodu.org.models import Unit, UnitKind
from diaodu.org.scope import restrict_units, scope_for
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project
from diaodu.supervision import clock
from diaodu.supervision import periods as P
from diaodu.supervision.models import (
    OPEN_PROBLEM,
    RUNNING,
    ActionItem,
    ActionStatus,
    AgendaItem,
    ContactLog,
    DispatchMeeting,
    Light,
    Problem,
    ProblemEvent,
    ProgressReport,
    Reminder,
    ReportCycle,
    ReportEvent,
    ReportPhoto,
)

PAGE_SIZE = 50
ZERO = Decimal("0")
LOOKBACK = 6  # periods looked back for consecutive missing reports


def _path_ids(unit: Unit) -> list[int]:
    return [int(x) for x in unit.path.strip("/").split("/") if x]


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- scope helpers
def _scoped(qs, user, field: str = "project"):
    s = scope_for(user)
    if not s.has("projects.view"):
        return qs.none()
    if s.all_units:
        return qs
    return qs.filter(**{f"{field}__in": project_queries.visible(user).values("pk")})


def own_unit_ids(user) -> set[int]:
    """The units a person belongs to, with everything below them (a department and its offices)."""
    s = scope_for(user)
    if not s.member_unit_ids:
        return set()
    members = list(Unit.objects.filter(pk__in=s.member_unit_ids))
    return set(Unit.objects.subtrees(members).values_list("pk", flat=True))


def visible_units(user):
    return restrict_units(Unit.objects.filter(is_active=True), user).order_by("path")


def get_unit(user, pk) -> Unit:
    try:
        return visible_units(user).get(pk=int(pk))
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("单位不存在或无权查看。") from None


def get_unit_by_code(user, code: str) -> Unit:
    unit = visible_units(user).filter(code=code).first()
    if unit is None:
        raise Http404(f"单位“{code}”不存在或无权查看。")
    return unit


# ---------------------------------------------------------------- cycles and periods
def active_cycles() -> list[ReportCycle]:
    return list(
        ReportCycle.objects.filter(is_active=True).select_related("unit").order_by("unit__path")
    )


def cycle_for_unit(unit: Unit, *, below: bool = True) -> ReportCycle | None:
    """The cycle that governs a unit: the nearest one at or above it; with `below`, for a unit above
    the zones (a district), the first one under it."""
    cycles = list(
        ReportCycle.objects.filter(unit_id__in=_path_ids(unit), is_active=True).select_related(
            "unit"
        )
    )
    if cycles:
        return max(cycles, key=lambda c: c.unit.depth)
    if below:
        return (
            ReportCycle.objects.filter(unit__path__startswith=unit.path, is_active=True)
            .select_related("unit")
            .order_by("unit__path")
            .first()
        )
    return None


def cycle_for_project(project: Project) -> ReportCycle | None:
    return cycle_for_unit(project.unit, below=False)


def visible_cycles(user):
    return (
        ReportCycle.objects.filter(unit__in=visible_units(user))
        .select_related("unit")
        .order_by("unit__path")
    )


def default_unit(user) -> Unit | None:
    """Where a person's pages start: the first cycle unit they can see, else their own unit."""
    s = scope_for(user)
    units = visible_units(user)
    cycle = (
        ReportCycle.objects.filter(unit__in=units, is_active=True)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    if cycle is not None:
        return cycle.unit
    own = units.filter(pk__in=s.member_unit_ids).first()
    return own or units.first()


def current_period(cycle: ReportCycle | None, today: date | None = None) -> P.Period:
    return P.of(today or clock.today(), cycle.frequency if cycle else P.WEEKLY)


def last_due_period(cycle: ReportCycle, now: datetime | None = None) -> P.Period:
    """The newest period whose deadline has passed (the one a Monday meeting reviews)."""
    now = now or clock.now()
    p = current_period(cycle, now.date() if isinstance(now, datetime) else now)
    while cycle.deadline_of(p) > now:
        p = p.previous()
    return p


def unit_choices(user):
    """Units offered in the unit selector: visible zones, parks and districts."""
    return visible_units(user).filter(kind__in=[UnitKind.DISTRICT, UnitKind.ZONE, UnitKind.PARK])


def resolve(
    user, unit_id=None, period_code=None
) -> tuple[Unit | None, ReportCycle | None, P.Period]:
    """The unit (scoped: 404 outside), its cycle and the period asked for (default: current)."""
    unit = get_unit(user, unit_id) if unit_id not in (None, "") else default_unit(user)
    cycle = cycle_for_unit(unit) if unit else None
    if period_code:
        try:
            period = P.parse(period_code, cycle.frequency if cycle else None)
        except ValueError as exc:
            raise ValidationError({"period": str(exc)}) from None
    else:
        period = current_period(cycle)
    return unit, cycle, period


# ---------------------------------------------------------------- who owes a report
def owed_projects(user, unit: Unit, period: P.Period):
    """Projects that owe a report for the period: visible to the person, under the unit, in an
    active stage, governed by an active cycle of the period's kind that had started."""
    cycles = [
        c
        for c in active_cycles()
        if c.frequency == period.kind
        and c.starts_on <= period.end
        and (c.unit.path.startswith(unit.path) or unit.path.startswith(c.unit.path))
    ]
    if not cycles:
        return Project.objects.none()
    q = Q(pk__in=[])
    for c in cycles:
        q |= Q(unit__path__startswith=c.unit.path)
    return project_queries.visible(user).filter(
        q, unit__path__startswith=unit.path, stage__in=S.ACTIVE
    )


def reports(
    user,
    *,
    period: P.Period | None = None,
    unit: Unit | None = None,
    status: str = "",
    project=None,
    late: bool | None = None,
):
    qs = _scoped(ProgressReport.objects.all(), user)
    if period is not None:
        qs = qs.filter(period=period.code)
    if unit is not None:
        qs = qs.filter(project__unit__path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    if project is not None:
        qs = qs.filter(project=project)
    if late is not None:
        qs = qs.filter(is_late=late)
    return (
        qs.select_related("project", "project__unit", "filed_by")
        .annotate(n_photos=Count("photos"))
        .order_by("-period_start", "project__unit__path", "project_id")
    )


def period_reports(user, unit: Unit, period: P.Period):
    """The reports of the period from the projects that owe one (what the figures count)."""
    return reports(user, period=period, unit=unit).filter(
        project__in=owed_projects(user, unit, period).values("pk")
    )


def get_report(user, pk) -> ProgressReport:
    try:
        return (
            _scoped(ProgressReport.objects.all(), user)
            .select_related("project", "project__unit", "project__secretary", "cycle", "filed_by")
            .get(pk=int(pk))
        )
    except (ProgressReport.DoesNotExist, ValueError, TypeError):
        raise Http404("周报不存在或无权查看。") from None


def report_detail(report: ProgressReport) -> dict:
    return {
        "photos": list(report.photos.all()),
        "events": list(report.events.all()),
        "problems": list(report.problems.select_related("responsible_unit")),
    }


def get_photo(user, pk) -> ReportPhoto:
    try:
        return (
            ReportPhoto.objects.select_related("report")
            .filter(report__in=_scoped(ProgressReport.objects.all(), user).values("pk"))
            .get(pk=int(pk))
        )
    except (ReportPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404("照片不存在或无权查看。") from None


def report_of(project: Project, period: P.Period) -> ProgressReport | None:
    return ProgressReport.objects.filter(project=project, period=period.code).first()


def my_projects(user, period: P.Period):
    """The phone page: the active projects one may report on (one's own first), with this period's report."""
    uid = scope_for(user).user_id
    rows = sorted(
        project_queries.visible(user)
        .filter(stage__in=S.ACTIVE)
        .select_related("unit")
        .order_by("unit__path", "name_key")[:300],
        key=lambda p: p.secretary_id != uid,
    )
    filed = {
        r.project_id: r
        for r in ProgressReport.objects.filter(
            period=period.code, project_id__in=[p.pk for p in rows]
        )
    }
    return [(p, filed.get(p.pk)) for p in rows]


@dataclass
class MissingRow:
    project: Project
    person: str
    reminders: int
    last_reminded: datetime | None


def missing(user, unit: Unit, period: P.Period) -> list[MissingRow]:
    owed = owed_projects(user, unit, period)
    filed = ProgressReport.objects.filter(period=period.code).values("project_id")
    rows = list(
        owed.exclude(pk__in=filed)
        .select_related("unit", "secretary")
        .order_by("unit__path", "name_key")
    )
    stats = {
        r["project_id"]: r
        for r in Reminder.objects.filter(period=period.code, project_id__in=[p.pk for p in rows])
        .values("project_id")
        .annotate(n=Count("id"), last=Max("sent_at"))
    }
    out = []
    for p in rows:
        st = stats.get(p.pk, {})
        person = p.secretary.name if p.secretary else (p.secretary_text or "未指定项目秘书")
        out.append(MissingRow(p, person, st.get("n", 0), st.get("last")))
    return out


def group_missing(rows: list[MissingRow]) -> tuple[list, list]:
    by_unit: dict = {}
    by_person: dict = {}
    for r in rows:
        by_unit.setdefault(r.project.unit, []).append(r)
        by_person.setdefault(r.person, []).append(r)
    return list(by_unit.items()), sorted(by_person.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def reminders(user, period: P.Period, unit: Unit | None = None):
    qs = _scoped(Reminder.objects.filter(period=period.code), user)
    if unit is not None:
        qs = qs.filter(project__unit__path__startswith=unit.path)
    return qs.select_related("project")


# ---------------------------------------------------------------- contacts
def contacts(
    user,
    *,
    unit: Unit | None = None,
    project=None,
    since: date | None = None,
    until: date | None = None,
):
    qs = _scoped(ContactLog.objects.all(), user)
    if unit is not None:
        qs = qs.filter(project__unit__path__startswith=unit.path)
    if project is not None:
        qs = qs.filter(project=project)
    if since:
        qs = qs.filter(on__gte=since)
    if until:
        qs = qs.filter(on__lte=until)
    return qs.select_related("project", "project__unit").order_by("-on", "-id")


def weeks_without_contact(
    project_ids, as_of: date, *, min_per_week: int = 1, since: date | None = None, horizon: int = 12
) -> dict[int, int]:
    """Consecutive ISO weeks, ending with the week of `as_of`, in which a project had fewer than
    `min_per_week` contacts (weeks before `since` are not counted)."""
    ids = list(project_ids)
    if min_per_week <= 0:
        return dict.fromkeys(ids, 0)
    monday = as_of - timedelta(days=as_of.weekday())
    first = monday - timedelta(weeks=horizon - 1)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for i in range(0, len(ids), 5000):
        for pid, on in ContactLog.objects.filter(
            project_id__in=ids[i : i + 5000], on__gte=first, on__lte=as_of
        ).values_list("project_id", "on"):
            counts[(pid, (monday - (on - timedelta(days=on.weekday()))).days // 7)] += 1
    start_monday = (since - timedelta(days=since.weekday())) if since else None
    out = {}
    for pid in ids:
        n = 0
        for w in range(horizon):
            week_start = monday - timedelta(weeks=w)
            if start_monday and week_start < start_monday:
                break
            if counts.get((pid, w), 0) >= min_per_week:
                break
            n += 1
        out[pid] = n
    return out


def without_contact(user, unit: Unit, period: P.Period, cycle: ReportCycle | None) -> list[Project]:
    """Projects owing a report that had fewer contacts in the period than the rule asks."""
    need = (cycle.min_contacts_per_week if cycle else 1) * (1 if period.kind == P.WEEKLY else 4)
    if need <= 0:
        return []
    owed = owed_projects(user, unit, period)
    counts = dict(
        ContactLog.objects.filter(
            project__in=owed.values("pk"), on__gte=period.start, on__lte=period.end
        )
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    return [
        p
        for p in owed.select_related("unit", "secretary").order_by("unit__path", "name_key")
        if counts.get(p.pk, 0) < need
    ]


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
    filed = set(
        ProgressReport.objects.filter(
            project_id__in=ids, period__in=[p.code for p in owed_periods]
        ).values_list("project_id", "period")
    )
    # the latest report of the year up to this period: its year-to-date sum
    ytd = {}
    for pid, _y, total in (
        ProgressReport.objects.filter(
            project_id__in=ids, year=ref.year, period_start__lte=period.end
        )
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


def period_lights(user, unit: Unit, period: P.Period, color: str = ""):
    return lights(user, period=period, unit=unit, color=color).filter(
        project__in=owed_projects(user, unit, period).values("pk")
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


# ---------------------------------------------------------------- problems
def _problem_scope(user):
    s = scope_for(user)
    base = Problem.objects.all()
    if not (s.has("projects.view") or s.has("problems.handle")):
        return base.none()
    if s.all_units and s.has("projects.view"):
        return base
    q = Q(pk__in=[])
    if s.has("projects.view"):
        q |= Q(project__in=project_queries.visible(user).values("pk"))
    own = own_unit_ids(user)
    if own:
        q |= Q(responsible_unit_id__in=list(own))
    return base.filter(q)


@dataclass
class ProblemFilter:
    status: str = ""
    unit: Unit | None = None
    responsible: Unit | None = None
    type_code: str = ""
    overdue: bool = False
    escalated: bool = False
    open_only: bool = False
    project: Project | None = None
    mine: bool = False
    text: str = ""


def problems(user, f: ProblemFilter | None = None, *, today: date | None = None):
    f = f or ProblemFilter()
    today = today or clock.today()
    qs = _problem_scope(user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.open_only:
        qs = qs.filter(status__in=OPEN_PROBLEM)
    if f.unit is not None:
        qs = qs.filter(project__unit__path__startswith=f.unit.path)
    if f.responsible is not None:
        qs = qs.filter(responsible_unit__path__startswith=f.responsible.path)
    if f.type_code:
        qs = qs.filter(type_code=f.type_code)
    if f.overdue:
        qs = qs.filter(status__in=RUNNING, due_date__lt=today)
    if f.escalated:
        qs = qs.filter(status__in=RUNNING, escalation_level__gte=1)
    if f.project is not None:
        qs = qs.filter(project=f.project)
    if f.mine:
        qs = qs.filter(responsible_unit_id__in=list(own_unit_ids(user)))
    if f.text:
        qs = qs.filter(Q(title__icontains=f.text) | Q(project__name__icontains=f.text))
    return qs.select_related(
        "project", "project__unit", "responsible_unit", "suggested_unit"
    ).order_by("-id")


def get_problem(user, pk) -> Problem:
    try:
        return (
            _problem_scope(user)
            .select_related(
                "project",
                "project__unit",
                "responsible_unit",
                "suggested_unit",
                "report",
                "raised_by",
            )
            .get(pk=int(pk))
        )
    except (Problem.DoesNotExist, ValueError, TypeError):
        raise Http404("问题不存在或无权查看。") from None


def problem_events(problem: Problem):
    return list(ProblemEvent.objects.filter(problem=problem).order_by("at", "id"))


@dataclass
class StatRow:
    key: str
    label: str
    received: int = 0
    resolved: int = 0
    closed: int = 0
    overdue: int = 0
    days_total: int = 0
    days_n: int = 0
    sat_total: int = 0
    sat_n: int = 0

    @property
    def avg_days(self):
        return round(self.days_total / self.days_n, 1) if self.days_n else None

    @property
    def satisfaction(self):
        return round(self.sat_total / self.sat_n, 2) if self.sat_n else None


def problem_stats(
    user, *, by: str = "unit", unit: Unit | None = None, today: date | None = None
) -> list[StatRow]:
    """Per responsible unit (or per type): received (交办), resolved (办结 or 销号), closed (销号),
    overdue (now overdue, or resolved after the deadline), average days from 交办 to 办结,
    average satisfaction."""
    today = today or clock.today()
    qs = problems(user, ProblemFilter(unit=unit)).exclude(responsible_unit=None).order_by()
    rows: dict[str, StatRow] = {}
    for (
        unit_id,
        unit_name,
        type_code,
        type_label,
        status,
        assigned_on,
        due,
        resolved_at,
        sat,
    ) in qs.values_list(
        "responsible_unit_id",
        "responsible_unit__name",
        "type_code",
        "type_label",
        "status",
        "assigned_on",
        "due_date",
        "resolved_at",
        "satisfaction",
    ):
        key, label = (
            (str(unit_id), unit_name) if by == "unit" else (type_code, type_label or type_code)
        )
        row = rows.setdefault(key, StatRow(key, label))
        row.received += 1
        if status in ("resolved", "closed"):
            row.resolved += 1
        if status == "closed":
            row.closed += 1
        resolved_day = resolved_at.date() if resolved_at else None
        if due and ((status in RUNNING and today > due) or (resolved_day and resolved_day > due)):
            row.overdue += 1
        if resolved_day and assigned_on and status in ("resolved", "closed"):
            row.days_total += (resolved_day - assigned_on).days
            row.days_n += 1
        if sat:
            row.sat_total += sat
            row.sat_n += 1
    return sorted(rows.values(), key=lambda r: (-r.received, r.label))


def problem_types() -> list[tuple[str, str]]:
    from diaodu.org.models import DictItem

    return list(
        DictItem.objects.filter(dict_type__code="problem_type", is_active=True)
        .order_by("sort_order", "code")
        .values_list("code", "label")
    )


def departments():
    return Unit.objects.filter(
        is_active=True, kind__in=[UnitKind.DEPARTMENT, UnitKind.OFFICE]
    ).order_by("path")


# ---------------------------------------------------------------- meetings and action items
def meetings(user, unit: Unit | None = None):
    qs = DispatchMeeting.objects.filter(unit__in=visible_units(user))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return (
        qs.select_related("unit")
        .annotate(
            n_actions=Count("actions", distinct=True),
            n_open=Count("actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True),
        )
        .order_by("-held_on", "-id")
    )


def get_meeting(user, pk) -> DispatchMeeting:
    try:
        return (
            DispatchMeeting.objects.filter(unit__in=visible_units(user))
            .select_related("unit")
            .get(pk=int(pk))
        )
    except (DispatchMeeting.DoesNotExist, ValueError, TypeError):
        raise Http404("调度会不存在或无权查看。") from None


def agenda(meeting: DispatchMeeting) -> list[AgendaItem]:
    return list(
        meeting.agenda.filter(removed=False)
        .select_related(
            "project",
            "project__unit",
            "problem",
            "problem__responsible_unit",
            "action",
            "action__meeting",
            "action__unit",
        )
        .order_by("sort_order", "id")
    )


def meeting_actions(meeting: DispatchMeeting) -> list[ActionItem]:
    return list(meeting.actions.select_related("owner", "unit", "project").order_by("id"))


def _action_scope(user):
    s = scope_for(user)
    if s.user_id is None and not s.all_units:
        return ActionItem.objects.none()
    q = Q(meeting__unit__in=visible_units(user))
    if s.user_id:
        q |= Q(owner_id=s.user_id)
    own = own_unit_ids(user)
    if own:
        q |= Q(unit_id__in=list(own))
    return ActionItem.objects.filter(q)


def action_items(
    user,
    *,
    status: str = "",
    unit: Unit | None = None,
    overdue: bool = False,
    today: date | None = None,
):
    qs = _action_scope(user)
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(
            Q(meeting__unit__path__startswith=unit.path)
            | Q(project__unit__path__startswith=unit.path)
            | Q(unit__path__startswith=unit.path)
        )
    if overdue:
        qs = qs.filter(status=ActionStatus.OPEN, deadline__lt=today or clock.today())
    return qs.select_related("meeting", "owner", "unit", "project").order_by("deadline", "id")


def get_action(user, pk) -> ActionItem:
    try:
        return (
            _action_scope(user)
            .select_related("meeting", "owner", "unit", "project")
            .get(pk=int(pk))
        )
    except (ActionItem.DoesNotExist, ValueError, TypeError):
        raise Http404("议定事项不存在或无权查看。") from None


def meetings_count(meeting: DispatchMeeting) -> dict[int, int]:
    """For each open action on this meeting's agenda: how many meetings it has been carried over."""
    ids = [a.action_id for a in meeting.agenda.filter(kind="action", removed=False)]
    return dict(
        AgendaItem.objects.filter(action_id__in=ids, removed=False)
        .values("action_id")
        .annotate(n=Count("meeting", distinct=True))
        .values_list("action_id", "n")
    )


# ---------------------------------------------------------------- the period summary
@dataclass
class Summary:
    """The figures of one unit and period: the dashboard shows them, the bulletin prints them."""

    unit: Unit
    period: P.Period
    cycle: ReportCycle | None
    deadline: datetime | None
    owed: int = 0
    filed: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    returned: int = 0
    invested_period: Decimal = ZERO
    ytd_total: Decimal = ZERO
    annual_plan_total: Decimal = ZERO
    lights: dict = field(default_factory=dict)
    red: list = field(default_factory=list)
    yellow: list = field(default_factory=list)
    problems_new: int = 0
    problems_open: int = 0
    problems_resolved: int = 0
    problems_overdue: int = 0
    problems_escalated: int = 0
    problem_rows: list = field(default_factory=list)
    reminders_sent: int = 0
    reminded_projects: int = 0
    missing_rows: list = field(default_factory=list)
    late_rows: list = field(default_factory=list)
    no_contact: int = 0
    actions_open: list = field(default_factory=list)
    actions_overdue: int = 0

    @property
    def rate(self) -> Decimal:
        return (
            (Decimal(self.filed) * 100 / self.owed).quantize(Decimal("0.1")) if self.owed else ZERO
        )

    @property
    def on_time_rate(self) -> Decimal:
        return (
            (Decimal(self.on_time) * 100 / self.owed).quantize(Decimal("0.1"))
            if self.owed
            else ZERO
        )

    @property
    def ytd_rate(self) -> Decimal:
        return (
            (self.ytd_total * 100 / self.annual_plan_total).quantize(Decimal("0.1"))
            if self.annual_plan_total
            else ZERO
        )


def summary(user, unit: Unit, period: P.Period, *, today: date | None = None) -> Summary:
    today = today or clock.today()
    cycle = cycle_for_unit(unit)
    sm = Summary(
        unit=unit, period=period, cycle=cycle, deadline=cycle.deadline_of(period) if cycle else None
    )
    owed = owed_projects(user, unit, period)
    owed_rows = list(owed.only("pk", "annual_plan_investment", "completed_this_year", "plan_year"))
    sm.owed = len(owed_rows)
    reps = list(period_reports(user, unit, period))
    sm.filed = len(reps)
    sm.late = sum(1 for r in reps if r.is_late)
    sm.on_time = sm.filed - sm.late
    sm.returned = sum(1 for r in reps if r.status == "returned")
    sm.late_rows = [r for r in reps if r.is_late]
    sm.missing_rows = missing(user, unit, period)
    sm.missing = len(sm.missing_rows)
    sm.invested_period = sum((r.invested for r in reps), ZERO)
    year_ytd = {}
    for pid, total in (
        ProgressReport.objects.filter(
            project__in=owed.values("pk"), year=period.year, period_start__lte=period.end
        )
        .order_by("project_id", "period_start")
        .values_list("project_id", "ytd")
    ):
        year_ytd[pid] = total
    for p in owed_rows:
        if p.annual_plan_investment:
            sm.annual_plan_total += p.annual_plan_investment
        if p.pk in year_ytd:
            sm.ytd_total += year_ytd[p.pk]
        elif p.plan_year in (None, period.year) and p.completed_this_year:
            sm.ytd_total += p.completed_this_year
    lts = sort_lights(period_lights(user, unit, period))
    sm.lights = {"red": 0, "yellow": 0, "green": 0}
    for lt in lts:
        sm.lights[lt.effective_color] += 1
    sm.lights["none"] = sm.owed - len(lts)
    sm.red = [lt for lt in lts if lt.effective_color == "red"]
    sm.yellow = [lt for lt in lts if lt.effective_color == "yellow"]
    probs = problems(user, ProblemFilter(unit=unit), today=today)
    sm.problems_new = probs.filter(
        raised_at__date__gte=period.start, raised_at__date__lte=period.end
    ).count()
    sm.problems_open = probs.filter(status__in=OPEN_PROBLEM).count()
    sm.problems_resolved = probs.filter(
        resolved_at__date__gte=period.start, resolved_at__date__lte=period.end
    ).count()
    sm.problems_overdue = probs.filter(status__in=RUNNING, due_date__lt=today).count()
    sm.problems_escalated = probs.filter(status__in=RUNNING, escalation_level__gte=2).count()
    sm.problem_rows = list(
        probs.filter(status__in=RUNNING)
        .filter(Q(due_date__lt=today) | Q(escalation_level__gte=1))
        .order_by("-escalation_level", "due_date", "id")
    )
    rem = reminders(user, period, unit).filter(project__in=owed.values("pk"))
    sm.reminders_sent = rem.count()
    sm.reminded_projects = rem.values("project_id").distinct().count()
    sm.no_contact = len(without_contact(user, unit, period, cycle))
    acts = action_items(user, status=ActionStatus.OPEN, unit=unit)
    sm.actions_open = list(acts)
    sm.actions_overdue = sum(1 for a in sm.actions_open if a.deadline < today)
    return sm


def ledger_projects(user, unit: Unit, period: P.Period) -> list[Project]:
    """The period's ledger: the projects owing a report, their progress text taken from this
    period's report and the light in the remarks (in memory only: nothing is saved)."""
    owed = project_queries.with_related(
        owed_projects(user, unit, period).order_by("unit__path", "name_key")
    )
    reps = {
        r.project_id: r
        for r in ProgressReport.objects.filter(period=period.code, project__in=owed.values("pk"))
    }
    lts = {
        lt.project_id: lt
        for lt in Light.objects.filter(period=period.code, project__in=owed.values("pk"))
    }
    out = []
    for p in owed:
        r = reps.get(p.pk)
        if r is not None:
            p.progress_text = r.progress_text
            p.remarks = f"{period.name}完成投资{r.invested}万元" + (
                "（逾期报送）" if r.is_late else ""
            )
        else:
            p.remarks = f"{period.name}未报送"
        lt = lts.get(p.pk)
        if lt is not None:
            p.remarks += f"；{lt.effective_label}：{lt.reason_text}"
        out.append(p)
    return out


def project_panel(user, project: Project) -> dict:
    """What the project page shows of the supervision loop."""
    return {
        "lights": light_history(project, 6),
        "reports": list(
            ProgressReport.objects.filter(project=project).order_by("-period_start")[:5]
        ),
        "problems": list(
            Problem.objects.filter(project=project, status__in=OPEN_PROBLEM)
            .select_related("responsible_unit")
            .order_by("-id")[:10]
        ),
        "contacts": list(ContactLog.objects.filter(project=project).order_by("-on", "-id")[:3]),
    }


def report_events(report: ProgressReport):
    return list(ReportEvent.objects.filter(report=report).order_by("at", "id"))
