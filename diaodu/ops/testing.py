"""Helpers for tests that start real Diaodu processes (`diaodu worker`, `diaodu scheduler`) on
the test database, and a private redis-server that a test may stop and start.

The test must commit what the processes should see: use `transactional_db`. The processes open
the same database (a file on SQLite, the test database on PostgreSQL)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def free_port(start: int = 6390) -> int:
    for port in range(start, start + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


class Processes:
    """Started processes, each in its own process group; all killed at the end of the test."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.procs: list[subprocess.Popen] = []

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env.pop("REDIS_URL", None)
        env.update(
            DATABASE_URL=database_url(),
            DJANGO_SETTINGS_MODULE="diaodu.settings",
            DIAODU_FAST_HASHER="1",
            PYTHONUNBUFFERED="1",
        )
        env.update({k: str(v) for k, v in extra.items() if v is not None})
        return env

    def diaodu(self, *args, name: str = "", **env) -> subprocess.Popen:
        name = name or args[0]
        log = open(self.tmp_path / f"{name}-{len(self.procs)}.log", "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "diaodu.manage", *args],
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc.log_path = log.name
        self.procs.append(proc)
        return proc

    def gunicorn(self, port: int, *, name: str = "web", **env) -> subprocess.Popen:
        """An app server (gunicorn, one worker) on ``port`` against the test database."""
        log = open(self.tmp_path / f"{name}-{len(self.procs)}.log", "wb")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "diaodu.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "2",
            ],
            env=self.env(**env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc.log_path = log.name
        self.procs.append(proc)
        return proc

    def output(self, proc) -> str:
        return Path(proc.log_path).read_text(errors="replace")

    def stop(self, proc, sig=signal.SIGTERM, timeout: float = 15.0) -> int:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
        return proc.wait(timeout=timeout)

    def kill_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)


class RedisServer:
    """A redis-server of our own on a free port (6390+), so a test can stop Redis without
    touching the shared one."""

    def __init__(self, tmp_path: Path):
        self.binary = shutil.which("redis-server")
        self.dir = tmp_path / "redis"
        self.dir.mkdir(exist_ok=True)
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        def up():
            try:
                return redis.Redis.from_url(self.url, socket_connect_timeout=0.2).ping()
            except redis.RedisError:
                return False

        wait_for(up, 10, what="redis-server")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def processes(tmp_path):
    procs = Processes(tmp_path)
    yield procs
    procs.kill_all()


@pytest.fixture
def redis_server(tmp_path):
    if not shutil.which("redis-server"):
        from diaodu.testing.services import missing

        missing("redis-server", "未安装 redis-server", "DIAODU_TEST_REQUIRE_REDIS")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()
