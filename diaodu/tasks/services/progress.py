"""Progress (进度报告) by the lead unit against a task or one of its nodes; chasing missing reports
on the task's cadence (催报, through diaodu.notify); overdue tasks and nodes escalating
催办 → 督办 → 专项督办 by working days past their dates (the escalation ladder problems use)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning
from diaodu.engine.cleaning import Errors
from diaodu.org.scope import SYSTEM, require
from diaodu.procedures import workcal
from diaodu.tasks.flows import LADDER
from diaodu.tasks.models import RUNNING, Milestone, Task, TaskReport

from .common import (
    MAX_TEXT,
    check_visible,
    event,
    facts,
    name_of,
    notify_people,
    notify_unit,
    task_snapshot,
    user_of,
)
from .tasks import roll_up

ATTACHMENT_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".doc", ".xls", ".txt")


def _check_attachment(f, errors: Errors) -> None:
    if f is None:
        return
    from diaodu.uploads import limit_text, over_limit

    name = getattr(f, "name", "") or ""
    if not name.lower().endswith(ATTACHMENT_TYPES):
        errors.add("attachment", f"附件“{name}”的类型不受支持（{'、'.join(ATTACHMENT_TYPES)}）。")
    elif over_limit(f):
        errors.add("attachment", f"附件“{name}”超过{limit_text()}。")


@transaction.atomic
def report_progress(
    by, task: Task, *, text: str = "", percent=None, milestone: Milestone | None = None,
    attachment=None,
) -> TaskReport:  # fmt: skip
    """The lead unit reports: text, a percentage (of the node, or of the task), an attachment.
    A node at 100% is done that day. A task split into sub-tasks takes its percentage from them."""
    check_visible(by, task)
    current = Task.objects.select_for_update(of=("self",)).select_related("parent").get(pk=task.pk)
    if not facts(by, current)["lead"]:
        raise PermissionDenied("只有牵头单位可以报送此任务的进展。")
    e = Errors()
    if current.status not in ("pending", "in_progress", "returned"):
        e.add("action", f"任务{current.get_status_display()}，不能报送进展。")
    text = e.take(cleaning.text, text, "进展情况", field="text", required=True, max_length=MAX_TEXT)
    pct = e.take(
        cleaning.integer, percent, "完成比例（%）", field="percent", minimum=0, maximum=100
    )
    if milestone is not None and milestone.task_id != current.pk:
        e.add("milestone", "节点不属于此任务。")
    has_children = Task.objects.filter(parent=current).exists()
    if pct is not None and milestone is None and has_children:
        e.add("percent", "此任务已分解为子任务，总进度由子任务汇总，请按节点或子任务报送比例。")
    _check_attachment(attachment, e)
    e.raise_if_any(ValidationError)
    now = clock.now()
    before = task_snapshot(current)
    old = current.status
    rep = TaskReport(
        task=current, milestone=milestone, text=text, percent=pct, by=user_of(by),
        by_name=name_of(by), at=now,
    )  # fmt: skip
    if attachment is not None:
        rep.attachment_name = (getattr(attachment, "name", "") or "")[:200]
        rep.attachment = attachment
    rep.save()
    if milestone is not None and pct is not None:
        m_before = snapshot(milestone, ["progress", "done_on"])
        milestone.progress = pct
        milestone.done_on = clock.today() if pct >= 100 else None
        milestone.save(update_fields=["progress", "done_on"])
        record(
            "task.milestone",
            milestone,
            before=m_before,
            after=snapshot(milestone, ["progress", "done_on"]),
        )
        if not has_children:
            nodes = list(Milestone.objects.filter(task=current).values_list("progress", flat=True))
            current.progress = round(sum(nodes) / len(nodes))
    elif pct is not None:
        current.progress = pct
    if current.status == "pending":
        current.status = "in_progress"  # reporting is signing for it
    current.last_report_at = now
    current.version += 1
    current.save()
    where = f"（节点：{milestone.title}）" if milestone is not None else ""
    event(
        current,
        "report",
        by,
        old,
        note=f"{text[:400]}{where}" + (f" {pct}%" if pct is not None else ""),
    )
    record(
        "task.report", current, before=before, after={**task_snapshot(current), "report": rep.pk}
    )
    if current.parent_id:
        roll_up(current.parent)
    return rep


def report_due(task: Task, today: date) -> bool:
    """A running task whose cadence asks for a report it has not had: weekly — none in the last
    7 days; monthly — none this month; per node — a node due within 3 days and not done."""
    last = task.last_report_at.date() if task.last_report_at else task.created_at.date()
    if task.cadence == "weekly":
        return (today - last).days >= 7
    if task.cadence == "monthly":
        return (last.year, last.month) != (today.year, today.month) and today.day >= 25
    return False


def chase_missing_reports(by=None, *, today: date | None = None) -> list[int]:
    """催报: the lead units of running tasks whose cadence is due get one message each. Per node:
    a node due within 3 days and not done. Returns the task ids chased."""
    today = today or clock.today()
    out = []
    qs = Task.objects.filter(status__in=RUNNING).select_related("lead_unit").order_by("id")
    soon = {
        m["task_id"]
        for m in Milestone.objects.filter(
            task__status__in=RUNNING, done_on__isnull=True,
            due_date__gte=today, due_date__lte=today + timedelta(days=3),
        ).values("task_id")
    }  # fmt: skip
    for t in qs.iterator():
        if report_due(t, today) or (t.cadence == "node" and t.pk in soon):
            notify_unit(
                t.lead_unit,
                title=f"催报：{t.title[:60]}",
                body="请报送任务进展。",
                link=f"/tasks/{t.pk}/",
                kind="reminder",
            )
            out.append(t.pk)
    return out


# ---------------------------------------------------------------- escalation
def late_workdays(task: Task, nodes: list[Milestone], today: date, cal) -> tuple[int, str]:
    """Working days the task is late (its deadline or its most late open node) and why."""
    worst, why = 0, ""
    if task.deadline and task.deadline < today:
        worst = cal.workdays_between(task.deadline, today)
        why = f"超过完成时限{worst}个工作日（时限 {task.deadline:%Y-%m-%d}）"
    for m in nodes:
        if m.done_on is None and m.due_date < today:
            late = cal.workdays_between(m.due_date, today)
            if late > worst:
                worst = late
                why = f"节点“{m.title}”超过时限{late}个工作日（时限 {m.due_date:%Y-%m-%d}）"
    return worst, why


def _escalate_to(by, current: Task, level: int, note: str) -> None:
    before = task_snapshot(current)
    for lvl in range(current.escalation_level + 1, level + 1):
        event(current, "escalate", by, current.status, level=lvl, note=note)
    current.escalation_level, current.escalated_at = level, clock.now()
    current.version += 1
    current.save()
    record("task.escalate", current, before=before, after=task_snapshot(current))
    title = f"{LADDER.label(level)}：{current.title[:60]}"
    link = f"/tasks/{current.pk}/"
    notify_unit(current.lead_unit, title=title, body=note, link=link, kind="escalation")
    if level >= 2 and current.leader_id:
        notify_people([current.leader], title=title, body=note, link=link, kind="escalation",
                      unit=current.lead_unit, source=current)  # fmt: skip


def escalate_overdue(by=None, *, today: date | None = None) -> list[tuple[int, int]]:
    """Running tasks late on their deadline or a node move up the ladder by working days (holidays
    and 调休 counted by the installation's calendar). Returns [(task id, level)]."""
    by = by or SYSTEM
    today = today or clock.today()
    cal = workcal.load()
    late_nodes: dict[int, list[Milestone]] = {}
    for m in Milestone.objects.filter(
        task__status__in=RUNNING, done_on__isnull=True, due_date__lt=today
    ):
        late_nodes.setdefault(m.task_id, []).append(m)
    ids = set(late_nodes) | set(
        Task.objects.filter(status__in=RUNNING, deadline__lt=today).values_list("pk", flat=True)
    )
    out = []
    qs = Task.objects.filter(pk__in=sorted(ids), escalation_level__lt=LADDER.top).order_by("id")
    for t in qs:
        late, why = late_workdays(t, late_nodes.get(t.pk, []), today, cal)
        level = LADDER.level(late)
        if level > t.escalation_level:
            with transaction.atomic():
                current = (
                    Task.objects.select_for_update(of=("self",))
                    .select_related("lead_unit", "leader")
                    .get(pk=t.pk)
                )
                if current.status in RUNNING and level > current.escalation_level:
                    _escalate_to(by, current, level, why)
                    out.append((t.pk, level))
    return out


@transaction.atomic
def escalate_task(by, task: Task, *, note: str = "") -> Task:
    """督查室 raises the level by hand (one step), with a note."""
    require(by, "tasks.manage")
    check_visible(by, task)
    current = (
        Task.objects.select_for_update(of=("self",))
        .select_related("lead_unit", "leader")
        .get(pk=task.pk)
    )
    if current.status not in RUNNING:
        raise ValidationError({"action": "只有办理中的任务可以升级督办。"})
    if current.escalation_level >= LADDER.top:
        raise ValidationError({"action": "任务已是专项督办，不能再升级。"})
    _escalate_to(
        by, current, current.escalation_level + 1, (note or "").strip()[:500] or "督查室人工督办"
    )
    return current
