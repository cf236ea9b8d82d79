"""The problem's state machine (问题清单: 交办 → 办结 → 销号), declared once as data.

Plain data on the engine's :class:`~diaodu.engine.workflow.Machine`: the services ask it whether
a move may be made (who, from which state, which fields), the pages and the API ask it which
moves to offer. Who may move is a permission key or a fact the service evaluates:

* ``handler`` — a person of the responsible unit holding ``problems.handle`` (or a person with
  that key over all units);
* ``raiser`` — the person who raised the problem.

States and labels match ``ProblemStatus`` (a test keeps them equal). 退回交办 (``send_back``)
takes a problem that is not the department's business back to the 督查室, who assign it again.

Extension requests (申请延期) have their own small machine: the department asks for a later
deadline with a reason; the 督查室 (``problems.assign``) approves or refuses it.

Escalation (催办 → 督办 → 提级) uses :mod:`diaodu.engine.escalation`; the zone's thresholds come
from its report cycle, else :data:`diaodu.engine.escalation.DEFAULT`.
"""

from __future__ import annotations

from diaodu.engine.workflow import Machine, Move, extension_machine

__all__ = ["EXTENSION", "PROBLEM", "RUNNING_STATES"]

ASSIGN_KEYS = frozenset({"problems.assign"})

PROBLEM = Machine(
    noun="问题",
    states={
        "raised": "提出",
        "assigned": "交办",
        "in_progress": "办理中",
        "resolved": "办结",
        "closed": "销号",
        "returned": "退回",
        "sent_back": "退回交办",
    },
    moves=(
        Move(
            "assign",
            "交办",
            ("raised", "assigned", "in_progress", "sent_back"),
            "assigned",
            keys=ASSIGN_KEYS,
        ),
        Move(
            "start",
            "签收办理",
            ("assigned", "returned"),
            "in_progress",
            predicate="handler",
            forbidden="只有责任单位可以办理此问题。",
        ),
        Move(
            "resolve",
            "办结",
            ("assigned", "in_progress", "returned"),
            "resolved",
            predicate="handler",
            required={"answer": "办结须填写办理结果。"},
            forbidden="只有责任单位可以办结此问题。",
        ),
        Move(
            "close",
            "销号",
            ("resolved",),
            "closed",
            keys=ASSIGN_KEYS,
            predicate="raiser",
            forbidden="只有问题提出人或督查室可以销号。",
        ),
        Move(
            "return",
            "退回重办",
            ("resolved",),
            "returned",
            keys=ASSIGN_KEYS,
            predicate="raiser",
            required={"reason": "请填写退回原因。"},
            forbidden="只有问题提出人或督查室可以退回。",
        ),
        Move(
            "send_back",
            "退回交办",
            ("assigned", "in_progress", "returned"),
            "sent_back",
            predicate="handler",
            required={"reason": "请填写退回交办的原因（如：非本单位职责）。"},
            forbidden="只有责任单位可以退回交办。",
        ),
    ),
)

RUNNING_STATES = ("assigned", "in_progress", "returned")
"""On the department's desk, with a deadline: these escalate, and may ask for an extension."""

EXTENSION = extension_machine(
    requester="handler", requester_forbidden="只有责任单位可以申请延期。", approver_keys=ASSIGN_KEYS
)
