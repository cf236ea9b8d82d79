"""Import jobs for web uploads: store the file, check it, confirm it in the background."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction

from diaodu.audit.services import record
from diaodu.org.models import Unit
from diaodu.org.scope import require
from diaodu.projects.models import (
    ImportJob,
)

from .validation import _check_unit

# ---------------------------------------------------------------- import jobs (web upload)
# Uploaded ledgers are kept in the default storage (DIAODU_STORAGE: a directory every app
# server shares, or an S3-compatible bucket), so that any worker of the deployment reads them.
IMPORT_DIR = "imports"


@transaction.atomic
def start_import(by, unit: Unit, upload, *, skip_errors: bool = False) -> ImportJob:
    """Store an uploaded ledger and queue its dry run (the check shown before anything is
    written). With `skip_errors` the rows with errors will be skipped, like the command's
    ``--skip-errors``."""
    require(by, "projects.import")
    _check_unit(by, unit)
    path = default_storage.save(f"{IMPORT_DIR}/{uuid.uuid4().hex}.xlsx", upload)
    try:
        job = ImportJob.objects.create(
            user=by,
            unit=unit,
            file_name=upload.name[:200],
            file_path=str(path),
            dry_run=True,
            skip_errors=skip_errors,
        )
        record(
            "ledger.import_check",
            job,
            after={"unit": unit.code, "file": job.file_name, "skip_errors": skip_errors},
            only_changes=False,
        )
        _enqueue(job)
    except BaseException:
        default_storage.delete(path)
        raise
    return job


@transaction.atomic
def confirm_import(by, checked: ImportJob) -> ImportJob:
    """Queue the real import of a file whose dry run passed (or, with skip_errors, whose
    dry run listed the rows that will be skipped)."""
    require(by, "projects.import")
    if checked.user_id != by.pk:
        raise PermissionDenied("只能确认自己上传的导入。")
    if (
        checked.status != ImportJob.Status.DONE
        or not checked.dry_run
        or not checked.result
        or (checked.result.get("errors") and not checked.skip_errors)
    ):
        raise PermissionDenied("该预检结果不能确认导入。")
    job = ImportJob.objects.create(
        user=by,
        unit=checked.unit,
        file_name=checked.file_name,
        file_path=checked.file_path,
        dry_run=False,
        skip_errors=checked.skip_errors,
    )
    record(
        "ledger.import_confirm",
        job,
        after={
            "unit": checked.unit.code,
            "file": job.file_name,
            "checked_job": checked.pk,
            "skip_errors": checked.skip_errors,
        },
        only_changes=False,
    )
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from diaodu.projects.jobs import enqueue

    enqueue(job)
