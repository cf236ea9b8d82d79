"""Working-day calendar: real 2025/2026 holiday data, unknown years, admin rules,
index API, and hypothesis properties against a naive day-by-day model."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diaodu.engine.calendar import WorkCalendar, YearRule, year_warning

D = date
CAL = WorkCalendar.from_chinesecalendar()  # shared: computations below only touch 2002–2031
UNKNOWN = 2027  # chinesecalendar 1.11.0 knows 2004–2026 (asserted below)


def fresh() -> WorkCalendar:
    return WorkCalendar.from_chinesecalendar()


# ---------------------------------------------------------------- package data
def test_known_years_from_package():
    years = CAL.known_years()
    assert years == frozenset(range(2004, 2027))
    assert UNKNOWN not in years and 2031 not in years


def test_agrees_with_chinesecalendar_on_every_known_day():
    cal = fresh()
    d = D(2004, 1, 1)
    while d <= D(2026, 12, 31):
        assert cal.is_workday(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)
    assert cal.unknown_years_touched() == frozenset()


def test_national_day_2025():
    cal = fresh()
    # 2025-10-01..08 off (国庆+中秋); Sun 09-28 and Sat 10-11 are 调休上班日.
    for day in range(1, 9):
        assert not cal.is_workday(D(2025, 10, day))
    assert cal.is_workday(D(2025, 9, 28)) and D(2025, 9, 28).weekday() == 6
    assert cal.is_workday(D(2025, 10, 11)) and D(2025, 10, 11).weekday() == 5
    assert cal.add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert cal.add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert cal.add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)  # Fri → make-up Sunday
    assert cal.add_workdays(D(2025, 10, 10), 1) == D(2025, 10, 11)  # Fri → make-up Saturday
    assert cal.add_workdays(D(2025, 10, 10), 2) == D(2025, 10, 13)
    # (2025-09-26, 2025-10-13]: 28, 29, 30, 9, 10, 11, 13
    assert cal.workdays_between(D(2025, 9, 26), D(2025, 10, 13)) == 7
    assert cal.workdays_between(D(2025, 10, 13), D(2025, 9, 26)) == -7
    assert cal.workdays_between(D(2025, 9, 30), D(2025, 10, 8)) == 0
    assert cal.next_workday(D(2025, 10, 3)) == D(2025, 10, 9)
    assert cal.prev_workday(D(2025, 10, 3)) == D(2025, 9, 30)
    assert cal.roll_forward(D(2025, 10, 5)) == D(2025, 10, 9)
    assert cal.roll_backward(D(2025, 10, 5)) == D(2025, 9, 30)
    assert cal.roll_forward(D(2025, 10, 11)) == D(2025, 10, 11)
    assert cal.unknown_years_touched() == frozenset()
    assert cal.warnings() == []


def test_national_day_2026():
    cal = fresh()
    # 2026: Fri 09-25 中秋 off; Sun 09-20 and Sat 10-10 worked; 10-01..07 off.
    assert not cal.is_workday(D(2026, 9, 25))
    assert cal.is_workday(D(2026, 9, 20)) and cal.is_workday(D(2026, 10, 10))
    assert [cal.is_workday(D(2026, 10, d)) for d in range(1, 13)] == [
        False, False, False, False, False, False, False, True, True, True, False, True,
    ]  # fmt: skip
    assert cal.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_workdays(D(2026, 9, 24), 1) == D(2026, 9, 28)
    assert cal.add_workdays(D(2026, 10, 12), -4) == D(2026, 9, 30)
    # task of 5 workdays starting 09-29: 29, 30, 10-08, 09, 10(Sat, make-up)
    assert cal.finish_date(D(2026, 9, 29), 5) == D(2026, 10, 10)
    assert cal.start_date_for_finish(D(2026, 10, 10), 5) == D(2026, 9, 29)


def test_spring_festival_2026():
    cal = fresh()
    # Sat 02-14 and Sat 02-28 worked; 02-15 (Sun) .. 02-23 (Mon) off.
    assert cal.is_workday(D(2026, 2, 14)) and cal.is_workday(D(2026, 2, 28))
    assert not any(cal.is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert cal.add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert cal.add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert cal.add_workdays(D(2026, 2, 24), -1) == D(2026, 2, 14)
    # (02-13, 02-28]: 14, 24, 25, 26, 27, 28
    assert cal.workdays_between(D(2026, 2, 13), D(2026, 2, 28)) == 6
    assert cal.add_workdays(D(2026, 2, 13), 6) == D(2026, 2, 28)
    assert cal.add_workdays(D(2026, 2, 13), 7) == D(2026, 3, 2)


def test_makeup_saturday_counts_as_workday():
    cal = fresh()
    sat = D(2025, 10, 11)
    assert sat.weekday() == 5 and cal.is_workday(sat)
    assert cal.workdays_between(D(2025, 10, 10), D(2025, 10, 12)) == 1  # only the Saturday
    assert cal.to_index(sat) == cal.to_index(D(2025, 10, 10)) + 1
    assert cal.finish_date(sat, 1) == sat


def test_negative_and_zero_n():
    cal = fresh()
    assert cal.add_workdays(D(2026, 3, 7), 0) == D(2026, 3, 7)  # Saturday stays put
    assert cal.add_workdays(D(2026, 3, 9), -1) == D(2026, 3, 6)
    assert cal.add_workdays(D(2026, 3, 7), -1) == D(2026, 3, 6)  # from a Saturday
    assert cal.add_workdays(D(2026, 3, 7), 1) == D(2026, 3, 9)
    assert cal.add_workdays(D(2026, 2, 24), -6) == D(2026, 2, 9)  # back over 春节 and Sat 02-14


def test_finish_and_start_dates():
    cal = fresh()
    assert cal.finish_date(D(2026, 3, 9), 1) == D(2026, 3, 9)
    assert cal.finish_date(D(2026, 3, 9), 5) == D(2026, 3, 13)
    assert cal.finish_date(D(2026, 3, 9), 0) == D(2026, 3, 9)  # milestone
    assert cal.finish_date(D(2026, 3, 7), 1) == D(2026, 3, 9)  # start rolled forward
    assert cal.start_date_for_finish(D(2026, 3, 13), 5) == D(2026, 3, 9)
    assert cal.start_date_for_finish(D(2026, 3, 15), 1) == D(2026, 3, 13)  # finish rolled back
    assert cal.start_date_for_finish(D(2026, 3, 13), 0) == D(2026, 3, 13)
    with pytest.raises(ValueError):
        cal.finish_date(D(2026, 3, 9), -1)


# ---------------------------------------------------------------- unknown years, admin rules
def test_unknown_year_counts_monday_to_friday_and_warns():
    cal = fresh()
    assert cal.warnings() == []
    # 2027-01-01 is a Friday: a holiday in reality, but no data → workday.
    assert cal.is_workday(D(2027, 1, 1))
    assert not cal.is_workday(D(2027, 1, 2))
    assert cal.unknown_years_touched() == {2027}
    assert cal.warnings() == ["2027年节假日安排尚未录入，已按周一至周五计算工作日"]
    assert year_warning(2031) == "2031年节假日安排尚未录入，已按周一至周五计算工作日"


def test_arithmetic_crossing_into_unknown_year():
    cal = fresh()
    # 2026-12-31 Thu: +1 → Fri 2027-01-01, +2 → Mon 01-04 (Mon–Fri).
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert cal.add_workdays(D(2026, 12, 31), 2) == D(2027, 1, 4)
    assert cal.add_workdays(D(2027, 1, 4), -2) == D(2026, 12, 31)
    assert cal.workdays_between(D(2026, 12, 25), D(2027, 1, 8)) == 10
    assert cal.unknown_years_touched() == {2027}


def test_far_unknown_year_2031_and_span_warning():
    cal = fresh()
    assert cal.add_workdays(D(2031, 3, 7), 1) == D(2031, 3, 10)  # Fri → Mon
    assert cal.unknown_years_touched() == {2031}
    cal.workdays_between(D(2026, 6, 1), D(2029, 6, 1))
    assert cal.unknown_years_touched() == {2027, 2028, 2029, 2031}
    assert cal.warnings()[0].startswith("2027年")


def test_year_before_package_data_is_unknown():
    cal = fresh()
    assert cal.add_workdays(D(2004, 1, 2), -1) == D(2003, 12, 31)
    assert cal.unknown_years_touched() == {2003}


def test_admin_rule_for_unknown_year_takes_effect():
    rule = YearRule(
        2027,
        holidays=frozenset({D(2027, 1, 1), D(2027, 10, 1), D(2027, 10, 4)}),
        makeup_workdays=frozenset({D(2027, 1, 2)}),
    )
    cal = WorkCalendar.from_chinesecalendar(extra_rules=[rule])
    assert 2027 in cal.known_years()
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.is_workday(D(2027, 1, 2))  # Saturday make-up
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 2)
    assert cal.add_workdays(D(2027, 9, 30), 1) == D(2027, 10, 5)
    assert cal.unknown_years_touched() == frozenset()
    assert cal.warnings() == []


def test_admin_rule_overrides_package_year():
    cal = WorkCalendar.from_chinesecalendar(extra_rules=[YearRule(2026)])
    assert cal.is_workday(D(2026, 10, 1))  # no holidays entered for 2026 any more
    assert not cal.is_workday(D(2026, 10, 10))
    assert cal.is_workday(D(2025, 9, 28))  # other years untouched


def test_gap_year_between_rules():
    cal = WorkCalendar([YearRule(2025), YearRule(2027, holidays=frozenset({D(2027, 1, 1)}))])
    assert cal.add_workdays(D(2025, 12, 31), 2) == D(2026, 1, 2)
    assert cal.unknown_years_touched() == {2026}
    assert not cal.is_workday(D(2027, 1, 1))


def test_year_rule_validation():
    with pytest.raises(ValueError, match="不属于2027年"):
        YearRule(2027, holidays=frozenset({D(2026, 10, 1)}))
    with pytest.raises(ValueError, match="既是节假日又是调休上班日"):
        YearRule(2027, holidays={D(2027, 1, 2)}, makeup_workdays={D(2027, 1, 2)})
    r = YearRule(2027, holidays=[D(2027, 1, 1)])  # any iterable, stored as frozenset
    assert r.holidays == frozenset({D(2027, 1, 1)})


def test_plain_monday_to_friday_calendar():
    cal = WorkCalendar()
    assert cal.known_years() == frozenset()
    assert cal.add_workdays(D(2026, 10, 1), 1) == D(2026, 10, 2)
    assert cal.add_workdays(D(2026, 10, 2), 1) == D(2026, 10, 5)
    assert cal.workdays_between(D(2026, 10, 2), D(2026, 10, 9)) == 5
    assert cal.unknown_years_touched() == {2026}


# ---------------------------------------------------------------- index API
def test_index_api():
    cal = fresh()
    a = cal.to_index(D(2025, 9, 30))
    assert cal.to_index(D(2025, 10, 9)) == a + 1
    assert cal.from_index(a + 1) == D(2025, 10, 9)
    assert cal.index_on_or_after(D(2025, 10, 4)) == a + 1
    assert cal.index_on_or_before(D(2025, 10, 4)) == a
    with pytest.raises(ValueError, match="不是工作日"):
        cal.to_index(D(2025, 10, 4))
    # continuous across the edges of the precomputed range
    last = cal.to_index(D(2026, 12, 31))
    assert cal.from_index(last + 1) == D(2027, 1, 1)
    first = cal.to_index(D(2004, 1, 2))
    assert first == 0
    assert cal.from_index(-1) == D(2003, 12, 31)
    assert cal.to_index(D(2003, 12, 29)) == -3
    assert cal.index_table()[a] == D(2025, 9, 30)


# ---------------------------------------------------------------- properties
dates = st.dates(min_value=D(2001, 6, 1), max_value=D(2029, 6, 30))
small_n = st.integers(min_value=-400, max_value=400)


def naive_is_workday(d: date) -> bool:
    if 2004 <= d.year <= 2026:
        return chinese_calendar.is_workday(d)
    return d.weekday() < 5


def naive_add(d: date, n: int) -> date:
    step = 1 if n > 0 else -1
    left = abs(n)
    while left:
        d += timedelta(days=step)
        if naive_is_workday(d):
            left -= 1
    return d


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=-60, max_value=60))
def test_add_workdays_matches_naive(d, n):
    assert CAL.add_workdays(d, n) == naive_add(d, n)


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=-400, max_value=400))
def test_workdays_between_matches_naive(a, offset):
    b = a + timedelta(days=offset)
    lo, hi = min(a, b), max(a, b)
    count = sum(naive_is_workday(lo + timedelta(days=k)) for k in range(1, (hi - lo).days + 1))
    assert CAL.workdays_between(a, b) == (count if b >= a else -count)


@settings(max_examples=500, deadline=None)
@given(dates, small_n)
def test_add_then_subtract_returns_to_rolled_date(d, n):
    back = CAL.add_workdays(CAL.add_workdays(d, n), -n)
    if n > 0:
        assert back == CAL.roll_backward(d)
    elif n < 0:
        assert back == CAL.roll_forward(d)
    else:
        assert back == d


@settings(max_examples=500, deadline=None)
@given(dates, small_n)
def test_round_trip_between_for_workdays(d, n):
    w = CAL.roll_forward(d)
    assert CAL.workdays_between(w, CAL.add_workdays(w, n)) == n
    assert CAL.is_workday(CAL.add_workdays(d, n)) or n == 0


@settings(max_examples=500, deadline=None)
@given(dates, dates, dates)
def test_workdays_between_is_additive(a, b, c):
    assert CAL.workdays_between(a, b) + CAL.workdays_between(b, c) == CAL.workdays_between(a, c)
    assert CAL.workdays_between(a, b) == -CAL.workdays_between(b, a)


@settings(max_examples=300, deadline=None)
@given(dates, st.integers(min_value=0, max_value=300))
def test_finish_and_start_are_inverse(d, n):
    s = CAL.roll_forward(d)
    f = CAL.finish_date(s, n)
    assert CAL.start_date_for_finish(f, n) == s
    assert CAL.workdays_between(s, f) == max(n, 1) - 1


@settings(max_examples=300, deadline=None)
@given(dates)
def test_index_round_trip(d):
    i = CAL.index_on_or_after(d)
    assert CAL.from_index(i) == CAL.roll_forward(d)
    assert CAL.index_on_or_before(d) == CAL.to_index(CAL.roll_backward(d))
    assert (CAL.index_on_or_after(d) == CAL.index_on_or_before(d)) == CAL.is_workday(d)
