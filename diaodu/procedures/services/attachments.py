"""Attachments of procedure items: upload checks, add, delete."""

from __future__ import annotations

import zipfile

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu import uploads
from diaodu.audit.services import record
from diaodu.procedures.models import (
    ProcedureAttachment,
    ProjectProcedure,
)

from .chains import _ref, check_item_write
from .common import _actor

# ================================================================ attachments
ALLOWED_FILES = {
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


def check_upload(upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload; ValidationError otherwise. The type is
    judged by the file's content, not by what the browser says."""
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_FILES:
        raise ValidationError(
            {"file": f"文件“{name}”的类型不支持：只能上传 PDF、JPG、PNG、DOCX、XLSX。"}
        )
    if uploads.over_limit(upload):
        raise ValidationError(
            {
                "file": f"文件“{name}”超过 {uploads.limit_text()}"
                f"（{uploads.size_text(upload.size)}）。"
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": f"文件“{name}”是空文件。"})
    content_type, magic = ALLOWED_FILES[ext]
    upload.seek(0)
    ok = False
    if isinstance(magic, bytes):
        ok = upload.read(len(magic)) == magic
    else:
        try:
            with zipfile.ZipFile(upload) as z:
                ok = magic in z.namelist()
        except (zipfile.BadZipFile, OSError):
            ok = False
    upload.seek(0)
    if not ok:
        raise ValidationError({"file": f"文件“{name}”的内容与扩展名 .{ext} 不符。"})
    return ext, content_type


@transaction.atomic
def add_attachment(by, item: ProjectProcedure, upload) -> ProcedureAttachment:
    check_item_write(by, item)
    _ext, content_type = check_upload(upload)
    att = ProcedureAttachment(
        item=item,
        original_name=(upload.name or "")[-200:],
        size=upload.size,
        content_type=content_type,
        uploaded_by=_actor(by),
    )
    att.file.save(upload.name, upload, save=False)
    name = att.file.name
    try:
        att.save()
        record(
            "procedures.attachment_add",
            _ref(item),
            after={"file": att.original_name, "size": att.size, "stored": name},
            only_changes=False,
        )
    except Exception:
        att.file.storage.delete(name)
        raise
    return att


@transaction.atomic
def delete_attachment(by, att: ProcedureAttachment) -> None:
    item = att.item
    check_item_write(by, item)
    record(
        "procedures.attachment_delete",
        _ref(item),
        before={"file": att.original_name, "stored": att.file.name},
        only_changes=False,
    )
    storage, name = att.file.storage, att.file.name
    att.delete()
    transaction.on_commit(lambda: storage.delete(name))
