"""Report cycles and periods: which cycle a unit or project follows, the current period."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError

from diaodu import clock
from diaodu.engine import periods as P
from diaodu.org.models import Unit, UnitKind
from diaodu.org.scope import scope_for
from diaodu.projects.models import Project
from diaodu.supervision.models import (
    ReportCycle,
)

from .scope import _path_ids, get_unit, visible_units


# ---------------------------------------------------------------- cycles and periods
def active_cycles() -> list[ReportCycle]:
    return list(
        ReportCycle.objects.filter(is_active=True).select_related("unit").order_by("unit__path")
    )


def cycle_for_unit(unit: Unit, *, below: bool = True) -> ReportCycle | None:
    """The cycle that governs a unit: the nearest one at or above it; with `below`, for a unit above
    the zones (a district), the first one under it."""
    cycles = list(
        ReportCycle.objects.filter(unit_id__in=_path_ids(unit), is_active=True).select_related(
            "unit"
        )
    )
    if cycles:
        return max(cycles, key=lambda c: c.unit.depth)
    if below:
        return (
            ReportCycle.objects.filter(unit__path__startswith=unit.path, is_active=True)
            .select_related("unit")
            .order_by("unit__path")
            .first()
        )
    return None


def cycle_for_project(project: Project) -> ReportCycle | None:
    return cycle_for_unit(project.unit, below=False)


def visible_cycles(user):
    return (
        ReportCycle.objects.filter(unit__in=visible_units(user))
        .select_related("unit")
        .order_by("unit__path")
    )


def default_unit(user) -> Unit | None:
    """Where a person's pages start: the first cycle unit they can see, else their own unit."""
    s = scope_for(user)
    units = visible_units(user)
    cycle = (
        ReportCycle.objects.filter(unit__in=units, is_active=True)
        .select_related("unit")
        .order_by("unit__path")
        .first()
    )
    if cycle is not None:
        return cycle.unit
    own = units.filter(pk__in=s.member_unit_ids).first()
    return own or units.first()


def current_period(cycle: ReportCycle | None, today: date | None = None) -> P.Period:
    return P.of(today or clock.today(), cycle.frequency if cycle else P.WEEKLY)


def last_due_period(cycle: ReportCycle, now: datetime | None = None) -> P.Period:
    """The newest period whose deadline has passed (the one a Monday meeting reviews)."""
    now = now or clock.now()
    p = current_period(cycle, now.date() if isinstance(now, datetime) else now)
    while cycle.deadline_of(p) > now:
        p = p.previous()
    return p


def unit_choices(user):
    """Units offered in the unit selector: visible zones, parks and districts."""
    return visible_units(user).filter(kind__in=[UnitKind.DISTRICT, UnitKind.ZONE, UnitKind.PARK])


def resolve(
    user, unit_id=None, period_code=None
) -> tuple[Unit | None, ReportCycle | None, P.Period]:
    """The unit (scoped: 404 outside), its cycle and the period asked for (default: current)."""
    unit = get_unit(user, unit_id) if unit_id not in (None, "") else default_unit(user)
    cycle = cycle_for_unit(unit) if unit else None
    if period_code:
        try:
            period = P.parse(period_code, cycle.frequency if cycle else None)
        except ValueError as exc:
            raise ValidationError({"period": str(exc)}) from None
    else:
        period = current_period(cycle)
    return unit, cycle, period
