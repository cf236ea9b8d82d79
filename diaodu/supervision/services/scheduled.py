"""Scheduled work called by tasks: deadlines, overdue reports."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from diaodu import clock
from diaodu.supervision import queries
from diaodu.supervision.models import (
    ReportCycle,
)

from .lights import compute_lights
from .reminders import remind


# ================================================================ scheduled work (called by tasks)
def deadline_tick(now: datetime | None = None) -> dict:
    """For every active cycle: from `remind_hours_before` the deadline on, remind the missing reports
    of the current period once; from the deadline on, compute the period's lights once. Idempotent.
    Lights missed because the scheduler was down over a deadline are caught up for the previous
    period (not on the very first run, and reminders are never sent for a past period)."""
    from diaodu.org.scope import SYSTEM

    now = now or clock.now()
    done = {"reminded": 0, "lights": 0}
    for cycle in queries.active_cycles():
        current = queries.current_period(cycle, timezone.localtime(now).date())
        for period in (current.previous(), current):
            if period.end < cycle.starts_on:
                continue
            deadline = cycle.deadline_of(period)
            if period != current:
                if (
                    cycle.auto_lights_period
                    and now >= deadline
                    and cycle.auto_lights_period < period.code
                ):
                    done["lights"] += compute_lights(SYSTEM, cycle, period, as_of=now).computed
                    cycle.auto_lights_period = period.code
                    ReportCycle.objects.filter(pk=cycle.pk).update(auto_lights_period=period.code)
                continue
            if (
                now >= deadline - timedelta(hours=cycle.remind_hours_before)
                and cycle.auto_remind_period < period.code
            ):
                done["reminded"] += len(remind(SYSTEM, cycle.unit, period, automatic=True))
                cycle.auto_remind_period = period.code
                ReportCycle.objects.filter(pk=cycle.pk).update(auto_remind_period=period.code)
            if now >= deadline and cycle.auto_lights_period < period.code:
                done["lights"] += compute_lights(SYSTEM, cycle, period, as_of=now).computed
                cycle.auto_lights_period = period.code
                ReportCycle.objects.filter(pk=cycle.pk).update(auto_lights_period=period.code)
    return done
