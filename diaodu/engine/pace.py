"""序时进度 (pace): how much of an annual target should be done by a given date.

Pure Python (stdlib only); every amount and ratio is a :class:`~decimal.Decimal`.

Definitions (these are the rules the whole system uses; tests pin them down):

* ``expected_share(on, year, profile)`` is the share (0..1) of the annual target that
  should be done **by the end of day** ``on``.  It is exactly ``0`` for any date before
  1 January of ``year`` (in particular at the *start* of 1 January, i.e. at the end of
  31 December of the previous year) and exactly ``1`` on 31 December of ``year`` and
  after.  It never decreases as ``on`` moves forward.

  - ``linear_days`` (默认，按天均衡): ``day_of_year / days_in_year`` — 1 January is
    ``1/365`` (``1/366`` in a leap year), 29 February 2028 is ``60/366``.
  - ``monthly`` (按月): **completed months only** — ``completed_months / 12``.  A month
    counts as completed at the end of its last day, so 2026-03-15 → ``2/12`` and
    2026-03-31 → ``3/12``.  Within a month the share is flat (a step function).
  - ``custom`` (自定义月度权重, e.g. a northern construction season that is slow in
    winter): 12 monthly weights, normalised to sum 1; the share is the cumulative weight
    of the completed months plus the current month's weight × ``day / days_in_month``.

* ``evaluate`` compares an actual figure with the expected one and says what remains:

  - ``pace_index = actual / expected`` (``None`` when nothing is expected yet).
  - Light, for ``higher_is_better`` indicators: ``pace_index >= yellow_below`` → green,
    ``>= red_below`` → yellow, else red.  A value exactly on a threshold gets the better
    colour (exactly 70 % is yellow, exactly 90 % is green).
  - For ``lower_is_better`` indicators (e.g. 能耗总量 — being *above* the pace is bad) the
    thresholds are mirrored around 100 %: ``pace_index <= 2 - yellow_below`` (110 % by
    default) → green, ``<= 2 - red_below`` (130 %) → yellow, else red.
  - When nothing is expected (target 0, or a date before the year or in a month whose
    custom weight is 0) the light is green, except for a lower-is-better indicator that
    already has a positive actual (it is over an expected 0) → red.
  - The light is decided on ``pace_index`` *as reported*, rounded to 4 decimals
    (0.01 %), so the figure shown and the colour never disagree.
  - ``gap`` is signed so that positive always means "ahead of pace":
    ``actual - expected`` if higher is better, ``expected - actual`` otherwise.
  - ``forecast_year_end`` extrapolates the run-rate over the profile:
    ``actual / expected_share(on)``; ``None`` when the share is 0 (no basis yet; e.g. a
    date before the year starts).  After the year end the share is 1, so the forecast
    is the actual.
  - ``remaining``: for higher-is-better, what is still to do (``max(target - actual, 0)``);
    for lower-is-better, the allowance left (``max(target - actual, 0)``).
  - ``days_left`` = days after ``left_from`` up to 31 December (0 on 31 December and after;
    the whole year before it starts).  ``left_from`` defaults to ``on``; a figure judged at
    the end of its latest reported month (``on`` = that month's end) passes today's date, so
    every figure shown on one day says the same "还剩N天" (one definition of days left).  ``required_per_week = remaining / (days_left / 7)``.
  - ``months_left`` and ``required_per_month`` depend on the profile:

    - ``monthly`` (the statistics office's 月报口径): the whole months after the as-of
      month, where the as-of month is the last *completed* month (the month whose figures
      the share counts): ``months_left = 12 - completed_months``.  30 November → December
      alone → ÷ 1; 31 March → ÷ 9; 15 March (February is the last completed month) → ÷ 10;
      15 December → ÷ 1 (December itself); 31 December → 0.
      ``required_per_month = remaining / months_left``.
    - ``linear_days`` and ``custom``: ``months_left = days_left × 12 / days_in_year`` (an
      average month, a fraction) and ``required_per_month = remaining / months_left``.

    Both rates are ``None`` when nothing is left (``days_left`` or ``months_left`` is 0).
    With ``integer=True`` (count indicators, unit '个') they are rounded up (for
    lower-is-better: down, so the allowance is never overstated).
  - ``message``: under the ``monthly`` profile it speaks in months ("还剩1个月，需每月…"),
    otherwise in days and weeks ("还剩28天，需每周…").

* Rounding: amounts (expected, gap, forecast, remaining, required rates) are rounded to
  2 decimals and ratios (completion_rate, pace_index) to 4 decimals, ROUND_HALF_UP, once,
  at the end; every intermediate step uses full Decimal precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from diaodu.engine.numbers import to_decimal

__all__ = [
    "PaceProfile",
    "PaceResult",
    "LINEAR_DAYS",
    "MONTHLY",
    "PROFILE_KINDS",
    "days_in_year",
    "completed_months",
    "months_left",
    "expected_share",
    "expected_to_date",
    "evaluate",
]

PROFILE_KINDS = ("linear_days", "monthly", "custom")

ZERO = Decimal(0)
ONE = Decimal(1)
TWO = Decimal(2)
AMOUNT_Q = Decimal("0.01")
RATIO_Q = Decimal("0.0001")


_dec = to_decimal


def _q(value: Decimal, quantum: Decimal) -> Decimal:
    result = value.quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(result) if result == 0 else result  # never "-0.00"


def _fmt(value: Decimal, places: int = 2) -> str:
    """Plain Chinese-report number: rounded half-up, no exponent, no trailing zeros."""
    text = format(_q(value, Decimal(1).scaleb(-places)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class PaceProfile:
    """How an annual target is spread over the year.

    ``kind``: ``'linear_days'`` | ``'monthly'`` | ``'custom'``.  ``monthly_weights`` is
    required for ``'custom'`` only: 12 non-negative numbers (any scale, e.g. percentages),
    stored normalised so that they sum to 1.
    """

    kind: str = "linear_days"
    monthly_weights: tuple[Decimal, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in PROFILE_KINDS:
            raise ValueError(
                f"未知的序时进度口径：{self.kind!r}（可选：linear_days 按天、monthly 按月、custom 自定义）"
            )
        if self.kind != "custom":
            if self.monthly_weights is not None:
                raise ValueError("只有自定义（custom）口径可以设置月度权重")
            return
        if self.monthly_weights is None or len(tuple(self.monthly_weights)) != 12:
            raise ValueError("自定义序时进度口径需要恰好12个月度权重")
        weights = tuple(_dec(w, f"{i}月权重") for i, w in enumerate(self.monthly_weights, 1))
        for month, weight in enumerate(weights, 1):
            if weight < 0:
                raise ValueError(f"{month}月权重不能为负数")
        total = sum(weights, ZERO)
        if total <= 0:
            raise ValueError("月度权重之和必须大于0")
        if total != ONE:
            weights = tuple(w / total for w in weights)
        object.__setattr__(self, "monthly_weights", weights)

    @classmethod
    def linear(cls) -> PaceProfile:
        return cls("linear_days", None)

    @classmethod
    def monthly(cls) -> PaceProfile:
        return cls("monthly", None)

    @classmethod
    def custom(cls, weights) -> PaceProfile:
        return cls("custom", tuple(weights))


LINEAR_DAYS = PaceProfile("linear_days", None)
MONTHLY = PaceProfile("monthly", None)


def days_in_year(year: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 366 if leap else 365


def _days_in_month(year: int, month: int) -> int:
    # (the stdlib ``calendar`` module is not used: ``diaodu.engine.calendar`` shares its name)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (following - date(year, month, 1)).days


def _as_date(on) -> date:
    if isinstance(on, datetime):
        return on.date()
    if isinstance(on, date):
        return on
    raise ValueError(f"日期格式不正确：{on!r}")


def expected_share(on: date, year: int, profile: PaceProfile = LINEAR_DAYS) -> Decimal:
    """Share (0..1) of the annual target expected by the end of day ``on``.

    0 before 1 January of ``year``; 1 on 31 December and after; see the module docstring.
    """
    on = _as_date(on)
    if on < date(year, 1, 1):
        return ZERO
    if on >= date(year, 12, 31):
        return ONE
    if profile.kind == "linear_days":
        return Decimal(on.timetuple().tm_yday) / Decimal(days_in_year(year))
    if profile.kind == "monthly":
        return Decimal(completed_months(on, year)) / Decimal(12)
    month_days = _days_in_month(year, on.month)
    weights = profile.monthly_weights
    assert weights is not None
    share = sum(weights[: on.month - 1], ZERO)
    if on.day == month_days:
        share = share + weights[on.month - 1]  # same additions as the next month's base
    else:
        share = share + weights[on.month - 1] * Decimal(on.day) / Decimal(month_days)
    return min(max(share, ZERO), ONE)


def completed_months(on: date, year: int) -> int:
    """Whole months of ``year`` completed by the end of day ``on`` (0..12)."""
    on = _as_date(on)
    if on < date(year, 1, 1):
        return 0
    if on >= date(year, 12, 31):
        return 12
    return on.month - 1 + (1 if on.day == _days_in_month(year, on.month) else 0)


def months_left(on: date, year: int, profile: PaceProfile = LINEAR_DAYS) -> Decimal:
    """Months still to go after ``on`` as the required-per-month rate divides by them.

    ``monthly``: the whole months after the last completed month (an integer); otherwise
    the days left expressed in average months (a fraction).  See the module docstring.
    """
    on = _as_date(on)
    if profile.kind == "monthly":
        return Decimal(12 - completed_months(on, year))
    n_days = days_in_year(year)
    days = min(max((date(year, 12, 31) - on).days, 0), n_days)
    return Decimal(days) * Decimal(12) / Decimal(n_days)


def expected_to_date(target, on: date, year: int, profile: PaceProfile = LINEAR_DAYS) -> Decimal:
    """序时进度: ``target × expected_share(on)``, unrounded."""
    return _dec(target, "目标值") * expected_share(on, year, profile)


@dataclass
class PaceResult:
    target: Decimal
    actual: Decimal
    expected: Decimal  # 序时应完成 (2 decimals)
    completion_rate: Decimal | None  # actual / target (4 decimals); None when target is 0
    pace_index: Decimal | None  # actual / expected (4 decimals); None when expected is 0
    gap: Decimal  # positive = ahead of pace, whichever the direction
    light: str  # 'red' | 'yellow' | 'green'
    forecast_year_end: Decimal | None  # run-rate forecast; None when no share has elapsed
    remaining: Decimal  # still to do (higher is better) / allowance left (lower is better)
    required_per_week: Decimal | None
    required_per_month: Decimal | None
    days_left: int
    message: str
    share: Decimal = ZERO  # expected_share(on), unrounded
    months_left: Decimal = ZERO  # what required_per_month divides by (see the docstring)
    profile_kind: str = "linear_days"


def _pace_light(
    pace_index: Decimal | None,
    actual: Decimal,
    higher_is_better: bool,
    yellow_below: Decimal,
    red_below: Decimal,
) -> str:
    if pace_index is None:
        if not higher_is_better and actual > 0:
            return "red"
        return "green"
    if higher_is_better:
        if pace_index >= yellow_below:
            return "green"
        if pace_index >= red_below:
            return "yellow"
        return "red"
    if pace_index <= TWO - yellow_below:
        return "green"
    if pace_index <= TWO - red_below:
        return "yellow"
    return "red"


def evaluate(
    target,
    actual,
    on: date,
    year: int,
    profile: PaceProfile = LINEAR_DAYS,
    *,
    higher_is_better: bool = True,
    yellow_below=Decimal("0.9"),
    red_below=Decimal("0.7"),
    unit_label: str = "",
    noun: str = "",
    integer: bool = False,
    left_from: date | None = None,
) -> PaceResult:
    """Compare ``actual`` with the 序时进度 of ``target`` on ``on``; see module docstring.
    The time left (days, months, the required rates) counts from ``left_from`` (default ``on``)."""
    target = _dec(target, "目标值")
    actual = _dec(actual, "实际完成值")
    yellow_below = _dec(yellow_below, "黄灯阈值")
    red_below = _dec(red_below, "红灯阈值")
    if target < 0:
        raise ValueError("目标值不能为负数")
    if not (ZERO <= red_below <= yellow_below):
        raise ValueError("亮灯阈值须满足 0 ≤ 红灯阈值 ≤ 黄灯阈值")
    on = _as_date(on)

    share = expected_share(on, year, profile)
    expected = target * share
    completion_rate = _q(actual / target, RATIO_Q) if target else None
    pace_index = _q(actual / expected, RATIO_Q) if expected else None
    gap = actual - expected if higher_is_better else expected - actual
    light = _pace_light(pace_index, actual, higher_is_better, yellow_below, red_below)
    forecast = _q(actual / share, AMOUNT_Q) if share else None

    left_from = on if left_from is None else _as_date(left_from)
    n_days = days_in_year(year)
    days_left = min(max((date(year, 12, 31) - left_from).days, 0), n_days)
    remaining = max(target - actual, ZERO)
    n_months = months_left(left_from, year, profile)
    per_week = per_month = None
    rounding = ROUND_CEILING if higher_is_better else ROUND_FLOOR
    if days_left > 0:
        per_week = remaining / (Decimal(days_left) / Decimal(7))
        per_week = per_week.quantize(ONE, rounding=rounding) if integer else _q(per_week, AMOUNT_Q)
    if days_left > 0 and n_months > 0:
        per_month = remaining / n_months
        per_month = (
            per_month.quantize(ONE, rounding=rounding) if integer else _q(per_month, AMOUNT_Q)
        )

    by_month = profile.kind == "monthly"
    message = _message(
        target=target,
        actual=actual,
        remaining=remaining,
        per_period=per_month if by_month else per_week,
        left=f"{n_months}个月" if by_month else f"{days_left}天",
        every="每月" if by_month else "每周",
        over=days_left == 0 or (per_month if by_month else per_week) is None,
        higher_is_better=higher_is_better,
        unit=unit_label,
        noun=noun,
    )
    return PaceResult(
        target=target,
        actual=actual,
        expected=_q(expected, AMOUNT_Q),
        completion_rate=completion_rate,
        pace_index=pace_index,
        gap=_q(gap, AMOUNT_Q),
        light=light,
        forecast_year_end=forecast,
        remaining=_q(remaining, AMOUNT_Q),
        required_per_week=per_week,
        required_per_month=per_month,
        days_left=days_left,
        message=message,
        share=share,
        months_left=n_months,
        profile_kind=profile.kind,
    )


def _message(
    *,
    target: Decimal,
    actual: Decimal,
    remaining: Decimal,
    per_period: Decimal | None,
    left: str,
    every: str,
    over: bool,
    higher_is_better: bool,
    unit: str,
    noun: str,
) -> str:
    if higher_is_better:
        if target == 0:
            return f"未设定{noun}年度目标（目标为0）"
        if remaining == 0:
            return f"已完成{noun}年度目标{_fmt(target)}{unit}（已完成{_fmt(actual)}{unit}）"
        if over or per_period is None:
            return f"年度已结束，{noun}目标尚差{_fmt(remaining)}{unit}"
        return f"还剩{left}，需{every}{noun}{_fmt(per_period)}{unit}"
    if actual > target:
        return f"{noun}已超出年度目标{_fmt(actual - target)}{unit}"
    if over or per_period is None:
        return f"年度已结束，{noun}{_fmt(actual)}{unit}，未超出年度目标{_fmt(target)}{unit}"
    return f"还剩{left}，{every}{noun}不得超过{_fmt(per_period)}{unit}"
