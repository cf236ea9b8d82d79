"""Background work of the ledger: Excel imports with progress."""

from __future__ import annotations

import time

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from diaodu.audit.context import acting_as
from diaodu.projects.models import ImportJob


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def live_progress(job: ImportJob) -> ImportJob:
    """Fill the job's phase/done/total from the cache while it runs."""
    if job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
        data = cache.get(progress_key(job.pk))
        if data:
            job.phase, job.done, job.total = data["phase"], data["done"], data["total"]
    return job


def run_job(job_id: int) -> None:
    """Run one import job, writing its progress to the job row (read by the progress page)."""
    job = ImportJob.objects.select_related("user", "unit").get(pk=job_id)
    if job.status not in (ImportJob.Status.PENDING,):
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, phase="读取")
    last = [0.0]

    def progress(phase, done, total):
        # The import runs in one database transaction (all or nothing), so its progress cannot be
        # written to the job row where others would see it; it goes to the shared cache instead.
        now = time.monotonic()
        if now - last[0] > 0.3 or done == total:
            last[0] = now
            cache.set(progress_key(job.pk), {"phase": phase, "done": done, "total": total}, 3600)

    from diaodu.projects.services import import_ledger

    try:
        with acting_as(job.user, channel="task"):
            report = import_ledger(
                job.user, job.unit, job.file_path, dry_run=job.dry_run, progress=progress
            )
    except Exception as exc:  # the job must end visibly, whatever happened
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=f"导入失败：{exc}", finished_at=timezone.now()
        )
        raise
    final = cache.get(progress_key(job.pk)) or {}
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE,
        result=report.as_dict(),
        finished_at=timezone.now(),
        phase="完成",
        done=final.get("done", 0),
        total=final.get("total", 0),
    )
    cache.delete(progress_key(job.pk))


@task()
def import_job(job_id: int) -> None:
    run_job(job_id)
