"""The leaders' cockpit (领导驾驶舱)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from diaodu.engine import stages as S
from diaodu.org import queries as org_queries
from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as pq
from diaodu.supervision import figures as sfigures
from diaodu.targets import queries

from .common import _on, _unit_param, _year, _years


# ---------------------------------------------------------------- cockpit
def default_unit(user, year: int):
    """The unit a leader's cockpit opens on: the common ancestor (that they see) of the units
    with agreements in force, or their first visible unit."""
    effective = queries.effective_agreements(user, year)
    visible = {u.pk: u for u in queries.visible_units(user)}
    if effective:
        paths = [a.unit.path.strip("/").split("/") for a in effective]
        common = []
        for parts in zip(*paths):
            if len(set(parts)) != 1:
                break
            common.append(int(parts[0]))
        for uid in reversed(common):
            if uid in visible:
                return visible[uid]
        return effective[0].unit
    s = scope_for(user)
    for uid in s.member_unit_ids:
        if uid in visible:
            return visible[uid]
    return next(iter(visible.values()), None)


def cockpit_context(user, unit, year: int, on: date) -> dict:
    rows, mode, used = queries.unit_rows(user, unit, year, on, series=True)
    cards = []
    for r in rows:
        res = r.result
        cards.append(
            {
                "row": r,
                "name": r.indicator.name,
                "measure": r.indicator.measure,
                "target": r.target,
                "actual": r.actual,
                "expected": res.expected,
                "rate": res.completion_rate,
                "pace": res.pace_index,
                "light": r.light,
                "message": res.message,
                "forecast": res.forecast_year_end,
                "per_week": res.required_per_week,
                "drill": r.drill_url,
                "note": r.figure.note,
                "source": r.indicator.source,
            }
        )
    chart = {
        "months": [gettext("%(m)s月") % {"m": m} for m in range(1, 13)],
        "indicators": [
            {"name": f"{r.indicator.name}（{r.indicator.measure}）", **r.series} for r in rows
        ],
    }
    # the funnel and the lights are headline figures: the same functions as the 主要数据 panel
    numbers = sfigures.numbers(user, unit, on)
    stage_counts = {
        f.key.rsplit(".", 1)[1]: f.value
        for f in numbers.figures
        if f.key.startswith("projects.stage.")
    }
    funnel = pq.funnel(user, unit)
    for f in funnel:
        f["count"] = stage_counts.get(f["stage"], 0)
        f["label"] = gettext(f["label"])  # stage names are in the catalogue (diaodu.i18n)
    projects = pq.visible(user).filter(unit__path__startswith=unit.path)
    lights = {c: numbers.lights.get(c, 0) for c in ("red", "yellow", "green")}
    light_source = "supervision"
    if not sum(lights.values()):  # no supervision lights for the period: the indicators' lights
        light_source = "indicators"
        lights = {"red": 0, "yellow": 0, "green": 0}
        for r in rows:
            if r.light in lights:
                lights[r.light] += 1
    light_url = ""
    if light_source == "supervision":
        try:
            light_url = reverse("supervision:lights")
        except NoReverseMatch:
            light_url = ""
    points = [
        {
            "id": p["pk"],
            "name": p["name"],
            "lat": float(p["latitude"]),
            "lon": float(p["longitude"]),
            "stage": gettext(S.label(p["stage"])),
            "url": reverse("projects:detail", args=[p["pk"]]),
        }
        for p in projects.filter(latitude__isnull=False, longitude__isnull=False).values(
            "pk", "name", "latitude", "longitude", "stage"
        )[:2000]
    ]
    ranking = None
    root = unit
    ss = queries.latest_ranking(user, unit, year)
    if ss is None and unit.parent_id:
        parent = unit.parent
        ss = queries.latest_ranking(user, parent, year)
        root = parent
    if ss is not None:
        ranking = {"ss": ss, "scores": queries.unit_scores(ss), "root": root}
    economy = []
    for g in queries.peer_groups(user).filter(owner__path__in=[unit.path] + _ancestor_paths(unit)):
        month = queries.latest_economy_month(g, year)
        if month:
            for ind in queries.economic_indicators()[:4]:
                rows_e = queries.economy_ranking(g, ind, year, month)
                for st in queries.statement(rows_e, g, ind):
                    economy.append(
                        {
                            "text": st,
                            "url": f"{reverse('targets:economy')}?group={g.pk}&indicator="
                            f"{ind.pk}&year={year}&month={month}",
                            "month": month,
                        }
                    )
    return {
        "unit": unit,
        "year": year,
        "on": on,
        "cards": cards,
        "mode": mode,
        "n_agreements": len(used),
        "chart": chart,
        "funnel": funnel,
        "funnel_chart": [
            {"name": f["label"], "value": f["count"], "stage": f["stage"]}
            for f in funnel
            if not f["side"]
        ],
        "lights": lights,
        "light_source": light_source,
        "light_url": light_url,
        "light_period": numbers.period,
        "points": points,
        "ranking": ranking,
        "economy": economy,
        "tile_url": settings.MAP_TILE_URL,
        # drawn from the system's own data: the map works without any tile server
        "outlines": org_queries.outlines(unit),
        "ledger_url": reverse("projects:list"),
    }


def _ancestor_paths(unit) -> list[str]:
    parts = [p for p in unit.path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]


@login_required
def cockpit(request):
    require(request.user, "cockpit.view")
    year = _year(request)
    on = _on(request, year)
    unit = _unit_param(request) or default_unit(request.user, year)
    if unit is None:
        raise Http404("没有可查看的单位。")
    ctx = cockpit_context(request.user, unit, year, on)
    ctx.update(
        {
            "years": _years(),
            "units": [
                u
                for u in queries.visible_units(request.user)
                if u.kind in ("province", "city", "district", "zone", "park")
            ],
        }
    )
    template = (
        "targets/cockpit_screen.html"
        if request.GET.get("screen") == "1"
        else "targets/cockpit.html"
    )
    return render(request, template, ctx)
