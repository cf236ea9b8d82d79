"""GET /api/v1/figures?unit=CODE[&on=YYYY-MM-DD]: the headline figures of a unit, each with its
definition, as the pages and the bulletin show them (diaodu.supervision.figures.headline)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema

from diaodu import clock
from diaodu.org.scope import require
from diaodu.supervision import figures
from diaodu.supervision import queries as sq

router = Router(tags=["主要数据"])


class FigureOut(Schema):
    key: str
    label: str
    definition: str
    value: int | float | None  # counts whole; 万元, 亿元 and % to two decimals
    unit: str
    as_of: date
    drill: str


class FigureQuery(Schema):
    unit: str
    on: date | None = None


@router.get("", response=list[FigureOut], summary="单位主要数据（一数一口径）")
def list_figures(request, q: Query[FigureQuery]):
    """A unit's headline figures on a date (default today): projects by stage and category,
    年度计划投资, 本年完成投资 and 完成率 (all projects and 应报 projects), reports due / filed /
    late / returned / missing, lights by colour, problems open / overdue and target progress.
    The unit is given by its code and must be within the caller's scope (404 otherwise)."""
    require(request.user, "projects.view")
    unit = sq.get_unit_by_code(request.user, q.unit)
    if q.on is not None and q.on > clock.today():
        raise ValidationError({"on": "日期不能晚于今天。"})
    _numbers, figs = figures.headline(request.user, unit, q.on)
    return [
        {**f.as_dict(), "value": f.plain if not isinstance(f.plain, Decimal) else float(f.plain)}
        for f in figs
    ]
