"""The scheduler: exactly one active (a lease in the database, a second one waits and takes
over), and scheduler and worker outlive a lost database connection."""

import os
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from diaodu.ops import leases
from diaodu.ops.faults import Backoff
from diaodu.ops.models import Heartbeat, Lease
from diaodu.ops.testing import wait_for


def test_lease_is_held_by_one_holder_until_it_expires(db):
    assert leases.acquire("scheduler", "a:1:1")
    assert not leases.acquire("scheduler", "b:2:2")
    assert leases.acquire("scheduler", "a:1:1")  # renewal
    Lease.objects.filter(name="scheduler").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert leases.acquire("scheduler", "b:2:2")  # the first stopped renewing
    assert not leases.acquire("scheduler", "a:1:1")  # and waits now
    leases.release("scheduler", "b:2:2")
    assert leases.acquire("scheduler", "a:1:1")  # released: taken at once


def test_process_alive_tells_a_dead_process_and_a_reused_pid(db):
    me = leases.process_token()
    assert leases.process_alive(me) is True
    host, pid, start = me.rsplit(":", 2)
    assert leases.process_alive(f"{host}:{pid}:{start}9") is False  # same pid, later process
    assert leases.process_alive("elsewhere:1:1") is None  # another machine: ask its lease


def _beats(role):
    return {h.process: h for h in Heartbeat.objects.filter(role=role)}


def test_second_scheduler_waits_and_takes_over(processes, transactional_db):
    first = processes.diaodu("scheduler", "--interval", "0.5")
    wait_for(lambda: Lease.objects.filter(name="scheduler").exclude(holder="").exists(), 20)
    second = processes.diaodu("scheduler", "--interval", "0.5")
    wait_for(
        lambda: any(h.state == "waiting" for h in _beats("scheduler").values()),
        20,
        what="the second scheduler waiting",
    )
    holder = Lease.objects.get(name="scheduler").holder
    assert f":{first.pid}:" in holder
    assert processes.stop(first) == 0  # SIGTERM: the lease is released on the way out
    wait_for(
        lambda: f":{second.pid}:" in Lease.objects.get(name="scheduler").holder,
        10,
        what="the second scheduler taking over",
    )
    out = processes.output(second)
    assert "另一个调度进程正在运行" in out and "已取得调度锁" in out
    processes.stop(second)


def test_scheduler_tick_survives_a_closed_connection(transactional_db, monkeypatch, caplog):
    """In-process, on either database: the scheduler's loop meets a dead connection, logs it,
    backs off and goes on (a stand-in for a database restart, without stopping it)."""
    from diaodu.notify.management.commands import scheduler

    sleeps = []
    monkeypatch.setattr(scheduler.time, "sleep", lambda s: sleeps.append(s))
    ticks = {"n": 0}

    def tick(self):
        ticks["n"] += 1
        if ticks["n"] == 1:
            connection.ensure_connection()
            connection.connection.close()  # the server went away under us …
            Lease.objects.count()  # … and the tick's next query fails
        if ticks["n"] >= 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(scheduler.Command, "tick", tick)
    monkeypatch.setattr(Backoff, "wait", _fast_wait(Backoff.wait))
    scheduler.Command().handle(interval=0.01)
    assert ticks["n"] == 3
    assert "数据库连接异常" in caplog.text and "连接已恢复" in caplog.text
    assert Heartbeat.objects.filter(role="scheduler").count() == 0  # forgotten on the way out


def _fast_wait(original):
    def wait(self, name, exc):
        self.sleep = lambda s: None
        return original(self, name, exc)

    return wait


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql", "pgsql"),
    reason="ends the processes' server connections with pg_terminate_backend (PostgreSQL)",
)
def test_worker_and_scheduler_outlive_terminated_database_connections(processes, live_demo):
    from django.test import override_settings

    from diaodu.notify.testing import DB_TASKS
    from diaodu.org.models import User
    from diaodu.web.tests.background import ledger_workbook, start_import

    worker = processes.diaodu("worker")
    sched = processes.diaodu("scheduler", "--interval", "0.5")
    wait_for(lambda: len(_beats("worker")) == 1 and len(_beats("scheduler")) == 1, 25)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    before = timezone.now()
    time.sleep(1)
    user = User.objects.get(username="duchashi")
    with override_settings(TASKS=DB_TASKS):
        job = start_import(user, live_demo["QHKFQ"], ledger_workbook(3))

    def done():
        job.refresh_from_db()
        return job.status == "done"

    wait_for(done, 25, what="an import after the connections were cut")
    wait_for(
        lambda: all(h.seen_at > before for h in _beats("scheduler").values()),
        15,
        what="the scheduler's heartbeat after the cut",
    )
    assert worker.poll() is None and sched.poll() is None
    processes.stop(worker)
    processes.stop(sched)
