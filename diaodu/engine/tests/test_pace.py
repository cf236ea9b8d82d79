"""序时进度 (pace): hand-checked dates, profiles, evaluation, and properties."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diaodu.engine.pace import (
    LINEAR_DAYS,
    MONTHLY,
    PaceProfile,
    days_in_year,
    evaluate,
    expected_share,
    expected_to_date,
)

# a northern construction season: nothing in Jan/Feb, slow start, slow end (sums to 100)
SEASON = PaceProfile.custom([0, 0, 5, 10, 12, 12, 12, 12, 12, 12, 8, 5])


# ---------------------------------------------------------------- expected_share: linear_days


@pytest.mark.parametrize(
    ("on", "year", "share"),
    [
        (date(2026, 1, 1), 2026, D(1) / D(365)),
        (date(2026, 3, 15), 2026, D(74) / D(365)),  # 31 + 28 + 15
        (date(2026, 12, 30), 2026, D(364) / D(365)),
        (date(2026, 12, 31), 2026, D(1)),
        (date(2028, 1, 1), 2028, D(1) / D(366)),
        (date(2028, 2, 29), 2028, D(60) / D(366)),  # leap day: 31 + 29
        (date(2028, 3, 1), 2028, D(61) / D(366)),
        (date(2028, 12, 30), 2028, D(365) / D(366)),
        (date(2028, 12, 31), 2028, D(1)),
    ],
)
def test_linear_days_hand_checked(on, year, share):
    assert expected_share(on, year, LINEAR_DAYS) == share


def test_default_profile_is_linear_days():
    assert expected_share(date(2026, 3, 15), 2026) == D(74) / D(365)


def test_dates_outside_the_year_clamp():
    for profile in (LINEAR_DAYS, MONTHLY, SEASON):
        assert expected_share(date(2025, 12, 31), 2026, profile) == 0  # the start of 1 January
        assert expected_share(date(2020, 6, 1), 2026, profile) == 0
        assert expected_share(date(2027, 1, 1), 2026, profile) == 1
        assert expected_share(date(2030, 6, 1), 2026, profile) == 1


def test_days_in_year():
    assert days_in_year(2026) == 365
    assert days_in_year(2028) == 366
    assert days_in_year(2100) == 365
    assert days_in_year(2000) == 366


# ---------------------------------------------------------------- monthly: completed months only


@pytest.mark.parametrize(
    ("on", "months"),
    [
        (date(2026, 1, 1), 0),
        (date(2026, 1, 30), 0),
        (date(2026, 1, 31), 1),  # a month is completed at the end of its last day
        (date(2026, 2, 28), 2),
        (date(2026, 3, 15), 2),  # the documented example: 2/12
        (date(2026, 3, 31), 3),
        (date(2026, 12, 30), 11),
        (date(2026, 12, 31), 12),
    ],
)
def test_monthly_counts_completed_months(on, months):
    assert expected_share(on, 2026, MONTHLY) == D(months) / D(12)


def test_monthly_leap_february():
    assert expected_share(date(2028, 2, 28), 2028, MONTHLY) == D(1) / D(12)
    assert expected_share(date(2028, 2, 29), 2028, MONTHLY) == D(2) / D(12)


# ---------------------------------------------------------------- custom weights


def test_custom_profile_normalises_weights():
    assert SEASON.monthly_weights[2] == D("0.05")
    assert sum(SEASON.monthly_weights) == 1
    p = PaceProfile.custom(range(1, 13))  # sums to 78
    assert p.monthly_weights[0] == D(1) / D(78)


@pytest.mark.parametrize(
    ("on", "share"),
    [
        (date(2026, 1, 20), D(0)),
        (date(2026, 2, 28), D(0)),
        (date(2026, 3, 31), D("0.05")),
        (date(2026, 4, 15), D("0.10")),  # 0.05 + 0.10 × 15/30
        (date(2026, 4, 30), D("0.15")),
        (date(2026, 11, 30), D("0.95")),
        (date(2026, 12, 15), D("0.95") + D("0.05") * D(15) / D(31)),
        (date(2026, 12, 31), D(1)),
    ],
)
def test_custom_profile_hand_checked(on, share):
    assert expected_share(on, 2026, SEASON) == share


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(kind="weekly"),
        dict(kind="custom", monthly_weights=None),
        dict(kind="custom", monthly_weights=(1,) * 11),
        dict(kind="custom", monthly_weights=(-1,) + (1,) * 11),
        dict(kind="custom", monthly_weights=(0,) * 12),
        dict(kind="monthly", monthly_weights=(1,) * 12),
    ],
)
def test_bad_profiles_are_rejected(kwargs):
    with pytest.raises(ValueError):
        PaceProfile(**kwargs)


def test_expected_to_date():
    assert expected_to_date(D(1200), date(2026, 6, 30), 2026, MONTHLY) == 600
    assert expected_to_date(D(366), date(2028, 2, 29), 2028) == 60
    assert expected_to_date(D(1000), date(2026, 4, 15), 2026, SEASON) == 100


# ---------------------------------------------------------------- evaluate


def test_evaluate_forecast_and_required_rates():
    r = evaluate(D(100), D(40), date(2026, 6, 30), 2026, MONTHLY)
    assert r.expected == D("50.00")
    assert r.completion_rate == D("0.4000")
    assert r.pace_index == D("0.8000")
    assert r.gap == D("-10.00")
    assert r.light == "yellow"
    assert r.forecast_year_end == D("80.00")  # 40 / 0.5
    assert r.remaining == D("60.00")
    assert r.days_left == 184
    assert r.required_per_week == D("2.28")  # 60 / (184/7) = 2.2826…
    # month-based: June is complete, six whole months (July…December) remain: 60 / 6
    assert r.months_left == 6
    assert r.required_per_month == D("10.00")
    r = evaluate(D(100), D(40), date(2026, 6, 30), 2026, LINEAR_DAYS)
    assert r.required_per_month == D("9.92")  # by day: 60 / (184×12/365) = 9.918…
    r = evaluate(D(100), D(41), date(2026, 6, 30), 2026, MONTHLY, integer=True)
    assert (r.required_per_week, r.required_per_month) == (D(3), D(10))  # 59/6 = 9.83 → 10


def test_linear_forecast():
    # 2026-07-02 is day 183: forecast = 40 × 365 / 183 = 79.78…
    r = evaluate(D(100), D(40), date(2026, 7, 2), 2026)
    assert r.forecast_year_end == D("79.78")


def test_message_for_a_count_indicator():
    # 60 days left (2026-11-01 → 12-31), 17 still to start: 17 / (60/7) = 1.98 → 2 a week
    r = evaluate(
        D(30), D(13), date(2026, 11, 1), 2026, unit_label="个", noun="新开工", integer=True
    )
    assert r.days_left == 60
    assert r.required_per_week == D(2)
    assert r.required_per_month == D(9)  # 17 / (60×12/365) = 8.6 → 9
    assert r.message == "还剩60天，需每周新开工2个"


def test_message_for_money():
    r = evaluate(
        D(12000), D(6000), date(2026, 6, 30), 2026, MONTHLY, unit_label="万元", noun="完成投资"
    )
    assert r.message == "还剩6个月，需每月完成投资1000万元"
    r = evaluate(D(12000), D(6000), date(2026, 6, 30), 2026, unit_label="万元", noun="完成投资")
    assert r.message == "还剩184天，需每周完成投资228.26万元"


# ---------------------------------------------------------------- required per month, 统计局月报口径
# Under the month-based profile the remainder is divided by the whole months left after the
# as-of month (the last completed month), never by an average month of days.


def test_required_per_month_march():
    # 31 March: January–March done, April…December = 9 months; 90 − 18 = 72 → 8 a month
    r = evaluate(D(90), D(18), date(2026, 3, 31), 2026, MONTHLY)
    assert r.share == D(3) / D(12)
    assert r.months_left == 9
    assert r.required_per_month == D("8.00")
    assert r.message == "还剩9个月，需每月8"
    # 15 March: the last completed month is February, March…December = 10 months: 72 / 10
    r = evaluate(D(90), D(18), date(2026, 3, 15), 2026, MONTHLY)
    assert r.months_left == 10
    assert r.required_per_month == D("7.20")
    # the by-day profile on 31 March: 275 days left = 275×12/365 = 9.041 months → 7.96
    assert evaluate(D(90), D(18), date(2026, 3, 31), 2026).required_per_month == D("7.96")


def test_required_per_month_november():
    # the case of the statistics office: 30 November, 7.40 亿元 still to do, December alone
    r = evaluate(
        D(30), D("22.60"), date(2026, 11, 30), 2026, MONTHLY, unit_label="亿元", noun="完成"
    )
    assert r.share == D(11) / D(12)
    assert r.months_left == 1
    assert r.required_per_month == D("7.40")  # 7.40 ÷ 1 (not 7.40 ÷ (31×12/365) = 7.26)
    assert r.message == "还剩1个月，需每月完成7.4亿元"
    assert evaluate(D(30), D("22.60"), date(2026, 11, 30), 2026).required_per_month == D("7.26")
    # a count: 17 still to start with November and December left (1 November) → 9 a month
    r = evaluate(D(30), D(13), date(2026, 11, 1), 2026, MONTHLY, integer=True)
    assert r.months_left == 2
    assert r.required_per_month == D(9)  # 17 / 2 = 8.5 → 9


def test_required_per_month_december():
    # 15 December: November is the last completed month, December itself remains → ÷ 1
    r = evaluate(D(120), D(100), date(2026, 12, 15), 2026, MONTHLY, unit_label="万元")
    assert r.months_left == 1
    assert r.required_per_month == D("20.00")
    assert r.message == "还剩1个月，需每月20万元"
    # 31 December: nothing left to divide by
    r = evaluate(D(120), D(100), date(2026, 12, 31), 2026, MONTHLY, unit_label="万元")
    assert r.months_left == 0
    assert r.required_per_month is None and r.required_per_week is None
    assert r.message == "年度已结束，目标尚差20万元"
    # a lower-is-better allowance in December is rounded down for counts
    r = evaluate(
        D(10), D(3), date(2026, 12, 1), 2026, MONTHLY, higher_is_better=False, integer=True
    )
    assert r.required_per_month == D(7)
    assert r.message == "还剩1个月，每月不得超过7"


@pytest.mark.parametrize(
    ("actual", "light"),
    [
        (D("45"), "green"),  # exactly 90 % is green
        (D("44.99"), "yellow"),
        (D("35"), "yellow"),  # exactly 70 % is yellow, not red
        (D("34.99"), "red"),
        (D("34.99975"), "yellow"),  # 69.9995 % is reported as 70.00 %, so it is yellow
        (D("60"), "green"),
        (D("0"), "red"),
    ],
)
def test_light_thresholds_higher_is_better(actual, light):
    assert evaluate(D(100), actual, date(2026, 6, 30), 2026, MONTHLY).light == light


def test_custom_thresholds():
    r = evaluate(
        D(100), D(40), date(2026, 6, 30), 2026, MONTHLY, yellow_below=D("0.8"), red_below=D("0.5")
    )
    assert r.light == "green"
    with pytest.raises(ValueError):
        evaluate(D(100), D(40), date(2026, 6, 30), 2026, yellow_below=D("0.5"), red_below=D("0.8"))


@pytest.mark.parametrize(
    ("actual", "light", "gap"),
    [
        (D("400"), "green", D("100.00")),
        (D("540"), "green", D("-40.00")),
        (D("550"), "green", D("-50.00")),  # exactly 110 % of expected: green
        (D("551"), "yellow", D("-51.00")),
        (D("650"), "yellow", D("-150.00")),  # exactly 130 %: yellow
        (D("651"), "red", D("-151.00")),
    ],
)
def test_lower_is_better(actual, light, gap):
    r = evaluate(D(1000), actual, date(2026, 6, 30), 2026, MONTHLY, higher_is_better=False)
    assert r.light == light
    assert r.gap == gap  # positive = better than pace


def test_lower_is_better_allowance_and_messages():
    r = evaluate(
        D(1000),
        D(540),
        date(2026, 6, 30),
        2026,
        MONTHLY,
        higher_is_better=False,
        unit_label="吨标煤",
        noun="能耗",
    )
    assert r.remaining == D("460.00")
    assert r.required_per_week == D("17.50")  # 460 × 7 / 184
    assert r.required_per_month == D("76.67")  # 460 / 6 whole months
    assert r.message == "还剩6个月，每月能耗不得超过76.67吨标煤"
    r = evaluate(
        D(1000), D(540), date(2026, 6, 30), 2026, MONTHLY, higher_is_better=False, integer=True
    )
    assert r.required_per_week == D(17)  # rounded down: never overstate an allowance
    r = evaluate(
        D(1000),
        D(1100),
        date(2026, 6, 30),
        2026,
        MONTHLY,
        higher_is_better=False,
        unit_label="吨标煤",
        noun="能耗",
    )
    assert r.light == "red"
    assert r.remaining == 0
    assert r.message == "能耗已超出年度目标100吨标煤"


def test_target_zero():
    r = evaluate(D(0), D(0), date(2026, 6, 30), 2026, noun="新开工")
    assert r.completion_rate is None and r.pace_index is None
    assert r.expected == 0 and r.remaining == 0
    assert r.light == "green"
    assert r.message == "未设定新开工年度目标（目标为0）"
    r = evaluate(D(0), D(5), date(2026, 6, 30), 2026, higher_is_better=False)
    assert r.light == "red"  # anything above a zero allowance is over pace


def test_before_the_year_starts():
    r = evaluate(
        D(52), D(0), date(2025, 12, 20), 2026, unit_label="个", noun="新开工", integer=True
    )
    assert r.share == 0 and r.expected == 0
    assert r.pace_index is None
    assert r.light == "green"
    assert r.forecast_year_end is None  # no run-rate yet
    assert r.days_left == 365
    assert r.required_per_week == D(1)  # 52 / (365/7) = 0.997 → 1
    assert r.message == "还剩365天，需每周新开工1个"


def test_after_the_year_ends():
    r = evaluate(D(30), D(25), date(2027, 1, 10), 2026, unit_label="个", noun="新开工")
    assert r.share == 1
    assert r.forecast_year_end == D(25)  # forecast = actual
    assert r.days_left == 0
    assert r.required_per_week is None and r.required_per_month is None
    assert r.light == "yellow"  # 25/30 = 83 %
    assert r.message == "年度已结束，新开工目标尚差5个"


def test_last_day_of_a_leap_year():
    r = evaluate(D(366), D(366), date(2028, 12, 31), 2028, unit_label="个", noun="新开工")
    assert r.expected == D(366)
    assert r.days_left == 0
    assert r.light == "green"
    assert r.message == "已完成新开工年度目标366个（已完成366个）"


def test_leap_day_evaluation():
    r = evaluate(D(366), D(30), date(2028, 2, 29), 2028)
    assert r.expected == D(60)
    assert r.pace_index == D("0.5000")
    assert r.days_left == 306  # 366 − 60
    assert r.forecast_year_end == D(183)


def test_bad_input():
    with pytest.raises(ValueError, match="负数"):
        evaluate(D(-1), D(0), date(2026, 1, 1), 2026)
    with pytest.raises(ValueError):
        evaluate("abc", D(0), date(2026, 1, 1), 2026)


# ---------------------------------------------------------------- properties

weights = st.lists(st.integers(min_value=0, max_value=50), min_size=12, max_size=12).filter(any)
profiles = st.one_of(
    st.just(LINEAR_DAYS),
    st.just(MONTHLY),
    weights.map(PaceProfile.custom),
)
years = st.integers(min_value=1990, max_value=2100)


@settings(max_examples=300, deadline=None)
@given(profile=profiles, year=years, a=st.integers(-40, 420), b=st.integers(-40, 420))
def test_share_is_monotone_and_bounded(profile, year, a, b):
    start = date(year, 1, 1)
    d1, d2 = sorted((start + timedelta(days=a), start + timedelta(days=b)))
    s1 = expected_share(d1, year, profile)
    s2 = expected_share(d2, year, profile)
    assert 0 <= s1 <= s2 <= 1


@given(profile=profiles, year=years)
def test_share_is_zero_before_and_one_at_year_end(profile, year):
    assert expected_share(date(year - 1, 12, 31), year, profile) == 0
    assert expected_share(date(year, 12, 31), year, profile) == 1


@given(year=years)
def test_linear_share_on_first_day(year):
    assert expected_share(date(year, 1, 1), year) == D(1) / D(days_in_year(year))


@given(w=weights, year=years, month=st.integers(1, 12))
def test_custom_share_at_month_end_is_cumulative_weight(w, year, month):
    profile = PaceProfile.custom(w)
    month_end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    expected = D(sum(w[:month])) / D(sum(w))
    assert abs(expected_share(month_end, year, profile) - expected) < D("1e-20")


_SEVERITY = {"green": 0, "yellow": 1, "red": 2}


@given(
    profile=profiles,
    target=st.integers(0, 10_000),
    a=st.integers(0, 12_000),
    b=st.integers(0, 12_000),
    day=st.integers(0, 364),
    higher=st.booleans(),
)
def test_light_is_monotone_in_actual(profile, target, a, b, day, higher):
    on = date(2026, 1, 1) + timedelta(days=day)
    low, high = sorted((a, b))
    l_low = evaluate(D(target), D(low), on, 2026, profile, higher_is_better=higher).light
    l_high = evaluate(D(target), D(high), on, 2026, profile, higher_is_better=higher).light
    if higher:
        assert _SEVERITY[l_high] <= _SEVERITY[l_low]
    else:
        assert _SEVERITY[l_high] >= _SEVERITY[l_low]


@given(target=st.integers(0, 10_000), actual=st.integers(0, 12_000), day=st.integers(0, 364))
def test_required_rate_covers_the_remainder(target, actual, day):
    on = date(2026, 1, 1) + timedelta(days=day)
    r = evaluate(D(target), D(actual), on, 2026, integer=True)
    assert r.remaining == max(D(target) - D(actual), 0)
    if r.days_left:
        assert r.required_per_week * D(r.days_left) / D(7) >= r.remaining
        assert r.required_per_week == int(r.required_per_week)
    if r.forecast_year_end is not None:
        assert abs(r.forecast_year_end * r.share - actual) <= D("0.01")


def test_time_left_counts_from_left_from_not_the_judging_date():
    """A figure judged at the end of its latest month (30 June) on a page of 1 November says
    the same days left as every other figure of that page."""
    r = evaluate(12, 6, date(2026, 6, 30), 2026, left_from=date(2026, 11, 1))
    assert r.expected == D("5.95")  # still judged at 30 June: 181/365 of 12
    assert r.days_left == 60
    assert r.message.startswith("还剩60天")
    m = evaluate(12, 6, date(2026, 6, 30), 2026, MONTHLY, left_from=date(2026, 11, 1))
    assert m.months_left == 2 and m.required_per_month == D("3.00")
