"""The ledger's side of the safe .xlsx opener (:mod:`diaodu.engine.xlsx`): the same checks, with
the ledger's own error type so that its callers catch one exception."""

from __future__ import annotations

from typing import Any

from diaodu.engine import xlsx

from .results import LedgerFormatError

MAX_FILE_BYTES = xlsx.DEFAULT_MAX_BYTES  # the default; callers pass the upload limit


def _read_source(source: Any, max_bytes: int | None = None) -> bytes:
    """Return the bytes of *source* (path, bytes or binary file-like), at most *max_bytes*."""
    try:
        return xlsx.read_bytes(source, max_bytes=max_bytes or MAX_FILE_BYTES)
    except xlsx.XlsxError as exc:
        raise LedgerFormatError(str(exc)) from exc


def _check_container(data: bytes) -> None:
    """Reject non-xlsx files and zip bombs before openpyxl sees them."""
    try:
        xlsx.check_container(data)
    except xlsx.XlsxError as exc:
        raise LedgerFormatError(str(exc)) from None


def _load_workbook(data: bytes):
    try:
        return xlsx.load_checked(data)
    except xlsx.XlsxError as exc:
        raise LedgerFormatError(str(exc)) from exc.__cause__
