"""The transactional outbox for the Redis queue.

`OutboxRQBackend` is django-tasks' RQ backend with one change: a task enqueued inside a
database transaction is first written as an `OutboxEntry` row in that transaction, and pushed to
Redis only after the commit. When Redis is away the push fails quietly (logged), the row stays,
and `relay()` — run by the scheduler every few seconds and by the worker when it starts — pushes
it when Redis is back. So an upload during a Redis outage answers normally and its job runs later,
and a rolled-back transaction leaves no job behind.

A push is idempotent: the RQ job id is the task id, and a row whose job Redis already holds is
just deleted. Tasks must tolerate running twice anyway (a push may succeed just before the
database goes away): every task in Diaodu claims its work with a conditional UPDATE.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from diaodu import clock
from diaodu.ops.models import OutboxEntry

log = logging.getLogger("diaodu.ops.outbox")
RELAY_AFTER_SECONDS = 5  # rows younger than this are still being pushed by their own commit


def _redis_errors():
    import redis.exceptions

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _rq_backend_class():
    from django_tasks.backends.rq import RQBackend

    return RQBackend


def _push(backend_alias: str, data: dict) -> None:
    """Create the RQ job for one recorded task (unless Redis already has it) and queue it."""
    import django_rq
    from django_tasks.backends.rq import Job, failed_callback, success_callback
    from rq.job import Callback, JobStatus

    queue = django_rq.get_queue(data["queue_name"], job_class=Job)
    if queue.fetch_job(data["task_id"]) is not None:
        return
    run_after = data.get("run_after")
    job = queue.create_job(
        data["task_path"],
        args=data["args_kwargs"]["args"],
        kwargs=data["args_kwargs"]["kwargs"],
        job_id=data["task_id"],
        status=JobStatus.SCHEDULED if run_after else JobStatus.QUEUED,
        on_failure=Callback(failed_callback),
        on_success=Callback(success_callback),
        meta={"backend_name": backend_alias},
    )
    if run_after is None:
        queue.enqueue_job(job, at_front=data.get("priority", 0) >= 100)
    else:
        queue.schedule_job(job, run_after)


def push_entry(pk: int) -> bool | None:
    """Push one outbox row to Redis and delete it. False (and logged) when Redis is away, None
    when this row cannot be queued at all (kept, with its error)."""
    entry = OutboxEntry.objects.filter(pk=pk).first()
    if entry is None:
        return True
    data = {
        "task_id": entry.task_id,
        "task_path": entry.task_path,
        "queue_name": entry.queue_name,
        "priority": entry.priority,
        "run_after": entry.run_after,
        "args_kwargs": entry.args_kwargs,
    }
    try:
        _push(entry.backend, data)
    except _redis_errors() as exc:
        OutboxEntry.objects.filter(pk=pk).update(
            attempts=entry.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        log.warning(
            "任务 %s 暂未进入 Redis 队列（%s），已记录在数据库中，Redis 恢复后自动入队。",
            entry.task_path,
            type(exc).__name__,
        )
        return False
    except Exception as exc:  # this entry itself is broken: keep it for a person, go on
        OutboxEntry.objects.filter(pk=pk).update(
            attempts=entry.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:500]
        )
        log.exception("outbox: task %s (%s) cannot be queued", entry.task_path, entry.task_id)
        return None
    OutboxEntry.objects.filter(pk=pk).delete()
    return True


def relay(limit: int = 500) -> int:
    """Push every recorded task that is still waiting (oldest first). Returns how many went.
    Stops at the first failure: Redis is away, the rest waits for the next call."""
    if not OutboxEntry.objects.exists():
        return 0
    cutoff = clock.wall_now() - timedelta(seconds=RELAY_AFTER_SECONDS)
    pushed = 0
    waiting = OutboxEntry.objects.filter(created_at__lte=cutoff)
    for pk in waiting.values_list("pk", flat=True)[:limit]:
        done = push_entry(pk)
        if done is False:
            break  # Redis is away
        pushed += bool(done)
    if pushed:
        log.warning("Redis 队列已恢复：%d 个暂存任务已入队。", pushed)
    return pushed


def pending() -> int:
    return OutboxEntry.objects.count()


def _make_backend():
    base = _rq_backend_class()

    class OutboxRQBackend(base):
        """django-tasks' RQ backend with a transactional outbox (see the module docstring)."""

        def enqueue(self, task, args, kwargs):
            from django_tasks.task import ResultStatus, TaskResult
            from django_tasks.utils import get_random_id

            self.validate_task(task)
            result = TaskResult(
                task=task,
                id=get_random_id(),
                status=ResultStatus.READY,
                enqueued_at=None,
                started_at=None,
                last_attempted_at=None,
                finished_at=None,
                args=args,
                kwargs=kwargs,
                backend=self.alias,
                errors=[],
                worker_ids=[],
            )
            fields = {
                "task_id": result.id,
                "backend": self.alias,
                "task_path": task.module_path,
                "queue_name": task.queue_name,
                "priority": task.priority,
                "run_after": task.run_after,
                "args_kwargs": {"args": list(args), "kwargs": dict(kwargs)},
            }
            on_commit = self._get_enqueue_on_commit_for_task(task)
            if on_commit and transaction.get_connection().in_atomic_block:
                entry = OutboxEntry.objects.create(**fields)
                transaction.on_commit(lambda: _push_quietly(entry.pk))
                return result
            try:
                _push(self.alias, fields)
            except _redis_errors() as exc:
                OutboxEntry.objects.create(**fields, attempts=1, last_error=str(exc)[:500])
                log.warning(
                    "任务 %s 暂未进入 Redis 队列（%s），已记录在数据库中，Redis 恢复后自动入队。",
                    task.module_path,
                    type(exc).__name__,
                )
            return result

    OutboxRQBackend.__module__ = __name__
    OutboxRQBackend.__qualname__ = "OutboxRQBackend"
    return OutboxRQBackend


def _push_quietly(pk: int) -> None:
    try:
        push_entry(pk)
    except Exception:  # the database itself may be gone right after the commit: relay() retries
        log.exception("outbox: pushing task %s failed; it stays recorded", pk)


def __getattr__(name):
    # Built on first use, so that importing this module does not import django_rq when the
    # deployment has no Redis (the database backend needs neither).
    if name == "OutboxRQBackend":
        cls = _make_backend()
        globals()[name] = cls
        return cls
    raise AttributeError(name)
