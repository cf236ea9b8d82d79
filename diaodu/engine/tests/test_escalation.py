"""escalation: working days past the deadline → 催办 / 督办 / 提级."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diaodu.engine.escalation import DEFAULT, LEVEL_LABELS, Ladder, level_for


@pytest.mark.parametrize(
    ("late", "level"), [(-3, 0), (0, 0), (1, 1), (2, 1), (3, 2), (7, 2), (8, 3), (40, 3)]
)
def test_default_ladder(late, level):
    assert DEFAULT.level(late) == level
    assert level_for(late) == level


def test_labels_and_defaults_are_written_once():
    assert DEFAULT.thresholds == (1, 3, 8)
    assert [DEFAULT.label(n) for n in range(4)] == ["", "催办", "督办", "提级"]
    assert DEFAULT.label(9) == "" and DEFAULT.top == 3 and LEVEL_LABELS[2] == "督办"


def test_a_zone_ladder_and_missing_thresholds():
    assert Ladder.of(2, 5, 10).level(5) == 2
    assert Ladder.of(2, None, None).thresholds == (2, 3, 8)
    assert level_for(4, (2, 2, 4)) == 3


@pytest.mark.parametrize("bad", [(), (0, 3, 8), (3, 1, 8), (1, 3)])
def test_bad_ladders(bad):
    with pytest.raises(ValueError):
        Ladder(bad)


@settings(deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=60), min_size=3, max_size=3).map(sorted),
    st.integers(min_value=-10, max_value=200),
    st.integers(min_value=0, max_value=50),
)
def test_level_never_goes_down_as_days_pass(thresholds, late, more):
    ladder = Ladder(tuple(thresholds))
    assert 0 <= ladder.level(late) <= ladder.level(late + more) <= 3
