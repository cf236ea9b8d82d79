"""Background work of the supervision loop (django-tasks): lights at the deadline, reminders,
escalation of overdue problems. The periodic scheduler (diaodu.notify.periodic) enqueues them."""

from __future__ import annotations

from django_tasks import task


def _system():
    from diaodu.org.scope import SYSTEM

    return SYSTEM


@task()
def deadline_tick() -> dict:
    """Every few minutes: reminders and lights of the cycles whose deadline came (idempotent)."""
    from diaodu.audit.context import acting_as
    from diaodu.supervision import services

    with acting_as(None, channel="task"):
        return services.deadline_tick()


@task()
def escalate_problems() -> list:
    """Daily: overdue problems move up 催办 → 督办 → 提级 by working days."""
    from diaodu.audit.context import acting_as
    from diaodu.supervision import services

    with acting_as(None, channel="task"):
        return [list(x) for x in services.escalate_overdue()]


@task()
def compute_lights(unit_code: str, period_code: str = "") -> dict:
    from diaodu.audit.context import acting_as
    from diaodu.engine import periods
    from diaodu.org.models import Unit
    from diaodu.supervision import queries, services

    unit = Unit.objects.get(code=unit_code)
    cycle = queries.cycle_for_unit(unit)
    if cycle is None:
        return {"error": f"“{unit.name}”尚未设置报送周期。"}
    period = periods.parse(period_code, cycle.frequency) if period_code else None
    with acting_as(None, channel="task"):
        return services.compute_lights(_system(), cycle, period, unit=unit).as_dict()


@task()
def send_reminders(
    unit_code: str,
    period_code: str,
    project_ids: list[int] | None = None,
    user_id: int | None = None,
) -> int:
    """催报 in the background: the missing reports of a unit and period (or the chosen projects)."""
    from diaodu.audit.context import acting_as
    from diaodu.engine import periods
    from diaodu.org.models import Unit, User
    from diaodu.supervision import queries, services

    unit = Unit.objects.get(code=unit_code)
    cycle = queries.cycle_for_unit(unit)
    period = periods.parse(period_code, cycle.frequency if cycle else None)
    by = User.objects.get(pk=user_id) if user_id else _system()
    with acting_as(by if user_id else None, channel="task"):
        return len(services.remind(by, unit, period, project_ids, automatic=user_id is None))
