"""Escalation: how many working days past its deadline a piece of work is → its level (pure).

Problems, 督办 tasks, 诉求 and leads escalate the same way: 催办 (urge) after a few working
days past the deadline, 督办 (supervise) later, 提级 (raise to the leaders) last. The thresholds
are data — a zone's report cycle keeps its own — and :data:`DEFAULT` is the only place where
the platform's defaults (1 / 3 / 8 working days) are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DEFAULT", "LEVEL_LABELS", "Ladder", "level_for"]

LEVEL_LABELS: tuple[str, ...] = ("", "催办", "督办", "提级")


@dataclass(frozen=True)
class Ladder:
    """Working days past the deadline at which each level starts (level 1, 2, … in order)."""

    thresholds: tuple[int, ...]
    labels: tuple[str, ...] = LEVEL_LABELS

    def __post_init__(self):
        t = tuple(int(x) for x in self.thresholds)
        object.__setattr__(self, "thresholds", t)
        object.__setattr__(self, "labels", tuple(self.labels))
        if not t:
            raise ValueError("升级时限不能为空")
        if any(x < 1 for x in t):
            raise ValueError("升级时限至少为 1 个工作日")
        if any(a > b for a, b in zip(t, t[1:])):
            raise ValueError("升级时限应逐级不减（催办 ≤ 督办 ≤ 提级）")
        if len(self.labels) != len(t) + 1:
            raise ValueError("级别名称应比时限多一个（第 0 级为空）")

    @classmethod
    def of(cls, *thresholds: int | None, default: Ladder | None = None) -> Ladder:
        """A ladder from a cycle's fields; a missing threshold takes the default's."""
        base = (default or DEFAULT).thresholds
        return cls(tuple(b if t is None else t for t, b in zip(thresholds, base)))

    @property
    def top(self) -> int:
        return len(self.thresholds)

    def level(self, late_workdays: int) -> int:
        """0 when not late enough; else the highest level whose threshold is reached."""
        return sum(1 for s in self.thresholds if late_workdays >= s)

    def label(self, level: int) -> str:
        return self.labels[level] if 0 <= level < len(self.labels) else ""


DEFAULT = Ladder((1, 3, 8))
"""催办 after 1 working day past the deadline, 督办 after 3, 提级 after 8."""


def level_for(late_workdays: int, thresholds: Sequence[int] = DEFAULT.thresholds) -> int:
    """Shorthand: the level reached after *late_workdays* with the given thresholds."""
    return Ladder(tuple(thresholds)).level(late_workdays)
