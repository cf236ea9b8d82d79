"""Every read of the tasks app, through the scope.

Who sees a task (``tasks.view`` first):

* a person over all units: every task;
* the lead unit, a supporting unit, and the lead unit of its parent (a unit sees its own tasks
  and the sub-tasks it split off) — "unit" meaning any unit the person's data scope covers;
* the 督查室 (``tasks.manage``): every task of the zones its scope covers;
* the responsible leader (``Task.leader``): the tasks they answer for.

A detail read checks exactly what the list checks (404 outside it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.http import Http404

from diaodu import clock
from diaodu.org.models import Unit
from diaodu.org.scope import restrict_units, scope_for, visible_unit_ids
from diaodu.tasks.models import (
    RUNNING,
    Milestone,
    SourceDocument,
    SupervisionNotice,
    Task,
    TaskEvent,
    TaskReport,
    UnitAlias,
)

PAGE_SIZE = 50


def own_unit_ids(user) -> set[int]:
    """The units a person belongs to, with everything below them (a department and its offices)."""
    s = scope_for(user)
    if not s.member_unit_ids:
        return set()
    members = list(Unit.objects.filter(pk__in=s.member_unit_ids))
    return set(Unit.objects.subtrees(members).values_list("pk", flat=True))


def scope_q(user) -> Q | None:
    """The Q of the tasks *user* may see; None for every task."""
    s = scope_for(user)
    if not s.has("tasks.view"):
        return Q(pk__in=[])
    ids = visible_unit_ids(user)
    if ids is None:
        return None
    units = set(ids) | own_unit_ids(user)
    units_list = sorted(units)
    support = Task.support_units.through.objects.filter(unit_id__in=units_list).values("task_id")
    q = Q(lead_unit_id__in=units_list) | Q(pk__in=support) | Q(parent__lead_unit_id__in=units_list)
    if s.has("tasks.manage"):
        q |= Q(zone_id__in=units_list)
    if s.user_id is not None:
        q |= Q(leader_id=s.user_id)
    return q


def visible(user):
    q = scope_q(user)
    qs = Task.objects.all()
    return qs if q is None else qs.filter(q)


@dataclass
class TaskFilter:
    status: str = ""
    lead_unit: Unit | None = None
    leader: str = ""
    no_leader: bool = False
    document: int | None = None
    no_document: bool = False
    no_lead_unit: bool = False
    level: str = ""
    overdue: bool = False
    escalated: bool = False
    mine: bool = False
    text: str = ""
    top_only: bool = False


def tasks(user, f: TaskFilter | None = None, *, today: date | None = None):
    f = f or TaskFilter()
    today = today or clock.today()
    qs = visible(user)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.lead_unit is not None:
        qs = qs.filter(lead_unit__path__startswith=f.lead_unit.path)
    if f.leader:
        qs = qs.filter(leader_name=f.leader)
    if f.no_leader:
        qs = qs.filter(leader_name="")
    if f.document is not None:
        qs = qs.filter(document_id=f.document)
    if f.no_document:
        qs = qs.filter(document__isnull=True)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.overdue:
        qs = qs.filter(overdue_q(today))
    if f.escalated:
        qs = qs.filter(status__in=RUNNING, escalation_level__gte=1)
    if f.mine:
        own = own_unit_ids(user)
        qs = qs.filter(lead_unit_id__in=sorted(own))
    if f.text:
        qs = qs.filter(Q(title__icontains=f.text) | Q(measures__icontains=f.text))
    if f.top_only:
        qs = qs.filter(parent__isnull=True)
    return qs.select_related("lead_unit", "document", "leader", "parent").order_by("deadline", "id")


def overdue_q(today: date) -> Q:
    """逾期: still on a unit's desk and past its deadline (the one definition, see figures)."""
    return Q(status__in=RUNNING, deadline__lt=today)


def get_task(user, pk) -> Task:
    try:
        return (
            visible(user)
            .select_related(
                "lead_unit", "zone", "document", "leader", "parent", "parent__lead_unit"
            )
            .get(pk=int(pk))
        )
    except (Task.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("任务不存在或无权查看。") from None


def milestones(task: Task):
    return Milestone.objects.filter(task=task).order_by("due_date", "sort_order", "id")


def reports(task: Task):
    return TaskReport.objects.filter(task=task).select_related("milestone").order_by("-at", "-id")


def report_files(user):
    """Progress reports with an attachment, of the tasks the person may see."""
    return TaskReport.objects.filter(task__in=visible(user).values("pk")).exclude(attachment="")


def get_report(user, pk) -> TaskReport:
    try:
        return report_files(user).get(pk=int(pk))
    except (TaskReport.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("进展报告不存在或无权查看。") from None


def events(task: Task):
    return TaskEvent.objects.filter(task=task).order_by("at", "id")


def children(user, task: Task):
    return visible(user).filter(parent=task).select_related("lead_unit").order_by("id")


def notices(user, task: Task | None = None):
    qs = SupervisionNotice.objects.filter(task__in=visible(user).values("pk"))
    if task is not None:
        qs = qs.filter(task=task)
    return qs.select_related("task", "task__lead_unit").order_by("-issued_at", "-id")


def get_notice(user, pk) -> SupervisionNotice:
    try:
        return notices(user).get(pk=int(pk))
    except (SupervisionNotice.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("督办单不存在或无权查看。") from None


# ---------------------------------------------------------------- source documents
def documents(user):
    """Source documents of the zones the person's scope covers (the 督查室's desk)."""
    s = scope_for(user)
    if not s.has("tasks.manage"):
        return SourceDocument.objects.none()
    ids = visible_unit_ids(user)
    qs = SourceDocument.objects.all()
    if ids is not None:
        qs = qs.filter(zone_id__in=sorted(ids))
    return qs.select_related("zone").order_by("-doc_date", "-id")


def get_document(user, pk) -> SourceDocument:
    try:
        return documents(user).get(pk=int(pk))
    except (SourceDocument.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("来源文件不存在或无权查看。") from None


def zones(user):
    """Units a 督查室 may file documents under: visible districts and zones."""
    return restrict_units(
        Unit.objects.filter(is_active=True, kind__in=("district", "zone")), user
    ).order_by("path")


def units_under(zone: Unit):
    return Unit.objects.subtree(zone).active().order_by("path")


def aliases(zone: Unit):
    return UnitAlias.objects.filter(zone=zone).select_related("unit")


def department_queue(user, *, today: date | None = None):
    """待我办理: running tasks whose lead unit is one of the person's own units, latest first due."""
    own = own_unit_ids(user)
    qs = visible(user).filter(
        lead_unit_id__in=sorted(own), status__in=(*RUNNING, "requested", "suspended")
    )
    return qs.select_related("lead_unit", "document").order_by("deadline", "id")
