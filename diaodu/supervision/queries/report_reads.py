"""Who owes a report, the reports filed, photos, missing reports and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q
from django.http import Http404

from diaodu.engine import periods as P
from diaodu.engine import stages as S
from diaodu.org.models import Unit
from diaodu.org.scope import scope_for
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project
from diaodu.supervision.models import (
    ProgressReport,
    Reminder,
    ReportPhoto,
    ReportStatus,
)

from .cycles import active_cycles
from .scope import _scoped


# ---------------------------------------------------------------- who owes a report
def owed_projects(user, unit: Unit, period: P.Period, *, among=None):
    """Projects that owe a report for the period: visible to the person, under the unit, in an
    active stage, governed by an active cycle of the period's kind that had started. ``among``
    (a project queryset) narrows them further: a secretary's own, a leader's led projects."""
    cycles = [
        c
        for c in active_cycles()
        if c.frequency == period.kind
        and c.starts_on <= period.end
        and (c.unit.path.startswith(unit.path) or unit.path.startswith(c.unit.path))
    ]
    if not cycles:
        return Project.objects.none()
    q = Q(pk__in=[])
    for c in cycles:
        q |= Q(unit__path__startswith=c.unit.path)
    qs = project_queries.visible(user).filter(
        q, unit__path__startswith=unit.path, stage__in=S.ACTIVE
    )
    return qs if among is None else qs.filter(pk__in=among.values("pk"))


def reports(
    user,
    *,
    period: P.Period | None = None,
    unit: Unit | None = None,
    status: str = "",
    project=None,
    late: bool | None = None,
):
    qs = _scoped(ProgressReport.objects.all(), user)
    if period is not None:
        qs = qs.filter(period=period.code)
    if unit is not None:
        qs = qs.filter(project__unit__path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    if project is not None:
        qs = qs.filter(project=project)
    if late is not None:
        qs = qs.filter(is_late=late)
    return (
        qs.select_related("project", "project__unit", "filed_by")
        .annotate(n_photos=Count("photos"))
        .order_by("-period_start", "project__unit__path", "project_id")
    )


def period_reports(user, unit: Unit, period: P.Period, *, among=None):
    """The reports of the period from the projects that owe one (what the figures count)."""
    return reports(user, period=period, unit=unit).filter(
        project__in=owed_projects(user, unit, period, among=among).values("pk")
    )


def get_report(user, pk) -> ProgressReport:
    try:
        return (
            _scoped(ProgressReport.objects.all(), user)
            .select_related("project", "project__unit", "project__secretary", "cycle", "filed_by")
            .get(pk=int(pk))
        )
    except (ProgressReport.DoesNotExist, ValueError, TypeError):
        raise Http404("周报不存在或无权查看。") from None


def report_detail(report: ProgressReport) -> dict:
    return {
        "photos": list(report.photos.all()),
        "events": list(report.events.all()),
        "problems": list(report.problems.select_related("responsible_unit")),
        "corrections": list(report.corrections.all()),
    }


def get_photo(user, pk) -> ReportPhoto:
    try:
        return (
            ReportPhoto.objects.select_related("report")
            .filter(report__in=_scoped(ProgressReport.objects.all(), user).values("pk"))
            .get(pk=int(pk))
        )
    except (ReportPhoto.DoesNotExist, ValueError, TypeError):
        raise Http404("照片不存在或无权查看。") from None


def report_of(project: Project, period: P.Period) -> ProgressReport | None:
    return ProgressReport.objects.filter(project=project, period=period.code).first()


def my_projects(user, period: P.Period):
    """The phone page: the active projects one may report on (one's own first), with this period's report."""
    uid = scope_for(user).user_id
    rows = sorted(
        project_queries.visible(user)
        .filter(stage__in=S.ACTIVE)
        .select_related("unit")
        .order_by("unit__path", "name_key")[:300],
        key=lambda p: p.secretary_id != uid,
    )
    filed = {
        r.project_id: r
        for r in ProgressReport.objects.filter(
            period=period.code, project_id__in=[p.pk for p in rows]
        )
    }
    return [(p, filed.get(p.pk)) for p in rows]


@dataclass
class MissingRow:
    project: Project
    person: str
    reminders: int
    last_reminded: datetime | None


def missing(user, unit: Unit, period: P.Period, *, among=None) -> list[MissingRow]:
    owed = owed_projects(user, unit, period, among=among)
    filed = (  # a returned report is owed again until it is filed again
        ProgressReport.objects.filter(period=period.code)
        .exclude(status=ReportStatus.RETURNED)
        .values("project_id")
    )
    rows = list(
        owed.exclude(pk__in=filed)
        .select_related("unit", "secretary")
        .order_by("unit__path", "name_key")
    )
    stats = {
        r["project_id"]: r
        for r in Reminder.objects.filter(period=period.code, project_id__in=[p.pk for p in rows])
        .values("project_id")
        .annotate(n=Count("id"), last=Max("sent_at"))
    }
    out = []
    for p in rows:
        st = stats.get(p.pk, {})
        person = p.secretary.name if p.secretary else (p.secretary_text or "未指定项目秘书")
        out.append(MissingRow(p, person, st.get("n", 0), st.get("last")))
    return out


def group_missing(rows: list[MissingRow]) -> tuple[list, list]:
    by_unit: dict = {}
    by_person: dict = {}
    for r in rows:
        by_unit.setdefault(r.project.unit, []).append(r)
        by_person.setdefault(r.person, []).append(r)
    return list(by_unit.items()), sorted(by_person.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def reminders(user, period: P.Period, unit: Unit | None = None):
    qs = _scoped(Reminder.objects.filter(period=period.code), user)
    if unit is not None:
        qs = qs.filter(project__unit__path__startswith=unit.path)
    return qs.select_related("project")
