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

# How offices write a stage in a ledger's 建设阶段/项目状态 column (besides the labels above).
STAGE_WORDS = {
    **{v: k for k, v in LABELS.items()},
    "储备": "lead",
    "谋划": "lead",
    "谋划储备": "lead",
    "招商线索": "lead",
    "洽谈": "negotiating",
    "洽谈中": "negotiating",
    "在洽谈": "negotiating",
    "已签约": "signed",
    "签订协议": "signed",
    "已签订协议": "signed",
    "已落地": "landed",
    "已供地": "landed",
    "已摘牌": "landed",
    "前期": "preparing",
    "前期工作": "preparing",
    "前期手续": "preparing",
    "前期手续办理": "preparing",
    "前期手续办理中": "preparing",
    "办理前期手续": "preparing",
    "拟开工": "preparing",
    "待开工": "preparing",
    "未开工": "preparing",
    "计划开工": "preparing",
    "已开工": "under_construction",
    "开工": "under_construction",
    "开工建设": "under_construction",
    "已开工建设": "under_construction",
    "在建": "under_construction",
    "在建中": "under_construction",
    "建设中": "under_construction",
    "正在建设": "under_construction",
    "施工": "under_construction",
    "施工中": "under_construction",
    "在施": "under_construction",
    "在施工": "under_construction",
    "正在施工": "under_construction",
    "主体施工": "under_construction",
    "续建": "under_construction",
    "已竣工": "completed",
    "竣工": "completed",
    "完工": "completed",
    "已完工": "completed",
    "建成": "completed",
    "已建成": "completed",
    "竣工验收": "completed",
    "投产": "operating",
    "已投产": "operating",
    "试生产": "operating",
    "试运行": "operating",
    "投入使用": "operating",
    "已投入使用": "operating",
    "运营": "operating",
    "已运营": "operating",
    "达产": "at_capacity",
    "已达产": "at_capacity",
    "达产达效": "at_capacity",
    "停建": "suspended",
    "缓建": "suspended",
    "停工": "suspended",
    "暂停": "suspended",
    "已终止": "dropped",
    "取消": "dropped",
    "已取消": "dropped",
    "退出": "dropped",
}
_STAGE_NOISE = str.maketrans("", "", " \t\u3000()（）【】[]")


def parse_stage(text: str) -> str | None:
    """A ledger's wording of a stage (施工中, 在施, 已开工, 已投产 …) → the stage, or None.
    ``text`` should already be Simplified Chinese; a trailing 阶段/状态 is ignored."""
    t = (text or "").strip().translate(_STAGE_NOISE)
    for suffix in ("阶段", "状态", "项目"):
        if t.endswith(suffix) and len(t) > len(suffix):
            t = t[: -len(suffix)]
    return STAGE_WORDS.get(t)


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
