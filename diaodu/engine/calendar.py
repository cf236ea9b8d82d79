"""Working days (工作日) for Chinese statutory deadlines.

Pure Python, no Django.  A :class:`WorkCalendar` knows, per year, the public
holidays (法定节假日, including the weekend days inside a holiday block) and the
make-up working days (调休上班日, weekend days on which people work).  Data come
from the ``chinesecalendar`` package (years already announced by the State
Council) plus years entered by an administrator (:class:`YearRule`).

For a year with no data the calendar counts Monday–Friday and *records* the
year; :meth:`WorkCalendar.warnings` turns the recorded years into Chinese
warnings such as "2027年节假日安排尚未录入，已按周一至周五计算工作日".

Conventions
-----------
* ``add_workdays(d, n)``: ``n > 0`` → the n-th workday strictly after ``d``;
  ``n < 0`` → the |n|-th workday strictly before ``d``; ``n == 0`` → ``d``
  unchanged (even if ``d`` is not a workday).
* ``workdays_between(start, end)``: the number of workdays in the half-open
  interval ``(start, end]`` (``start`` excluded, ``end`` included) when
  ``end >= start``; when ``end < start`` it is minus the number of workdays in
  ``(end, start]``.  So it is additive:
  ``between(a, b) + between(b, c) == between(a, c)`` for any dates, and for a
  workday ``d``: ``between(d, add_workdays(d, n)) == n``.
* ``finish_date(start, n)``: a task starting on ``start`` (rolled forward to a
  workday) and lasting ``n`` workdays finishes on the n-th workday counting the
  start as day 1.  ``n == 0`` is a milestone and finishes on its (rolled) start
  day, i.e. it behaves like a one-day task for chaining.
* ``start_date_for_finish(finish, n)`` is the inverse (``finish`` rolled
  backward to a workday first).

Workday index API (for fast bulk arithmetic)
---------------------------------------------
Every workday has an integer *index*; consecutive workdays have consecutive
indices, so "n workdays later" is ``index + n``.  Indices are stable for the
life of the calendar object (index 0 is the first workday of the earliest year
with data; workdays before it have negative indices).  ``to_index(d)`` requires
a workday; ``index_on_or_after(d)`` / ``index_on_or_before(d)`` accept any date;
``from_index(i)`` returns the date.  Inside the years with data the lookups are
list lookups over a precomputed prefix count of workdays by ordinal; outside
them closed-form Monday–Friday arithmetic is used.  Both are O(1).

The object is immutable apart from the set of unknown years it has touched
(which only grows); it keeps no module-level state and is safe to reuse.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = ["YearRule", "WorkCalendar", "year_warning"]


def year_warning(year: int) -> str:
    """The Chinese warning for a year counted Monday–Friday for lack of data."""
    return f"{year}年节假日安排尚未录入，已按周一至周五计算工作日"


def _weekdays_before(o: int) -> int:
    """Number of Monday–Friday ordinals x < o, up to a constant.

    Ordinal 1 (0001-01-01) is a Monday.  Works for any integer (floor division),
    so differences give exact Monday–Friday counts over any interval.
    """
    m = o - 1
    r = m % 7
    return 5 * (m // 7) + (r if r < 5 else 5)


def _weekday_with_count(c: int) -> int:
    """Inverse of :func:`_weekdays_before` on weekdays: the weekday ordinal x
    with ``_weekdays_before(x) == c``."""
    return 1 + 7 * (c // 5) + c % 5


@dataclass(frozen=True)
class YearRule:
    """One year's holiday notice (节假日安排).

    ``holidays``: days off (weekday holidays; weekend days inside a holiday
    block may be listed too, they are off anyway).  ``makeup_workdays``:
    调休上班日, weekend days that are working days.
    """

    year: int
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        for label, days in (("节假日", self.holidays), ("调休上班日", self.makeup_workdays)):
            for d in days:
                if not isinstance(d, date) or d.year != self.year:
                    raise ValueError(f"{self.year}年节假日安排中的{label} {d} 不属于{self.year}年")
        both = self.holidays & self.makeup_workdays
        if both:
            first = min(both)
            raise ValueError(f"{self.year}年节假日安排中 {first} 既是节假日又是调休上班日")

    def is_workday(self, d: date) -> bool:
        if d in self.makeup_workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


class WorkCalendar:
    """Working-day arithmetic over the years in ``rules`` (later rules for the
    same year override earlier ones); other years count Monday–Friday."""

    def __init__(self, rules: Iterable[YearRule] = ()):
        by_year: dict[int, YearRule] = {}
        for rule in rules:
            by_year[rule.year] = rule
        self._rules = by_year
        self._known = frozenset(by_year)
        self._touched: set[int] = set()

        if by_year:
            y0, y1 = min(by_year), max(by_year)
            lo = date(y0, 1, 1).toordinal()
            end = date(y1 + 1, 1, 1).toordinal()  # exclusive
        else:
            y0, y1 = 1, 0
            lo = end = date(2000, 1, 1).toordinal()
        n = end - lo
        cum = [0] * (n + 1)
        wd_dates: list[date] = []
        count = 0
        for i in range(n):
            d = date.fromordinal(lo + i)
            rule = by_year.get(d.year)
            if rule.is_workday(d) if rule is not None else d.weekday() < 5:
                wd_dates.append(d)
                count += 1
            cum[i + 1] = count
        self._lo = lo
        self._n = n
        self._cum = cum
        self._wd_dates = wd_dates
        self._total = count
        self._w_lo = _weekdays_before(lo)
        self._w_end = _weekdays_before(end)
        self._y0, self._y1 = y0, y1
        # Years inside the precomputed range that have no rule (counted Mon–Fri).
        self._gaps = frozenset(y for y in range(y0, y1 + 1) if y not in by_year)

    # ------------------------------------------------------------ construction
    @classmethod
    def from_chinesecalendar(cls, extra_rules: Iterable[YearRule] = ()) -> WorkCalendar:
        """Every year the ``chinesecalendar`` package knows (2004–2026 in
        1.11.0), then ``extra_rules`` (admin-entered years) added/overriding."""
        import chinese_calendar

        hol: dict[int, set[date]] = {}
        mk: dict[int, set[date]] = {}
        for d in chinese_calendar.holidays:
            hol.setdefault(d.year, set()).add(d)
        for d in chinese_calendar.workdays:
            mk.setdefault(d.year, set()).add(d)
        rules = [
            YearRule(y, frozenset(hol.get(y, ())), frozenset(mk.get(y, ())))
            for y in sorted(set(hol) | set(mk))
        ]
        return cls([*rules, *extra_rules])

    def known_years(self) -> frozenset[int]:
        return self._known

    def rule_for(self, year: int) -> YearRule | None:
        return self._rules.get(year)

    # ------------------------------------------------------------ warnings
    def unknown_years_touched(self) -> frozenset[int]:
        """Years reached by computations on this calendar that had no data."""
        return frozenset(self._touched)

    def warnings(self) -> list[str]:
        return [year_warning(y) for y in sorted(self._touched)]

    def unknown_years_between(self, a: date, b: date) -> list[int]:
        """Unknown years in the span between two dates (either order), sorted;
        they are also recorded in :meth:`unknown_years_touched`."""
        return self._touch_ordinals(a.toordinal(), b.toordinal())

    def unknown_years_between_indices(self, i: int, j: int) -> list[int]:
        """Like :meth:`unknown_years_between` for two workday indices."""
        if i > j:
            i, j = j, i
        if i >= 0 and j < self._total and not self._gaps:
            return []
        return self._touch_ordinals(self._ordinal_of_index(i), self._ordinal_of_index(j))

    def _touch_ordinals(self, o1: int, o2: int) -> list[int]:
        if o1 > o2:
            o1, o2 = o2, o1
        if not self._gaps and self._lo <= o1 and o2 < self._lo + self._n:
            return []
        y1 = date.fromordinal(o1).year
        y2 = date.fromordinal(o2).year
        known = self._known
        out = [y for y in range(y1, y2 + 1) if y not in known]
        if out:
            self._touched.update(out)
        return out

    # ------------------------------------------------------------ index API
    def _count_before(self, o: int) -> int:
        """Index of the first workday on or after ordinal ``o`` (== the number
        of workdays before ``o``, counted from index 0)."""
        i = o - self._lo
        if 0 <= i <= self._n:
            return self._cum[i]
        if i < 0:
            return _weekdays_before(o) - self._w_lo
        return self._total + _weekdays_before(o) - self._w_end

    def _ordinal_of_index(self, k: int) -> int:
        if 0 <= k < self._total:
            return self._wd_dates[k].toordinal()
        if k < 0:
            return _weekday_with_count(self._w_lo + k)
        return _weekday_with_count(self._w_end + k - self._total)

    def index_on_or_after(self, d: date) -> int:
        """Index of ``roll_forward(d)``."""
        i = d.toordinal() - self._lo
        if 0 <= i <= self._n:
            return self._cum[i]
        return self._count_before(i + self._lo)

    def index_on_or_before(self, d: date) -> int:
        """Index of ``roll_backward(d)``."""
        i = d.toordinal() - self._lo + 1
        if 0 <= i <= self._n:
            return self._cum[i] - 1
        return self._count_before(i + self._lo) - 1

    def to_index(self, d: date) -> int:
        """Index of the workday ``d``; ``ValueError`` if ``d`` is not a workday."""
        k = self.index_on_or_after(d)
        if self._ordinal_of_index(k) != d.toordinal():
            raise ValueError(f"{d} 不是工作日")
        return k

    def index_table(self) -> list[date]:
        """The precomputed workdays: ``index_table()[k] == from_index(k)`` for
        ``0 <= k < len(table)``.  For hot loops; a caller using it directly
        must report unknown years itself (``unknown_years_between_indices``).
        Do not mutate."""
        return self._wd_dates

    def from_index(self, k: int) -> date:
        """The workday with index ``k`` (records the year if it has no data)."""
        if 0 <= k < self._total:
            d = self._wd_dates[k]
            if self._gaps and d.year in self._gaps:
                self._touched.add(d.year)
            return d
        d = date.fromordinal(self._ordinal_of_index(k))
        self._touched.add(d.year)
        return d

    # ------------------------------------------------------------ date API
    def is_workday(self, d: date) -> bool:
        y = d.year
        rule = self._rules.get(y)
        if rule is None:
            self._touched.add(y)
            return d.weekday() < 5
        return rule.is_workday(d)

    def add_workdays(self, d: date, n: int) -> date:
        if n == 0:
            return d
        if n > 0:
            r = self.from_index(self.index_on_or_before(d) + n)
        else:
            r = self.from_index(self.index_on_or_after(d) + n)
        self._touch_ordinals(d.toordinal(), r.toordinal())
        return r

    def next_workday(self, d: date) -> date:
        """The first workday strictly after ``d``."""
        return self.add_workdays(d, 1)

    def prev_workday(self, d: date) -> date:
        """The last workday strictly before ``d``."""
        return self.add_workdays(d, -1)

    def roll_forward(self, d: date) -> date:
        """``d`` if it is a workday, else the next workday."""
        r = self.from_index(self.index_on_or_after(d))
        self._touch_ordinals(d.toordinal(), r.toordinal())
        return r

    def roll_backward(self, d: date) -> date:
        """``d`` if it is a workday, else the previous workday."""
        r = self.from_index(self.index_on_or_before(d))
        self._touch_ordinals(d.toordinal(), r.toordinal())
        return r

    def workdays_between(self, start: date, end: date) -> int:
        """Workdays in ``(start, end]``; negative (minus the workdays in
        ``(end, start]``) when ``end < start``; 0 when equal."""
        self._touch_ordinals(start.toordinal(), end.toordinal())
        return self._count_before(end.toordinal() + 1) - self._count_before(start.toordinal() + 1)

    def finish_date(self, start: date, duration_wd: int) -> date:
        """Finish of a task starting on ``start`` (rolled forward) lasting
        ``duration_wd`` workdays, the start counting as day 1; a milestone
        (duration 0) finishes on its start day."""
        if duration_wd < 0:
            raise ValueError("工期不能为负数")
        k = self.index_on_or_after(start) + max(duration_wd, 1) - 1
        r = self.from_index(k)
        self._touch_ordinals(start.toordinal(), r.toordinal())
        return r

    def start_date_for_finish(self, finish: date, duration_wd: int) -> date:
        """Inverse of :meth:`finish_date`: the start of a task lasting
        ``duration_wd`` workdays that finishes on ``finish`` (rolled backward)."""
        if duration_wd < 0:
            raise ValueError("工期不能为负数")
        k = self.index_on_or_before(finish) - max(duration_wd, 1) + 1
        r = self.from_index(k)
        self._touch_ordinals(r.toordinal(), finish.toordinal())
        return r

    def __repr__(self) -> str:
        if not self._known:
            return "WorkCalendar(周一至周五)"
        return f"WorkCalendar({min(self._known)}–{max(self._known)}, {len(self._known)} years)"
