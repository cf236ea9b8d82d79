"""Assessment schemes (考核方案), their criteria and adjustments, score sets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning, scoring
from diaodu.org.models import Unit
from diaodu.org.scope import require
from diaodu.targets import queries
from diaodu.targets.models import (
    AdjustmentEntry,
    AdjustmentSource,
    AssessmentScheme,
    Indicator,
    RuleKind,
    SchemeAdjustment,
    SchemeCriterion,
    ScoreSet,
    UnitScore,
)

from .common import CODE_RE, _actor, _check_unit, _year, parse_decimal


# ---------------------------------------------------------------- assessment schemes
@transaction.atomic
def save_scheme(
    by, *, root: Unit, year, name: str, note: str = "", instance: AssessmentScheme | None = None
) -> AssessmentScheme:
    require(by, "targets.manage")
    _check_unit(by, root)
    year = _year(year)
    if not (name or "").strip():
        raise ValidationError({"name": "方案名称必填。"})
    clash = AssessmentScheme.objects.filter(root=root, year=year).exclude(
        pk=getattr(instance, "pk", None)
    )
    if clash.exists():
        raise ValidationError({"year": f"“{root.name}”已有{year}年考核方案。"})
    if instance is None:
        s = AssessmentScheme.objects.create(
            root=root, year=year, name=name.strip()[:120], note=note or ""
        )
        record("scheme.create", s, after=snapshot(s), only_changes=False)
        return s
    before = snapshot(instance)
    instance.root, instance.year, instance.name, instance.note = (
        root,
        year,
        name.strip()[:120],
        note or "",
    )
    instance.save()
    record("scheme.update", instance, before=before, after=snapshot(instance))
    return instance


def _criterion_rule(kind, cap, bands, rank_points, rank_floor, rank_by, lower) -> scoring.Rule:
    def number(value, label):
        return cleaning.decimal_value(value, label, required=True, minimum=None, places=None)

    try:
        return scoring.Rule(
            kind=kind,
            cap=number(cap or "1.2", "封顶系数"),
            bands=tuple((number(a, "分档界限"), number(b, "分档得分")) for a, b in (bands or [])),
            rank_points=tuple(number(p, "名次得分") for p in (rank_points or [])),
            rank_floor=None if rank_floor in (None, "") else number(rank_floor, "最低得分"),
            rank_by=rank_by or "ratio",
            lower_is_better=lower,
        )
    except (ValueError, TypeError, InvalidOperation) as exc:
        raise ValidationError({"rule": str(exc) or "计分规则无效。"}) from None


@transaction.atomic
def set_criterion(
    by,
    scheme: AssessmentScheme,
    *,
    indicator: Indicator,
    weight,
    rule_kind: str = "ratio_capped",
    cap="1.2",
    bands=None,
    rank_points=None,
    rank_floor=None,
    rank_by: str = "ratio",
    sort_order: int = 0,
) -> SchemeCriterion:
    require(by, "targets.manage")
    _check_unit(by, scheme.root)
    if rule_kind not in RuleKind.values:
        raise ValidationError({"rule_kind": "计分方法无效。"})
    rule = _criterion_rule(
        rule_kind, cap, bands, rank_points, rank_floor, rank_by, not indicator.higher_is_better
    )
    try:
        w = parse_decimal(weight, "权重", places=2)
        scoring.Criterion(code=indicator.code, name=indicator.name, weight=w, rule=rule)
    except ValueError as exc:
        raise ValidationError({"weight": str(exc)}) from None
    c, created = SchemeCriterion.objects.update_or_create(
        scheme=scheme,
        indicator=indicator,
        defaults={
            "weight": w,
            "rule_kind": rule_kind,
            "cap": rule.cap,
            "bands": [[str(a), str(b)] for a, b in rule.bands],
            "rank_points": [str(p) for p in rule.rank_points],
            "rank_floor": rule.rank_floor,
            "rank_by": rule.rank_by,
            "sort_order": sort_order,
        },
    )
    record(
        "scheme.criterion",
        scheme,
        after={
            "indicator": indicator.code,
            "weight": w,
            "rule": rule_kind,
            "cap": rule.cap,
            "bands": c.bands,
            "rank_points": c.rank_points,
        },
        only_changes=False,
    )
    return c


@transaction.atomic
def remove_criterion(by, criterion: SchemeCriterion) -> None:
    require(by, "targets.manage")
    _check_unit(by, criterion.scheme.root)
    record(
        "scheme.criterion_remove",
        criterion.scheme,
        before={"indicator": criterion.indicator.code},
        only_changes=False,
    )
    criterion.delete()


@transaction.atomic
def set_adjustment(
    by,
    scheme: AssessmentScheme,
    *,
    code: str,
    name: str,
    points_each,
    cap=None,
    source: str = AdjustmentSource.MANUAL,
    sort_order: int = 0,
) -> SchemeAdjustment:
    require(by, "targets.manage")
    _check_unit(by, scheme.root)
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ValidationError({"code": "代码须为 1—32 位字母、数字、点、横线或下划线。"})
    if source not in AdjustmentSource.values:
        raise ValidationError({"source": "计数来源无效。"})
    if scheme.criteria.filter(indicator__code=code).exists():
        raise ValidationError({"code": "代码与考核指标重复。"})
    try:
        pts = parse_decimal(points_each, "每项分值", minimum=None, places=2)
        c = None if cap in (None, "") else parse_decimal(cap, "上限", places=2)
        scoring.Adjustment(code=code, name=(name or "").strip() or code, points_each=pts, cap=c)
    except ValueError as exc:
        raise ValidationError({"points_each": str(exc)}) from None
    a, _ = SchemeAdjustment.objects.update_or_create(
        scheme=scheme,
        code=code,
        defaults={
            "name": (name or code).strip()[:60],
            "points_each": pts,
            "cap": c,
            "source": source,
            "sort_order": sort_order,
        },
    )
    record(
        "scheme.adjustment",
        scheme,
        after={"code": code, "name": a.name, "points_each": pts, "cap": c, "source": source},
        only_changes=False,
    )
    return a


@transaction.atomic
def set_adjustment_count(
    by, adjustment: SchemeAdjustment, *, unit: Unit, count, note: str = ""
) -> AdjustmentEntry:
    require(by, "targets.manage")
    _check_unit(by, unit)
    try:
        n = int(count)
        if n < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError({"count": "次数应为非负整数。"}) from None
    e, _ = AdjustmentEntry.objects.update_or_create(
        adjustment=adjustment, unit=unit, defaults={"count": n, "note": (note or "").strip()[:300]}
    )
    record(
        "scheme.adjustment_count",
        adjustment.scheme,
        after={"adjustment": adjustment.code, "unit": unit.code, "count": n, "note": e.note},
        only_changes=False,
    )
    return e


@transaction.atomic
def run_assessment(
    by,
    scheme: AssessmentScheme,
    *,
    kind: str = ScoreSet.Kind.MONTHLY,
    month: int | None = None,
    as_of: date | None = None,
) -> ScoreSet:
    """Compute and store a ranking: monthly (figures at the month's end against 序时进度) or the
    year-end assessment (against the annual targets)."""
    from diaodu.targets import assessment

    require(by, "targets.manage")
    _check_unit(by, scheme.root)
    today = clock.today()
    if kind == ScoreSet.Kind.MONTHLY:
        if not month or not 1 <= int(month) <= 12:
            raise ValidationError({"month": "请选择月份（1—12）。"})
        month = int(month)
        as_of = min(date(scheme.year, month, queries.month_days(scheme.year, month)), today)
        if date(scheme.year, month, 1) > today:
            raise ValidationError({"month": f"{scheme.year}年{month}月尚未开始。"})
        title = f"{scheme.root.name}{scheme.year}年{month}月目标任务完成情况排名通报"
    elif kind == ScoreSet.Kind.FINAL:
        as_of = as_of or min(date(scheme.year, 12, 31), today)
        month = None
        title = f"{scheme.root.name}{scheme.year}年度目标责任考核结果"
    else:
        raise ValidationError({"kind": "考核类型无效。"})
    result = assessment.compute(by, scheme, as_of=as_of, monthly=kind == ScoreSet.Kind.MONTHLY)
    if not result.scores:
        raise ValidationError("考核范围内没有签订本年度目标责任状的单位。")
    ss = ScoreSet.objects.create(
        root=scheme.root,
        year=scheme.year,
        month=month,
        kind=kind,
        scheme=scheme,
        as_of=as_of,
        title=title,
        created_by=_actor(by),
    )
    assessment.store(ss, result)
    record(
        "assessment.run",
        ss,
        after={
            "kind": kind,
            "as_of": as_of,
            "units": len(result.scores),
            "totals": {s.unit_label: str(s.total) for s in result.scores},
        },
        only_changes=False,
    )
    return ss


@transaction.atomic
def record_historical(
    by, *, root: Unit, year: int, rows: list[tuple[Unit, Decimal, int]], title: str = ""
) -> ScoreSet:
    """Enter the results of a year before the system (for 纵向比)."""
    require(by, "targets.manage")
    _check_unit(by, root)
    if not rows:
        raise ValidationError("请至少录入一个单位的成绩。")
    ss = ScoreSet.objects.create(
        root=root,
        year=year,
        kind=ScoreSet.Kind.HISTORICAL,
        as_of=date(year, 12, 31),
        title=title or f"{root.name}{year}年度考核结果（录入）",
        created_by=_actor(by),
    )
    for unit, total, rank in rows:
        if not unit.path.startswith(root.path):
            raise ValidationError(f"“{unit.name}”不在“{root.name}”之下。")
        UnitScore.objects.create(
            score_set=ss, unit=unit, total=Decimal(total), base=Decimal(total), rank=int(rank)
        )
    record(
        "assessment.historical",
        ss,
        after={"year": year, "rows": {u.code: str(t) for u, t, _ in rows}},
        only_changes=False,
    )
    return ss
