"""Percentages on neighbouring cards read alike: always two decimals."""

from decimal import Decimal

from diaodu.targets.templatetags.targets_tags import pct


def test_percentages_keep_two_decimals():
    assert pct(Decimal("0.78")) == "78.00%"
    assert pct(Decimal("0.590123")) == "59.01%"
    assert pct(Decimal("3.6667")) == "366.67%"
    assert pct(None) == "—"
