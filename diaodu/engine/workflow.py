"""State machines declared as data (pure Python, no Django).

A machine has states (key → Chinese label) and named moves. A move goes from one of its source
states to one target state, says who may make it, and which fields it needs::

    PROBLEM = Machine(
        noun="问题",
        states={"raised": "提出", "assigned": "交办", ...},
        moves=[
            Move("assign", "交办", ("raised",), "assigned", keys={"problems.assign"}),
            Move("resolve", "办结", ("assigned",), "resolved", predicate="handler",
                 required={"answer": "办结须填写办理结果。"}),
        ],
    )
    target = PROBLEM.move(current, "resolve", actor_keys=keys, checks={"handler": True},
                          fields={"answer": text})

Who may make a move: anyone when it declares neither ``keys`` nor ``predicate``; otherwise an
actor holding one of the ``keys`` (role or permission keys), or for whom the app evaluated the
named ``predicate`` as true (``checks``), e.g. "the raiser of this problem" or "a person of the
responsible unit" — facts only the app can know. The order of checks is fixed: unknown move →
who may → from which state → required fields, so every caller reports the same first error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from diaodu.engine.cleaning import CleaningError, is_blank

__all__ = ["Machine", "Move", "MoveError", "MoveForbidden"]


class MoveError(CleaningError):
    """A move that cannot be made now (unknown, wrong state, missing field): ``field`` is
    ``"action"`` or the missing field's key."""


class MoveForbidden(PermissionError):
    """The actor may not make this move (the app turns it into its permission error)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Move:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    keys: frozenset[str] = field(default_factory=frozenset)
    predicate: str | None = None
    required: Mapping[str, str] = field(default_factory=dict)
    forbidden: str = ""

    def __post_init__(self):
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "keys", frozenset(self.keys))
        object.__setattr__(self, "required", dict(self.required))

    @property
    def restricted(self) -> bool:
        return bool(self.keys) or self.predicate is not None

    def permits(self, actor_keys: Iterable[str] = (), checks: Mapping[str, bool] | None = None):
        if not self.restricted:
            return True
        if self.keys & set(actor_keys):
            return True
        return self.predicate is not None and bool((checks or {}).get(self.predicate))


@dataclass(frozen=True)
class Machine:
    noun: str
    states: Mapping[str, str]
    moves: tuple[Move, ...]
    _index: Mapping[str, Move] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        moves = tuple(self.moves)
        object.__setattr__(self, "moves", moves)
        object.__setattr__(self, "states", dict(self.states))
        index: dict[str, Move] = {}
        for m in moves:
            if m.name in index:
                raise ValueError(f"操作“{m.name}”重复定义")
            unknown = [s for s in (*m.sources, m.target) if s not in self.states]
            if unknown:
                raise ValueError(f"操作“{m.name}”引用了未定义的状态：{', '.join(unknown)}")
            index[m.name] = m
        object.__setattr__(self, "_index", index)

    # ------------------------------------------------------------ reading
    def __getitem__(self, name: str) -> Move:
        return self._index[name]

    def __contains__(self, name: str) -> bool:
        return name in self._index

    def label(self, state: str) -> str:
        return self.states.get(state, state)

    def moves_from(
        self,
        state: str,
        actor_keys: Iterable[str] | None = None,
        checks: Mapping[str, bool] | None = None,
    ) -> list[Move]:
        """The moves possible from *state* (only those the actor may make, when keys are given)."""
        keys = None if actor_keys is None else set(actor_keys)
        return [
            m
            for m in self.moves
            if state in m.sources and (keys is None or m.permits(keys, checks))
        ]

    # ------------------------------------------------------------ moving
    def check(self, state: str, move: str) -> Move:
        """The move, if it exists and may start from *state*; else MoveError naming what may."""
        m = self._index.get(move)
        if m is None:
            raise MoveError("action", f"未知的操作“{move}”。")
        if state not in m.sources:
            allowed = "、".join(x.label for x in self.moves_from(state)) or "无"
            raise MoveError(
                "action",
                f"{self.noun}当前为“{self.label(state)}”，不能{m.label}。当前可进行：{allowed}。",
            )
        return m

    def move(
        self,
        state: str,
        move: str,
        actor_keys: Iterable[str] = (),
        fields: Mapping[str, object] | None = None,
        *,
        checks: Mapping[str, bool] | None = None,
    ) -> str:
        """The state *move* leads to from *state*, or MoveForbidden / MoveError (Chinese)."""
        m = self._index.get(move)
        if m is None:
            raise MoveError("action", f"未知的操作“{move}”。")
        if not m.permits(actor_keys, checks):
            raise MoveForbidden(m.forbidden or f"无权{m.label}此{self.noun}。")
        self.check(state, move)
        values = fields or {}
        for key, message in m.required.items():
            if is_blank(values.get(key)):
                raise MoveError(key, message)
        return m.target


def extension_machine(*, requester: str, requester_forbidden: str, approver_keys) -> Machine:
    """申请延期 → 批准 / 不予延期, beside the main machine of anything with a deadline (problems,
    key tasks, 诉求): the party named by the predicate *requester* asks, the holders of
    *approver_keys* (the 督查室) decide."""
    decided = "只有督查室可以审批延期申请。"
    return Machine(
        noun="延期申请",
        states={"none": "无", "pending": "待审批"},
        moves=(
            Move(
                "request_extension",
                "申请延期",
                ("none",),
                "pending",
                predicate=requester,
                required={
                    "new_due": "请填写申请延期至的日期。",
                    "reason": "请填写申请延期的理由。",
                },
                forbidden=requester_forbidden,
            ),
            Move(
                "approve_extension",
                "批准延期",
                ("pending",),
                "none",
                keys=approver_keys,
                forbidden=decided,
            ),
            Move(
                "refuse_extension",
                "不予延期",
                ("pending",),
                "none",
                keys=approver_keys,
                required={"reason": "请填写不予延期的理由。"},
                forbidden=decided,
            ),
        ),
    )
