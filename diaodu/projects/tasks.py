"""Background work of the ledger: Excel imports with progress (their lease and recovery are in
jobs.py)."""

from __future__ import annotations

import time

from django.core.cache import cache
from django_tasks import task

from diaodu.audit.context import acting_as
from diaodu.projects import jobs
from diaodu.projects.models import ImportJob


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def live_progress(job: ImportJob) -> ImportJob:
    """Fill the job's phase/done/total from the cache while it runs. When the cache has nothing
    (Redis away, or another machine's file cache) the row's own progress stays: on PostgreSQL
    the running job copies its progress there every few seconds."""
    if job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING):
        data = cache.get(progress_key(job.pk))
        if data and data.get("done", 0) >= job.done:
            job.phase, job.done, job.total = data["phase"], data["done"], data["total"]
    return job


def run_job(job_id: int) -> None:
    """Run one import job: claim it, keep its lease while the import runs, record its end."""
    from diaodu.ops.faults import describe, transient_errors
    from diaodu.ops.leases import process_token

    token = process_token()
    job = jobs.claim(job_id, token)
    if job is None:
        return  # another worker has it, or it has ended (a task delivered twice)
    keeper = jobs.LeaseKeeper(job, token)
    if jobs.keeps_lease_in_thread():
        keeper.start()
    last = [0.0]

    def progress(phase, done, total):
        # The import runs in one database transaction (all or nothing), so its progress cannot be
        # written to the job row by this connection; it goes to the shared cache, and the lease
        # keeper copies it to the row from its own connection.
        keeper.progress = {"phase": phase[:40], "done": done, "total": total}
        now = time.monotonic()
        if now - last[0] > 0.3 or done == total:
            last[0] = now
            cache.set(progress_key(job.pk), {"phase": phase, "done": done, "total": total}, 3600)

    from diaodu.projects.services import import_ledger

    try:
        with acting_as(job.user, channel="task", request_id=jobs.request_id(job)):
            report = import_ledger(
                job.user,
                job.unit,
                stored_ledger(job.file_path),
                dry_run=job.dry_run,
                skip_errors=job.skip_errors,
                progress=progress,
            )
    except transient_errors() as exc:  # the database or Redis went away: nothing was written
        keeper.stop()
        jobs.release_for_retry(job, token, f"{describe(exc)}，未写入任何数据，稍后自动重试。")
        return
    except Exception as exc:  # the job must end visibly, whatever happened
        keeper.stop()
        jobs.finish(job, token, status=ImportJob.Status.FAILED, error=f"导入失败：{exc}")
        raise
    keeper.stop()
    final = cache.get(progress_key(job.pk)) or keeper.progress or {}
    jobs.finish(
        job,
        token,
        status=ImportJob.Status.DONE,
        result=report.as_dict(),
        phase="完成",
        done=final.get("done", 0),
        total=final.get("total", 0),
        error="",
    )
    cache.delete(progress_key(job.pk))


def stored_ledger(name: str):
    """The uploaded workbook of a job: a name in the default storage (any app server's upload
    reaches any worker), or the absolute path that jobs made before the storage setting kept."""
    import io
    import os

    from django.core.files.storage import default_storage

    if os.path.isabs(name):
        return name
    with default_storage.open(name, "rb") as fh:
        return io.BytesIO(fh.read())


@task()
def import_job(job_id: int) -> None:
    run_job(job_id)
