"""The task's state machine (重点任务: 待签收 → 办理中 → 申请办结 → 已办结; 退回, 挂起) and its
extension requests (申请延期), declared once as data on :mod:`diaodu.engine.workflow`.

Who may move: the 督查室 (``tasks.manage``) or the fact ``lead`` — a person of the lead unit (or a
unit below it) holding ``tasks.handle``. The services evaluate the fact; pages and the API ask
the machine which moves to offer.

Escalation (催办 → 督办 → 专项督办) is the engine's :mod:`~diaodu.engine.escalation` ladder that
problems use, with the platform's thresholds and the task's own labels (:data:`LADDER`).
"""

from __future__ import annotations

from diaodu.engine import escalation
from diaodu.engine.workflow import Machine, Move, extension_machine

__all__ = ["EXTENSION", "LADDER", "TASK"]

MANAGE = frozenset({"tasks.manage"})

TASK = Machine(
    noun="任务",
    states={
        "pending": "待签收",
        "in_progress": "办理中",
        "requested": "申请办结",
        "done": "已办结",
        "returned": "退回",
        "suspended": "挂起",
    },
    moves=(
        Move(
            "sign",
            "签收",
            ("pending",),
            "in_progress",
            predicate="lead",
            forbidden="只有牵头单位可以签收此任务。",
        ),
        Move(
            "request_done",
            "申请办结",
            ("pending", "in_progress", "returned"),
            "requested",
            predicate="lead",
            required={"summary": "申请办结须填写办结情况。"},
            forbidden="只有牵头单位可以申请办结。",
        ),
        Move(
            "approve_done",
            "同意办结",
            ("requested",),
            "done",
            keys=MANAGE,
            forbidden="只有督查室可以审核办结。",
        ),
        Move(
            "return",
            "退回重办",
            ("requested",),
            "returned",
            keys=MANAGE,
            required={"reason": "请填写退回原因。"},
            forbidden="只有督查室可以退回。",
        ),
        Move(
            "suspend",
            "挂起",
            ("pending", "in_progress", "returned"),
            "suspended",
            keys=MANAGE,
            required={"reason": "请填写挂起原因。"},
            forbidden="只有督查室可以挂起任务。",
        ),
        Move(
            "resume",
            "恢复办理",
            ("suspended",),
            "in_progress",
            keys=MANAGE,
            forbidden="只有督查室可以恢复任务。",
        ),
    ),
)

EXTENSION = extension_machine(
    requester="lead", requester_forbidden="只有牵头单位可以申请延期。", approver_keys=MANAGE
)

LADDER = escalation.Ladder(escalation.DEFAULT.thresholds, labels=("", "催办", "督办", "专项督办"))
"""催办 → 督办 → 专项督办 at the platform's working-day thresholds (the ladder problems climb)."""
