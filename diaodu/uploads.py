"""The one upload-size limit of the installation (``DIAODU_UPLOAD_MAX_MB``) and the safe .xlsx
opener with that limit, for every page, service and API that accepts a file.

Photos, attachments, scans and Excel imports all ask :func:`max_bytes`; the engine's opener
(:func:`diaodu.engine.xlsx.open_workbook`) takes the limit as a parameter because the engine
imports no Django.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from diaodu.engine import xlsx
from diaodu.engine.xlsx import MB, XlsxError, size_text

__all__ = ["XlsxError", "limit_text", "max_bytes", "open_xlsx", "over_limit", "size_text"]


def max_bytes() -> int:
    """The largest file accepted, in bytes (read at call time: tests and deployments set it)."""
    return int(settings.UPLOAD_MAX_MB) * MB


def limit_text() -> str:
    """The limit as people read it: "30 MB"."""
    return f"{int(settings.UPLOAD_MAX_MB)} MB"


def over_limit(upload: Any) -> bool:
    """True when an uploaded file is larger than the limit (an unknown size is not)."""
    size = getattr(upload, "size", None)
    return size is not None and size > max_bytes()


def open_xlsx(source: Any, *, read_only: bool = False, data_only: bool = True):
    """:func:`diaodu.engine.xlsx.open_workbook` with the installation's upload limit.
    Raises :class:`XlsxError` with a Chinese message."""
    if hasattr(source, "seek"):
        source.seek(0)
    return xlsx.open_workbook(
        source, max_bytes=max_bytes(), read_only=read_only, data_only=data_only
    )
