"""Shared pieces of the task writes: who is acting, the machine's verdict as Django errors, the
history entry, the audit snapshot and notifications."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError

from diaodu import clock
from diaodu.audit.services import snapshot
from diaodu.engine.workflow import Machine, MoveError, MoveForbidden
from diaodu.org.models import User
from diaodu.org.scope import scope_for
from diaodu.tasks import queries
from diaodu.tasks.flows import TASK
from diaodu.tasks.models import Task, TaskEvent

log = logging.getLogger(__name__)
MAX_TEXT = 4000

SNAPSHOT_FIELDS = [
    "title",
    "measures",
    "lead_unit",
    "leader_name",
    "leader",
    "person_name",
    "deadline",
    "recurrence",
    "cadence",
    "level",
    "target",
    "status",
    "progress",
    "escalation_level",
    "extension_due",
    "extension_reason",
    "return_reason",
    "summary",
    "parent",
    "version",
]


def user_of(by) -> User | None:
    return by if isinstance(by, User) else None


def name_of(by) -> str:
    return (getattr(by, "name", "") or getattr(by, "username", "") or "系统")[:50]


def task_snapshot(t: Task) -> dict:
    data = snapshot(t, SNAPSHOT_FIELDS)
    if t.pk:
        data["support_units"] = sorted(t.support_units.values_list("pk", flat=True))
    return data


def facts(by, task: Task) -> dict[str, bool]:
    """``lead``: a person of the lead unit (or below it) with ``tasks.handle``, or one with that
    key over all units."""
    s = scope_for(by)
    lead = s.has("tasks.handle") and (s.all_units or task.lead_unit_id in queries.own_unit_ids(by))
    return {"lead": lead}


def allowed_moves(by, task: Task, machine: Machine = TASK, state: str | None = None):
    s = scope_for(by)
    return machine.moves_from(state or task.status, s.perms, facts(by, task))


def allow(
    by, task: Task, move: str, fields: dict | None = None, *, machine=TASK, state=None
) -> str:
    s = scope_for(by)
    try:
        return machine.move(
            task.status if state is None else state,
            move,
            s.perms,
            fields,
            checks=facts(by, task),
        )
    except MoveForbidden as exc:
        raise PermissionDenied(exc.message) from None
    except MoveError as exc:
        raise ValidationError(exc.as_dict()) from None


def check_visible(by, task: Task) -> None:
    if not queries.visible(by).filter(pk=task.pk).exists():
        raise PermissionDenied("无权操作此任务。")


def event(task: Task, action: str, by, before_status: str, *, note: str = "", level: int = 0):
    return TaskEvent.objects.create(
        task=task,
        action=action,
        from_status=before_status,
        to_status=task.status,
        level=level,
        by=user_of(by),
        by_name=name_of(by),
        at=clock.now(),
        note=(note or "")[:500],
    )


def notify_people(recipients, **kw) -> None:
    from diaodu.notify.services import notify

    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return
    try:
        notify(recipients, **kw)
    except Exception:  # pragma: no cover - notify promises not to raise
        log.exception("通知发送失败")


def notify_unit(unit, **kw) -> None:
    from diaodu.notify.services import notify_unit as _notify_unit

    if unit is None:
        return
    try:
        _notify_unit(unit, **kw)
    except Exception:  # pragma: no cover
        log.exception("通知发送失败")


def raise_errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)
