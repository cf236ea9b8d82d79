"""考核 / 排名: ranking, each scoring rule and its boundaries, adjustments, validation, properties."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diaodu.engine.scoring import (
    Adjustment,
    Criterion,
    Rule,
    Scheme,
    UnitInput,
    rank,
    score,
)


def one(criterion, target, actual):
    """Score a single unit on a single criterion; return its line."""
    [result] = score(
        Scheme(2026, (criterion,)), [UnitInput("甲园区", {criterion.code: (target, actual)})]
    )
    return result.lines[0]


def by_unit(results):
    return {r.unit: r for r in results}


# ---------------------------------------------------------------- rank()


def test_competition_ranking_1224():
    assert rank({"A": D(90), "B": D(85), "C": D(85), "D": D(80)}) == {
        "A": 1,
        "B": 2,
        "C": 2,
        "D": 4,
    }


def test_ranking_lower_is_better():
    assert rank({"A": D(3), "B": D(1), "C": D(2), "D": D(1)}, higher_is_better=False) == {
        "A": 4,
        "B": 1,
        "C": 3,
        "D": 1,
    }


def test_ranking_edge_cases():
    assert rank({}) == {}
    assert rank({"A": D(5), "B": D(5), "C": D(5)}) == {"A": 1, "B": 1, "C": 1}
    assert rank({"A": D("1.0"), "B": D("1.00")}) == {
        "A": 1,
        "B": 1,
    }  # equal values, different exponents


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(-5, 5), max_size=12), st.booleans()
)
def test_rank_is_one_plus_number_strictly_better(values, higher):
    ranks = rank(values, higher_is_better=higher)
    for key, value in values.items():
        better = sum(1 for v in values.values() if (v > value if higher else v < value))
        assert ranks[key] == 1 + better


# ---------------------------------------------------------------- ratio_capped

INVEST = Criterion("fixed_investment", "固定资产投资", D(20))


def test_ratio_capped_below_cap():
    line = one(INVEST, D(100), D(112))
    assert line.points == D("22.40")
    assert line.ratio == D("1.1200")
    assert line.explanation == "目标 100，完成 112，完成率 112%，得 22.40 分（权重 20）"


def test_ratio_capped_at_and_above_cap():
    assert one(INVEST, D(100), D(120)).points == D("24.00")
    line = one(INVEST, D(100), D(130))
    assert line.points == D("24.00")
    assert line.explanation == "目标 100，完成 130，完成率 130%，封顶 120%，得 24.00 分（权重 20）"


def test_ratio_capped_custom_cap_and_negative_actual():
    c = Criterion("growth", "规上工业增加值增速", D(10), Rule.ratio_capped(cap="1.0"))
    assert one(c, D(8), D(10)).points == D("10.00")
    line = one(c, D(8), D(-2))
    assert line.points == D("0.00")
    assert "按0计" in line.explanation


def test_rounding_happens_once_at_the_end_of_the_line():
    c = Criterion("x", "指标", D(10))
    assert one(c, D(3), D(1)).points == D("3.33")
    assert one(c, D(3), D(2)).points == D("6.67")
    c7 = Criterion("y", "指标", D(7))
    assert one(c7, D(1000), D(335)).points == D("2.35")  # 2.345 → ROUND_HALF_UP


def test_lower_is_better_ratio():
    c = Criterion("energy", "单位GDP能耗", D(20), Rule.ratio_capped(lower_is_better=True))
    line = one(c, D("0.5"), D("0.4"))  # 0.5 / 0.4 = 125 % → capped
    assert line.points == D("24.00")
    assert "越低越好" in line.explanation
    assert one(c, D("0.5"), D("0.5")).points == D("20.00")
    assert one(c, D("0.5"), D("1")).points == D("10.00")
    line = one(c, D("0.5"), D("0"))
    assert line.points == D("24.00") and line.ratio is None
    assert "视为超额完成" in line.explanation


def test_target_zero():
    line = one(INVEST, D(0), D(0))
    assert line.points == D("20.00")  # target 0 and actual 0: target met
    assert "视为完成目标" in line.explanation
    line = one(INVEST, D(0), D(5))
    assert line.points == D("0.00") and line.ratio is None
    assert "完成率无法计算" in line.explanation
    safety = Criterion("accidents", "安全事故", D(5), Rule.ratio_capped(lower_is_better=True))
    assert one(safety, D(0), D(0)).points == D("5.00")
    line = one(safety, D(0), D(1))
    assert line.points == D("0.00")
    assert "视为未完成" in line.explanation


# ---------------------------------------------------------------- bands

BANDS = Criterion(
    "signed",
    "招商签约额",
    D(10),
    Rule.banded([(D(1), D(1)), (D("0.9"), D("0.8")), (D("0.8"), D("0.5"))]),
)


@pytest.mark.parametrize(
    ("actual", "points"),
    [
        (D(130), D("10.00")),
        (D(100), D("10.00")),  # the lower bound belongs to the band
        (D("99.99"), D("8.00")),
        (D(90), D("8.00")),
        (D("89.99"), D("5.00")),
        (D(80), D("5.00")),
        (D("79.99"), D("0.00")),
    ],
)
def test_band_boundaries(actual, points):
    assert one(BANDS, D(100), actual).points == points


def test_band_explanations():
    assert one(BANDS, D(100), D(90)).explanation == (
        "目标 100，完成 90，完成率 90%，达到“≥90%”档（得权重的80%），得 8.00 分（权重 10）"
    )
    assert "低于最低档 80%" in one(BANDS, D(100), D(50)).explanation


@pytest.mark.parametrize(
    "bands",
    [
        [],
        [(D("0.8"), D("0.5")), (D(1), D(1))],  # ascending
        [(D(1), D(1)), (D(1), D("0.5"))],  # duplicate bound
        [(D(1), D("0.5")), (D("0.8"), D(1))],  # share increases as ratio falls
        [(D(1), D(-1))],
    ],
)
def test_bad_bands_are_rejected(bands):
    with pytest.raises(ValueError, match="分档"):
        Rule.banded(bands)


# ---------------------------------------------------------------- rank rule

RATIOS = {"A": D("1.2"), "B": D("1.1"), "C": D("1.1"), "D": D("1.0"), "E": D("0.9")}


def rank_scores(rule, weight=D(10), values=None):
    c = Criterion("per_mu", "亩均税收", weight, rule)
    inputs = [UnitInput(u, {"per_mu": (D(100), r * 100)}) for u, r in (values or RATIOS).items()]
    return {s.unit: s.lines[0] for s in score(Scheme(2026, (c,)), inputs)}


def test_rank_points_table_with_ties():
    lines = rank_scores(Rule.ranked([D(10), D(8), D(6)]))
    assert {u: l.points for u, l in lines.items()} == {
        "A": D("10.00"),
        "B": D("8.00"),
        "C": D("8.00"),
        "D": D("6.00"),
        "E": D("6.00"),
    }
    assert (lines["B"].rank, lines["C"].rank, lines["D"].rank) == (2, 2, 4)
    assert "排名第2（并列，按较好名次计分）" in lines["B"].explanation
    assert "在5个单位中排名第4" in lines["D"].explanation


def test_rank_linear_to_floor_with_ties():
    lines = rank_scores(Rule.ranked(floor=D(2)))
    # 10 − (10 − 2) × (r − 1) / (5 − 1); tied units share the points of the better rank
    assert {u: l.points for u, l in lines.items()} == {
        "A": D("10.00"),
        "B": D("8.00"),
        "C": D("8.00"),
        "D": D("4.00"),
        "E": D("2.00"),
    }
    only = rank_scores(Rule.ranked(floor=D(2)), values={"A": D(1)})
    assert only["A"].points == D("10.00")


def test_rank_by_actual_lower_is_better():
    c = Criterion(
        "energy", "能耗总量", D(6), Rule.ranked(floor=0, by="actual", lower_is_better=True)
    )
    inputs = [
        UnitInput("甲", {"energy": (D(100), D(80))}),
        UnitInput("乙", {"energy": (D(100), D(120))}),
        UnitInput("丙", {"energy": (D(100), D(100))}),
    ]
    lines = {s.unit: s.lines[0] for s in score(Scheme(2026, (c,)), inputs)}
    assert {u: (l.rank, l.points) for u, l in lines.items()} == {
        "甲": (1, D("6.00")),
        "丙": (2, D("3.00")),
        "乙": (3, D("0.00")),
    }
    assert "按完成值（越低越好）" in lines["甲"].explanation


def test_rank_excludes_undefined_and_missing():
    c = Criterion("per_mu", "亩均税收", D(10), Rule.ranked(floor=0))
    inputs = [
        UnitInput("A", {"per_mu": (D(10), D(12))}),
        UnitInput("B", {"per_mu": (D(10), D(8))}),
        UnitInput("C", {"per_mu": (D(0), D(3))}),  # ratio undefined
        UnitInput("D", {}),  # no data
    ]
    lines = {s.unit: s.lines[0] for s in score(Scheme(2026, (c,)), inputs)}
    assert (lines["A"].points, lines["B"].points) == (D("10.00"), D("0.00"))
    assert lines["C"].points == 0 and "不参与排名" in lines["C"].explanation
    assert lines["D"].points == 0 and "未提供" in lines["D"].explanation


def test_bad_rank_rules_are_rejected():
    with pytest.raises(ValueError, match="不增加"):
        Rule.ranked([D(5), D(8)])
    with pytest.raises(ValueError, match="之一"):
        Rule.ranked([D(5)], floor=D(1))
    with pytest.raises(ValueError, match="不能超过权重"):
        Criterion("x", "指标", D(5), Rule.ranked([D(8)]))
    with pytest.raises(ValueError, match="不能超过权重"):
        Criterion("x", "指标", D(5), Rule.ranked(floor=D(6)))
    with pytest.raises(ValueError, match="排名依据"):
        Rule.ranked(by="score")


# ---------------------------------------------------------------- adjustments

PENALTY = Adjustment("overdue_supervised", "督办问题超期", D("-0.5"), cap=D(2))
BONUS = Adjustment("provincial_key", "省重点项目", D(1), cap=D(2))
PLAIN = Adjustment("award", "获评先进", D("0.3"))
SCHEME = Scheme(2026, (INVEST,), (PENALTY, BONUS, PLAIN))


def adjustment_lines(counts):
    [result] = score(SCHEME, [UnitInput("甲", {"fixed_investment": (D(100), D(100))}, counts)])
    return result, {l.code: l for l in result.lines if l.kind == "adjustment"}


def test_penalty_and_bonus_with_caps():
    result, lines = adjustment_lines({"overdue_supervised": 3, "provincial_key": 5, "award": 4})
    assert lines["overdue_supervised"].points == D("-1.50")
    assert lines["overdue_supervised"].explanation == "共 3 项，每项 -0.5 分，计 -1.50 分"
    assert lines["provincial_key"].points == D("2.00")
    assert (
        lines["provincial_key"].explanation
        == "共 5 项，每项 +1 分，合计 +5 分，超过上限 2 分，按 2.00 分计"
    )
    assert lines["award"].points == D("1.20")  # no cap
    assert result.base == D("20.00")
    assert result.adjustments == D("1.70")
    assert result.total == D("21.70")


def test_penalty_cap():
    result, lines = adjustment_lines({"overdue_supervised": 5})
    assert lines["overdue_supervised"].points == D("-2.00")
    assert "超过上限 2 分" in lines["overdue_supervised"].explanation
    assert result.total == D("18.00")


def test_every_adjustment_appears_even_with_count_zero():
    result, lines = adjustment_lines({})
    assert set(lines) == {"overdue_supervised", "provincial_key", "award"}
    assert all(l.points == 0 and str(l.points) == "0.00" for l in lines.values())  # never "-0.00"
    assert result.total == D("20.00")


def test_bad_adjustments_are_rejected():
    with pytest.raises(ValueError, match="非负整数"):
        adjustment_lines({"award": -1})
    with pytest.raises(ValueError, match="非负整数"):
        adjustment_lines({"award": 1.5})
    with pytest.raises(ValueError, match="上限"):
        Adjustment("x", "某项", D(1), cap=D(0))


# ---------------------------------------------------------------- whole scheme


def test_ties_on_total_share_rank_and_next_skips():
    inputs = [
        UnitInput("甲", {"fixed_investment": (D(100), D(110))}),
        UnitInput("乙", {"fixed_investment": (D(100), D(100))}),
        UnitInput("丙", {"fixed_investment": (D(200), D(200))}),
        UnitInput("丁", {"fixed_investment": (D(100), D(50))}),
    ]
    results = score(Scheme(2026, (INVEST,)), inputs)
    assert [(r.unit, r.rank, r.tied, r.total) for r in results] == [
        ("甲", 1, False, D("22.00")),
        ("丙", 2, True, D("20.00")),  # sorted by rank, then unit name
        ("乙", 2, True, D("20.00")),
        ("丁", 4, False, D("10.00")),
    ]


def test_change_vs_last_year():
    inputs = [
        UnitInput(
            "甲",
            {"fixed_investment": (D(100), D(110))},
            last_year_score=D("19.5"),
            last_year_rank=3,
        ),
        UnitInput(
            "乙",
            {"fixed_investment": (D(100), D(100))},
            last_year_score=D("20.5"),
            last_year_rank=1,
        ),
        UnitInput("丙", {"fixed_investment": (D(100), D(90))}),
    ]
    results = by_unit(score(Scheme(2026, (INVEST,)), inputs))
    assert (results["甲"].change_vs_last_year, results["甲"].rank_change) == (
        D("2.50"),
        2,
    )  # up 2 places
    assert (results["乙"].change_vs_last_year, results["乙"].rank_change) == (D("-0.50"), -1)
    assert (results["丙"].change_vs_last_year, results["丙"].rank_change) == (None, None)


def test_missing_value_scores_zero_with_explanation():
    [result] = score(Scheme(2026, (INVEST,)), [UnitInput("甲")])
    assert result.total == 0
    assert result.lines[0].explanation == "未提供目标值和完成值，得 0.00 分（权重 20）"


def test_empty_input():
    assert score(SCHEME, []) == []


@pytest.mark.parametrize(
    ("inputs", "match"),
    [
        ([UnitInput("甲", {"gdp": (D(1), D(1))})], "单位“甲”的数据中有未知的考核指标代码：gdp"),
        ([UnitInput("甲", counts={"bonus": 1})], "未知的加减分项代码：bonus"),
        ([UnitInput("甲"), UnitInput("甲")], "重复"),
        ([UnitInput("甲", {"fixed_investment": (D(-1), D(1))})], "目标值不能为负数"),
        ([UnitInput("甲", {"fixed_investment": D(1)})], "两个数"),
        ([UnitInput("甲", {"fixed_investment": (D(1), "abc")})], "完成值"),
        ([UnitInput("甲", last_year_rank=0)], "上年名次"),
    ],
)
def test_bad_inputs_raise_chinese_errors(inputs, match):
    with pytest.raises(ValueError, match=match):
        score(SCHEME, inputs)


def test_bad_schemes_are_rejected():
    with pytest.raises(ValueError, match="权重必须为正数"):
        Criterion("x", "指标", D(0))
    with pytest.raises(ValueError, match="权重必须为正数"):
        Criterion("x", "指标", D(-5))
    with pytest.raises(ValueError, match="代码重复"):
        Scheme(2026, (INVEST, INVEST))
    with pytest.raises(ValueError, match="代码重复"):
        Scheme(2026, (INVEST,), (Adjustment("fixed_investment", "重名", D(1)),))
    with pytest.raises(ValueError, match="计分方法"):
        Rule("average")
    with pytest.raises(ValueError, match="封顶"):
        Rule.ratio_capped(cap=0)


def test_total_weight():
    assert Scheme(2026, (INVEST, BANDS)).total_weight == D(30)


# ---------------------------------------------------------------- properties

amounts = st.decimals(min_value=0, max_value=1000, places=2)
rules = st.one_of(
    st.builds(
        Rule.ratio_capped, cap=st.sampled_from(["1", "1.2", "1.5"]), lower_is_better=st.booleans()
    ),
    st.just(BANDS.rule),
    st.builds(
        lambda lower: Rule.banded(
            [(D("1.1"), D("1.2")), (D(1), D(1)), (D("0.5"), D("0.3"))], lower_is_better=lower
        ),
        st.booleans(),
    ),
    st.builds(Rule.ranked, st.just([D(5), D(4), D(3)]), lower_is_better=st.booleans()),
    st.builds(
        lambda by, lower: Rule.ranked(floor=D(1), by=by, lower_is_better=lower),
        st.sampled_from(["ratio", "actual"]),
        st.booleans(),
    ),
)


@st.composite
def schemes_and_inputs(draw):
    n_criteria = draw(st.integers(1, 4))
    criteria = tuple(
        Criterion(
            f"c{i}", f"指标{i}", draw(st.decimals(min_value=5, max_value=30, places=1)), draw(rules)
        )
        for i in range(n_criteria)
    )
    adjustments = tuple(
        Adjustment(
            f"a{i}",
            f"加减分{i}",
            draw(st.decimals(min_value=-3, max_value=3, places=2)),
            draw(st.one_of(st.none(), st.decimals(min_value="0.5", max_value=5, places=1))),
        )
        for i in range(draw(st.integers(0, 3)))
    )
    units = draw(st.lists(st.sampled_from("甲乙丙丁戊己庚辛"), min_size=1, max_size=8, unique=True))
    inputs = []
    for unit in units:
        values = {
            c.code: (draw(amounts), draw(amounts))
            for c in criteria
            if draw(st.integers(0, 9))  # occasionally missing
        }
        counts = {a.code: draw(st.integers(0, 8)) for a in adjustments}
        last = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)))
        inputs.append(
            UnitInput(unit, values, counts, last, draw(st.one_of(st.none(), st.integers(1, 8))))
        )
    return Scheme(2026, criteria, adjustments), inputs


@settings(max_examples=200, deadline=None)
@given(schemes_and_inputs())
def test_lines_add_up_to_the_total_and_ranks_follow_totals(case):
    scheme, inputs = case
    results = score(scheme, inputs)
    assert sorted(r.unit for r in results) == sorted(i.unit for i in inputs)
    assert [r.rank for r in results] == sorted(r.rank for r in results)
    weights = {c.code: c.weight for c in scheme.criteria}
    for r in results:
        assert sum((l.points for l in r.lines), D(0)) == r.total
        assert sum((l.points for l in r.lines if l.kind == "criterion"), D(0)) == r.base
        assert sum((l.points for l in r.lines if l.kind == "adjustment"), D(0)) == r.adjustments
        assert r.base + r.adjustments == r.total
        assert len(r.lines) == len(scheme.criteria) + len(scheme.adjustments)
        for line in r.lines:
            assert line.points == line.points.quantize(D("0.01"))
            assert "分" in line.explanation
            if line.kind == "criterion":
                assert 0 <= line.points <= weights[line.code] * D("1.5")
        better = sum(1 for other in results if other.total > r.total)
        assert r.rank == 1 + better
        assert r.tied == any(o.unit != r.unit and o.total == r.total for o in results)
