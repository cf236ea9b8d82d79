"""Progress against 序时进度 and its drill-down."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from diaodu.engine import stages as S
from diaodu.org.scope import require
from diaodu.targets import queries

from .common import _on, _unit_param, _viewer, _year, _years


# ---------------------------------------------------------------- progress
@login_required
def progress(request):
    require(request.user, "targets.view")
    year = _year(request)
    on = _on(request, year)
    unit = _unit_param(request)
    light = request.GET.get("light", "")
    agreements = queries.effective_agreements(request.user, year, within=unit)
    rows = queries.agreement_rows(request.user, agreements, on)
    if light in ("red", "yellow", "green"):
        rows = [r for r in rows if r.light == light]
    groups = []
    for a in agreements:
        mine = [r for r in rows if r.agreement_id == a.pk]
        if mine:
            groups.append({"agreement": a, "rows": mine})
    return render(
        request,
        "targets/progress.html",
        {
            "groups": groups,
            "year": year,
            "on": on,
            "unit": unit,
            "years": _years(),
            "light": light,
            "units": queries.visible_units(request.user),
            "n_rows": len(rows),
        },
    )


# ---------------------------------------------------------------- drill-down
@login_required
def drill(request):
    _viewer(request.user)
    unit = queries.get_unit(request.user, request.GET.get("unit"))
    indicator = queries.get_indicator(request.GET.get("indicator"))
    year = _year(request)
    on = _on(request, year)
    data = queries.drill(request.user, unit, indicator, year, on)
    return render(
        request,
        "targets/drill.html",
        {"unit": unit, "ind": indicator, "year": year, "on": on, **data, "S": S},
    )
