"""`diaodu worker`: the process that runs background tasks, whichever backend the settings chose.

- Database backend: django-tasks' `db_worker` loop, run inside a loop of ours that survives a
  lost database (logged, backoff, reconnect) instead of dying.
- Redis/RQ: an RQ worker started with django-tasks' job class (without it every job fails with
  "'Task' object is not callable"), again inside a loop that survives Redis or the database
  going away.

Either way the process writes a heartbeat row every few seconds (for `/healthz`), and a SIGTERM or
Ctrl-C stops it after the running task.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from django.db import close_old_connections, connections

from diaodu import clock
from diaodu.ops import leases
from diaodu.ops.faults import Backoff, transient_errors

log = logging.getLogger("diaodu.ops.worker")
BEAT_SECONDS = 10


def is_rq(backend) -> bool:
    try:
        from django_tasks.backends.rq import RQBackend
    except ImportError:  # django_rq not installed
        return False
    return isinstance(backend, RQBackend)


def _beat_quietly(token: str, started_at, state: str = "") -> bool:
    try:
        leases.beat("worker", state=state, token=token, started_at=started_at)
        return True
    except Exception as exc:  # the heartbeat is best effort: the work goes on without it
        log.debug("worker heartbeat failed: %s", exc)
        for conn in connections.all(initialized_only=True):
            try:
                conn.close()
            except Exception:
                conn.connection = None
        return False


# ---------------------------------------------------------------- database backend
class _Beater(threading.Thread):
    """Heartbeats from a thread of the worker (its own database connection), so that a long
    task does not make the worker look dead."""

    def __init__(self, token: str, started_at):
        super().__init__(name="diaodu-heartbeat", daemon=True)
        self.token, self.started_at = token, started_at
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            _beat_quietly(self.token, self.started_at)
            self.stopped.wait(BEAT_SECONDS)
        try:
            leases.forget(self.token)
        except Exception:
            pass
        connections.close_all()


def run_database_worker(*, burst: bool = False, queues: str = "*", stdout=None) -> None:
    from django_tasks.backends.database.management.commands import db_worker

    token = leases.process_token()
    started_at = clock.wall_now()
    worker = db_worker.Worker(
        queue_names=queues.split(","),
        interval=1,
        batch=burst,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=token[-64:],
    )
    beater = None
    if not burst:
        worker.configure_signals()
        beater = _Beater(token, started_at)
        beater.start()
    backoff = Backoff()
    try:
        while True:
            try:
                worker.run()
                return  # batch done, or stopped by a signal
            except transient_errors() as exc:
                if burst:
                    raise
                backoff.wait("后台任务进程", exc)
                worker.running = True
    finally:
        if beater is not None:
            beater.stopped.set()
            beater.join(timeout=5)


# ---------------------------------------------------------------- Redis / RQ
def _rq_worker_class():
    from rq import Worker

    class DiaoduRQWorker(Worker):
        """An RQ worker that also leaves a heartbeat in the database. The database connection is
        closed after each beat: the worker forks a work horse per job, and a child must never
        share its parent's connection."""

        diaodu_token = ""
        diaodu_started = None
        _last_beat = 0.0

        def heartbeat(self, *args, **kwargs):
            result = super().heartbeat(*args, **kwargs)
            if os.getpid() == self.diaodu_pid and time.monotonic() - self._last_beat > BEAT_SECONDS:
                self._last_beat = time.monotonic()
                _beat_quietly(self.diaodu_token, self.diaodu_started)
                connections.close_all()
            return result

    return DiaoduRQWorker


def run_rq_worker(*, burst: bool = False, queues: list[str] | None = None, stdout=None) -> None:
    import django_rq
    from django_tasks.backends.rq import Job

    queue_names = queues or ["default"]
    token = leases.process_token()
    started_at = clock.wall_now()
    backoff = Backoff()
    worker_class = _rq_worker_class()
    while True:
        try:
            queue_objs = [django_rq.get_queue(name, job_class=Job) for name in queue_names]
            worker = worker_class(
                queue_objs,
                connection=queue_objs[0].connection,
                job_class=Job,
                # the idle wait for a job is worker_ttl - 15 s: short, so heartbeats keep coming
                worker_ttl=35,
            )
            worker.diaodu_pid, worker.diaodu_token, worker.diaodu_started = (
                os.getpid(),
                token,
                started_at,
            )
            connections.close_all()  # before the first fork
            worker.work(burst=burst, with_scheduler=not burst, logging_level="WARNING")
            if burst or worker._stop_requested or worker._shutdown_requested_date:
                return
            raise ConnectionError("RQ 工作循环意外退出")
        except transient_errors() as exc:
            if burst:
                raise
            backoff.wait("后台任务进程（Redis）", exc)
        finally:
            close_old_connections()
        try:
            leases.forget(token)
        except Exception:
            pass


def run_worker(*, burst: bool = False, stdout=None) -> None:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, tasks

    default_task_backend = tasks[DEFAULT_TASK_BACKEND_ALIAS]

    if is_rq(default_task_backend):
        run_rq_worker(burst=burst, queues=sorted(default_task_backend.queues), stdout=stdout)
    else:
        run_database_worker(burst=burst, stdout=stdout)
