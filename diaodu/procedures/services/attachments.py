"""Attachments of procedure items: upload checks, add, delete."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu import uploads
from diaodu.audit.services import record
from diaodu.engine.cleaning import CleaningError
from diaodu.engine.uploads import DOCUMENTS as ALLOWED_FILES
from diaodu.engine.uploads import check_document
from diaodu.procedures.models import (
    ProcedureAttachment,
    ProjectProcedure,
)

from .chains import _ref, check_item_write
from .common import _actor

# ================================================================ attachments
__all__ = ["ALLOWED_FILES", "add_attachment", "check_upload", "delete_attachment"]


def check_upload(upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload; ValidationError otherwise. The type is
    judged by the file's content (engine.uploads), the size by the installation's one limit."""
    try:
        return check_document(
            getattr(upload, "name", "") or "",
            upload.size,
            upload,
            max_bytes=uploads.max_bytes(),
            field="file",
        )
    except CleaningError as exc:
        raise ValidationError(exc.as_dict()) from None


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
