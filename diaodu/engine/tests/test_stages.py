"""Every legal and illegal stage move of the pipeline."""

from datetime import date

import pytest

from diaodu.engine import stages as S

TODAY = date(2026, 11, 20)
LAST = date(2026, 3, 1)

LEGAL = [(a, b) for a in S.MAIN_LINE for b in S.allowed_targets(a)]


def test_forward_line_is_complete():
    for a, b in zip(S.MAIN_LINE, S.MAIN_LINE[1:]):
        assert b in S.allowed_targets(a)


@pytest.mark.parametrize("current, target", LEGAL)
def test_every_legal_move(current, target):
    reason = "资金未落实" if target in S.SIDE else ""
    move = S.check(current, target, date(2026, 5, 1), last_move_on=LAST, today=TODAY, reason=reason)
    assert (move.from_stage, move.to_stage) == (current, target)


ILLEGAL = [(a, b) for a in S.MAIN_LINE for b in S.ALL if b != a and b not in S.allowed_targets(a)]


@pytest.mark.parametrize("current, target", ILLEGAL)
def test_every_illegal_move_is_refused(current, target):
    with pytest.raises(S.TransitionError) as exc:
        S.check(current, target, date(2026, 5, 1), last_move_on=LAST, today=TODAY, reason="x")
    assert "不能从" in str(exc.value)


def test_skips_and_backwards_refused():
    with pytest.raises(S.TransitionError):
        S.check("signed", "under_construction", date(2026, 5, 1), last_move_on=LAST, today=TODAY)
    with pytest.raises(S.TransitionError):
        S.check("under_construction", "preparing", date(2026, 5, 1), last_move_on=LAST, today=TODAY)
    assert (
        S.check("lead", "signed", date(2026, 5, 1), last_move_on=None, today=TODAY).to_stage
        == "signed"
    )


def test_date_rules():
    with pytest.raises(S.TransitionError, match="早于上一次"):
        S.check(
            "preparing", "under_construction", date(2026, 2, 28), last_move_on=LAST, today=TODAY
        )
    assert S.check("preparing", "under_construction", LAST, last_move_on=LAST, today=TODAY)
    with pytest.raises(S.TransitionError, match="晚于今天"):
        S.check(
            "preparing", "under_construction", date(2026, 11, 21), last_move_on=LAST, today=TODAY
        )


def test_side_exits_need_reason_and_resume_where_left():
    with pytest.raises(S.TransitionError, match="原因"):
        S.check(
            "preparing", "suspended", date(2026, 5, 1), last_move_on=LAST, today=TODAY, reason=" "
        )
    assert S.allowed_targets("suspended", "preparing") == ["preparing", "dropped"]
    assert S.allowed_targets("dropped", "signed") == ["signed"]
    move = S.check(
        "suspended",
        "preparing",
        date(2026, 6, 1),
        last_move_on=LAST,
        today=TODAY,
        resume_stage="preparing",
    )
    assert move.resumed_to == "preparing"
    with pytest.raises(S.TransitionError):
        S.check(
            "suspended",
            "under_construction",
            date(2026, 6, 1),
            last_move_on=LAST,
            today=TODAY,
            resume_stage="preparing",
        )
    with pytest.raises(S.TransitionError):
        S.check(
            "at_capacity", "suspended", date(2026, 6, 1), last_move_on=LAST, today=TODAY, reason="x"
        )


def test_unknown_stage():
    with pytest.raises(S.TransitionError, match="未知"):
        S.check("lead", "flying", date(2026, 5, 1), last_move_on=None, today=TODAY)


@pytest.mark.parametrize(
    "text, stage",
    [
        ("施工中", "under_construction"),
        ("在施", "under_construction"),
        ("已开工", "under_construction"),
        ("开工建设", "under_construction"),
        ("在建阶段", "under_construction"),
        ("续建", "under_construction"),
        ("（正在施工）", "under_construction"),
        ("已投产", "operating"),
        ("试生产", "operating"),
        ("已竣工", "completed"),
        ("完工", "completed"),
        ("洽谈中", "negotiating"),
        ("已签约", "signed"),
        ("前期手续办理中", "preparing"),
        ("拟开工", "preparing"),
        ("停工", "suspended"),
        ("达产", "at_capacity"),
        ("在建", "under_construction"),
        ("线索", "lead"),
    ],
)
def test_ledger_wordings_map_to_stages(text, stage):
    assert S.parse_stage(text) == stage


def test_unknown_wording_is_none():
    assert S.parse_stage("看情况") is None and S.parse_stage("") is None
