"""Evidence of a problem's 办结 (批复, photos, scans): checked by content and size before anything
is stored, saved next to the move's event, audited; removed from storage if the write fails."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from diaodu import clock, uploads
from diaodu.audit.services import record
from diaodu.engine import cleaning
from diaodu.engine.cleaning import CleaningError, Errors
from diaodu.engine.uploads import check_document
from diaodu.supervision.models import EvidenceKind, Problem, ProblemAttachment, ProblemEvent

from .common import _name, _user

MAX_FILES = 10


def check_evidence(files, kind: str, note: str) -> tuple[list[tuple], str, str]:
    """The uploads, their kind and note, checked before anything is stored: every bad file is
    named, and a note (what the files prove, e.g. the 批复's number) is required with them."""
    files = [f for f in (files or []) if f is not None]
    errors = Errors()
    note = errors.take(cleaning.text, note, "佐证说明", field="evidence_note", max_length=300) or ""
    if not files:
        errors.raise_if_any(ValidationError)
        return [], kind or "", note
    if kind not in EvidenceKind.values:
        errors.add("evidence_kind", "请选择附件类别（批复、照片、扫描件或其他）。")
    if not note:
        errors.add("evidence_note", "上传附件时请填写佐证说明（如批复文号、照片内容）。")
    if len(files) > MAX_FILES:
        errors.add("files", f"一次最多上传 {MAX_FILES} 个附件（收到 {len(files)} 个）。")
    checked, bad = [], []
    for f in files[:MAX_FILES]:
        try:
            _ext, content_type = check_document(
                getattr(f, "name", ""), f.size, f, max_bytes=uploads.max_bytes()
            )
        except CleaningError as exc:
            bad.append(exc.message)
        else:
            checked.append((f, content_type))
    if bad:
        errors.add("files", "".join(bad))
    errors.raise_if_any(ValidationError)
    return checked, kind, note


def store_evidence(by, problem: Problem, event: ProblemEvent, checked, kind, note) -> list:
    """Save checked uploads (after the move): removed from storage again if the write fails."""
    saved, names = [], []
    try:
        for upload, content_type in checked:
            att = ProblemAttachment(
                problem=problem,
                event=event,
                kind=kind,
                note=note,
                original_name=(upload.name or "")[-200:],
                size=upload.size,
                content_type=content_type,
                uploaded_by=_user(by),
                uploaded_by_name=_name(by),
                uploaded_at=clock.now(),
            )
            att.file.save(upload.name, upload, save=False)
            names.append(att.file.name)
            att.save()
            saved.append(att)
        if saved:
            record(
                "problem.evidence",
                problem,
                after={
                    "kind": EvidenceKind(kind).label,
                    "note": note,
                    "files": [a.original_name for a in saved],
                    "stored": names,
                },
                only_changes=False,
            )
    except Exception:
        for name in names:
            ProblemAttachment.file.field.storage.delete(name)
        raise
    return saved
