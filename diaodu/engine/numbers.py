"""Numbers for the rule engines: every rule takes Decimal, never float arithmetic.

The conversion itself lives in :mod:`diaodu.engine.cleaning` (the one cleaning module);
``to_decimal`` is its name in the rules.
"""

from __future__ import annotations

from diaodu.engine.cleaning import strict_decimal as to_decimal

__all__ = ["to_decimal"]
