"""Problems: the scoped list with its filter, one problem, events and statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.http import Http404

from diaodu import clock
from diaodu.org.models import Unit, UnitKind
from diaodu.org.scope import scope_for
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project
from diaodu.supervision.models import (
    OPEN_PROBLEM,
    RUNNING,
    Problem,
    ProblemAttachment,
    ProblemEvent,
    ProblemStatus,
)

from .scope import own_unit_ids


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
    requests: bool = False  # 退回交办 or 申请延期: waiting on the 督查室


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
    if f.requests:
        qs = qs.filter(
            Q(status=ProblemStatus.SENT_BACK) | Q(status__in=RUNNING, extension_due__isnull=False)
        )
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
    return list(
        ProblemEvent.objects.filter(problem=problem)
        .prefetch_related("attachments")
        .order_by("at", "id")
    )


def problem_files(problem: Problem):
    """The evidence files of a problem (the caller has read the problem through the scope)."""
    return list(ProblemAttachment.objects.filter(problem=problem).order_by("uploaded_at", "id"))


def get_problem_file(user, pk) -> ProblemAttachment:
    """An evidence file, when its problem is in the person's problem list (else 404)."""
    try:
        return ProblemAttachment.objects.select_related("problem").get(
            pk=int(pk), problem__in=_problem_scope(user)
        )
    except (ProblemAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("附件不存在或无权查看。") from None


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
