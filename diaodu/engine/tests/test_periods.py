"""Report periods: ISO weeks and months, names and codes, deadlines, parsing with Chinese errors."""

from datetime import date, datetime, time

import pytest

from diaodu.engine import periods as P


def test_iso_weeks():
    p = P.of(date(2026, 11, 18))
    assert (p.code, p.name, p.start, p.end) == (
        "2026-W47",
        "2026年第47周",
        date(2026, 11, 16),
        date(2026, 11, 22),
    )
    assert p.deadline(weekday=3, at=time(17, 0)) == datetime(2026, 11, 19, 17, 0)
    assert P.of(date(2027, 1, 1)).code == "2026-W53"  # ISO year: 2026 has 53 weeks
    assert P.of(date(2026, 12, 29)).code == "2026-W53"
    assert P.parse("2026-W53").next().code == "2027-W01"
    assert [x.code for x in P.parse("2026-W02").back(3)] == ["2026-W02", "2026-W01", "2025-W52"]
    assert P.parse("2026w7") == P.parse("2026-W07")


def test_months():
    p = P.parse("2026-02")
    assert (p.name, p.start, p.end, p.kind) == (
        "2026年2月",
        date(2026, 2, 1),
        date(2026, 2, 28),
        "monthly",
    )
    assert p.deadline(day=31, at=time(12, 0)) == datetime(
        2026, 2, 28, 12, 0
    )  # clamped to the month
    assert P.of(date(2026, 12, 5), "monthly").next().code == "2027-01"


@pytest.mark.parametrize(
    "code,message",
    [
        ("2026-W54", "没有第54周"),
        ("2025-W53", "没有第53周"),
        ("2026-13", "无效"),
        ("abc", "周报写作 2026-W47"),
        ("1999-W01", "无效"),
    ],
)
def test_bad_codes(code, message):
    with pytest.raises(ValueError, match=message):
        P.parse(code)


def test_kind_must_match():
    with pytest.raises(ValueError, match="按月报送"):
        P.parse("2026-W47", "monthly")
    with pytest.raises(ValueError, match="按周报送"):
        P.parse("2026-11", "weekly")
