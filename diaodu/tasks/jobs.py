"""Periodic jobs of the tasks app, registered with diaodu.notify's scheduler at start-up: every
working morning, overdue tasks and nodes escalate (催办 → 督办 → 专项督办) and the lead units of
tasks whose report cadence is due are chased (催报)."""

from __future__ import annotations

JOBS = [
    ("tasks.escalate", "diaodu.tasks.jobs.escalate", {"daily": "08:40"}),
    ("tasks.chase", "diaodu.tasks.jobs.chase", {"daily": "09:10"}),
]


def escalate(slot=None) -> list:
    from diaodu.audit.context import acting_as
    from diaodu.tasks import services

    with acting_as(None, channel="task"):
        return [list(x) for x in services.escalate_overdue(today=slot.date() if slot else None)]


def chase(slot=None) -> list:
    from diaodu.audit.context import acting_as
    from diaodu.tasks import services

    with acting_as(None, channel="task"):
        return services.chase_missing_reports(today=slot.date() if slot else None)


def register_periodic() -> None:
    try:
        from diaodu.notify.periodic import register
    except ImportError:  # the notifications app (and its scheduler) is not installed
        return
    for name, path, when in JOBS:
        register(name, path, **when)
