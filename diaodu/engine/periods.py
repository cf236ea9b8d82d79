"""Report periods (期次): ISO weeks ("2026-W47", 2026年第47周) and months ("2026-11", 2026年11月).

Pure Python (stdlib only). A period knows its first and last day and its deadline for a given
weekday/day and time; `parse` reads a code and refuses anything else with a Chinese message.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

WEEKLY, MONTHLY = "weekly", "monthly"
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    year: int
    number: int  # ISO week (weekly) or month (monthly)

    @property
    def code(self) -> str:
        return (
            f"{self.year}-W{self.number:02d}"
            if self.kind == WEEKLY
            else f"{self.year}-{self.number:02d}"
        )

    @property
    def name(self) -> str:
        return (
            f"{self.year}年第{self.number}周"
            if self.kind == WEEKLY
            else f"{self.year}年{self.number}月"
        )

    @property
    def start(self) -> date:
        if self.kind == WEEKLY:
            return date.fromisocalendar(self.year, self.number, 1)
        return date(self.year, self.number, 1)

    @property
    def end(self) -> date:
        if self.kind == WEEKLY:
            return date.fromisocalendar(self.year, self.number, 7)
        return date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    @property
    def span(self) -> str:
        return f"{self.start:%m月%d日}—{self.end:%m月%d日}".replace("月0", "月").lstrip("0")

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    def next(self) -> Period:
        return of(self.end + timedelta(days=1), self.kind)

    def previous(self) -> Period:
        return of(self.start - timedelta(days=1), self.kind)

    def back(self, n: int) -> list[Period]:
        """This period and the n-1 before it, newest first."""
        out, p = [], self
        for _ in range(n):
            out.append(p)
            p = p.previous()
        return out

    def deadline(self, *, weekday: int = 3, day: int = 25, at: time = time(17, 0)) -> datetime:
        """Naive local deadline: the weekday of the ISO week (0 = Monday), or the day of the month
        (clamped to the month's length)."""
        if self.kind == WEEKLY:
            d = self.start + timedelta(days=max(0, min(6, weekday)))
        else:
            d = date(
                self.year,
                self.number,
                max(1, min(day, calendar.monthrange(self.year, self.number)[1])),
            )
        return datetime.combine(d, at)

    def __str__(self) -> str:
        return self.code


def of(d: date, kind: str = WEEKLY) -> Period:
    if isinstance(d, datetime):
        d = d.date()
    if kind == WEEKLY:
        y, w, _ = d.isocalendar()
        return Period(WEEKLY, y, w)
    if kind == MONTHLY:
        return Period(MONTHLY, d.year, d.month)
    raise ValueError(f"未知的报送周期“{kind}”。")


def parse(code: str, kind: str | None = None) -> Period:
    """'2026-W47' / '2026W47' → weekly; '2026-11' → monthly. With `kind`, the code must be of it."""
    text = (code or "").strip()
    m = _WEEK_RE.match(text)
    p = None
    if m:
        year, week = int(m.group(1)), int(m.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"期次“{text}”无效：{year}年没有第{week}周。") from None
        p = Period(WEEKLY, year, week)
    else:
        m = _MONTH_RE.match(text)
        if m and 1 <= int(m.group(2)) <= 12:
            p = Period(MONTHLY, int(m.group(1)), int(m.group(2)))
    if p is None or not (2000 <= p.year <= 2100):
        raise ValueError(f"期次“{text}”无效：周报写作 2026-W47，月报写作 2026-11。")
    if kind is not None and p.kind != kind:
        raise ValueError(
            f"期次“{text}”与报送周期不符：本区"
            + ("按周报送，请写作 2026-W47。" if kind == WEEKLY else "按月报送，请写作 2026-11。")
        )
    return p
