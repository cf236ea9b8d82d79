"""What a ledger read returns: rows, messages and the file-level error."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------


class LedgerFormatError(Exception):
    """The file as a whole cannot be read; ``str(e)`` is a Chinese message for the user."""


@dataclass
class RowMessage:
    """One message about the ledger: ``row`` is the Excel row (1-based), 0 for the file."""

    row: int
    level: str  # 'error' | 'warning' | 'info'
    message: str
    field: str | None = None


@dataclass
class LedgerRow:
    """A project row: its Excel row number, the section it sits in, data and messages."""

    row: int
    section: str | None
    data: dict[str, Any] = field(default_factory=dict)
    messages: list[RowMessage] = field(default_factory=list)
    # fields whose cell says “（清空）”: the stored value is to be cleared (a blank cell, left
    # out of ``data``, means "no change")
    cleared: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(m.level == "error" for m in self.messages)


@dataclass
class LedgerReadResult:
    """Everything :func:`read_ledger` found."""

    rows: list[LedgerRow]
    messages: list[RowMessage]
    columns: dict[str, str]
    unit_label: str | None = None
    title: str | None = None
    sheet_name: str | None = None

    @property
    def has_errors(self) -> bool:
        return any(r.has_errors for r in self.rows) or any(
            m.level == "error" for m in self.messages
        )
