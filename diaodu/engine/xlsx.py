"""Reading and writing .xlsx files safely: the one opener every import goes through, and the one
cell writer every export goes through.

Opening (`open_workbook`): a file a person uploads is read with a byte limit, refused when it is an
old .xls, not a zip, or a zip bomb (too many entries, too large once unpacked, a suspicious
compression ratio) or not a workbook at all — before openpyxl parses a single byte of XML. Every
refusal is an :class:`XlsxError` with a Chinese message for the person. The byte limit is a
parameter: the Django side passes the installation's upload limit (``DIAODU_UPLOAD_MAX_MB``).

Writing:

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

import io
import math
import os
import warnings
import zipfile
from collections.abc import Iterable
from typing import Any

import openpyxl
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


# ---------------------------------------------------------------- opening
MB = 1024 * 1024
DEFAULT_MAX_BYTES = 100 * MB  # callers pass the installation's upload limit
MAX_UNCOMPRESSED_BYTES = 200 * MB
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 5 * MB
MAX_ZIP_MEMBERS = 10_000
INVALID_XLSX = "文件不是有效的 Excel（.xlsx）文件"


class XlsxError(ValueError):
    """The file cannot be opened as a workbook; ``str(e)`` is a Chinese message for the person."""


def size_text(n: int) -> str:
    """A size in MB, never rounded down onto a limit: 10 MiB is "10 MB", 10 MiB + 9 bytes is
    "10.01 MB"."""
    mb = math.ceil(n * 100 / MB) / 100
    return f"{mb:.2f} MB".replace(".00 MB", " MB")


def read_bytes(source: Any, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of *source* (a path, bytes or a binary file-like object), at most *max_bytes*."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise XlsxError(f"无法读取文件“{os.fspath(source)}”：{exc.strerror or exc}") from exc
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        if isinstance(data, str):
            raise XlsxError(INVALID_XLSX + "（应以二进制方式打开）")
        data = bytes(data)
    else:
        raise TypeError("source 应为文件路径、bytes 或二进制文件对象")
    if len(data) > max_bytes:
        raise XlsxError(f"文件过大（超过 {size_text(max_bytes)}）")
    return data


def check_container(data: bytes) -> None:
    """Refuse what is not an .xlsx workbook, and zip bombs, before openpyxl sees the bytes."""
    if not data:
        raise XlsxError("文件为空")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise XlsxError(
            INVALID_XLSX
            + "：这是旧版 Excel（.xls）或其他 Office 97-2003 文件，请在 Excel 中另存为 .xlsx 后再导入"
        )
    if not data.startswith(b"PK"):
        raise XlsxError(INVALID_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise XlsxError(INVALID_XLSX + "（文件已损坏）") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise XlsxError(INVALID_XLSX + "：压缩包内文件数量异常，已拒绝")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise XlsxError(
            f"文件解压后过大（超过 {MAX_UNCOMPRESSED_BYTES // MB} MB），疑似压缩炸弹，已拒绝"
        )
    for info in infos:
        if info.file_size >= RATIO_CHECK_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise XlsxError(
                    f"文件压缩比异常（{info.filename} 约 {ratio:.0f} 倍），疑似压缩炸弹，已拒绝"
                )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise XlsxError(INVALID_XLSX + "（不是 Excel 工作簿）")


def load_checked(data: bytes, *, read_only: bool = False, data_only: bool = True):
    """openpyxl's workbook from bytes that passed :func:`check_container`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(
                io.BytesIO(data), read_only=read_only, data_only=data_only
            )
    except Exception as exc:  # openpyxl raises many types for broken files
        raise XlsxError(INVALID_XLSX + "（文件已损坏或格式不受支持）") from exc


def open_workbook(
    source: Any,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    read_only: bool = False,
    data_only: bool = True,
):
    """Open an uploaded .xlsx safely: byte limit, container and zip-bomb checks, then openpyxl.
    Raises :class:`XlsxError` (Chinese message) for anything that is not a usable workbook."""
    data = read_bytes(source, max_bytes=max_bytes)
    check_container(data)
    return load_checked(data, read_only=read_only, data_only=data_only)
