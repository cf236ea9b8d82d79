"""Test helpers: run background tasks for real, with the database backend (the worker loop of
`db_worker --batch`) or with Redis/RQ (a burst `SimpleWorker` in-process against the real Redis).

Use the parametrised fixture in another app's tests — import it into the test module or the
app's conftest.py:

    from diaodu.notify.testing import task_backend  # noqa: F401  (pytest fixture)

    def test_reminders(task_backend, demo):
        ...                      # do work that enqueues tasks (directly or on commit)
        task_backend.run()       # run on-commit callbacks, then every queued task, until quiet
        assert ...

The test runs twice, as `[database]` and `[rq]`. `task_backend.name` says which. Redis is
redis://127.0.0.1:6379/14 for the first pytest-xdist worker and /15 for the second
(DIAODU_TEST_REDIS_URL, a comma-separated list), flushed before and after; when it cannot be
reached the `[rq]` case is skipped, except in CI (`CI=true` or DIAODU_TEST_REQUIRE_REDIS=1), where that
is a failure.

Why the helpers look the way they do:
- pytest-django wraps each test in a transaction that is rolled back, so `transaction.on_commit`
  callbacks (django-tasks enqueues on commit by default) never fire: `run()` fires them.
- django-tasks caches its backends in `django_tasks.tasks`; `override_settings(TASKS=…)` sends
  `setting_changed`, which django-tasks answers by resetting that cache, so `Task.enqueue()`
  (which looks up its backend by alias at call time) uses the overridden backend.
- django-rq reads RQ_QUEUES once, when `django_rq.settings` is first imported: it is reloaded
  under the override and restored afterwards.
- `db_worker` takes an exclusive SQLite transaction (BEGIN EXCLUSIVE) and closes "old"
  connections; inside the test's transaction both would break the test, so the real worker loop
  (`Worker.run`) runs with a savepoint instead and without closing the connection.
"""

from __future__ import annotations

import importlib
import signal
import sys
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import override_settings

from diaodu import clock
from diaodu.testing.services import TEST_REDIS_URL, redis_available, require_redis  # noqa: F401

DB_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.database.DatabaseBackend", "QUEUES": ["default"]}
}
RQ_TASKS = {"default": {"BACKEND": "diaodu.ops.outbox.OutboxRQBackend", "QUEUES": ["default"]}}
BACKENDS = ("database", "rq")


def run_on_commit(using: str = DEFAULT_DB_ALIAS) -> int:
    """Run the on-commit callbacks waiting in the test's transaction (and those they add)."""
    conn = connections[using]
    count = 0
    while conn.run_on_commit:
        pending, conn.run_on_commit = conn.run_on_commit, []
        for _sids, func, _robust in pending:
            func()
            count += 1
    return count


class _Runner:
    name = ""

    def run(self, *, max_rounds: int = 50, raise_on_failure: bool = True) -> int:
        """Fire on-commit callbacks and run ready tasks until nothing new appears. Returns the
        number of tasks run. A task that raised makes this fail (with its traceback) unless
        raise_on_failure=False."""
        before = len(self.failures())
        total = 0
        for _ in range(max_rounds):
            fired = run_on_commit()
            ran = self._drain()
            total += ran
            if not fired and not ran:
                break
        else:
            raise AssertionError(f"tasks still being enqueued after {max_rounds} rounds")
        failures = self.failures()
        if raise_on_failure and len(failures) > before:
            raise AssertionError("a background task failed:\n" + "\n\n".join(failures[before:]))
        return total

    def queued(self) -> int:
        """Tasks ready to run now (after firing on-commit callbacks)."""
        run_on_commit()
        return self._queued()

    # implemented by the backends
    def _drain(self) -> int:
        raise NotImplementedError

    def _queued(self) -> int:
        raise NotImplementedError

    def scheduled(self) -> int:
        raise NotImplementedError  # deferred (run_after in the future)

    def release_scheduled(self) -> int:
        raise NotImplementedError  # make deferred tasks due now

    def failures(self) -> list[str]:
        raise NotImplementedError  # tracebacks of failed tasks


class DatabaseRunner(_Runner):
    name = "database"

    def _drain(self) -> int:
        from django_tasks.backends.database.management.commands import db_worker

        worker = db_worker.Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="pytest-db-worker",
        )
        with (
            mock.patch.object(
                db_worker,
                "exclusive_transaction",
                lambda using=None: transaction.atomic(using=using),
            ),
            mock.patch.object(db_worker, "close_old_connections", lambda: None),
        ):
            worker.run()
        return worker._run_tasks

    def _ready(self):
        from django_tasks.backends.database.models import DBTaskResult

        return DBTaskResult.objects.ready()

    def _queued(self) -> int:
        return self._ready().count()

    def scheduled(self) -> int:
        from django_tasks.backends.database.models import DBTaskResult
        from django_tasks.task import ResultStatus

        run_on_commit()
        return (
            DBTaskResult.objects.filter(status=ResultStatus.READY).count() - self._ready().count()
        )

    def release_scheduled(self) -> int:
        from django_tasks.backends.database.models import DBTaskResult
        from django_tasks.task import ResultStatus

        run_on_commit()
        return (
            DBTaskResult.objects.filter(status=ResultStatus.READY)
            .exclude(pk__in=self._ready().values("pk"))
            .update(run_after=clock.wall_now())
        )

    def failures(self) -> list[str]:
        from django_tasks.backends.database.models import DBTaskResult

        return [
            f"{r.task_path}: {r.traceback}"
            for r in DBTaskResult.objects.failed().order_by("enqueued_at")
        ]


class RQRunner(_Runner):
    name = "rq"

    def __init__(self, connection):
        self.connection = connection

    def _queue(self):
        import django_rq
        from django_tasks.backends.rq import Job

        return django_rq.get_queue("default", job_class=Job)

    def _drain(self) -> int:
        from django_tasks.backends.rq import Job
        from rq import SimpleWorker

        class CountingWorker(SimpleWorker):
            executed = 0

            def execute_job(self, job, queue):
                self.executed += 1
                return super().execute_job(job, queue)

        queue = self._queue()
        if not queue.count:
            return 0
        worker = CountingWorker([queue], connection=queue.connection, job_class=Job)
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            worker.work(burst=True, logging_level="WARNING")
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)
        return worker.executed

    def _queued(self) -> int:
        return self._queue().count

    def scheduled(self) -> int:
        from rq.registry import ScheduledJobRegistry

        run_on_commit()
        return ScheduledJobRegistry(queue=self._queue()).count

    def release_scheduled(self) -> int:
        from rq.registry import ScheduledJobRegistry

        run_on_commit()
        queue = self._queue()
        registry = ScheduledJobRegistry(queue=queue)
        moved = 0
        for job_id in registry.get_job_ids():
            job = queue.fetch_job(job_id)
            registry.remove(job_id)
            if job is not None:
                queue.enqueue_job(job)
                moved += 1
        return moved

    def failures(self) -> list[str]:
        from rq.registry import FailedJobRegistry

        queue = self._queue()
        out = []
        for job_id in FailedJobRegistry(queue=queue).get_job_ids():
            job = queue.fetch_job(job_id)
            result = job.latest_result() if job is not None else None
            out.append(f"{job.func_name if job else job_id}: {getattr(result, 'exc_string', '')}")
        return out


@contextmanager
def database_backend():
    """Tasks go to the database queue (the default backend) and run with the db_worker loop."""
    with override_settings(TASKS=DB_TASKS):
        yield DatabaseRunner()


@contextmanager
def rq_backend(url: str = TEST_REDIS_URL):
    """Tasks go to Redis/RQ (a dedicated, flushed database) and run in a burst SimpleWorker."""
    import redis

    conn = redis.Redis.from_url(url)
    conn.flushdb()
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES={"default": {"URL": url}}):
        was_loaded = "django_rq.settings" in sys.modules
        module = importlib.import_module("django_rq.settings")
        saved = dict(vars(module)) if was_loaded else None
        if was_loaded:
            importlib.reload(module)  # re-read RQ_QUEUES under the override
        try:
            yield RQRunner(conn)
        finally:
            conn.flushdb()
            if saved is not None:
                vars(module).update(saved)
            else:
                sys.modules.pop("django_rq.settings", None)
                import django_rq

                if getattr(django_rq, "settings", None) is module:
                    delattr(django_rq, "settings")


@contextmanager
def backend(name: str):
    if name == "database":
        with database_backend() as runner:
            yield runner
    elif name == "rq":
        require_redis()
        with rq_backend() as runner:
            yield runner
    else:
        raise ValueError(name)


@pytest.fixture(params=BACKENDS)
def task_backend(request, db):
    """Parametrised over both task backends; yields a runner with .run(), .queued(),
    .scheduled(), .release_scheduled(), .failures() and .name."""
    with backend(request.param) as runner:
        yield runner


# ---------------------------------------------------------------- local stand-ins for the outside world
class RobotServer:
    """A tiny HTTP server on 127.0.0.1 standing in for the 企业微信/钉钉 robot API: it records
    every request and answers with `reply` (JSON) and `status`. Tests never call the internet."""

    def __init__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        self.requests: list[dict] = []
        self.reply: dict | str = {"errcode": 0, "errmsg": "ok"}
        self.status = 200
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                import time

                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                try:
                    body = json.loads(raw.decode("utf-8"))
                except ValueError:
                    body = None
                server.requests.append(
                    {
                        "path": parts.path,
                        "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "json": body,
                        "headers": dict(self.headers),
                    }
                )
                if server.delay:
                    time.sleep(server.delay)
                data = server.reply if isinstance(server.reply, str) else json.dumps(server.reply)
                payload = data.encode("utf-8")
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a client that gave up (timeout tests) is not an error here

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/cgi-bin/webhook/send?key=test-key") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def fail(self, errcode: int = 93000, errmsg: str = "invalid webhook url"):
        self.reply = {"errcode": errcode, "errmsg": errmsg}

    def succeed(self):
        self.reply, self.status, self.delay = {"errcode": 0, "errmsg": "ok"}, 200, 0.0

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class SMTPSink:
    """A minimal SMTP server on 127.0.0.1 that accepts every message and keeps it."""

    def __init__(self):
        import socketserver
        import threading

        self.messages: list[dict] = []
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str):
                self.wfile.write((line + "\r\n").encode("ascii"))
                self.wfile.flush()

            def handle(self):
                self.reply("220 localhost diaodu test sink")
                mail_from, rcpt = "", []
                while True:
                    line = self.rfile.readline()
                    if not line:
                        return
                    cmd = line.decode("utf-8", "replace").strip()
                    upper = cmd.upper()
                    if upper.startswith(("EHLO", "HELO")):
                        self.reply("250 localhost")
                    elif upper.startswith("MAIL FROM:"):
                        mail_from, rcpt = cmd[10:].strip().strip("<>"), []
                        self.reply("250 OK")
                    elif upper.startswith("RCPT TO:"):
                        rcpt.append(cmd[8:].strip().strip("<>"))
                        self.reply("250 OK")
                    elif upper == "DATA":
                        self.reply("354 End data with <CR><LF>.<CR><LF>")
                        chunks = []
                        while True:
                            data = self.rfile.readline()
                            if not data or data in (b".\r\n", b".\n"):
                                break
                            chunks.append(data[1:] if data.startswith(b"..") else data)
                        sink.messages.append(
                            {"from": mail_from, "to": rcpt, "data": b"".join(chunks)}
                        )
                        self.reply("250 OK queued")
                    elif upper == "QUIT":
                        self.reply("221 Bye")
                        return
                    else:  # RSET, NOOP and anything else
                        self.reply("250 OK")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def settings(self) -> dict:
        """Settings for override_settings: Django's SMTP backend pointed at this sink."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_USE_TLS": False,
        }

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A local port where nothing listens (connections are refused)."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def robot_server():
    server = RobotServer()
    yield server
    server.close()


@pytest.fixture
def smtp_sink():
    sink = SMTPSink()
    yield sink
    sink.close()
