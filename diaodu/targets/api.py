"""Targets API: indicators, agreements, monthly values, pace results, drill-down, rankings and
the economy ranking. Same queries (scoped) and services (validated, audited) as the pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from diaodu import clock
from diaodu.cleanfields import cleaned
from diaodu.engine import cleaning
from diaodu.org.scope import require, scope_for
from diaodu.pagination import Paged, Rows
from diaodu.targets import queries, services
from diaodu.targets.filters import AgreementFilterSet

# A year or month in a query or a body: bounded like the pages' (2000–2100, 1–12), so that a
# year such as 99999 is a 422 naming the field, never a date past Python's range.
Year = Annotated[int, Field(ge=2000, le=2100, description="年度（2000–2100）")]
Month = Annotated[int, Field(ge=1, le=12, description="月份（1–12）")]

router = Router(tags=["目标考核"])


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    category: str
    measure: str
    direction: str
    source: str
    aggregation: str
    stage: str
    plan_category: str
    level: str
    is_economic: bool
    is_active: bool
    rule: str


class AgreementItemOut(Schema):
    indicator_id: int
    indicator_code: str
    indicator_name: str
    measure: str
    target: Decimal
    weight: Decimal
    pace_kind: str


class AgreementOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    year: int
    version: int
    status: str
    signed_on: date | None
    has_scan: bool
    pace_kind: str
    amendment_reason: str


class AgreementDetail(AgreementOut):
    items: list[AgreementItemOut]


class PaceOut(Schema):
    unit_id: int
    indicator_id: int
    indicator_code: str
    indicator_name: str
    measure: str
    target: Decimal
    actual: Decimal | None
    as_of: date
    expected: Decimal
    completion_rate: Decimal | None
    pace_index: Decimal | None
    gap: Decimal
    light: str
    forecast_year_end: Decimal | None
    remaining: Decimal
    required_per_week: Decimal | None
    required_per_month: Decimal | None
    days_left: int
    months_left: Decimal
    pace_profile: str
    pace_profile_label: str
    message: str
    note: str
    drill_url: str


class DrillProject(Schema):
    id: int
    name: str
    unit_name: str
    stage: str
    reached: str


class DrillOut(Schema):
    value: Decimal | None
    as_of: date
    note: str
    projects: list[DrillProject]
    monthly_values: list[dict]


class MonthlyOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    indicator_code: str
    year: int
    month: int
    value: Decimal
    note: str
    source: str


MonthlyNumber = cleaned(cleaning.decimal_value, "数值", Decimal | None, minimum=None, places=None)
Year = cleaned(cleaning.integer, "年度", int, required=True)
Month = cleaned(cleaning.integer, "月份", int, required=True)


class MonthlyValueIn(Schema):
    indicator: str  # code
    value: MonthlyNumber = None
    note: str = ""


class MonthlyIn(Schema):
    unit_id: int
    year: Year
    month: Month
    values: list[MonthlyValueIn]


class ScoreSetOut(Schema):
    id: int
    root_id: int
    root_name: str
    year: int
    month: int | None
    kind: str
    as_of: date
    title: str


class UnitScoreOut(Schema):
    unit_id: int
    unit_name: str
    base: Decimal
    adjustments: Decimal
    total: Decimal
    rank: int
    tied: bool
    change_vs_last_year: Decimal | None
    rank_change: int | None
    lines: list[dict]


class ScoreSetDetail(ScoreSetOut):
    scores: list[UnitScoreOut]


class EconomyRow(Schema):
    region_code: str
    region_name: str
    ours: bool
    value: Decimal | None
    growth: Decimal | None
    growth_rank: int | None
    value_rank: int | None


def _viewer(request):
    s = scope_for(request.user)
    if not (s.has("targets.view") or s.has("cockpit.view")):
        require(request.user, "targets.view")


def _agreement(a, items=False) -> dict:
    out = {
        "id": a.pk,
        "unit_id": a.unit_id,
        "unit_name": a.unit.name,
        "year": a.year,
        "version": a.version,
        "status": a.status,
        "signed_on": a.signed_on,
        "has_scan": bool(a.scan),
        "pace_kind": a.pace_kind,
        "amendment_reason": a.amendment_reason,
    }
    if items:
        out["items"] = [
            {
                "indicator_id": i.indicator_id,
                "indicator_code": i.indicator.code,
                "indicator_name": i.indicator.name,
                "measure": i.indicator.measure,
                "target": i.target,
                "weight": i.weight,
                "pace_kind": i.pace_kind or a.pace_kind,
            }
            for i in queries.items_of(a)
        ]
    return out


def _pace(r) -> dict:
    res = r.result
    return {
        "unit_id": r.unit.pk,
        "indicator_id": r.indicator.pk,
        "indicator_code": r.indicator.code,
        "indicator_name": r.indicator.name,
        "measure": r.indicator.measure,
        "target": r.target,
        "actual": r.actual,
        "as_of": r.figure.as_of,
        "expected": res.expected,
        "completion_rate": res.completion_rate,
        "pace_index": res.pace_index,
        "gap": res.gap,
        "light": r.light,
        "forecast_year_end": res.forecast_year_end,
        "remaining": res.remaining,
        "required_per_week": res.required_per_week,
        "required_per_month": res.required_per_month,
        "days_left": res.days_left,
        "months_left": res.months_left,
        "pace_profile": r.profile.kind,
        "pace_profile_label": queries.profile_label(r.profile),
        "message": res.message,
        "note": r.figure.note,
        "drill_url": r.drill_url,
    }


def _on(year: int, on: date | None) -> date:
    if on is not None:
        return on
    today = clock.today()
    return (
        today
        if year == today.year
        else (date(year, 12, 31) if year < today.year else date(year, 1, 1))
    )


@router.get("/indicators", response=list[IndicatorOut], summary="指标库")
def list_indicators(request):
    _viewer(request)
    return [
        {
            **{
                f: getattr(i, f)
                for f in (
                    "id",
                    "code",
                    "name",
                    "category",
                    "measure",
                    "direction",
                    "source",
                    "aggregation",
                    "stage",
                    "plan_category",
                    "level",
                    "is_economic",
                    "is_active",
                )
            },
            "rule": i.rule_text,
        }
        for i in queries.indicators()
    ]


@router.get("/agreements", response=list[AgreementOut], summary="目标责任状（分页）")
@paginate(Paged)
def list_agreements(
    request,
    year: int | None = Query(None, ge=2000, le=2100, description="年度（2000–2100）"),
    unit: int | None = None,
    status: str = "",
):
    require(request.user, "targets.view")
    fs = AgreementFilterSet(request.GET, queryset=queries.agreements(request.user), request=request)
    fs.raise_errors()
    return Rows(fs.qs, page=lambda rows: [_agreement(a) for a in rows])


@router.get("/agreements/{agreement_id}", response=AgreementDetail, summary="目标责任状详情")
def get_agreement(request, agreement_id: int):
    require(request.user, "targets.view")
    return _agreement(queries.get_agreement(request.user, agreement_id), items=True)


@router.get(
    "/agreements/{agreement_id}/progress", response=list[PaceOut], summary="责任状各指标序时进度"
)
def agreement_progress(request, agreement_id: int, on: date | None = None):
    require(request.user, "targets.view")
    a = queries.get_agreement(request.user, agreement_id)
    return [_pace(r) for r in queries.agreement_rows(request.user, [a], _on(a.year, on))]


@router.get("/progress", response=list[PaceOut], summary="单位（含下级汇总）各指标序时进度")
def unit_progress(
    request,
    unit: int,
    year: int | None = Query(None, ge=2000, le=2100, description="年度（2000–2100）"),
    on: date | None = None,
):
    _viewer(request)
    u = queries.get_unit(request.user, unit)
    year = year or clock.today().year
    rows, _mode, _used = queries.unit_rows(request.user, u, year, _on(year, on))
    return [_pace(r) for r in rows]


@router.get("/drill", response=DrillOut, summary="指标数值对应的记录（项目清单或填报值）")
def drill(
    request,
    unit: int,
    indicator: int,
    year: int | None = Query(None, ge=2000, le=2100, description="年度（2000–2100）"),
    on: date | None = None,
):
    _viewer(request)
    u = queries.get_unit(request.user, unit)
    ind = queries.get_indicator(indicator)
    year = year or clock.today().year
    data = queries.drill(request.user, u, ind, year, _on(year, on))
    fig = data["figure"]
    return {
        "value": fig.value,
        "as_of": fig.as_of,
        "note": fig.note,
        "projects": [
            {
                "id": p.pk,
                "name": p.name,
                "unit_name": p.unit.name,
                "stage": p.stage,
                "reached": str(p.reached),
            }
            for p in data["projects"]
        ],
        "monthly_values": [
            {"unit": v.unit.name, "month": v.month, "value": str(v.value)} for v in data["values"]
        ],
    }


@router.get("/monthly", response=list[MonthlyOut], summary="月度填报值（分页）")
@paginate(Paged)
def list_monthly(
    request,
    year: int = Query(..., ge=2000, le=2100, description="年度（2000–2100）"),
    unit: int | None = None,
    month: int | None = Query(None, ge=1, le=12, description="月份（1–12）"),
):
    require(request.user, "targets.view")
    u = queries.get_unit(request.user, unit) if unit else None
    qs = queries.monthly_values(request.user, year=year, unit=u, month=month)
    return Rows(qs, page=lambda rows: [_monthly(v) for v in rows])


def _monthly(v) -> dict:
    return {
        "id": v.pk,
        "unit_id": v.unit_id,
        "unit_name": v.unit.name,
        "indicator_code": v.indicator.code,
        "year": v.year,
        "month": v.month,
        "value": v.value,
        "note": v.note,
        "source": v.source,
    }


@router.post("/monthly", response={200: dict}, summary="填报月度指标（累计指标不能倒退）")
def enter_monthly(request, payload: MonthlyIn):
    require(request.user, "targets.enter")
    u = queries.get_unit(request.user, payload.unit_id)
    inds = {i.code: i for i in queries.indicators()}
    missing = [v.indicator for v in payload.values if v.indicator not in inds]
    if missing:
        raise ValidationError({"values": f"指标代码不存在：{'、'.join(missing)}"})
    values = {inds[v.indicator]: v.value for v in payload.values}
    notes = {inds[v.indicator].pk: v.note for v in payload.values}
    n = services.save_monthly(
        request.user,
        unit=u,
        year=payload.year,
        month=payload.month,
        values=values,
        notes=notes,
        source="api",
    )
    return {"saved": n}


def _score_set(ss) -> dict:
    return {
        "id": ss.pk,
        "root_id": ss.root_id,
        "root_name": ss.root.name,
        "year": ss.year,
        "month": ss.month,
        "kind": ss.kind,
        "as_of": ss.as_of,
        "title": ss.title,
    }


@router.get("/rankings", response=list[ScoreSetOut], summary="月度排名与年终考核结果（分页）")
@paginate(Paged)
def list_rankings(
    request, year: int | None = Query(None, ge=2000, le=2100, description="年度（2000–2100）")
):
    require(request.user, "targets.view")
    return Rows(
        queries.score_sets(request.user, year=year), page=lambda rows: [_score_set(s) for s in rows]
    )


@router.get(
    "/rankings/{score_set_id}", response=ScoreSetDetail, summary="排名/考核结果（含计分明细）"
)
def get_ranking(request, score_set_id: int):
    require(request.user, "targets.view")
    ss = queries.get_score_set(request.user, score_set_id)
    scores = []
    for s in queries.unit_scores(ss):
        scores.append(
            {
                "unit_id": s.unit_id,
                "unit_name": s.unit.name,
                "base": s.base,
                "adjustments": s.adjustments,
                "total": s.total,
                "rank": s.rank,
                "tied": s.tied,
                "change_vs_last_year": s.change_vs_last_year,
                "rank_change": s.rank_change,
                "lines": s.lines if queries.sees(request.user, s.unit) else [],
            }
        )
    return {**_score_set(ss), "scores": scores}


@router.get("/economy/ranking", response=list[EconomyRow], summary="经济指标区域排名（增速、总量）")
def economy_ranking(
    request,
    group: int,
    indicator: int,
    year: int = Query(..., ge=2000, le=2100, description="年度（2000–2100）"),
    month: int = Query(..., ge=1, le=12, description="月份（1–12）"),
):
    require(request.user, "targets.view")
    g = queries.get_group(request.user, group)
    ind = queries.get_indicator(indicator)
    return [
        {
            "region_code": r["region"].code,
            "region_name": r["region"].name,
            "ours": r["region"].is_ours,
            "value": r["value"],
            "growth": r["growth"],
            "growth_rank": r["growth_rank"],
            "value_rank": r["value_rank"],
        }
        for r in queries.economy_ranking(g, ind, year, month)
    ]
