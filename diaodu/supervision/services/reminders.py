"""Reminders (催报) to the people who owe a report."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from diaodu import clock
from diaodu.audit.services import record
from diaodu.engine import periods as P
from diaodu.org.models import Unit
from diaodu.org.scope import require
from diaodu.supervision import queries
from diaodu.supervision.models import (
    Reminder,
)

from .common import _name, _notify, _notify_unit, _user


# ================================================================ reminders (催报)
@transaction.atomic
def remind(
    by, unit: Unit, period: P.Period, project_ids=None, *, automatic: bool = False
) -> list[Reminder]:
    """Remind the secretaries of missing reports (all missing under the unit, or the chosen ones)."""
    require(by, "reports.review")
    rows = queries.missing(by, unit, period)
    if project_ids is not None:
        wanted = {int(p) for p in project_ids}
        unknown = wanted - {r.project.pk for r in rows}
        if unknown:
            raise ValidationError(
                {"projects": "所选项目不在未报送名单中（可能已报送或无权查看）。"}
            )
        rows = [r for r in rows if r.project.pk in wanted]
    now = clock.now()
    cycle = queries.cycle_for_unit(unit)
    deadline = cycle.deadline_of(period) if cycle else None
    out = []
    for r in rows:
        p = r.project
        rem = Reminder.objects.create(
            project=p,
            period=period.code,
            recipient=p.secretary,
            recipient_name=r.person,
            sent_by=_user(by),
            sent_by_name=_name(by),
            automatic=automatic,
            sent_at=now,
        )
        out.append(rem)
        title = f"催报：《{p.name}》{period.name}周报尚未报送"
        body = (
            f"截止时间 {timezone.localtime(deadline):%m月%d日 %H:%M}，请尽快报送。"
            if deadline
            else "请尽快报送。"
        )
        link = f"/supervision/reports/new/{p.pk}/?period={period.code}"
        if p.secretary is not None:
            _notify(
                [p.secretary],
                title=title,
                body=body,
                link=link,
                kind="reminder",
                unit=p.unit,
                source=rem,
            )
        else:
            _notify_unit(
                p.unit, title=title, body=body, link=link, kind="reminder", roles=["park_staff"]
            )
    if out:
        record(
            "report.remind",
            unit,
            after={
                "period": period.code,
                "automatic": automatic,
                "projects": [r.project_id for r in out],
            },
            only_changes=False,
        )
    return out
