"""Every read of targets goes through here, scoped: agreements and values of the units the person
may see (org.scope), figures from the projects the person may see (projects.queries.visible).

Progress (序时进度) is computed on the fly with engine.pace: nothing here writes.
"""

from __future__ import annotations

import calendar as _cal
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.urls import reverse

from diaodu import clock
from diaodu.engine import pace
from diaodu.engine.scoring import rank as competition_rank
from diaodu.org import scope
from diaodu.org.models import Unit
from diaodu.org.scope import restrict_units, scope_for
from diaodu.targets import derived
from diaodu.targets.models import (
    AgreementItem,
    AssessmentScheme,
    EconomicValue,
    EntryDeadline,
    Indicator,
    MonthlyValue,
    PaceKind,
    PeerGroup,
    Reminder,
    ScoreSet,
    Source,
    TargetAgreement,
    default_due,
)

ZERO = Decimal(0)
PAGE_SIZE = 50


# ---------------------------------------------------------------- scope helpers
units_q = scope.units_q
sees = scope.sees_unit


def member_ancestor_ids(s) -> set[int]:
    """The person's own units and every unit above them (a park sees its zone's peer ranking)."""
    return {
        pk
        for u in Unit.objects.filter(pk__in=s.member_unit_ids)
        for pk in (*u.ancestor_ids(), u.pk)
    }


def can(user, key: str) -> bool:
    return scope_for(user).has(key)


def visible_units(user):
    return restrict_units(Unit.objects.filter(is_active=True), user).order_by("path")


def get_unit(user, pk) -> Unit:
    try:
        return visible_units(user).get(pk=int(pk))
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise Http404("单位不存在或无权查看。") from None


def _viewer(user) -> bool:
    s = scope_for(user)
    return s.has("targets.view") or s.has("cockpit.view")


# ---------------------------------------------------------------- indicators
def indicators(active_only: bool = False):
    qs = Indicator.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "id")


def get_indicator(pk) -> Indicator:
    try:
        return Indicator.objects.get(pk=int(pk))
    except (Indicator.DoesNotExist, ValueError, TypeError):
        raise Http404("指标不存在。") from None


# ---------------------------------------------------------------- agreements
def agreements(user, *, year: int | None = None, unit: Unit | None = None, status: str = ""):
    if not _viewer(user):
        return TargetAgreement.objects.none()
    qs = TargetAgreement.objects.filter(units_q(user))
    if year:
        qs = qs.filter(year=year)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("unit", "created_by")
        .annotate(n_items=Count("items"))
        .order_by("-year", "unit__path", "-version")
    )


def get_agreement(user, pk) -> TargetAgreement:
    try:
        return agreements(user).get(pk=int(pk))
    except (TargetAgreement.DoesNotExist, ValueError, TypeError):
        raise Http404("目标责任状不存在或无权查看。") from None


def items_of(agreement: TargetAgreement) -> list[AgreementItem]:
    return list(
        agreement.items.select_related("indicator").order_by(
            "sort_order", "indicator__sort_order", "id"
        )
    )


def versions_of(agreement: TargetAgreement):
    return TargetAgreement.objects.filter(unit_id=agreement.unit_id, year=agreement.year).order_by(
        "-version"
    )


def effective_agreements(user, year: int, within: Unit | None = None) -> list[TargetAgreement]:
    """Per unit, the agreement in force: the latest signed version, else the latest draft."""
    qs = agreements(user, year=year, unit=within).exclude(status=TargetAgreement.Status.SUPERSEDED)
    qs = qs.prefetch_related(
        Prefetch(
            "items",
            queryset=AgreementItem.objects.select_related("indicator").order_by(
                "sort_order", "indicator__sort_order", "id"
            ),
        )
    )
    best: dict[int, TargetAgreement] = {}
    for a in qs:
        cur = best.get(a.unit_id)
        key = (a.status == TargetAgreement.Status.SIGNED, a.version)
        if cur is None or key > (cur.status == TargetAgreement.Status.SIGNED, cur.version):
            best[a.unit_id] = a
    return sorted(best.values(), key=lambda a: (a.unit.path, a.unit.sort_order))


def is_effective(agreement: TargetAgreement) -> bool:
    others = (
        TargetAgreement.objects.filter(unit_id=agreement.unit_id, year=agreement.year)
        .exclude(status=TargetAgreement.Status.SUPERSEDED)
        .values_list("pk", "status", "version")
    )
    best = max(others, key=lambda r: (r[1] == TargetAgreement.Status.SIGNED, r[2]), default=None)
    return best is not None and best[0] == agreement.pk


# ---------------------------------------------------------------- pace
def profile_of(kind: str, weights, indicator: Indicator | None = None) -> pace.PaceProfile:
    if kind == PaceKind.AUTO:
        kind = indicator.default_pace_kind if indicator is not None else PaceKind.MONTHLY
    if kind == PaceKind.CUSTOM:
        return pace.PaceProfile.custom([Decimal(str(w)) for w in weights])
    if kind == PaceKind.MONTHLY:
        return pace.MONTHLY
    return pace.LINEAR_DAYS


def item_profile(item: AgreementItem, agreement: TargetAgreement) -> pace.PaceProfile:
    """The item's own profile, else the agreement's; "按指标报送方式" resolves by the indicator
    (monthly for figures reported monthly, by day for counts taken from the ledger)."""
    if item.pace_kind:
        return profile_of(item.pace_kind, item.pace_weights, item.indicator)
    return profile_of(agreement.pace_kind, agreement.pace_weights, item.indicator)


PROFILE_LABELS = {
    "linear_days": "按天序时",
    "monthly": "按月序时",
    "custom": "自定义月度序时",
}
PROFILE_HINTS = {
    "linear_days": "序时进度 = 年度目标 × 当年已过天数 ÷ 全年天数",
    "monthly": "序时进度 = 年度目标 × 已结束整月数 ÷ 12（统计月报口径）；每月需完成 = 剩余 ÷ 其后整月数",
    "custom": "序时进度 = 年度目标 × 已过月份的月度权重累计（当月按天折算）",
}


def profile_label(profile: pace.PaceProfile) -> str:
    return PROFILE_LABELS[profile.kind]


def profile_hint(profile: pace.PaceProfile) -> str:
    return PROFILE_HINTS[profile.kind]


@dataclass
class Row:
    """One indicator of one unit against its target and 序时进度."""

    unit: Unit
    indicator: Indicator
    target: Decimal
    weight: Decimal
    profile: pace.PaceProfile
    figure: derived.Figure
    result: pace.PaceResult
    year: int
    on: date
    agreement_id: int | None = None
    n_agreements: int = 1
    series: dict = field(default_factory=dict)

    @property
    def missing(self) -> bool:
        return self.figure.value is None

    @property
    def actual(self) -> Decimal | None:
        return self.figure.value

    @property
    def light(self) -> str:
        return (
            "none"
            if self.missing and not self.indicator.source == Source.ENTERED
            else self.result.light
        )

    @property
    def drill_url(self) -> str:
        return (
            f"{reverse('targets:drill')}?unit={self.unit.pk}&indicator={self.indicator.pk}"
            f"&year={self.year}&on={self.on.isoformat()}"
        )


def evaluate(
    target: Decimal,
    fig: derived.Figure,
    indicator: Indicator,
    year: int,
    on: date,
    profile: pace.PaceProfile,
) -> pace.PaceResult:
    """序时进度 of a figure: entered figures are judged at the end of their latest month; the
    time left is always counted from ``on`` (the page's date), the one definition of days left."""
    when = fig.as_of if (indicator.source == Source.ENTERED and fig.value is not None) else on
    return pace.evaluate(
        target,
        fig.value if fig.value is not None else ZERO,
        when,
        year,
        profile,
        higher_is_better=indicator.higher_is_better,
        unit_label=indicator.measure,
        noun=indicator.verb,
        integer=indicator.is_count,
        left_from=on,
    )


def _rows(user, specs, year: int, on: date, series: bool) -> list[Row]:
    figures = derived.compute(
        user, [(s["unit"], s["indicator"]) for s in specs], year, on, series=series
    )
    rows = []
    for s in specs:
        fig = figures[(s["unit"].pk, s["indicator"].pk)]
        result = evaluate(s["target"], fig, s["indicator"], year, on, s["profile"])
        row = Row(
            unit=s["unit"],
            indicator=s["indicator"],
            target=s["target"],
            weight=s.get("weight", ZERO),
            profile=s["profile"],
            figure=fig,
            result=result,
            year=year,
            on=on,
            agreement_id=s.get("agreement_id"),
            n_agreements=s.get("n", 1),
        )
        if series:
            row.series = chart_series(row)
        rows.append(row)
    return rows


def agreement_rows(user, agreement_list, on: date, *, series: bool = False) -> list[Row]:
    """Rows of several agreements (of one year), computed together (bounded queries)."""
    specs = []
    for a in agreement_list:
        for item in a.items.all():
            specs.append(
                {
                    "unit": a.unit,
                    "indicator": item.indicator,
                    "target": item.target,
                    "weight": item.weight,
                    "profile": item_profile(item, a),
                    "agreement_id": a.pk,
                }
            )
    if not specs:
        return []
    return _rows(user, specs, agreement_list[0].year, on, series)


def unit_rows(
    user, unit: Unit, year: int, on: date, *, series: bool = False
) -> tuple[list[Row], str, list]:
    """Cards of a unit: its own agreement, or the sum of the agreements below it.
    Returns (rows, mode 'own'|'sum'|'none', agreements used)."""
    effective = effective_agreements(user, year, within=unit)
    own = [a for a in effective if a.unit_id == unit.pk]
    if own:
        return agreement_rows(user, own, on, series=series), "own", own
    below = [a for a in effective if a.unit_id != unit.pk]
    if not below:
        return [], "none", []
    sums: dict[int, dict] = {}
    for a in below:
        for item in a.items.all():
            ind = item.indicator
            if not ind.additive:
                continue
            spec = sums.setdefault(
                ind.pk,
                {
                    "unit": unit,
                    "indicator": ind,
                    "target": ZERO,
                    "weight": item.weight,
                    "profiles": set(),
                    "n": 0,
                },
            )
            spec["target"] += item.target
            spec["n"] += 1
            spec["profiles"].add(item_profile(item, a))
    specs = []
    for spec in sorted(sums.values(), key=lambda s: (s["indicator"].sort_order, s["indicator"].pk)):
        profiles = spec.pop("profiles")
        spec["profile"] = (
            profiles.pop()
            if len(profiles) == 1
            else profile_of(PaceKind.AUTO, [], spec["indicator"])
        )
        specs.append(spec)
    return _rows(user, specs, year, on, series), "sum", below


def chart_series(row: Row) -> dict:
    """Month-end expected (序时) and actual values for the pace chart."""
    year = row.year
    expected, actual = [], []
    for m in range(1, 13):
        end = derived.month_end(year, m)
        expected.append(float(round(pace.expected_to_date(row.target, end, year, row.profile), 2)))
        v = row.figure.months.get(m)
        actual.append(None if v is None else float(round(v, 2)))
    return {"expected": expected, "actual": actual, "target": float(row.target)}


# ---------------------------------------------------------------- drill-down
def drill(user, unit: Unit, indicator: Indicator, year: int, on: date) -> dict:
    if indicator.source == Source.ENTERED:
        fig = derived.compute(user, [(unit, indicator)], year, on)[(unit.pk, indicator.pk)]
        values = list(
            MonthlyValue.objects.filter(
                unit_id__in=list(fig.contributors) or [unit.pk], indicator=indicator, year=year
            )
            .select_related("unit", "entered_by")
            .order_by("unit__path", "month")
        )
        names = dict(Unit.objects.filter(pk__in=list(fig.contributors)).values_list("pk", "name"))
        return {
            "figure": fig,
            "values": values,
            "contributors": [(names.get(u, u), v) for u, v in fig.contributors.items()],
            "projects": [],
        }
    fig, projects = derived.drill_projects(user, unit, indicator, year, on)
    for p in projects:
        p.reached = fig.projects.get(p.pk)
    return {"figure": fig, "projects": projects, "values": [], "contributors": []}


# ---------------------------------------------------------------- monthly values
def monthly_values(user, *, year: int, unit: Unit | None = None, month: int | None = None):
    qs = MonthlyValue.objects.filter(units_q(user), year=year)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if month:
        qs = qs.filter(month=month)
    return qs.select_related("unit", "indicator", "entered_by").order_by(
        "unit__path", "indicator__sort_order", "month"
    )


def entered_items(agreement: TargetAgreement) -> list[AgreementItem]:
    return [i for i in agreement.items.all() if i.indicator.source == Source.ENTERED]


def due_date(year: int, month: int) -> date:
    d = (
        EntryDeadline.objects.filter(year=year, month=month)
        .values_list("due_on", flat=True)
        .first()
    )
    return d or default_due(year, month)


def missing_reports(user, year: int, month: int, within: Unit | None = None) -> list[dict]:
    """催报 list: units whose agreement has entered indicators without a value for the month."""
    effective = effective_agreements(user, year, within=within)
    have = set(
        MonthlyValue.objects.filter(units_q(user), year=year, month=month).values_list(
            "unit_id", "indicator_id"
        )
    )
    reminders: dict[int, list] = defaultdict(list)
    for r in Reminder.objects.filter(units_q(user), year=year, month=month).order_by("-sent_at"):
        reminders[r.unit_id].append(r)
    due = due_date(year, month)
    today = clock.today()
    out = []
    for a in effective:
        missing = [i.indicator for i in entered_items(a) if (a.unit_id, i.indicator_id) not in have]
        if missing:
            out.append(
                {
                    "unit": a.unit,
                    "agreement": a,
                    "missing": missing,
                    "due": due,
                    "overdue_days": max((today - due).days, 0),
                    "reminders": reminders.get(a.unit_id, []),
                }
            )
    return out


# ---------------------------------------------------------------- economy
def peer_groups(user):
    if not _viewer(user):
        return PeerGroup.objects.none()
    s = scope_for(user)
    qs = PeerGroup.objects.select_related("owner")
    if s.all_units:
        return qs
    # the people who see the owner unit, or work below it
    return qs.filter(Q(owner_id__in=sorted(set(s.unit_ids) | member_ancestor_ids(s))))


def get_group(user, pk) -> PeerGroup:
    try:
        return peer_groups(user).get(pk=int(pk))
    except (PeerGroup.DoesNotExist, ValueError, TypeError):
        raise Http404("比较组不存在或无权查看。") from None


def economic_indicators():
    return Indicator.objects.filter(is_economic=True, is_active=True).order_by("sort_order", "id")


def economy_ranking(group: PeerGroup, indicator: Indicator, year: int, month: int) -> list[dict]:
    """Regions of a group for one month: cumulative value, growth %, rank by growth and by value
    (competition ranking, "1224"). Lower-is-better indicators rank the smallest first."""
    regions = list(group.regions.all().select_related("unit"))
    vals = {
        v.region_id: v
        for v in EconomicValue.objects.filter(
            region__in=regions, indicator=indicator, year=year, month=month
        )
    }
    higher = indicator.higher_is_better
    growth = {
        r.pk: vals[r.pk].growth for r in regions if r.pk in vals and vals[r.pk].growth is not None
    }
    value = {
        r.pk: vals[r.pk].value for r in regions if r.pk in vals and vals[r.pk].value is not None
    }
    g_rank = competition_rank(growth, higher_is_better=higher)
    v_rank = competition_rank(value, higher_is_better=higher)
    rows = [
        {
            "region": r,
            "value": value.get(r.pk),
            "growth": growth.get(r.pk),
            "growth_rank": g_rank.get(r.pk),
            "value_rank": v_rank.get(r.pk),
            "of": len(growth),
            "of_value": len(value),
        }
        for r in regions
    ]
    rows.sort(
        key=lambda x: (x["growth_rank"] or 10**6, x["value_rank"] or 10**6, x["region"].sort_order)
    )
    return rows


def economy_series(group: PeerGroup, indicator: Indicator, year: int) -> dict:
    """Per region, month → (value, growth) for the chart."""
    out: dict[int, dict] = defaultdict(dict)
    for v in EconomicValue.objects.filter(
        region__in=group.regions.all(), indicator=indicator, year=year
    ):
        out[v.region_id][v.month] = (v.value, v.growth)
    return out


def latest_economy_month(group: PeerGroup, year: int) -> int | None:
    return (
        EconomicValue.objects.filter(region__in=group.regions.all(), year=year)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )


def statement(rows: list[dict], group: PeerGroup, indicator: Indicator) -> list[str]:
    """ "清河经济开发区固定资产投资增速在全市排名第6" for our regions."""
    out = []
    for r in rows:
        if r["region"].is_ours and r["growth_rank"]:
            growth = format(r["growth"].normalize(), "f")
            out.append(
                f"{r['region'].name}{indicator.name}增速{growth}%，在{group.scope_label}"
                f"{r['of']}个地区中排名第{r['growth_rank']}"
            )
    return out


# ---------------------------------------------------------------- assessment
def schemes(user):
    if not _viewer(user):
        return AssessmentScheme.objects.none()
    return (
        AssessmentScheme.objects.filter(units_q(user, "root"))
        .select_related("root")
        .order_by("-year", "id")
    )


def get_scheme(user, pk) -> AssessmentScheme:
    try:
        return schemes(user).get(pk=int(pk))
    except (AssessmentScheme.DoesNotExist, ValueError, TypeError):
        raise Http404("考核方案不存在或无权查看。") from None


def score_sets(user, *, year: int | None = None):
    """Score sets of roots the person sees; a park person sees the ranking of its zone too
    (横向比位次), but the per-unit details only of the units they see (see unit_scores)."""
    if not _viewer(user):
        return ScoreSet.objects.none()
    s = scope_for(user)
    qs = ScoreSet.objects.select_related("root", "scheme")
    if not s.all_units:
        qs = qs.filter(root_id__in=sorted(set(s.unit_ids) | member_ancestor_ids(s)))
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-month", "-id")


def get_score_set(user, pk) -> ScoreSet:
    try:
        return score_sets(user).get(pk=int(pk))
    except (ScoreSet.DoesNotExist, ValueError, TypeError):
        raise Http404("考核结果不存在或无权查看。") from None


def unit_scores(score_set: ScoreSet):
    return list(score_set.scores.select_related("unit").order_by("rank", "unit__path"))


def latest_ranking(user, root: Unit, year: int) -> ScoreSet | None:
    return (
        score_sets(user, year=year).filter(root=root).exclude(kind=ScoreSet.Kind.HISTORICAL).first()
    )


def month_days(year: int, month: int) -> int:
    return _cal.monthrange(year, month)[1]
