"""亮灯 rules: each rule and its boundaries, combinations, configuration, monotonicity."""

import dataclasses
import json
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diaodu.engine.lights import (
    Light,
    LightRules,
    ProblemFact,
    ProjectFacts,
    Reason,
    escalation_level,
    evaluate,
    worst,
)

SEVERITY = {"green": 0, "yellow": 1, "red": 2}


def messages(light):
    return [r.message for r in light.reasons]


def test_no_facts_is_green_without_reasons():
    light = evaluate(ProjectFacts())
    assert light == Light("green", ())
    assert light.summary == "绿灯"


# ---------------------------------------------------------------- pace


def test_pace_red_message():
    light = evaluate(
        ProjectFacts(investment_completed_ytd=D(1160), investment_expected_ytd=D(2000))
    )
    assert light.color == "red"
    assert light.reasons == (
        Reason("pace", "red", "完成投资1160万元，仅为序时进度的58%（低于70%）"),
    )


@pytest.mark.parametrize(
    ("completed", "color"),
    [
        (
            D(1400),
            "yellow",
        ),  # exactly 70 % is yellow, not red (the threshold belongs to the better colour)
        (D("1399.8"), "red"),  # 69.99 %
        (D("1399.999"), "yellow"),  # 69.99995 % is reported (4 decimals) as 70.00 %: yellow
        (D(1800), "green"),  # exactly 90 % is green
        (D("1799.8"), "yellow"),
        (D(2600), "green"),
        (D(0), "red"),
    ],
)
def test_pace_boundaries(completed, color):
    light = evaluate(
        ProjectFacts(investment_completed_ytd=completed, investment_expected_ytd=D(2000))
    )
    assert light.color == color


def test_pace_yellow_message():
    light = evaluate(
        ProjectFacts(investment_completed_ytd=D(1700), investment_expected_ytd=D(2000))
    )
    assert messages(light) == ["完成投资1700万元，为序时进度的85%（低于90%）"]


@pytest.mark.parametrize(
    ("completed", "expected"), [(None, D(2000)), (D(100), None), (D(0), D(0)), (None, None)]
)
def test_pace_skipped_without_data(completed, expected):
    facts = ProjectFacts(investment_completed_ytd=completed, investment_expected_ytd=expected)
    assert evaluate(facts).color == "green"


def test_pace_custom_thresholds():
    rules = LightRules(red_pace_below=D("0.5"), yellow_pace_below=D("0.6"))
    facts = ProjectFacts(investment_completed_ytd=D(1160), investment_expected_ytd=D(2000))
    assert evaluate(facts, rules).reasons == (
        Reason("pace", "yellow", "完成投资1160万元，为序时进度的58%（低于60%）"),
    )


# ---------------------------------------------------------------- reports


@pytest.mark.parametrize(("n", "color"), [(0, "green"), (1, "yellow"), (2, "red"), (5, "red")])
def test_missing_reports(n, color):
    light = evaluate(ProjectFacts(consecutive_missing_reports=n))
    assert light.color == color
    if n:
        assert messages(light) == [f"连续{n}期未报送周报"]


def test_missing_reports_rule_switched_off():
    rules = LightRules(red_missing_reports=None, yellow_missing_reports=3)
    assert evaluate(ProjectFacts(consecutive_missing_reports=2), rules).color == "green"
    assert evaluate(ProjectFacts(consecutive_missing_reports=9), rules).color == "yellow"


# ---------------------------------------------------------------- problems


@pytest.mark.parametrize(
    ("level", "color", "message"),
    [
        (0, "green", None),
        (1, "green", None),  # 催办 alone does not light
        (2, "red", "问题“征地拆迁补偿未到位”已督办"),
        ("督办", "red", "问题“征地拆迁补偿未到位”已督办"),
        (3, "red", "问题“征地拆迁补偿未到位”已提级"),
    ],
)
def test_problem_escalation(level, color, message):
    light = evaluate(ProjectFacts(problems=[ProblemFact("征地拆迁补偿未到位", False, level)]))
    assert light.color == color
    assert messages(light) == ([message] if message else [])


def test_problem_overdue_is_yellow():
    light = evaluate(ProjectFacts(problems=[ProblemFact("电力接入", overdue=True)]))
    assert light.reasons == (Reason("problem_overdue", "yellow", "问题“电力接入”已超期未办结"),)
    rules = LightRules(yellow_problem_overdue=False)
    assert (
        evaluate(ProjectFacts(problems=[ProblemFact("电力接入", overdue=True)]), rules).color
        == "green"
    )


def test_problem_overdue_and_escalated_gives_both_reasons_red_first():
    light = evaluate(ProjectFacts(problems=[ProblemFact("电力接入", True, 2)]))
    assert light.color == "red"
    assert [r.code for r in light.reasons] == ["problem_escalated", "problem_overdue"]


def test_problem_level_configuration():
    facts = ProjectFacts(problems=[ProblemFact("供水", False, "督办")])
    assert evaluate(facts, LightRules(red_problem_level="提级")).color == "green"
    assert evaluate(facts, LightRules(red_problem_level="催办")).color == "red"
    assert evaluate(facts, LightRules(red_problem_level=None)).color == "green"
    assert LightRules(red_problem_level=3).red_problem_level == "提级"


def test_escalation_level_names():
    assert [escalation_level(x) for x in ("无", "催办", "督办", "提级", 2, None)] == [
        0,
        1,
        2,
        3,
        2,
        None,
    ]
    for bad in ("加急", 4, -1, True):
        with pytest.raises(ValueError, match="督办级别"):
            escalation_level(bad)


# ---------------------------------------------------------------- procedures


def test_overdue_procedure_is_red():
    light = evaluate(ProjectFacts(overdue_procedures=["施工许可"]))
    assert light.reasons == (Reason("procedure_overdue", "red", "前期手续“施工许可”已超期"),)


def test_at_risk_procedure_is_yellow():
    light = evaluate(ProjectFacts(at_risk_procedures=["环评"]))
    assert light.reasons == (Reason("procedure_at_risk", "yellow", "前期手续“环评”有超期风险"),)


def test_procedure_rules_switched():
    facts = ProjectFacts(overdue_procedures=["施工许可"], at_risk_procedures=["环评"])
    # with red off, an overdue procedure is still at least as bad as an at-risk one
    assert evaluate(facts, LightRules(red_procedure_overdue=False)).color == "yellow"
    assert len(evaluate(facts, LightRules(red_procedure_overdue=False)).reasons) == 2
    off = LightRules(red_procedure_overdue=False, yellow_procedure_at_risk=False)
    assert evaluate(facts, off).color == "green"


# ---------------------------------------------------------------- contact


@pytest.mark.parametrize(
    ("weeks", "color"), [(0, "green"), (1, "yellow"), (2, "yellow"), (3, "red")]
)
def test_no_contact(weeks, color):
    light = evaluate(ProjectFacts(weeks_without_contact=weeks))
    assert light.color == color
    if weeks:
        assert messages(light) == [f"已连续{weeks}周无对接记录"]


# ---------------------------------------------------------------- combination


def test_combination_keeps_all_reasons_reds_first():
    facts = ProjectFacts(
        investment_completed_ytd=D(1700),
        investment_expected_ytd=D(2000),  # yellow
        consecutive_missing_reports=2,  # red
        overdue_procedures=["施工许可"],  # red
        at_risk_procedures=["环评"],  # yellow
        problems=[ProblemFact("电力接入", True, 0)],  # yellow
        weeks_without_contact=1,  # yellow
        stage="under_construction",
    )
    light = evaluate(facts)
    assert light.color == "red"
    assert [(r.color, r.code) for r in light.reasons] == [
        ("red", "missing_reports"),
        ("red", "procedure_overdue"),
        ("yellow", "pace"),
        ("yellow", "problem_overdue"),
        ("yellow", "procedure_at_risk"),
        ("yellow", "no_contact"),
    ]
    assert light.summary.startswith("红灯：连续2期未报送周报；前期手续“施工许可”已超期；")


def test_worst():
    assert worst() == "green"
    assert worst("yellow", "green") == "yellow"
    assert worst("yellow", "red", "green") == "red"
    with pytest.raises(ValueError):
        worst("blue")


# ---------------------------------------------------------------- configuration storage


def test_rules_round_trip_through_json():
    rules = LightRules(red_pace_below=D("0.6"), red_problem_level="提级", red_no_contact_weeks=None)
    data = json.loads(json.dumps(rules.to_dict(), ensure_ascii=False))
    assert data["red_pace_below"] == "0.6"
    assert data["red_problem_level"] == "提级"
    assert LightRules.from_dict(data) == rules
    assert LightRules.from_dict({}) == LightRules()
    assert LightRules.from_dict({"red_pace_below": "0.65"}).red_pace_below == D("0.65")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"colour": "red"}, "未知的亮灯规则参数"),
        ({"red_pace_below": "0.95"}, "阈值"),  # above the yellow threshold
        ({"red_pace_below": "abc"}, "数值"),
        ({"yellow_missing_reports": 3}, "不能大于"),
        ({"red_no_contact_weeks": 0}, "至少为1"),
        ({"red_missing_reports": True}, "整数"),
        ({"red_problem_level": "加急"}, "督办级别"),
        ({"red_problem_level": "无"}, "不能为"),
        ({"yellow_problem_overdue": "yes"}, "true 或 false"),
    ],
)
def test_bad_rules_are_rejected(data, match):
    with pytest.raises(ValueError, match=match):
        LightRules.from_dict(data)


def test_bad_facts_are_rejected():
    with pytest.raises(ValueError):
        ProjectFacts(consecutive_missing_reports=-1)
    with pytest.raises(ValueError):
        ProjectFacts(investment_completed_ytd="abc")


# ---------------------------------------------------------------- properties

names = st.sampled_from(["规划选址", "用地预审", "环评", "能评", "施工许可", "土地出让"])
problems = st.builds(
    ProblemFact,
    title=st.sampled_from(["供电", "供水", "征地", "融资"]),
    overdue=st.booleans(),
    escalation_level=st.integers(0, 3),
)
money = st.one_of(st.none(), st.integers(0, 5000).map(D))
facts_st = st.builds(
    ProjectFacts,
    investment_completed_ytd=money,
    investment_expected_ytd=money,
    consecutive_missing_reports=st.integers(0, 5),
    overdue_procedures=st.lists(names, max_size=3).map(tuple),
    at_risk_procedures=st.lists(names, max_size=3).map(tuple),
    problems=st.lists(problems, max_size=3).map(tuple),
    weeks_without_contact=st.integers(0, 5),
    stage=st.sampled_from(["preparing", "under_construction"]),
)


@st.composite
def rules_st(draw):
    red_pace = draw(st.decimals("0", "1", places=2))
    yellow_pace = draw(st.decimals(red_pace, "1.2", places=2))

    def pair():
        red = draw(st.one_of(st.none(), st.integers(1, 5)))
        yellow = draw(st.one_of(st.none(), st.integers(1, red or 5)))
        return red, yellow

    red_missing, yellow_missing = pair()
    red_contact, yellow_contact = pair()
    return LightRules(
        red_pace_below=red_pace,
        yellow_pace_below=yellow_pace,
        red_missing_reports=red_missing,
        yellow_missing_reports=yellow_missing,
        red_problem_level=draw(st.sampled_from([None, "催办", "督办", "提级"])),
        yellow_problem_overdue=draw(st.booleans()),
        red_procedure_overdue=draw(st.booleans()),
        yellow_procedure_at_risk=draw(st.booleans()),
        red_no_contact_weeks=red_contact,
        yellow_no_contact_weeks=yellow_contact,
    )


@st.composite
def worsened(draw, facts):
    """The same project with one fact made worse."""
    kind = draw(
        st.sampled_from(
            [
                "less_investment",
                "more_expected",
                "missing",
                "contact",
                "new_problem",
                "escalate",
                "overdue_problem",
                "new_overdue",
                "new_at_risk",
                "risk_to_overdue",
            ]
        )
    )
    f = facts
    replace = dataclasses.replace
    if kind == "less_investment" and f.investment_completed_ytd is not None:
        cut = draw(st.integers(0, int(f.investment_completed_ytd)))
        return replace(f, investment_completed_ytd=f.investment_completed_ytd - cut)
    if kind == "more_expected" and f.investment_expected_ytd is not None:
        return replace(
            f, investment_expected_ytd=f.investment_expected_ytd + draw(st.integers(0, 3000))
        )
    if kind == "missing":
        return replace(
            f, consecutive_missing_reports=f.consecutive_missing_reports + draw(st.integers(1, 3))
        )
    if kind == "contact":
        return replace(f, weeks_without_contact=f.weeks_without_contact + draw(st.integers(1, 3)))
    if kind == "new_problem":
        return replace(f, problems=f.problems + (draw(problems),))
    if kind in ("escalate", "overdue_problem") and f.problems:
        i = draw(st.integers(0, len(f.problems) - 1))
        p = f.problems[i]
        if kind == "escalate":
            p = replace(p, escalation_level=draw(st.integers(p.escalation_level, 3)))
        else:
            p = replace(p, overdue=True)
        return replace(f, problems=f.problems[:i] + (p,) + f.problems[i + 1 :])
    if kind == "new_overdue":
        return replace(f, overdue_procedures=f.overdue_procedures + (draw(names),))
    if kind == "new_at_risk":
        return replace(f, at_risk_procedures=f.at_risk_procedures + (draw(names),))
    if kind == "risk_to_overdue" and f.at_risk_procedures:
        i = draw(st.integers(0, len(f.at_risk_procedures) - 1))
        return replace(
            f,
            at_risk_procedures=f.at_risk_procedures[:i] + f.at_risk_procedures[i + 1 :],
            overdue_procedures=f.overdue_procedures + (f.at_risk_procedures[i],),
        )
    return f


@given(data=st.data(), facts=facts_st, rules=rules_st())
def test_a_worse_fact_never_improves_the_colour(data, facts, rules):
    worse = data.draw(worsened(facts))
    assert SEVERITY[evaluate(worse, rules).color] >= SEVERITY[evaluate(facts, rules).color]


@given(facts=facts_st, rules=rules_st())
def test_colour_is_the_worst_reason_and_green_iff_no_reasons(facts, rules):
    light = evaluate(facts, rules)
    assert (light.color == "green") == (light.reasons == ())
    assert light.color == worst(*(r.color for r in light.reasons))
    severities = [SEVERITY[r.color] for r in light.reasons]
    assert severities == sorted(severities, reverse=True)  # reds first
    assert all(r.color in ("red", "yellow") and r.message for r in light.reasons)


@given(rules=rules_st())
def test_rules_round_trip_property(rules):
    assert LightRules.from_dict(json.loads(json.dumps(rules.to_dict()))) == rules


def test_effective_colour_is_the_override_when_there_is_one():
    from diaodu.engine.lights import ESCALATION_LEVELS, effective_color

    assert effective_color("green", "red") == "red"
    assert effective_color("red", "") == "red"
    assert effective_color("yellow", None) == "yellow"
    assert ESCALATION_LEVELS == {"无": 0, "催办": 1, "督办": 2, "提级": 3}
