"""Writing .xlsx files safely: the one cell writer every export in the project goes through.

Text that a person entered (a project name, a park's note) must reach Excel as text, never as a
formula: `=HYPERLINK("http://…","点击")` in a note would otherwise become a live link or worse
in the office that opens the file (CSV/formula injection, CWE-1236). `put` writes every string as
a string cell (data type "s", so openpyxl never stores a formula) and marks text that a
spreadsheet would read as a formula when edited — starting with = + - @, a tab, or a CR/LF before
one of those — with Excel's quote prefix, so the text stays text even after someone edits the
cell. It also drops the control characters XML cannot carry and cuts at Excel's cell limit.

Pure Python (openpyxl only), no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_CELL_TEXT = 32767  # Excel's limit for one cell


def safe_text(text: str) -> str:
    """Drop the characters XML cannot carry; cut at Excel's 32,767-character cell limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_TEXT]


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet could take as a formula (leading blanks and line breaks
    included: "\\r\\n=1+1" and "  @SUM(A1)" count)."""
    return text.startswith(FORMULA_PREFIXES) or text.lstrip(" \t\r\n").startswith(
        FORMULA_PREFIXES[:4]
    )


def put(cell, value: Any):
    """Write *value* into an openpyxl cell; a string is always text, never a formula.
    Returns the cell."""
    if isinstance(value, str):
        text = safe_text(value)
        cell.value = text
        cell.data_type = "s"
        if looks_like_formula(text):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def append(ws, values: Iterable[Any]) -> int:
    """Append a row like `ws.append`, every cell written through `put`. Returns the row number."""
    values = list(values)
    ws.append([None] * len(values) if values else [None])
    row = ws.max_row
    for column, value in enumerate(values, 1):
        put(ws.cell(row=row, column=column), value)
    return row
