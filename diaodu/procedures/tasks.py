"""Background work of the procedures app (django-tasks)."""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_schedules(unit_code: str = "") -> dict:
    """Recompute every stored schedule (or those under one unit): enqueued after a holiday
    calendar change, and run nightly because the dates move with "today"."""
    from diaodu.audit.context import acting_as
    from diaodu.org.models import Unit
    from diaodu.procedures import services

    unit = Unit.objects.get(code=unit_code) if unit_code else None
    with acting_as(None, channel="task"):
        return services.recompute_all(unit=unit).as_dict()
