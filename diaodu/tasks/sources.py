"""The text of a source document (来源文件): .txt (UTF-8 or GB18030) or .docx.

Each failure is a ``SourceError`` with a Chinese message naming the file; nothing is written.
"""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

from diaodu.engine.taskextract import Gazetteer

__all__ = ["SourceError", "gazetteer_for", "read_text", "text_of"]

MAX_BYTES = 20 * 1024 * 1024


class SourceError(ValueError):
    """A source document that cannot be read, with a Chinese message."""


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise SourceError(f"文件“{name}”含有 NUL 字节，不是文本文件。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SourceError(f"文件“{name}”的编码无法识别（需要 UTF-8 或 GB18030 文本）。")
    return text


def _check_text(text: str, name: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SourceError(f"文件“{name}”没有文字内容。")
    control = sum(
        1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cs") and ch not in "\n\t"
    )
    if "\ufffd" in text or control > max(2, len(text) // 200):
        raise SourceError(f"文件“{name}”含有无法识别的二进制内容，不是文本文件。")
    return text


def _docx_text(path, name: str = "") -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    name = name or Path(str(path)).name
    try:
        doc = Document(path if not isinstance(path, Path) else str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, PackageNotFoundError, XMLSyntaxError) as exc:
        raise SourceError(f"文件“{name}”不是有效的 Word（.docx）文件：{exc}") from None
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def read_text(path: str | Path) -> str:
    """The text of the document at *path* (line breaks as ``\\n``)."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"文件不存在：{path}")
    if path.stat().st_size > MAX_BYTES:
        raise SourceError(f"文件“{path.name}”超过 {MAX_BYTES // 1024 // 1024} MB。")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _check_text(_docx_text(path), path.name)
    if suffix in (".txt", ".text", ""):
        return _check_text(_decode(path.read_bytes(), path.name), path.name)
    raise SourceError(f"文件“{path.name}”的类型不受支持：只能读取 .txt 与 .docx。")


def text_of(data: bytes, name: str) -> str:
    """The text of an uploaded document's bytes (*name* gives the type: .txt or .docx)."""
    import io

    if len(data) > MAX_BYTES:
        raise SourceError(f"文件“{name}”超过 {MAX_BYTES // 1024 // 1024} MB。")
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        return _check_text(_docx_text(io.BytesIO(data), name), name)
    if suffix in (".txt", ".text"):
        return _check_text(_decode(data, name), name)
    raise SourceError(f"文件“{name}”的类型不受支持：只能读取 .txt 与 .docx。")


def gazetteer_for(unit) -> Gazetteer:
    """The gazetteer of *unit*'s active subtree: names, short names and the aliases clerks
    mapped in this zone (UnitAlias)."""
    from diaodu.org.models import Unit
    from diaodu.tasks.models import UnitAlias

    known: dict[int, list[str]] = {}
    for a in UnitAlias.objects.filter(zone=unit).values("unit_id", "alias"):
        known.setdefault(a["unit_id"], []).append(a["alias"])
    entries = [
        {
            "code": u.code,
            "name": u.name,
            "short_name": u.short_name,
            "aliases": known.get(u.pk, []),
        }
        for u in Unit.objects.subtree(unit).active().order_by("path")
    ]
    return Gazetteer(entries)
