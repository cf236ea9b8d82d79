"""Uploaded documents (批复, scans, photos, office files): judged by their content, not by their
name or what the browser claims (pure Python).

:func:`check_document` reads a file-like object and returns its extension and content type, or
raises :class:`~diaodu.engine.cleaning.CleaningError` with a Chinese message naming the file.
The size limit is the caller's (``diaodu.uploads.max_bytes()``, the platform's one upload
setting); a size over it is never rounded down onto it (10 MiB + 9 bytes is "10.01 MB").
"""

from __future__ import annotations

import zipfile
from typing import BinaryIO

from diaodu.engine.cleaning import CleaningError
from diaodu.engine.xlsx import size_text

__all__ = ["DOCUMENTS", "check_document"]

# extension → (content type, magic bytes at the start, or a member a zip container must hold)
DOCUMENTS: dict[str, tuple[str, bytes | str]] = {
    "pdf": ("application/pdf", b"%PDF"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "word/document.xml",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xl/workbook.xml",
    ),
}


def check_document(
    name: str, size: int, fh: BinaryIO, *, max_bytes: int, field: str = "files"
) -> tuple[str, str]:
    """(extension, content type) of an acceptable document; CleaningError naming the file."""
    name = name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in DOCUMENTS:
        raise CleaningError(
            field, f"文件“{name}”的类型不支持：只能上传 PDF、JPG、PNG、DOCX、XLSX。"
        )
    if size > max_bytes:
        raise CleaningError(
            field, f"文件“{name}”超过 {size_text(max_bytes)}（{size_text(size)}）。"
        )
    if size == 0:
        raise CleaningError(field, f"文件“{name}”是空文件。")
    content_type, magic = DOCUMENTS[ext]
    fh.seek(0)
    if isinstance(magic, bytes):
        ok = fh.read(len(magic)) == magic
    else:
        try:
            with zipfile.ZipFile(fh) as z:
                ok = magic in z.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            ok = False
    fh.seek(0)
    if not ok:
        raise CleaningError(field, f"文件“{name}”的内容与扩展名 .{ext} 不符。")
    return ext, content_type
