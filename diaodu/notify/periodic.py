"""Periodic jobs: lights at the deadline, reminders, escalation, retries of notifications.

Apps register their jobs in `AppConfig.ready()`:

    from diaodu.notify import periodic
    periodic.register("supervision.remind", "diaodu.supervision.jobs.remind", weekly=(3, "09:00"))

`diaodu scheduler` (a loop, or `--once` from cron) asks `run_due()` every few seconds. One
scheduler is active per deployment (it holds the `scheduler` lease, diaodu/ops/leases.py; others
wait). Each due run is also claimed by inserting a `PeriodicRun(job, slot)` row; the unique
constraint on (job, slot) makes a slot run once even when two schedulers overlap for a moment.
The claimed run is *enqueued* as a django-task (`tasks.run_periodic`), never run inline, so a
slow job does not hold up the others and runs where all background work runs (`diaodu worker`).

Times are wall-clock times in Asia/Shanghai (settings.TIME_ZONE). Weekdays are Python's:
0 = Monday … 6 = Sunday. A job function takes no arguments, or a `slot` keyword argument (the
aware datetime of the run it serves, e.g. the deadline that has just passed).

The registry below is configuration, filled once at start-up like a URLconf; nothing changes it
while serving, and all run-time state (which slot ran, when, with what result) is in the database.
"""

from __future__ import annotations

import inspect
import logging
import os
import re
import socket
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from diaodu import clock

log = logging.getLogger("diaodu.notify.scheduler")

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DEFAULT_CATCH_UP_MINUTES = 6 * 60  # a daily/weekly slot missed by less than this still runs


@dataclass(frozen=True)
class Job:
    name: str
    func_path: str
    every_minutes: int | None = None
    weekly: tuple[int, str] | None = None
    daily: str | None = None
    catch_up_minutes: int = DEFAULT_CATCH_UP_MINUTES

    def describe(self) -> str:
        if self.every_minutes:
            return f"每 {self.every_minutes} 分钟"
        if self.daily:
            return f"每天 {self.daily}"
        day = "一二三四五六日"[self.weekly[0]]
        return f"每周{day} {self.weekly[1]}"


_jobs: dict[str, Job] = {}


def _parse_hhmm(value: str, what: str) -> time:
    m = _HHMM.match(value or "")
    if not m:
        raise ValueError(f"{what}: time must be 'HH:MM' (24-hour), got {value!r}")
    return time(int(m.group(1)), int(m.group(2)))


def register(
    name: str,
    func_path: str,
    *,
    every_minutes: int | None = None,
    weekly: tuple[int, str] | None = None,
    daily: str | None = None,
    catch_up_minutes: int | None = None,
) -> Job:
    """Register (or re-register) a periodic job. Exactly one of every_minutes (1–1440, slots
    counted from midnight), weekly=(weekday 0=Mon…6=Sun, "HH:MM") or daily="HH:MM"."""
    if not name or len(name) > 100:
        raise ValueError("periodic job name must be 1–100 characters")
    if not func_path or "." not in func_path:
        raise ValueError(f"{name}: func_path must be a dotted path")
    if sum(x is not None for x in (every_minutes, weekly, daily)) != 1:
        raise ValueError(f"{name}: give exactly one of every_minutes, weekly, daily")
    if every_minutes is not None:
        if not isinstance(every_minutes, int) or not 1 <= every_minutes <= 24 * 60:
            raise ValueError(f"{name}: every_minutes must be an integer from 1 to 1440")
        catch_up = every_minutes
    else:
        if weekly is not None:
            if (
                not isinstance(weekly, (tuple, list))
                or len(weekly) != 2
                or weekly[0] not in range(7)
            ):
                raise ValueError(f"{name}: weekly must be (weekday 0–6, 'HH:MM')")
            weekly = (int(weekly[0]), weekly[1])
            _parse_hhmm(weekly[1], name)
        else:
            _parse_hhmm(daily, name)
        catch_up = DEFAULT_CATCH_UP_MINUTES if catch_up_minutes is None else int(catch_up_minutes)
    job = Job(
        name=name,
        func_path=func_path,
        every_minutes=every_minutes,
        weekly=weekly,
        daily=daily,
        catch_up_minutes=catch_up,
    )
    _jobs[name] = job
    return job


def unregister(name: str) -> None:
    _jobs.pop(name, None)


def registered() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: j.name)


def get(name: str) -> Job | None:
    return _jobs.get(name)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE or "Asia/Shanghai")


def latest_slot(job: Job, now: datetime) -> datetime:
    """The most recent scheduled time of `job` at or before `now` (aware, local time zone)."""
    local = timezone.localtime(now, zone())
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if job.every_minutes:
        minutes = local.hour * 60 + local.minute
        return midnight + timedelta(minutes=minutes - minutes % job.every_minutes)
    if job.daily:
        at = _parse_hhmm(job.daily, job.name)
        slot = midnight.replace(hour=at.hour, minute=at.minute)
        return slot if slot <= local else slot - timedelta(days=1)
    weekday, hhmm = job.weekly
    at = _parse_hhmm(hhmm, job.name)
    slot = (midnight - timedelta(days=(local.weekday() - weekday) % 7)).replace(
        hour=at.hour, minute=at.minute
    )
    return slot if slot <= local else slot - timedelta(days=7)


def due(now: datetime | None = None) -> list[tuple[Job, datetime]]:
    """Jobs whose latest slot is recent enough to run (claimed or not)."""
    now = now or clock.wall_now()
    out = []
    for job in registered():
        slot = latest_slot(job, now)
        if now - slot <= timedelta(minutes=job.catch_up_minutes):
            out.append((job, slot))
    return out


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def run_due(now: datetime | None = None, *, claimed_by: str = "") -> list:
    """Claim and enqueue every due, unclaimed slot. Returns the PeriodicRun rows this call claimed."""
    from diaodu.notify import tasks
    from diaodu.notify.models import PeriodicRun

    now = now or clock.wall_now()
    claimed_by = claimed_by or worker_name()
    runs = []
    for job, slot in due(now):
        if PeriodicRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(job=job.name, slot=slot, claimed_by=claimed_by)
        except IntegrityError:
            continue  # another scheduler process claimed this slot first
        try:
            result = tasks.run_periodic.enqueue(job.name, job.func_path, slot.isoformat(), run.pk)
        except Exception:
            log.exception("scheduler: could not enqueue %s", job.name)
            PeriodicRun.objects.filter(pk=run.pk).delete()
            continue
        PeriodicRun.objects.filter(pk=run.pk).update(task_id=str(result.id)[:64])
        run.task_id = str(result.id)[:64]
        runs.append(run)
    return runs


def call_job(func, slot: datetime):
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        params = {}
    if "slot" in params:
        return func(slot=slot)
    return func()


STUCK_RUNNING = timedelta(hours=1)  # far longer than any periodic job takes
RECOVER_AFTER = timedelta(minutes=10)


def recover_runs(now: datetime | None = None) -> int:
    """Housekeeping (every scheduler tick): every run ends. A run whose task the queue lost, or
    whose task ended without recording the run's end (its worker died), or that has been running
    for an hour, is marked failed with the reason. Returns how many were ended."""
    from django_tasks.exceptions import ResultDoesNotExist
    from django_tasks.task import ResultStatus

    from diaodu.notify.models import PeriodicRun
    from diaodu.notify.tasks import run_periodic
    from diaodu.ops.models import OutboxEntry

    now = now or clock.wall_now()
    open_runs = PeriodicRun.objects.filter(
        status__in=[PeriodicRun.Status.QUEUED, PeriodicRun.Status.RUNNING],
        claimed_at__lt=now - RECOVER_AFTER,
    ).order_by("pk")[:200]
    ended = 0
    for run in open_runs:
        reason = ""
        if run.started_at and run.started_at < now - STUCK_RUNNING:
            reason = "运行超过 1 小时仍未结束：处理它的后台进程可能已中止。"
        elif run.task_id and not OutboxEntry.objects.filter(task_id=run.task_id).exists():
            try:
                result = run_periodic.get_backend().get_result(run.task_id)
            except ResultDoesNotExist:
                reason = "任务已从队列中丢失（例如 Redis 重启时队列被清空），本次未运行。"
            except Exception:
                continue  # the queue is away: ask again on a later tick
            else:
                if result.status in (ResultStatus.SUCCEEDED, ResultStatus.FAILED):
                    reason = "处理它的后台进程中止，本次运行的结果未能记录。"
        if reason:
            ended += PeriodicRun.objects.filter(pk=run.pk, status=run.status).update(
                status=PeriodicRun.Status.FAILED, finished_at=now, error=reason
            )
    if ended:
        log.warning(
            "scheduler: %d periodic runs ended as failed (worker died or queue lost)", ended
        )
    return ended
