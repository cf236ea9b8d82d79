"""督办单 (SupervisionNotice): issued by the 督查室 to a late task's lead unit, answered on its reply
slip (回执) by that unit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning
from diaodu.engine.cleaning import Errors
from diaodu.org.scope import require
from diaodu.procedures import workcal
from diaodu.tasks.flows import LADDER
from diaodu.tasks.models import RUNNING, SupervisionNotice, Task

from .common import MAX_TEXT, check_visible, event, facts, name_of, notify_unit, user_of


def _number(year: int) -> str:
    prefix = f"督办〔{year}〕"
    n = SupervisionNotice.objects.filter(number__startswith=prefix).count() + 1
    while SupervisionNotice.objects.filter(number=f"{prefix}{n}号").exists():
        n += 1
    return f"{prefix}{n}号"


@transaction.atomic
def issue_notice(by, task: Task, *, body: str = "", reply_wd=3) -> SupervisionNotice:
    """A 督办单 for a running task: what to do, and a reply due in working days (1–30)."""
    require(by, "tasks.manage")
    check_visible(by, task)
    current = (
        Task.objects.select_for_update(of=("self",)).select_related("lead_unit").get(pk=task.pk)
    )
    e = Errors()
    if current.status not in RUNNING:
        e.add("action", f"任务{current.get_status_display()}，不需要督办。")
    body = e.take(cleaning.text, body, "督办事项", field="body", required=True, max_length=MAX_TEXT)
    wd = e.take(cleaning.integer, reply_wd, "回复时限（工作日）", field="reply_wd", required=True,
                minimum=1, maximum=30)  # fmt: skip
    e.raise_if_any(ValidationError)
    today = clock.today()
    n = SupervisionNotice.objects.create(
        task=current,
        number=_number(today.year),
        level=max(current.escalation_level, 2),
        body=body,
        reply_due=workcal.load().add_workdays(today, wd),
        issued_by=user_of(by),
        issued_by_name=name_of(by),
        issued_at=clock.now(),
    )
    event(
        current,
        "notice",
        by,
        current.status,
        note=f"下发督办单{n.number}，{n.reply_due:%Y-%m-%d}前回复",
    )
    record("task.notice", n, after=snapshot(n), only_changes=False)
    notify_unit(
        current.lead_unit,
        title=f"{LADDER.label(n.level)}单{n.number}：{current.title[:50]}",
        body=f"请于{n.reply_due:%Y年%m月%d日}前回复。",
        link=f"/tasks/{current.pk}/",
        kind="escalation",
    )
    return n


@transaction.atomic
def reply_notice(by, notice: SupervisionNotice, *, reply: str = "") -> SupervisionNotice:
    """回执: the lead unit answers the 督办单 (once)."""
    current = (
        SupervisionNotice.objects.select_for_update(of=("self",))
        .select_related("task")
        .get(pk=notice.pk)
    )
    check_visible(by, current.task)
    if not facts(by, current.task)["lead"]:
        raise PermissionDenied("只有牵头单位可以回复督办单。")
    e = Errors()
    if current.replied_at is not None:
        e.add("reply", "此督办单已回复。")
    reply = e.take(cleaning.text, reply, "回复", field="reply", required=True, max_length=MAX_TEXT)
    e.raise_if_any(ValidationError)
    before = snapshot(current, ["reply", "replied_at"])
    current.reply, current.replied_at = reply, clock.now()
    current.save(update_fields=["reply", "replied_at"])
    event(
        current.task,
        "notice_reply",
        by,
        current.task.status,
        note=f"{current.number}回执：{reply[:400]}",
    )
    record(
        "task.notice_reply",
        current,
        before=before,
        after=snapshot(current, ["reply", "replied_at"]),
    )
    return current
