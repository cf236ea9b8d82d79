"""The period summary endpoint (the bulletin's figures)."""

from __future__ import annotations

from ninja import Query

from diaodu.org.scope import require
from diaodu.supervision import queries

from .common import _where, router
from .schemas import SummaryOut, Where


# ---------------------------------------------------------------- summary
@router.get("/summary", response=SummaryOut, summary="本期概况（与通报同一口径）")
def summary(request, where: Query[Where]):
    require(request.user, "projects.view")
    unit, _cycle, period = _where(request, where.unit, where.period)
    sm = queries.summary(request.user, unit, period)
    return {
        "unit_id": unit.pk,
        "period": period.code,
        "period_name": period.name,
        "deadline": sm.deadline,
        **{
            f: getattr(sm, f)
            for f in (
                "owed",
                "filed",
                "on_time",
                "late",
                "missing",
                "rate",
                "invested_period",
                "ytd_total",
                "annual_plan_total",
                "lights",
                "problems_new",
                "problems_open",
                "problems_resolved",
                "problems_overdue",
                "problems_escalated",
                "reminders_sent",
                "no_contact",
            )
        },
        "actions_open": len(sm.actions_open),
    }
