"""The period summary shared by the pages and the bulletin, the ledger, project panels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q, Sum

from diaodu.engine import periods as P
from diaodu.org.models import Unit
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project
from diaodu.supervision.models import (
    OPEN_PROBLEM,
    RUNNING,
    ActionStatus,
    ContactLog,
    Light,
    Problem,
    ProgressReport,
    ReportCycle,
    ReportEvent,
    ReportStatus,
    in_totals,
)

from .contact_reads import count_without_contact
from .cycles import cycle_for_unit
from .light_reads import light_history, period_lights, sort_lights
from .meeting_reads import action_items
from .problem_reads import ProblemFilter, problems
from .report_reads import missing, owed_projects, period_reports, reminders
from .scope import ZERO


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
    numbers: object = None  # the figures.Numbers the summary was made from
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
    """The period's figures, from the one definition of each (supervision.figures), as of the
    period's date (today while it runs, its last day once over)."""
    from diaodu.supervision import figures

    today = today or figures.as_of_for(period)
    cycle = cycle_for_unit(unit)
    sm = Summary(
        unit=unit, period=period, cycle=cycle, deadline=cycle.deadline_of(period) if cycle else None
    )
    n = figures.numbers(user, unit, today, period=period)
    sm.numbers = n
    owed = owed_projects(user, unit, period)
    rc = n.reports
    sm.owed, sm.filed, sm.late, sm.on_time = rc.due, rc.filed, rc.late, rc.on_time
    sm.returned, sm.missing = rc.returned, rc.missing
    filed = period_reports(user, unit, period).exclude(status=ReportStatus.RETURNED)
    sm.late_rows = list(filed.filter(is_late=True))
    sm.missing_rows = missing(user, unit, period)
    sm.invested_period = (
        period_reports(user, unit, period).filter(in_totals()).aggregate(s=Sum("invested"))["s"]
        or ZERO
    )
    sm.ytd_total = n.value("investment.done.active")
    sm.annual_plan_total = n.value("investment.plan.active")
    # only red and yellow are listed (the counts by colour come from the figures)
    flagged = ("red", "yellow")
    lts = sort_lights(
        period_lights(user, unit, period).filter(
            Q(override_color__in=flagged) | Q(override_color="", color__in=flagged)
        )
    )
    sm.lights = dict(n.lights)
    sm.red = [lt for lt in lts if lt.effective_color == "red"]
    sm.yellow = [lt for lt in lts if lt.effective_color == "yellow"]
    probs = problems(user, ProblemFilter(unit=unit), today=today)
    sm.problems_new = probs.filter(
        raised_at__date__gte=period.start, raised_at__date__lte=period.end
    ).count()
    sm.problems_open = n.problems["open"]
    sm.problems_resolved = probs.filter(
        resolved_at__date__gte=period.start, resolved_at__date__lte=period.end
    ).count()
    sm.problems_overdue = n.problems["overdue"]
    sm.problems_escalated = probs.filter(status__in=RUNNING, escalation_level__gte=2).count()
    sm.problem_rows = list(
        probs.filter(status__in=RUNNING)
        .filter(Q(due_date__lt=today) | Q(escalation_level__gte=1))
        .order_by("-escalation_level", "due_date", "id")
    )
    rem = reminders(user, period, unit).filter(project__in=owed.values("pk"))
    sm.reminders_sent = rem.count()
    sm.reminded_projects = rem.values("project_id").distinct().count()
    sm.no_contact = count_without_contact(user, unit, period, cycle)
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
        if r is not None and r.status == "returned":  # counts nowhere until filed again
            p.remarks = f"{period.name}周报已退回，待修改重报"
        elif r is not None:
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
