"""A real `diaodu worker` process runs ledger imports, through the database queue and through
Redis/RQ; a worker killed mid-import leaves nothing half-written and the job ends."""

import pytest
from django.test import override_settings

from diaodu.audit.context import acting_as
from diaodu.notify.testing import DB_TASKS
from diaodu.ops.models import Heartbeat
from diaodu.ops.testing import wait_for
from diaodu.projects import jobs, services
from diaodu.projects.models import Project
from diaodu.testing.services import require_redis
from diaodu.web.tests.background import ledger_workbook, start_import


def _status(job):
    job.refresh_from_db()
    return job.status


@pytest.fixture
def rq_settings():
    """Tasks go to Redis (the test's own database there), as with REDIS_URL in production."""
    from diaodu.notify.testing import rq_backend

    url = require_redis()
    with rq_backend(url):
        yield url


def _run_import_in_worker(processes, live_demo, person_env):
    from diaodu.org.models import User

    user = User.objects.get(username="duchashi")
    job = start_import(user, live_demo["QHKFQ"], ledger_workbook(5))
    assert job.task_id
    worker = processes.diaodu("worker", **person_env)
    wait_for(lambda: _status(job) == "done", 25, what="the dry run in the worker")
    assert job.result["created"] == 5 and not job.result["errors"]
    assert Project.objects.count() == 0  # a dry run
    with acting_as(user, channel="web"):
        final = services.confirm_import(user, job)
    wait_for(lambda: _status(final) == "done", 25, what="the import in the worker")
    assert final.result["applied"] and Project.objects.count() == 5
    wait_for(lambda: Heartbeat.objects.filter(role="worker").exists(), 15, what="a heartbeat")
    assert processes.stop(worker) == 0, processes.output(worker)
    assert "Traceback" not in processes.output(worker)


def test_database_worker_process_runs_an_import(processes, live_demo):
    with override_settings(TASKS=DB_TASKS):
        _run_import_in_worker(processes, live_demo, {})


def test_rq_worker_process_runs_an_import(processes, live_demo, rq_settings):
    _run_import_in_worker(processes, live_demo, {"REDIS_URL": rq_settings})


ROWS = 1500


def test_worker_killed_mid_import_writes_nothing_and_the_job_ends(processes, live_demo):
    from datetime import timedelta

    from django.utils import timezone

    from diaodu.org.models import User

    user = User.objects.get(username="duchashi")
    with override_settings(TASKS=DB_TASKS):
        # big enough that the kill lands inside the import (the batched writer takes 200 rows
        # in a fraction of a second; reading 1,500 alone takes about a second)
        checked = start_import(user, live_demo["QHKFQ"], ledger_workbook(ROWS))
        worker = processes.diaodu("worker")
        wait_for(lambda: _status(checked) == "done", 60, what="the dry run")
        with acting_as(user, channel="web"):
            job = services.confirm_import(user, checked)
        wait_for(lambda: _status(job) == "running", 15, what="the import to start")
        import time

        time.sleep(0.5)
        processes.stop(worker, sig=9)  # SIGKILL: no cleanup of any kind
        assert Project.objects.count() == 0  # all or nothing: the transaction died with it
        job.refresh_from_db()
        assert job.status == "running" and job.attempts == 1
        # the lease lapses (a minute); the scheduler's recovery finds the process gone
        assert jobs.recover()["retried"] == 0  # the lease still runs
        later = timezone.now() + timedelta(seconds=jobs.LEASE_SECONDS + 1)
        assert jobs.recover(now=later)["retried"] == 1
        job.refresh_from_db()
        assert job.status == "pending" and "自动重试" in job.error
        worker = processes.diaodu("worker")
        wait_for(lambda: _status(job) == "done", 60, what="the retried import")
        assert job.result["applied"] and Project.objects.count() == ROWS
        assert job.attempts == 2
        processes.stop(worker)


def test_rq_worker_process_outlives_a_redis_outage(processes, live_demo, redis_server):
    """Redis stops under a running RQ worker and comes back: the worker waits (logged, backoff),
    does not exit, and runs the upload made during the outage once the outbox is relayed."""
    from diaodu.notify.testing import rq_backend
    from diaodu.ops import outbox
    from diaodu.ops.models import OutboxEntry
    from diaodu.org.models import User

    user = User.objects.get(username="duchashi")
    with rq_backend(redis_server.url):
        worker = processes.diaodu("worker", REDIS_URL=redis_server.url)
        wait_for(lambda: Heartbeat.objects.filter(role="worker").exists(), 20, what="a heartbeat")
        redis_server.stop()
        job = start_import(user, live_demo["QHKFQ"], ledger_workbook(2))  # answers normally
        assert OutboxEntry.objects.filter(task_id=job.task_id).exists()
        import time

        time.sleep(3)
        assert worker.poll() is None, processes.output(worker)  # still there, waiting
        redis_server.start()
        OutboxEntry.objects.update(created_at=job.created_at.replace(year=2000))
        assert outbox.relay() == 1
        wait_for(lambda: _status(job) == "done", 25, what="the import after Redis came back")
        assert job.result["created"] == 2
        assert processes.stop(worker) == 0
