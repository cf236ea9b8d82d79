"""The safe .xlsx opener: read the bytes, reject non-xlsx files and zip bombs, load."""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from typing import Any

import openpyxl

from .results import LedgerFormatError

# Limits (module level so that a deployment or a test can tune them).
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 5 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------

_INVALID_XLSX = "文件不是有效的 Excel（.xlsx）文件"


def _read_source(source: Any) -> bytes:
    """Return the bytes of *source* (path, bytes or binary file-like)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise LedgerFormatError(
                f"无法读取文件“{os.fspath(source)}”：{exc.strerror or exc}"
            ) from exc
    elif hasattr(source, "read"):
        data = source.read(MAX_FILE_BYTES + 1)
        if isinstance(data, str):
            raise LedgerFormatError(_INVALID_XLSX + "（应以二进制方式打开）")
        data = bytes(data)
    else:
        raise TypeError("source 应为文件路径、bytes 或二进制文件对象")
    if len(data) > MAX_FILE_BYTES:
        raise LedgerFormatError(f"文件过大（超过 {MAX_FILE_BYTES // (1024 * 1024)} MB）")
    return data


def _check_container(data: bytes) -> None:
    """Reject non-xlsx files and zip bombs before openpyxl sees them."""
    if not data:
        raise LedgerFormatError("文件为空")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerFormatError(
            _INVALID_XLSX
            + "：这是旧版 Excel（.xls）或其他 Office 97-2003 文件，请在 Excel 中另存为 .xlsx 后再导入"
        )
    if not data.startswith(b"PK"):
        raise LedgerFormatError(_INVALID_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise LedgerFormatError(_INVALID_XLSX + "（文件已损坏）") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise LedgerFormatError(_INVALID_XLSX + "：压缩包内文件数量异常，已拒绝")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise LedgerFormatError(
            f"文件解压后过大（超过 {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB），疑似压缩炸弹，已拒绝"
        )
    for info in infos:
        if info.file_size >= RATIO_CHECK_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise LedgerFormatError(
                    f"文件压缩比异常（{info.filename} 约 {ratio:.0f} 倍），疑似压缩炸弹，已拒绝"
                )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise LedgerFormatError(_INVALID_XLSX + "（不是 Excel 工作簿）")


def _load_workbook(data: bytes):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except LedgerFormatError:
        raise
    except Exception as exc:  # openpyxl raises many types for broken files
        raise LedgerFormatError(_INVALID_XLSX + "（文件已损坏或格式不受支持）") from exc
