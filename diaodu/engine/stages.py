"""The project pipeline (项目阶段) as a pure state machine.

Main line: lead 线索 → negotiating 在谈 → signed 签约 → landed 落地 → preparing 前期 →
under_construction 在建 → completed 竣工 → operating 投产 → at_capacity 达产.
A project moves one step forward at a time, except that a lead may be signed directly (many
signings follow a single visit). Side exits: suspended 暂缓 and dropped 终止, from any stage
before at_capacity, each with a written reason; both can be resumed, and resuming returns the
project to the stage it left. Each move carries a date that may not lie before the previous
move's date, nor in the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

MAIN_LINE = (
    "lead",
    "negotiating",
    "signed",
    "landed",
    "preparing",
    "under_construction",
    "completed",
    "operating",
    "at_capacity",
)
SIDE = ("suspended", "dropped")
ALL = MAIN_LINE + SIDE

LABELS = {
    "lead": "线索",
    "negotiating": "在谈",
    "signed": "签约",
    "landed": "落地",
    "preparing": "前期",
    "under_construction": "在建",
    "completed": "竣工",
    "operating": "投产",
    "at_capacity": "达产",
    "suspended": "暂缓",
    "dropped": "终止",
}

# Forward moves allowed from each main-line stage (besides the side exits).
FORWARD = {
    "lead": ("negotiating", "signed"),
    "negotiating": ("signed",),
    "signed": ("landed",),
    "landed": ("preparing",),
    "preparing": ("under_construction",),
    "under_construction": ("completed",),
    "completed": ("operating",),
    "operating": ("at_capacity",),
    "at_capacity": (),
}

# The date field of the project that a move into the stage fills (actual dates).
DATE_FIELD = {
    "signed": "actual_signing_date",
    "under_construction": "actual_start_date",
    "completed": "actual_completion_date",
    "operating": "actual_production_date",
}

# Stages whose projects owe weekly reports and count as "active" in the ledger.
ACTIVE = ("signed", "landed", "preparing", "under_construction", "completed", "operating")


class TransitionError(ValueError):
    """A refused move; the message is Chinese and says why."""


@dataclass(frozen=True)
class Move:
    from_stage: str
    to_stage: str
    on: date
    resumed_to: str | None = None


def label(stage: str) -> str:
    return LABELS.get(stage, stage)


def allowed_targets(current: str, resume_stage: str | None = None) -> list[str]:
    """Where a project in `current` may go next. `resume_stage` is the stage left for a side exit."""
    if current in SIDE:
        targets = []
        if resume_stage in MAIN_LINE:
            targets.append(resume_stage)
        if current == "suspended":
            targets.append("dropped")
        return targets
    if current not in FORWARD:
        return []
    targets = list(FORWARD[current])
    if current != "at_capacity":
        targets += ["suspended", "dropped"]
    return targets


def check(
    current: str,
    target: str,
    on: date,
    *,
    last_move_on: date | None,
    today: date,
    reason: str = "",
    resume_stage: str | None = None,
) -> Move:
    """Validate one move; return it or raise TransitionError with a Chinese message."""
    if target not in ALL:
        raise TransitionError(f"未知的项目阶段“{target}”。")
    if current not in ALL:
        raise TransitionError(f"当前阶段“{current}”无效。")
    if target == current:
        raise TransitionError(f"项目已处于“{label(current)}”阶段。")
    if target not in allowed_targets(current, resume_stage):
        allowed = "、".join(label(t) for t in allowed_targets(current, resume_stage)) or "无"
        raise TransitionError(
            f"不能从“{label(current)}”变更为“{label(target)}”。当前阶段可变更为：{allowed}。"
        )
    if on is None:
        raise TransitionError("请填写变更日期。")
    if on > today:
        raise TransitionError(f"变更日期 {on:%Y-%m-%d} 晚于今天，不能预填未发生的变更。")
    if last_move_on is not None and on < last_move_on:
        raise TransitionError(
            f"变更日期 {on:%Y-%m-%d} 早于上一次阶段变更日期 {last_move_on:%Y-%m-%d}。"
        )
    if target in SIDE and not (reason or "").strip():
        raise TransitionError(f"变更为“{label(target)}”须填写原因。")
    resumed = target if current in SIDE and target in MAIN_LINE else None
    return Move(current, target, on, resumed)


def rank(stage: str) -> int:
    """Position on the main line (side stages: -1), for funnels and sorting."""
    return MAIN_LINE.index(stage) if stage in MAIN_LINE else -1
