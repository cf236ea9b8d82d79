"""The task's machine: states match the model's choices; every path of moves keeps the rules
(hypothesis): only the lead unit signs and asks to close, only the 督查室 closes, returns, suspends."""

from hypothesis import given
from hypothesis import strategies as st

from diaodu.engine.workflow import MoveError, MoveForbidden
from diaodu.tasks.flows import EXTENSION, LADDER, TASK
from diaodu.tasks.models import TaskStatus

LEAD = {"keys": set(), "checks": {"lead": True}}
OFFICE = {"keys": {"tasks.manage"}, "checks": {"lead": False}}
OTHER = {"keys": {"tasks.view", "tasks.handle"}, "checks": {"lead": False}}
ACTORS = {"lead": LEAD, "office": OFFICE, "other": OTHER}
FIELDS = {"summary": "已完成", "reason": "理由"}


def test_states_match_the_model():
    assert dict(TASK.states) == {k: str(v) for k, v in TaskStatus.choices}


def test_ladder_labels_and_thresholds_are_the_shared_ones():
    from diaodu.engine import escalation

    assert LADDER.thresholds == escalation.DEFAULT.thresholds
    assert [LADDER.label(i) for i in range(4)] == ["", "催办", "督办", "专项督办"]


@given(
    st.lists(
        st.tuples(st.sampled_from([m.name for m in TASK.moves]), st.sampled_from(list(ACTORS))),
        max_size=30,
    )
)
def test_every_path_keeps_the_rules(steps):
    state = "pending"
    for move, who in steps:
        actor = ACTORS[who]
        try:
            new = TASK.move(state, move, actor["keys"], FIELDS, checks=actor["checks"])
        except MoveForbidden:
            assert (
                who == "other"
                or (who == "lead" and move in {"approve_done", "return", "suspend", "resume"})
                or (who == "office" and move in {"sign", "request_done"})
            )
            continue
        except MoveError:
            assert state not in TASK[move].sources
            continue
        assert state in TASK[move].sources
        if move in {"sign", "request_done"}:
            assert who == "lead"
        else:
            assert who == "office"
        if new == "done":
            assert state == "requested"
        state = new
    assert state in TASK.states


def test_done_is_final_and_required_fields_are_named():
    assert TASK.moves_from("done") == []
    try:
        TASK.move("in_progress", "request_done", (), {}, checks={"lead": True})
    except MoveError as exc:
        assert exc.field == "summary" and "办结情况" in exc.message
    else:  # pragma: no cover
        raise AssertionError
    assert (
        EXTENSION.move(
            "none", "request_extension", (), {"new_due": 1, "reason": "x"}, checks={"lead": True}
        )
        == "pending"
    )
