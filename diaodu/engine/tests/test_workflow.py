"""workflow: a declared state machine moves, refuses and explains in Chinese."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diaodu.engine.workflow import Machine, Move, MoveError, MoveForbidden

STATES = {
    "raised": "提出",
    "assigned": "交办",
    "in_progress": "办理中",
    "resolved": "办结",
    "closed": "销号",
    "returned": "退回",
}
M = Machine(
    noun="问题",
    states=STATES,
    moves=(
        Move("assign", "交办", ("raised", "assigned"), "assigned", keys={"problems.assign"}),
        Move("start", "签收办理", ("assigned", "returned"), "in_progress", predicate="handler"),
        Move(
            "resolve",
            "办结",
            ("assigned", "in_progress", "returned"),
            "resolved",
            predicate="handler",
            required={"answer": "办结须填写办理结果。"},
            forbidden="只有责任单位可以办结此问题。",
        ),
        Move(
            "close", "销号", ("resolved",), "closed", keys={"problems.assign"}, predicate="raiser"
        ),
        Move(
            "return",
            "退回重办",
            ("resolved",),
            "returned",
            keys={"problems.assign"},
            predicate="raiser",
        ),
        Move("note", "备注", tuple(STATES), "raised"),
    ),
)


def test_moves_lead_to_their_target():
    assert M.move("raised", "assign", {"problems.assign"}) == "assigned"
    assert M.move("assigned", "start", (), checks={"handler": True}) == "in_progress"
    assert (
        M.move("in_progress", "resolve", (), {"answer": "已办"}, checks={"handler": True})
        == "resolved"
    )
    assert M.move("resolved", "close", (), checks={"raiser": True}) == "closed"
    assert M.move("resolved", "return", {"problems.assign"}) == "returned"
    assert M.move("closed", "note") == "raised"  # a move without keys or predicate: anyone


def test_wrong_state_says_what_is_possible():
    with pytest.raises(MoveError) as info:
        M.move("closed", "resolve", (), {"answer": "x"}, checks={"handler": True})
    assert info.value.field == "action"
    assert info.value.message == "问题当前为“销号”，不能办结。当前可进行：备注。"
    with pytest.raises(MoveError) as info:
        M.check("resolved", "start")
    assert (
        info.value.message == "问题当前为“办结”，不能签收办理。当前可进行：销号、退回重办、备注。"
    )


def test_unknown_move():
    with pytest.raises(MoveError) as info:
        M.move("raised", "fly")
    assert (info.value.field, info.value.message) == ("action", "未知的操作“fly”。")


def test_who_may_move_is_checked_before_the_state():
    with pytest.raises(MoveForbidden) as info:
        M.move("closed", "resolve", {"problems.assign"}, {"answer": "x"})
    assert info.value.message == "只有责任单位可以办结此问题。"
    with pytest.raises(MoveForbidden) as info:
        M.move("raised", "assign", {"problems.handle"})
    assert info.value.message == "无权交办此问题。"
    # keys or predicate: either is enough
    assert M.move("resolved", "close", {"problems.assign"}, checks={"raiser": False}) == "closed"
    with pytest.raises(MoveForbidden):
        M.move("resolved", "close", {"x"}, checks={"raiser": False})


def test_required_fields():
    with pytest.raises(MoveError) as info:
        M.move("assigned", "resolve", (), {"answer": "  "}, checks={"handler": True})
    assert (info.value.field, info.value.message) == ("answer", "办结须填写办理结果。")


def test_moves_from_filters_by_actor():
    assert [m.name for m in M.moves_from("resolved")] == ["close", "return", "note"]
    assert [m.name for m in M.moves_from("resolved", {"other"}, {"raiser": True})] == [
        "close",
        "return",
        "note",
    ]
    assert [m.name for m in M.moves_from("resolved", set())] == ["note"]
    assert M["assign"].target == "assigned" and "assign" in M and M.label("returned") == "退回"


def test_declaration_errors():
    with pytest.raises(ValueError, match="未定义的状态"):
        Machine("问题", {"a": "甲"}, (Move("m", "动", ("a",), "b"),))
    with pytest.raises(ValueError, match="重复定义"):
        Machine("问题", {"a": "甲"}, (Move("m", "动", ("a",), "a"), Move("m", "动", ("a",), "a")))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(STATES)), st.sampled_from([m.name for m in M.moves]))
def test_a_move_succeeds_exactly_from_its_sources(state, move):
    everyone = {"problems.assign"}
    checks = {"handler": True, "raiser": True}
    fields = {"answer": "已办"}
    if state in M[move].sources:
        assert M.move(state, move, everyone, fields, checks=checks) == M[move].target
    else:
        with pytest.raises(MoveError):
            M.move(state, move, everyone, fields, checks=checks)
