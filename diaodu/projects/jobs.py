"""Import jobs always end: a lease on the running job, recovery of jobs whose worker died, and
the retry a user asks for.

The life of a job: `start_import` records it (PENDING) and its task in one transaction (the task
backend's outbox keeps the task when Redis is away). A worker claims it with a conditional
UPDATE (PENDING → RUNNING, `claimed_by` = the process, `lease_until` = now + 60 s), so a task
that arrives twice runs once. While the import runs, a thread renews the lease every 5 s and
copies the progress to the row (PostgreSQL; on SQLite the import holds the only write lock, so
the lease is backed by the process itself, which lives on the same machine).

`recover()` runs on every scheduler tick. A RUNNING job whose lease expired and whose process
is gone is dead. An import is all or nothing, so a dead one wrote nothing — unless it died in
the instant after its commit, which its audit entries (tagged with the job's request id) tell.
A dead job is retried up to three attempts in all, then marked failed with a Chinese reason the
user sees, with a button to try again. A PENDING job whose task the queue lost (Redis restarted
empty) is queued again.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction
from django.db.models import F

from diaodu import clock
from diaodu.audit.models import AuditEntry
from diaodu.audit.services import record
from diaodu.ops.leases import process_alive
from diaodu.org.scope import require
from diaodu.projects.models import ImportJob

log = logging.getLogger("diaodu.projects.jobs")

LEASE_SECONDS = 60
RENEW_SECONDS = 5  # also how often the progress reaches the row (PostgreSQL)
MAX_ATTEMPTS = 3
LOST_AFTER_SECONDS = 120  # a PENDING job this old whose task the queue does not know is requeued
ACTIVE = (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)


def request_id(job: ImportJob) -> str:
    """The request id of the audit entries one attempt of `job` writes."""
    return f"import-{job.pk}-{job.attempts}"


def enqueue(job: ImportJob) -> None:
    """Queue the job's task (after the current transaction commits) and remember its id."""
    from diaodu.projects.tasks import import_job

    result = import_job.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.task_id = str(result.id)[:64]


def claim(job_id: int, token: str) -> ImportJob | None:
    """PENDING → RUNNING for this process, or None when another process has it (or it ended)."""
    now = clock.wall_now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING,
        phase="读取",
        claimed_by=token,
        lease_until=now + timedelta(seconds=LEASE_SECONDS),
        attempts=F("attempts") + 1,
        done=0,
        total=0,
    )
    if not claimed:
        return None
    return ImportJob.objects.select_related("user", "unit").get(pk=job_id)


class LeaseKeeper(threading.Thread):
    """Renews the lease of a running job and writes its progress, from its own connection."""

    def __init__(self, job: ImportJob, token: str):
        super().__init__(name=f"import-lease-{job.pk}", daemon=True)
        self.job_id, self.token = job.pk, token
        self.progress: dict = {}
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(RENEW_SECONDS):
                try:
                    ImportJob.objects.filter(
                        pk=self.job_id, status=ImportJob.Status.RUNNING, claimed_by=self.token
                    ).update(
                        lease_until=clock.wall_now() + timedelta(seconds=LEASE_SECONDS),
                        **self.progress,
                    )
                except Exception as exc:  # the database is away: the lease lapses, by design
                    log.warning("import job %s: lease not renewed (%s)", self.job_id, exc)
                    connections.close_all()
        finally:
            connections.close_all()

    def stop(self):
        self.stopped.set()


def keeps_lease_in_thread() -> bool:
    # On SQLite the import holds the database's only write lock: a second writer would wait.
    return connection.vendor != "sqlite"


def finish(job: ImportJob, token: str, **fields) -> None:
    """Write the job's end, retrying while the database is away (never leaves it RUNNING)."""
    from diaodu.ops.faults import Backoff, transient_errors

    backoff = Backoff(maximum=10)
    for _ in range(8):
        try:
            ImportJob.objects.filter(pk=job.pk, claimed_by=token).update(
                lease_until=None, finished_at=clock.wall_now(), **fields
            )
            return
        except transient_errors() as exc:
            backoff.wait(f"导入任务 {job.pk}", exc)
    log.error("import job %s: could not record its end; recovery will", job.pk)


def release_for_retry(job: ImportJob, token: str, reason: str) -> None:
    """The job stopped because the database or Redis went away: hand it back to the queue."""
    try:
        ImportJob.objects.filter(pk=job.pk, claimed_by=token).update(
            status=ImportJob.Status.PENDING,
            claimed_by="",
            lease_until=None,
            phase="",
            error=reason,
        )
    except Exception:
        return  # the lease lapses and recover() takes it from there
    try:
        enqueue(job)
    except Exception:
        pass  # recover() requeues PENDING jobs whose task is missing


# ---------------------------------------------------------------- recovery (scheduler tick)
def _committed(job: ImportJob) -> bool:
    return not job.dry_run and AuditEntry.objects.filter(request_id=request_id(job)).exists()


def _task_known(job: ImportJob) -> bool | None:
    """Whether the queue still has the job's task (None: cannot tell, e.g. Redis is away)."""
    from django_tasks.exceptions import ResultDoesNotExist
    from django_tasks.task import ResultStatus

    from diaodu.ops.models import OutboxEntry
    from diaodu.projects.tasks import import_job

    if not job.task_id:
        return False
    if OutboxEntry.objects.filter(task_id=job.task_id).exists():
        return True
    try:
        result = import_job.get_backend().get_result(job.task_id)
    except ResultDoesNotExist:
        return False
    except Exception:
        return None
    return result.status in (ResultStatus.READY, ResultStatus.RUNNING)


def recover_dead(job: ImportJob) -> str:
    """Retry, complete or fail one job whose process died. Returns what was done."""
    base = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.RUNNING, claimed_by=job.claimed_by
    )
    if _committed(job):
        base.update(
            status=ImportJob.Status.DONE,
            phase="完成",
            lease_until=None,
            finished_at=clock.wall_now(),
            result={"applied": True, "messages": [], "lost_report": True},
            error="后台进程在写入完成后中止：数据已全部写入台账，但逐行说明未能保存。",
        )
        return "done"
    if job.attempts < MAX_ATTEMPTS:
        if base.update(
            status=ImportJob.Status.PENDING,
            claimed_by="",
            lease_until=None,
            phase="",
            error=f"处理该导入的后台进程意外中止，未写入任何数据，正在自动重试（第 {job.attempts + 1} 次）。",
        ):
            enqueue(job)
        return "retried"
    base.update(
        status=ImportJob.Status.FAILED,
        lease_until=None,
        finished_at=clock.wall_now(),
        error=(
            f"导入未完成：处理该导入的后台进程连续 {job.attempts} 次意外中止（可能是服务器重启或内存不足），"
            "未写入任何数据。请点击“重新导入”再试一次；如仍失败，请联系系统管理员。"
        ),
    )
    return "failed"


def recover(now=None) -> dict:
    """Housekeeping: end or retry dead jobs, requeue jobs whose task was lost."""
    now = now or clock.wall_now()
    out = {"retried": 0, "done": 0, "failed": 0, "requeued": 0}
    expired = ImportJob.objects.filter(status=ImportJob.Status.RUNNING).exclude(
        lease_until__gte=now
    )
    for job in expired.order_by("pk")[:100]:
        if process_alive(job.claimed_by):
            continue  # same machine, still working (on SQLite it cannot renew while writing)
        out[recover_dead(job)] += 1
    lost_before = now - timedelta(seconds=LOST_AFTER_SECONDS)
    for job in ImportJob.objects.filter(
        status=ImportJob.Status.PENDING, created_at__lt=lost_before
    ).order_by("pk")[:100]:
        if _task_known(job) is False:
            with transaction.atomic():
                enqueue(job)
            out["requeued"] += 1
    if any(out.values()):
        log.warning("import jobs recovered: %s", out)
    return out


# ---------------------------------------------------------------- the user's retry
@transaction.atomic
def retry(by, job: ImportJob) -> ImportJob:
    """Queue a failed import again (same file, same kind: check or real import)."""
    require(by, "projects.import")
    if job.user_id != by.pk:
        raise PermissionDenied("只能重试自己上传的导入。")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.FAILED:
        raise PermissionDenied("只有失败的导入可以重试。")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.PENDING,
        attempts=0,
        claimed_by="",
        lease_until=None,
        phase="",
        done=0,
        total=0,
        error="",
        result=None,
        finished_at=None,
    )
    job.refresh_from_db()
    record(
        "ledger.import_retry",
        job,
        after={"unit": job.unit.code, "file": job.file_name, "dry_run": job.dry_run},
        only_changes=False,
    )
    enqueue(job)
    return job
