"""Layout of the server-rendered Gantt chart (HTML/CSS, no script): pixel positions of the
bars, month ticks, today and the target start lines. Pure presentation of stored results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from diaodu.procedures.models import Stage, Status

MIN_PPD = 2  # pixels per day below which a phone scrolls instead of squeezing the chart


def _pct(value: float) -> str:
    return f"{value:.3f}"


@dataclass
class Bar:
    kind: str  # latest | plan | actual | open
    left: int
    width: int
    title: str
    critical: bool = False
    total: int = 1  # the chart's width in pixels: positions as shares of it

    @property
    def left_pct(self) -> str:
        return _pct(100 * self.left / self.total)

    @property
    def width_pct(self) -> str:
        return _pct(100 * self.width / self.total)


@dataclass
class Row:
    item: object
    bars: list[Bar] = field(default_factory=list)
    group: str = ""


@dataclass
class Chart:
    width: int
    ppd: int
    ticks: list[tuple[int, str]]
    rows: list[Row]
    today: int | None
    target: int | None
    expected: int | None
    start: date
    end: date

    # The chart is laid out in shares of its width, so a desktop shows the whole chain (all its
    # years) in the card, and a phone scrolls a chart at least `min_width` pixels wide.
    @property
    def min_width(self) -> int:
        return (self.width // self.ppd) * MIN_PPD

    def pct(self, px: int | None) -> str | None:
        return None if px is None else _pct(100 * px / self.width)

    @property
    def today_pct(self) -> str | None:
        return self.pct(self.today)

    @property
    def target_pct(self) -> str | None:
        return self.pct(self.target)

    @property
    def expected_pct(self) -> str | None:
        return self.pct(self.expected)

    @property
    def tick_pcts(self) -> list[tuple[str, str]]:
        return [(self.pct(left), label) for left, label in self.ticks]


def _fmt(d: date | None) -> str:
    return d.strftime("%Y-%m-%d") if d else "—"


def build(items, *, today: date, target: date | None, expected: date | None) -> Chart | None:
    days: list[date] = [today]
    for d in (target, expected):
        if d:
            days.append(d)
    for it in items:
        for d in (
            it.latest_start,
            it.latest_finish,
            it.earliest_start,
            it.earliest_finish,
            it.actual_start,
            it.actual_finish,
        ):
            if d:
                days.append(d)
    start = min(days) - timedelta(days=3)
    end = max(days) + timedelta(days=3)
    span = (end - start).days + 1
    ppd = 8 if span <= 120 else 5 if span <= 240 else 3 if span <= 480 else 2

    def x(d: date) -> int:
        return (d - start).days * ppd

    def bar(kind, d1, d2, title, critical=False):
        if d1 is None or d2 is None:
            return None
        if d2 < d1:
            d1, d2 = d2, d1
        return Bar(kind, x(d1), max(ppd, ((d2 - d1).days + 1) * ppd), title, critical, span * ppd)

    ticks = []
    d = date(start.year, start.month, 1)
    while d <= end:
        if d >= start:
            label = f"{d.year}年{d.month}月" if d.month == 1 or not ticks else f"{d.month}月"
            if span > 540 and d.month not in (1, 4, 7, 10) and ticks:
                label = ""  # a long chain on a desktop: quarters named, months drawn
            ticks.append((x(d), label))
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    rows = []
    labels = dict(Stage.choices)
    for it in items:
        row = Row(it, group=labels.get(it.stage, ""))
        if it.status == Status.NOT_APPLICABLE:
            rows.append(row)
            continue
        limit = f"（时限 {it.duration_label}）"
        b = bar(
            "latest",
            it.latest_start,
            it.latest_finish,
            f"最迟 {_fmt(it.latest_start)} 开始，{_fmt(it.latest_finish)} 前办结{limit}",
            it.critical,
        )
        if b:
            row.bars.append(b)
        if it.status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.ACCEPTED_WITH_GAPS):
            b = bar(
                "plan",
                it.earliest_start,
                it.earliest_finish,
                f"预计 {_fmt(it.earliest_start)} 开始，{_fmt(it.earliest_finish)} 办结{limit}"
                + ("，关键路径：晚一天办结，开工即推迟" if it.critical else ""),
                it.critical,
            )
            if b:
                row.bars.append(b)
        if it.status == Status.DONE:
            b = bar(
                "actual",
                it.actual_start or it.actual_finish,
                it.actual_finish,
                f"实际 {_fmt(it.actual_start)} — {_fmt(it.actual_finish)}",
            )
            if b:
                row.bars.append(b)
        elif it.status in (Status.IN_PROGRESS, Status.ACCEPTED_WITH_GAPS) and it.actual_start:
            b = bar(
                "open",
                it.actual_start,
                max(today, it.actual_start),
                f"{_fmt(it.actual_start)} 起办理中",
            )
            if b:
                row.bars.append(b)
        rows.append(row)
    return Chart(
        width=span * ppd,
        ppd=ppd,
        ticks=ticks,
        rows=rows,
        today=x(today),
        target=x(target) if target else None,
        expected=x(expected) if expected and expected != target else None,
        start=start,
        end=end,
    )
