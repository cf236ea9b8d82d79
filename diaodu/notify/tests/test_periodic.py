"""The scheduler: slots in Asia/Shanghai, claims in the database (a slot runs once however many
schedulers there are), jobs enqueued as tasks and run by the worker of either backend."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import IntegrityError, transaction

from diaodu.notify import periodic
from diaodu.notify.models import PeriodicRun

SH = ZoneInfo("Asia/Shanghai")
CALLS_KEY = "notify-test-periodic-calls"


def sample_job(slot):
    """A job of the tests: counts its runs in the cache (shared with the worker)."""
    cache.set(CALLS_KEY, cache.get(CALLS_KEY, []) + [slot.isoformat()])
    return {"slot": slot.isoformat()}


def failing_job():
    raise RuntimeError("job broke")


@pytest.fixture
def jobs(settings):
    """Only the jobs of a test are registered while it runs."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    saved = dict(periodic._jobs)
    periodic._jobs.clear()
    cache.delete(CALLS_KEY)
    yield periodic
    periodic._jobs.clear()
    periodic._jobs.update(saved)


def at(y, m, d, hh, mm):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_notify_registers_retry_due():
    job = periodic.get("notify.retry_due")
    assert job.every_minutes == 5 and job.func_path == "diaodu.notify.tasks.retry_due"


def test_slots_are_shanghai_wall_clock(jobs):
    every = jobs.register("e", "x.y", every_minutes=15)
    daily = jobs.register("d", "x.y", daily="17:00")
    weekly = jobs.register("w", "x.y", weekly=(3, "17:00"))  # Thursday 17:00, the report deadline
    now = at(2026, 6, 11, 16, 59)  # a Thursday
    assert jobs.latest_slot(every, now) == at(2026, 6, 11, 16, 45)
    assert jobs.latest_slot(daily, now) == at(2026, 6, 10, 17, 0)
    assert jobs.latest_slot(weekly, now) == at(2026, 6, 4, 17, 0)
    now = at(2026, 6, 11, 17, 0)
    assert jobs.latest_slot(daily, now) == at(2026, 6, 11, 17, 0) == jobs.latest_slot(weekly, now)
    utc_now = datetime(2026, 6, 11, 9, 3, tzinfo=ZoneInfo("UTC"))  # = 17:03 in Shanghai
    assert jobs.latest_slot(weekly, utc_now) == at(2026, 6, 11, 17, 0)
    # a daily slot missed by more than the catch-up window is not run late
    assert [j.name for j, _ in jobs.due(at(2026, 6, 12, 16, 0))] == ["e"]
    assert {j.name for j, _ in jobs.due(at(2026, 6, 11, 18, 0))} == {"e", "d", "w"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"every_minutes": 0},
        {"every_minutes": 5, "daily": "08:00"},
        {"daily": "8:00"},
        {"daily": "24:00"},
        {"weekly": (7, "08:00")},
        {"weekly": (1,)},
    ],
)
def test_register_rejects_bad_schedules(jobs, kwargs):
    with pytest.raises(ValueError):
        jobs.register("bad", "x.y", **kwargs)


def test_a_slot_is_claimed_once_and_enqueued_not_run(jobs, db):
    jobs.register("t.sample", f"{__name__}.sample_job", weekly=(3, "17:00"))
    now = at(2026, 6, 11, 17, 0)
    runs = jobs.run_due(now, claimed_by="host-a:1")
    assert [(r.job, r.slot) for r in runs] == [("t.sample", at(2026, 6, 11, 17, 0))]
    assert cache.get(CALLS_KEY) is None  # enqueued, not run inline
    assert (
        jobs.run_due(at(2026, 6, 11, 17, 1), claimed_by="host-b:2") == []
    )  # another scheduler: nothing left
    with pytest.raises(IntegrityError), transaction.atomic():  # the lock is the unique constraint
        PeriodicRun.objects.create(job="t.sample", slot=at(2026, 6, 11, 17, 0))
    run = PeriodicRun.objects.get()
    assert run.claimed_by == "host-a:1" and run.task_id and run.status == PeriodicRun.Status.QUEUED


def test_enqueue_failure_gives_the_slot_back(jobs, db, monkeypatch):
    from diaodu.notify import tasks

    jobs.register("t.sample", f"{__name__}.sample_job", every_minutes=10)

    class Down:
        def enqueue(self, *a, **k):
            raise ConnectionError("redis down")

    monkeypatch.setattr(tasks, "run_periodic", Down())
    assert jobs.run_due() == [] and not PeriodicRun.objects.exists()
    monkeypatch.undo()
    assert len(jobs.run_due()) == 1


def test_scheduler_command_and_worker_with_both_backends(jobs, task_backend):
    jobs.register("t.sample", f"{__name__}.sample_job", every_minutes=60)
    jobs.register("t.fail", f"{__name__}.failing_job", every_minutes=60)
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "t.sample" in out.getvalue() and "t.fail" in out.getvalue()
    call_command("scheduler", "--once", stdout=out)  # the same slot again: nothing
    assert PeriodicRun.objects.count() == 2
    assert task_backend.run(raise_on_failure=False) == 2
    calls = cache.get(CALLS_KEY)
    assert len(calls) == 1
    ok, bad = PeriodicRun.objects.get(job="t.sample"), PeriodicRun.objects.get(job="t.fail")
    assert (
        ok.status == PeriodicRun.Status.DONE
        and ok.finished_at
        and calls[0] == ok.slot.astimezone(SH).isoformat()
    )
    assert bad.status == PeriodicRun.Status.FAILED and "job broke" in bad.error
    assert len(task_backend.failures()) == 1  # the failure is also visible to the backend


def test_scheduler_list(capsys):
    out = StringIO()
    call_command("scheduler", "--list", stdout=out)
    assert "notify.retry_due\t每 5 分钟" in out.getvalue()
