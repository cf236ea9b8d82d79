"""Read and write Excel project ledgers (重点项目台账) as zone offices keep them.

Pure Python (openpyxl + zhconv), no Django.  The Django side calls:

* :func:`read_ledger` – reads an ``.xlsx`` ledger *without a template*: it finds the
  header by scoring rows against a vocabulary of known column names (one- or two-row
  headers, merged cells, full-width brackets, Traditional characters…), follows section
  rows (“一、新开工项目”), skips and checks 小计/合计 rows, skips footnotes, and turns
  every project row into a dict of canonical fields (amounts as ``Decimal`` 万元, dates as
  ``datetime.date``).  Problems are reported as Chinese messages naming the row (第N行)
  and the column; the read never stops on a bad cell.
* :func:`write_ledger` – writes the same office layout back (title, 填报单位 line, a
  two-level header, sections with 小计, a final 合计).  ``read_ledger(write_ledger(rows))``
  gives back the same data.

Data dicts only carry the keys whose cells are non-empty; ``LedgerReadResult.columns``
tells which columns the sheet has (so an empty cell can be told from a missing column).
A blank cell means "no change" to whoever stores the row: a cell that says “（清空）”
(:data:`CLEAR_MARKER`) is listed in ``LedgerRow.cleared`` instead, to clear the value.
A date known only to the month (or year) is stored as the 1st of that month (January 1st)
with ``data[f"{key}_precision"] = "month"`` (``"year"``).

The package is split by topic: ``vocabulary`` (fields and labels), ``results`` (what a
read returns), ``values`` (cell values), ``container`` (the safe .xlsx opener), ``sheet``
(the cell grid), ``headers`` (finding the header), ``reader`` and ``writer``.
"""

from .headers import classify_header
from .reader import read_ledger
from .results import LedgerFormatError, LedgerReadResult, LedgerRow, RowMessage
from .values import (
    CLEAR_MARKER,
    is_clear_marker,
    parse_amount,
    parse_date,
    split_people,
    validate_national_code,
)
from .vocabulary import (
    CHECKED_SUM_FIELDS,
    DATE_FIELDS,
    FIELD_LABELS,
    LEVEL_LABELS,
    MONEY_FIELDS,
    NATIONAL_CODE_RE,
    PLAN_CATEGORY_LABELS,
    TEXT_FIELDS,
    WRITTEN_SUM_FIELDS,
)
from .writer import write_ledger

__all__ = [
    "CLEAR_MARKER",
    "CHECKED_SUM_FIELDS",
    "DATE_FIELDS",
    "FIELD_LABELS",
    "LEVEL_LABELS",
    "MONEY_FIELDS",
    "NATIONAL_CODE_RE",
    "PLAN_CATEGORY_LABELS",
    "TEXT_FIELDS",
    "WRITTEN_SUM_FIELDS",
    "LedgerFormatError",
    "LedgerReadResult",
    "LedgerRow",
    "RowMessage",
    "classify_header",
    "is_clear_marker",
    "parse_amount",
    "parse_date",
    "read_ledger",
    "split_people",
    "validate_national_code",
    "write_ledger",
]
