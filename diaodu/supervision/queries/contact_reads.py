"""Contact logs and the projects nobody has contacted for weeks."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count

from diaodu.engine import periods as P
from diaodu.org.models import Unit
from diaodu.projects.models import Project
from diaodu.supervision.models import (
    ContactLog,
    ReportCycle,
)

from .report_reads import owed_projects
from .scope import _scoped


# ---------------------------------------------------------------- contacts
def contacts(
    user,
    *,
    unit: Unit | None = None,
    project=None,
    since: date | None = None,
    until: date | None = None,
):
    qs = _scoped(ContactLog.objects.all(), user)
    if unit is not None:
        qs = qs.filter(project__unit__path__startswith=unit.path)
    if project is not None:
        qs = qs.filter(project=project)
    if since:
        qs = qs.filter(on__gte=since)
    if until:
        qs = qs.filter(on__lte=until)
    return qs.select_related("project", "project__unit").order_by("-on", "-id")


def weeks_without_contact(
    project_ids, as_of: date, *, min_per_week: int = 1, since: date | None = None, horizon: int = 12
) -> dict[int, int]:
    """Consecutive ISO weeks, ending with the week of `as_of`, in which a project had fewer than
    `min_per_week` contacts (weeks before `since` are not counted)."""
    ids = list(project_ids)
    if min_per_week <= 0:
        return dict.fromkeys(ids, 0)
    monday = as_of - timedelta(days=as_of.weekday())
    first = monday - timedelta(weeks=horizon - 1)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for i in range(0, len(ids), 5000):
        for pid, on in ContactLog.objects.filter(
            project_id__in=ids[i : i + 5000], on__gte=first, on__lte=as_of
        ).values_list("project_id", "on"):
            counts[(pid, (monday - (on - timedelta(days=on.weekday()))).days // 7)] += 1
    start_monday = (since - timedelta(days=since.weekday())) if since else None
    out = {}
    for pid in ids:
        n = 0
        for w in range(horizon):
            week_start = monday - timedelta(weeks=w)
            if start_monday and week_start < start_monday:
                break
            if counts.get((pid, w), 0) >= min_per_week:
                break
            n += 1
        out[pid] = n
    return out


def _contact_need(period: P.Period, cycle: ReportCycle | None) -> int:
    return (cycle.min_contacts_per_week if cycle else 1) * (1 if period.kind == P.WEEKLY else 4)


def count_without_contact(user, unit: Unit, period: P.Period, cycle: ReportCycle | None) -> int:
    """``len(without_contact(...))`` counted in the database."""
    need = _contact_need(period, cycle)
    if need <= 0:
        return 0
    owed = owed_projects(user, unit, period)
    enough = (
        ContactLog.objects.filter(
            project__in=owed.values("pk"), on__gte=period.start, on__lte=period.end
        )
        .values("project_id")
        .annotate(n=Count("id"))
        .filter(n__gte=need)
        .count()
    )
    return owed.count() - enough


def without_contact(user, unit: Unit, period: P.Period, cycle: ReportCycle | None) -> list[Project]:
    """Projects owing a report that had fewer contacts in the period than the rule asks."""
    need = _contact_need(period, cycle)
    if need <= 0:
        return []
    owed = owed_projects(user, unit, period)
    counts = dict(
        ContactLog.objects.filter(
            project__in=owed.values("pk"), on__gte=period.start, on__lte=period.end
        )
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    return [
        p
        for p in owed.select_related("unit", "secretary").order_by("unit__path", "name_key")
        if counts.get(p.pk, 0) < need
    ]
