"""考核 / 排名: year-end assessment of units against a scheme, with explained score lines.

Pure Python (stdlib only); scores are :class:`~decimal.Decimal`.

Scoring rules of a criterion (``Rule.kind``):

``ratio_capped``
    ``points = weight × min(ratio, cap)`` (cap 120 % by default; a negative ratio counts as 0).
``bands``
    ``bands`` is a list of ``(min_ratio, share_of_weight)`` sorted by ``min_ratio`` strictly
    **descending**, shares non-increasing; the first band with ``ratio >= min_ratio`` gives
    ``weight × share`` (the lower bound belongs to the band: exactly 90 % is in "≥90 %").
    Below every band: 0.
``rank``
    units are ranked on the criterion (by completion ratio, or by the actual value with
    ``rank_by='actual'``) with competition ranking; rank r gets ``rank_points[r-1]``
    (ranks beyond the list get the last entry), or, without ``rank_points``, points fall
    linearly from ``weight`` (rank 1) to ``rank_floor`` (default 0; rank n, n = units
    ranked).  **Tied units share the points of the better rank**: two units tied for 2nd
    both get the points of rank 2, and the next unit is 4th (competition ranking "1224").

Completion ratio: ``actual / target``; with ``lower_is_better`` it is ``target / actual``
(e.g. target 0.50 tce/万元, actual 0.40 → 125 %), and an actual ≤ 0 then counts as
unlimited over-achievement (cap, top band, best rank).  Target 0 (the ratio is undefined):

* actual also 0 → the target is met: ratio 100 %;
* lower_is_better and actual > 0 (e.g. target "0 起安全事故", actual 1) → ratio 0;
* higher_is_better and actual ≠ 0 → ratio undefined: the line says so and scores 0
  (a target of 0 for a "more is better" indicator is a data error to be fixed), and the
  unit is left out of a rank-based criterion.

A unit without a value for a criterion scores 0 on it (and is left out of its ranking).
Targets must not be negative.

Adjustments (加减分): ``count × points_each`` (negative for penalties), with the absolute
total of the item limited to ``cap`` when given.  Every adjustment appears as a line, even
with count 0.

Rounding: each line's points are rounded to 2 decimals (ROUND_HALF_UP) **once, at the end
of the line**; everything before that uses full precision.  ``base`` is the sum of the
criterion lines, ``adjustments`` the sum of the adjustment lines, ``total = base +
adjustments`` — so the lines always add up exactly to the total.

Ranking of units is by total (competition ranking, ties exact on the 2-decimal totals).
``change_vs_last_year = total - last_year_score`` (纵向比) and ``rank_change =
last_year_rank - rank`` (positive = moved up); ``None`` when last year is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from diaodu.engine.numbers import to_decimal

__all__ = [
    "RULE_KINDS",
    "Rule",
    "Criterion",
    "Adjustment",
    "Scheme",
    "UnitInput",
    "ScoreLine",
    "UnitScore",
    "rank",
    "score",
]

RULE_KINDS = ("ratio_capped", "bands", "rank")
ZERO = Decimal(0)
ONE = Decimal(1)
INF = Decimal("Infinity")
POINTS_Q = Decimal("0.01")


_dec = to_decimal


def _q(value: Decimal) -> Decimal:
    result = value.quantize(POINTS_Q, rounding=ROUND_HALF_UP)
    return abs(result) if result == 0 else result  # never "-0.00"


def _num(value: Decimal, places: int = 2) -> str:
    text = format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pct(ratio: Decimal) -> str:
    return _num(ratio * 100, 2) + "%"


def _pts(points: Decimal) -> str:
    return format(_q(points), "f")


def _signed(value: Decimal) -> str:
    text = _num(value)
    return text if text.startswith("-") or text == "0" else "+" + text


# ---------------------------------------------------------------------------- scheme


@dataclass(frozen=True)
class Rule:
    kind: str = "ratio_capped"
    cap: Decimal = Decimal("1.2")
    bands: tuple[tuple[Decimal, Decimal], ...] = ()
    rank_points: tuple[Decimal, ...] = ()
    rank_floor: Decimal | None = None
    rank_by: str = "ratio"  # 'ratio' | 'actual'
    lower_is_better: bool = False

    def __post_init__(self) -> None:
        if self.kind not in RULE_KINDS:
            raise ValueError(f"未知的计分方法：{self.kind!r}（可选：ratio_capped、bands、rank）")
        cap = _dec(self.cap, "封顶比例")
        if cap <= 0:
            raise ValueError("封顶比例必须大于0")
        object.__setattr__(self, "cap", cap)
        bands = tuple((_dec(m, "分档完成率"), _dec(s, "分档得分比例")) for m, s in self.bands)
        if self.kind == "bands":
            if not bands:
                raise ValueError("分档计分至少需要一个档次")
            for i, (min_ratio, share) in enumerate(bands):
                if min_ratio < 0 or share < 0:
                    raise ValueError("分档完成率和得分比例不能为负数")
                if i and not (min_ratio < bands[i - 1][0]):
                    raise ValueError("分档必须按完成率从高到低排列，且不能重复")
                if i and share > bands[i - 1][1]:
                    raise ValueError("分档得分比例必须随完成率降低而不增加")
        object.__setattr__(self, "bands", bands)
        points = tuple(_dec(p, "名次得分") for p in self.rank_points)
        if any(p < 0 for p in points):
            raise ValueError("名次得分不能为负数")
        if any(points[i] > points[i - 1] for i in range(1, len(points))):
            raise ValueError("名次得分必须随名次下降而不增加")
        object.__setattr__(self, "rank_points", points)
        if self.rank_floor is not None:
            floor = _dec(self.rank_floor, "末位得分")
            if floor < 0:
                raise ValueError("末位得分不能为负数")
            if points:
                raise ValueError("名次计分只能设置名次得分表或末位得分之一")
            object.__setattr__(self, "rank_floor", floor)
        if self.rank_by not in ("ratio", "actual"):
            raise ValueError(
                f"未知的排名依据：{self.rank_by!r}（可选：ratio 完成率、actual 完成值）"
            )
        if not isinstance(self.lower_is_better, bool):
            raise ValueError("lower_is_better 必须是 true 或 false")

    @classmethod
    def ratio_capped(cls, cap="1.2", *, lower_is_better: bool = False) -> Rule:
        return cls("ratio_capped", cap=Decimal(str(cap)), lower_is_better=lower_is_better)

    @classmethod
    def banded(cls, bands, *, lower_is_better: bool = False) -> Rule:
        return cls("bands", bands=tuple(bands), lower_is_better=lower_is_better)

    @classmethod
    def ranked(
        cls, points=(), *, floor=None, by: str = "ratio", lower_is_better: bool = False
    ) -> Rule:
        return cls(
            "rank",
            rank_points=tuple(points),
            rank_floor=floor,
            rank_by=by,
            lower_is_better=lower_is_better,
        )


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    weight: Decimal
    rule: Rule = Rule()

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("考核指标代码不能为空")
        weight = _dec(self.weight, f"考核指标“{self.name}”的权重")
        if weight <= 0:
            raise ValueError(f"考核指标“{self.name}”的权重必须为正数")
        object.__setattr__(self, "weight", weight)
        if self.rule.kind == "rank":
            if any(p > weight for p in self.rule.rank_points):
                raise ValueError(f"考核指标“{self.name}”的名次得分不能超过权重{_num(weight)}")
            if self.rule.rank_floor is not None and self.rule.rank_floor > weight:
                raise ValueError(f"考核指标“{self.name}”的末位得分不能超过权重{_num(weight)}")


@dataclass(frozen=True)
class Adjustment:
    code: str
    name: str
    points_each: Decimal  # negative = penalty (扣分), positive = bonus (加分)
    cap: Decimal | None = None  # max absolute total from this item

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("加减分项代码不能为空")
        object.__setattr__(
            self, "points_each", _dec(self.points_each, f"加减分项“{self.name}”的分值")
        )
        if self.cap is not None:
            cap = _dec(self.cap, f"加减分项“{self.name}”的上限")
            if cap <= 0:
                raise ValueError(f"加减分项“{self.name}”的上限必须大于0")
            object.__setattr__(self, "cap", cap)


@dataclass(frozen=True)
class Scheme:
    year: int
    criteria: tuple[Criterion, ...]
    adjustments: tuple[Adjustment, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", tuple(self.criteria))
        object.__setattr__(self, "adjustments", tuple(self.adjustments))
        seen: set[str] = set()
        for item in (*self.criteria, *self.adjustments):
            if item.code in seen:
                raise ValueError(f"考核方案中的代码重复：{item.code}")
            seen.add(item.code)

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.criteria), ZERO)


# ---------------------------------------------------------------------------- inputs / outputs


@dataclass
class UnitInput:
    unit: str
    values: dict = field(default_factory=dict)  # criterion code -> (target, actual)
    counts: dict = field(default_factory=dict)  # adjustment code -> int
    last_year_score: Decimal | None = None
    last_year_rank: int | None = None


@dataclass
class ScoreLine:
    code: str
    name: str
    kind: str  # 'criterion' | 'adjustment'
    points: Decimal  # rounded to 2 decimals
    explanation: str
    weight: Decimal | None = None
    target: Decimal | None = None
    actual: Decimal | None = None
    ratio: Decimal | None = None  # None when undefined or unlimited
    count: int | None = None
    rank: int | None = None


@dataclass
class UnitScore:
    unit: str
    base: Decimal
    adjustments: Decimal
    total: Decimal
    rank: int
    tied: bool
    lines: list[ScoreLine]
    change_vs_last_year: Decimal | None
    rank_change: int | None


# ---------------------------------------------------------------------------- ranking


def rank(values: dict, *, higher_is_better: bool = True) -> dict:
    """Competition ranking ("1224"): equal values share a rank, the next rank skips."""
    order = sorted(values.items(), key=lambda kv: kv[1], reverse=higher_is_better)
    result: dict = {}
    previous = None
    for position, (key, value) in enumerate(order, 1):
        if position > 1 and value == previous[1]:
            result[key] = previous[0]
        else:
            result[key] = position
        previous = (result[key], value)
    return result


# ---------------------------------------------------------------------------- scoring


@dataclass
class _Measure:
    target: Decimal
    actual: Decimal
    ratio: Decimal | None  # INF for unlimited, None for undefined
    note: str  # why the ratio is special, or ''


def _measure(criterion: Criterion, unit: str, pair) -> _Measure:
    try:
        target, actual = pair
    except (TypeError, ValueError):
        raise ValueError(
            f"单位“{unit}”的考核指标“{criterion.name}”应提供（目标值, 完成值）两个数"
        ) from None
    target = _dec(target, f"单位“{unit}”的“{criterion.name}”目标值")
    actual = _dec(actual, f"单位“{unit}”的“{criterion.name}”完成值")
    if target < 0:
        raise ValueError(f"单位“{unit}”的考核指标“{criterion.name}”目标值不能为负数")
    lower = criterion.rule.lower_is_better
    if target == 0:
        if actual == 0:
            return _Measure(target, actual, ONE, "目标为0且完成为0，视为完成目标")
        if lower:
            return _Measure(target, actual, ZERO, "目标为0（越低越好），实际超出目标，视为未完成")
        return _Measure(target, actual, None, "目标为0，完成率无法计算，请核对目标")
    if lower:
        if actual <= 0:
            return _Measure(target, actual, INF, "越低越好，实际不高于0，视为超额完成")
        return _Measure(target, actual, target / actual, "")
    return _Measure(target, actual, actual / target, "")


def _head(criterion: Criterion, m: _Measure) -> str:
    text = f"目标 {_num(m.target, 4)}，完成 {_num(m.actual, 4)}"
    if m.note:
        return f"{text}，{m.note}"
    text += f"，完成率 {_pct(m.ratio)}"
    if criterion.rule.lower_is_better:
        text += "（越低越好，按目标÷完成计算）"
    return text


def _tail(points: Decimal, weight: Decimal) -> str:
    return f"得 {_pts(points)} 分（权重 {_num(weight)}）"


def _line(
    criterion: Criterion, points: Decimal, explanation: str, m: _Measure | None, rank_=None
) -> ScoreLine:
    ratio = None
    if m is not None and m.ratio is not None and m.ratio.is_finite():
        ratio = m.ratio.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return ScoreLine(
        code=criterion.code,
        name=criterion.name,
        kind="criterion",
        points=_q(points),
        explanation=explanation,
        weight=criterion.weight,
        target=m.target if m else None,
        actual=m.actual if m else None,
        ratio=ratio,
        rank=rank_,
    )


def _score_ratio_capped(c: Criterion, m: _Measure) -> ScoreLine:
    w, cap = c.weight, c.rule.cap
    head = _head(c, m)
    if m.ratio is None:
        return _line(c, ZERO, f"{head}，{_tail(ZERO, w)}", m)
    effective = min(max(m.ratio, ZERO), cap)
    points = w * effective
    if m.ratio > cap:
        return _line(c, points, f"{head}，封顶 {_pct(cap)}，{_tail(points, w)}", m)
    if m.ratio < 0:
        return _line(c, points, f"{head}，按0计，{_tail(points, w)}", m)
    return _line(c, points, f"{head}，{_tail(points, w)}", m)


def _score_bands(c: Criterion, m: _Measure) -> ScoreLine:
    w = c.weight
    head = _head(c, m)
    if m.ratio is None:
        return _line(c, ZERO, f"{head}，{_tail(ZERO, w)}", m)
    for min_ratio, share in c.rule.bands:
        if m.ratio >= min_ratio:
            points = w * share
            return _line(
                c,
                points,
                f"{head}，达到“≥{_pct(min_ratio)}”档（得权重的{_pct(share)}），{_tail(points, w)}",
                m,
            )
    lowest = c.rule.bands[-1][0]
    return _line(c, ZERO, f"{head}，低于最低档 {_pct(lowest)}，{_tail(ZERO, w)}", m)


def _score_rank(c: Criterion, measures: dict) -> dict:
    rule = c.rule
    w = c.weight
    by_actual = rule.rank_by == "actual"
    values = {}
    for unit, m in measures.items():
        if m is None:
            continue
        if by_actual:
            values[unit] = m.actual
        elif m.ratio is not None:
            values[unit] = m.ratio
    ranks = rank(values, higher_is_better=not (by_actual and rule.lower_is_better))
    n = len(ranks)
    counts: dict[int, int] = {}
    for r in ranks.values():
        counts[r] = counts.get(r, 0) + 1
    floor = rule.rank_floor if rule.rank_floor is not None else ZERO
    lines = {}
    for unit, m in measures.items():
        if m is None:
            continue
        if unit not in ranks:
            lines[unit] = _line(c, ZERO, f"{_head(c, m)}，不参与排名，{_tail(ZERO, w)}", m)
            continue
        r = ranks[unit]
        if rule.rank_points:
            points = rule.rank_points[min(r, len(rule.rank_points)) - 1]
        elif n == 1:
            points = w
        else:
            points = w - (w - floor) * Decimal(r - 1) / Decimal(n - 1)
        if by_actual:
            head = f"目标 {_num(m.target, 4)}，完成 {_num(m.actual, 4)}"
            basis = "按完成值（越低越好）" if rule.lower_is_better else "按完成值"
        else:
            head = _head(c, m)
            basis = "按完成率"
        tie = "（并列，按较好名次计分）" if counts[r] > 1 else ""
        lines[unit] = _line(
            c, points, f"{head}，{basis}在{n}个单位中排名第{r}{tie}，{_tail(points, w)}", m, r
        )
    return lines


def _score_adjustment(a: Adjustment, unit: str, count) -> ScoreLine:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"单位“{unit}”的加减分项“{a.name}”次数必须是非负整数：{count!r}")
    raw = a.points_each * count
    text = f"共 {count} 项，每项 {_signed(a.points_each)} 分"
    points = raw
    if a.cap is not None and abs(raw) > a.cap:
        points = a.cap if raw > 0 else -a.cap
        text += f"，合计 {_signed(raw)} 分，超过上限 {_num(a.cap)} 分，按 {_pts(points)} 分计"
    else:
        text += f"，计 {_pts(points)} 分"
    return ScoreLine(
        code=a.code,
        name=a.name,
        kind="adjustment",
        points=_q(points),
        explanation=text,
        count=count,
    )


def score(scheme: Scheme, inputs: list) -> list:
    """Score every unit on the scheme; the result is sorted by rank (then unit name)."""
    criteria = {c.code: c for c in scheme.criteria}
    adjustments = {a.code: a for a in scheme.adjustments}
    seen_units: set[str] = set()
    for item in inputs:
        if item.unit in seen_units:
            raise ValueError(f"单位“{item.unit}”重复出现")
        seen_units.add(item.unit)
        unknown = [code for code in item.values if code not in criteria]
        if unknown:
            raise ValueError(
                f"单位“{item.unit}”的数据中有未知的考核指标代码：{'、'.join(map(str, unknown))}"
            )
        unknown = [code for code in item.counts if code not in adjustments]
        if unknown:
            raise ValueError(
                f"单位“{item.unit}”的数据中有未知的加减分项代码：{'、'.join(map(str, unknown))}"
            )

    lines: dict[str, list[ScoreLine]] = {item.unit: [] for item in inputs}
    for c in scheme.criteria:
        measures = {
            item.unit: (
                _measure(c, item.unit, item.values[c.code]) if c.code in item.values else None
            )
            for item in inputs
        }
        if c.rule.kind == "rank":
            by_unit = _score_rank(c, measures)
        else:
            scorer = _score_ratio_capped if c.rule.kind == "ratio_capped" else _score_bands
            by_unit = {u: scorer(c, m) for u, m in measures.items() if m is not None}
        for item in inputs:
            line = by_unit.get(item.unit)
            if line is None:
                line = _line(c, ZERO, f"未提供目标值和完成值，{_tail(ZERO, c.weight)}", None)
            lines[item.unit].append(line)
    for a in scheme.adjustments:
        for item in inputs:
            lines[item.unit].append(_score_adjustment(a, item.unit, item.counts.get(a.code, 0)))

    totals = {}
    parts = {}
    for item in inputs:
        base = sum((l.points for l in lines[item.unit] if l.kind == "criterion"), _q(ZERO))
        adj = sum((l.points for l in lines[item.unit] if l.kind == "adjustment"), _q(ZERO))
        parts[item.unit] = (base, adj)
        totals[item.unit] = base + adj
    ranks = rank(totals)
    per_rank: dict[int, int] = {}
    for r in ranks.values():
        per_rank[r] = per_rank.get(r, 0) + 1

    result = []
    for item in inputs:
        total = totals[item.unit]
        r = ranks[item.unit]
        change = None
        if item.last_year_score is not None:
            change = _q(total - _dec(item.last_year_score, f"单位“{item.unit}”的上年得分"))
        rank_change = None
        if item.last_year_rank is not None:
            if (
                isinstance(item.last_year_rank, bool)
                or not isinstance(item.last_year_rank, int)
                or item.last_year_rank < 1
            ):
                raise ValueError(f"单位“{item.unit}”的上年名次必须是正整数")
            rank_change = item.last_year_rank - r
        result.append(
            UnitScore(
                unit=item.unit,
                base=parts[item.unit][0],
                adjustments=parts[item.unit][1],
                total=total,
                rank=r,
                tied=per_rank[r] > 1,
                lines=lines[item.unit],
                change_vs_last_year=change,
                rank_change=rank_change,
            )
        )
    result.sort(key=lambda s: (s.rank, s.unit))
    return result
