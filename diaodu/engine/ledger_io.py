"""``ledger_io`` (DESIGN.md): reading messy Excel ledgers and writing them back.

The code lives in the package :mod:`diaodu.engine.ledger` (values, headers, container, sheet,
reader, writer); this module is the name DESIGN.md gives it, with the same public names."""

from __future__ import annotations

from diaodu.engine.ledger import *  # noqa: F403
from diaodu.engine.ledger import __all__  # noqa: F401
