"""Periodic jobs of the supervision loop, registered with diaodu.notify's scheduler at start-up
(the scheduler enqueues each run as a django-task, `notify.tasks.run_periodic`, which calls these).

The deadline is configured per zone (ReportCycle), so one job runs every 15 minutes and acts on
the cycles whose deadline came: reminders (催报) from `remind_hours_before` the deadline, lights at
the deadline; both once per period. Escalation of overdue problems runs every working morning."""

from __future__ import annotations

JOBS = [
    # name, dotted path, schedule
    ("supervision.deadline", "diaodu.supervision.jobs.deadline", {"every_minutes": 15}),
    ("supervision.escalate", "diaodu.supervision.jobs.escalate", {"daily": "08:30"}),
]


def deadline(slot=None) -> dict:
    from diaodu.audit.context import acting_as
    from diaodu.supervision import services

    with acting_as(None, channel="task"):
        return services.deadline_tick(slot)


def escalate(slot=None) -> list:
    from diaodu.audit.context import acting_as
    from diaodu.supervision import services

    with acting_as(None, channel="task"):
        return [list(x) for x in services.escalate_overdue(today=slot.date() if slot else None)]


def register_periodic() -> None:
    try:
        from diaodu.notify.periodic import register
    except ImportError:  # the notifications app (and its scheduler) is not installed
        return
    for name, path, when in JOBS:
        register(name, path, **when)
