"""The department's part of a problem (责任单位): evidence on 办结, 退回交办, 申请延期 — and the
督查室's answer to an extension request. Every move is checked by supervision.flows (who, from
which state, which fields), audited, visible in the problem's history and notified."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.locking import UNCHECKED, require_version
from diaodu.audit.services import record
from diaodu.engine import cleaning
from diaodu.engine.cleaning import Errors
from diaodu.org.scope import require
from diaodu.supervision.flows import EXTENSION, RUNNING_STATES
from diaodu.supervision.models import Problem, ProblemEvent

from .common import _notify, _notify_unit
from .problems import _allow, _allow_all, _check_visible_problem, _event, _problem_snapshot


def _link(p: Problem) -> str:
    return f"/supervision/problems/{p.pk}/"


def _lock(problem: Problem) -> Problem:
    return (
        Problem.objects.select_for_update(of=("self",))
        .select_related("project", "project__unit", "responsible_unit", "raised_by")
        .get(pk=problem.pk)
    )


def _assigner(p: Problem):
    """Who made the last 交办 (the person a department's answer goes back to)."""
    ev = (
        ProblemEvent.objects.filter(problem=p, action="assign", by__isnull=False)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )
    return ev.by if ev else None


# ---------------------------------------------------------------- 退回交办
@transaction.atomic
def send_back_problem(by, problem: Problem, *, reason: str = "", version=UNCHECKED) -> Problem:
    """退回交办: not this department's business (非本单位职责). The problem goes back to the
    督查室 without a responsible unit or deadline, and its escalation starts again on the next
    交办."""
    current = _lock(problem)
    require_version(version, current, "问题")
    reason = cleaning.text(reason, "退回交办原因", field="reason", max_length=500)
    target = _allow(by, current, "send_back", {"reason": reason})
    before, old, unit = _problem_snapshot(current), current.status, current.responsible_unit
    assigner = _assigner(current)
    current.status, current.responsible_unit = target, None
    current.due_date, current.escalation_level, current.escalated_at = None, 0, None
    current.extension_due, current.extension_reason = None, ""
    current.suggested_unit = None
    current.version += 1
    current.save()
    _event(current, "send_back", by, old, note=f"{unit.name if unit else ''}退回：{reason}")
    record("problem.send_back", current, before=before, after=_problem_snapshot(current))
    _notify(
        [assigner],
        title=f"问题被退回交办：{current.title}",
        body=f"{unit.name if unit else '责任单位'}：{reason}。请重新交办。",
        link=_link(current),
        kind="assignment",
        unit=current.project.unit,
        source=current,
    )
    return current


# ---------------------------------------------------------------- 申请延期
@transaction.atomic
def request_extension(
    by, problem: Problem, *, new_due=None, reason: str = "", version=UNCHECKED
) -> Problem:
    """申请延期: the department asks for a later deadline, with a reason; one request at a time."""
    current = _lock(problem)
    require_version(version, current, "问题")
    errors = Errors()
    reason = errors.take(cleaning.text, reason, "延期理由", field="reason", max_length=500) or ""
    due = errors.take(cleaning.date_value, new_due, "申请延期至", field="new_due")
    _allow_all(
        by,
        current,
        "request_extension",
        {"reason": reason, "new_due": new_due},
        errors,
        machine=EXTENSION,
        state=_ext_state(current),
    )
    if current.status not in RUNNING_STATES:
        raise ValidationError({"action": "只有已交办、尚未办结的问题可以申请延期。"})
    if due is not None and current.due_date and due <= current.due_date:
        errors.add("new_due", f"申请延期至应晚于现在的办结时限 {current.due_date:%Y-%m-%d}。")
    if due is not None and due <= clock.today():
        errors.add("new_due", "申请延期至应晚于今天。")
    errors.raise_if_any(ValidationError)
    before = _problem_snapshot(current)
    current.extension_due, current.extension_reason = due, reason
    current.version += 1
    current.save()
    _event(
        current,
        "request_extension",
        by,
        current.status,
        note=f"申请延期至 {due:%Y-%m-%d}（现时限 {_d(current.due_date)}）：{reason}",
    )
    record("problem.extension_request", current, before=before, after=_problem_snapshot(current))
    _notify(
        [_assigner(current)],
        title=f"延期申请：{current.title}",
        body=f"{_unit_name(current)}申请延期至{due:%Y年%m月%d日}：{reason}",
        link=_link(current),
        kind="assignment",
        unit=current.project.unit,
        source=current,
    )
    return current


@transaction.atomic
def decide_extension(
    by, problem: Problem, *, approve: bool, reason: str = "", version=UNCHECKED
) -> Problem:
    """The 督查室 approves (the deadline moves; escalation counts from it, so the level starts
    again) or refuses (a reason is required) a pending extension request."""
    require(by, "problems.assign")
    _check_visible_problem(by, problem)
    current = _lock(problem)
    require_version(version, current, "问题")
    reason = cleaning.text(reason, "审批意见", field="reason", max_length=500)
    move = "approve_extension" if approve else "refuse_extension"
    _allow(by, current, move, {"reason": reason}, machine=EXTENSION, state=_ext_state(current))
    before, old_due, asked = _problem_snapshot(current), current.due_date, current.extension_due
    if approve:
        current.due_date = asked
        current.escalation_level, current.escalated_at = 0, None
        note = f"办结时限由 {_d(old_due)} 延至 {asked:%Y-%m-%d}"
    else:
        note = f"不予延期（申请延期至 {asked:%Y-%m-%d}），办结时限仍为 {_d(old_due)}"
    if reason:
        note += f"。{reason}"
    current.extension_due, current.extension_reason = None, ""
    current.version += 1
    current.save()
    _event(current, move, by, current.status, note=note)
    record(
        "problem.extension_approve" if approve else "problem.extension_refuse",
        current,
        before=before,
        after=_problem_snapshot(current),
    )
    _notify_unit(
        current.responsible_unit,
        title=("延期已批准：" if approve else "延期未批准：") + current.title,
        body=note,
        link=_link(current),
        kind="assignment",
    )
    return current


def _ext_state(p: Problem) -> str:
    return p.extension_state


def _d(day) -> str:
    return f"{day:%Y-%m-%d}" if day else "—"


def _unit_name(p: Problem) -> str:
    return p.responsible_unit.name if p.responsible_unit else "责任单位"
