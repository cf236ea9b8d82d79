"""The working-day calendar of this installation: chinesecalendar's years plus the years an
administrator entered (HolidayYear, which override the package for the same year), and the
parsing of the holiday text an administrator types."""

from __future__ import annotations

import re
from datetime import date, timedelta

from diaodu.engine.calendar import WorkCalendar, YearRule


def package_years() -> list[int]:
    import chinese_calendar

    return sorted(
        {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    )


def rule_of(row) -> YearRule:
    return YearRule(
        row.year,
        frozenset(date.fromisoformat(d) for d in row.holidays),
        frozenset(date.fromisoformat(d) for d in row.makeup_workdays),
    )


def load() -> WorkCalendar:
    """A fresh calendar (one query). Build one per computation: it records the unknown years it
    touched, and nothing is kept between requests."""
    from diaodu.procedures.models import HolidayYear

    return WorkCalendar.from_chinesecalendar(
        [rule_of(row) for row in HolidayYear.objects.order_by("year")]
    )


_RANGE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2})\s*(?:(?:~|～|至|到|—|--)\s*(\d{4}-\d{1,2}-\d{1,2}))?$"
)


def parse_days(text: str, year: int, label: str) -> list[date]:
    """Dates typed one per line or separated by commas; "2027-02-05~2027-02-11" is a range.
    Raises ValueError with a Chinese message naming the bad entry."""
    out: set[date] = set()
    for raw in re.split(r"[\n,，;；、]+", text or ""):
        part = raw.strip().replace("/", "-").replace(".", "-")
        if not part:
            continue
        m = _RANGE.match(part)
        if not m:
            raise ValueError(
                f"{label}中的“{raw.strip()}”无法识别：请写成 {year}-01-01 或 {year}-02-05~{year}-02-11。"
            )
        try:
            first = _iso(m.group(1))
            last = _iso(m.group(2)) if m.group(2) else first
        except ValueError:
            raise ValueError(f"{label}中的“{raw.strip()}”不是有效日期。") from None
        if last < first:
            raise ValueError(f"{label}中的“{raw.strip()}”结束日期早于开始日期。")
        if (last - first).days > 31:
            raise ValueError(f"{label}中的“{raw.strip()}”跨度超过一个月，请检查。")
        d = first
        while d <= last:
            if d.year != year:
                raise ValueError(f"{label}中的 {d.isoformat()} 不属于{year}年。")
            out.add(d)
            d += timedelta(days=1)
    return sorted(out)


def _iso(text: str) -> date:
    y, m, d = (int(x) for x in text.split("-"))
    return date(y, m, d)


def format_days(days: list[str]) -> str:
    """ISO dates → compact text with ranges, the form parse_days reads back."""
    ds = sorted(date.fromisoformat(d) for d in days)
    lines, i = [], 0
    while i < len(ds):
        j = i
        while j + 1 < len(ds) and ds[j + 1] - ds[j] == timedelta(days=1):
            j += 1
        lines.append(ds[i].isoformat() if i == j else f"{ds[i].isoformat()}~{ds[j].isoformat()}")
        i = j + 1
    return "\n".join(lines)
