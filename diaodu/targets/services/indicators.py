"""Indicators (指标): define and edit them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu.audit.services import record, snapshot
from diaodu.engine import stages as S
from diaodu.org.scope import require
from diaodu.projects.models import Level, PlanCategory
from diaodu.targets.models import (
    Aggregation,
    AgreementItem,
    Direction,
    Indicator,
    Measure,
    MonthlyValue,
    Source,
)

from .common import CODE_RE

# ---------------------------------------------------------------- indicators
INDICATOR_FIELDS = (
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
    "verb",
    "is_economic",
    "description",
    "sort_order",
    "is_active",
)


def _clean_indicator(data: dict, instance: Indicator | None) -> dict:
    errors = {}
    out = {
        k: (data[k].strip() if isinstance(data.get(k), str) else data.get(k))
        for k in INDICATOR_FIELDS
        if k in data
    }
    final = {**({k: getattr(instance, k) for k in INDICATOR_FIELDS} if instance else {}), **out}
    if not final.get("code") or not CODE_RE.match(final.get("code") or ""):
        errors["code"] = "指标代码须为 1—32 位字母、数字、点、横线或下划线。"
    elif (
        Indicator.objects.filter(code=final["code"])
        .exclude(pk=getattr(instance, "pk", None))
        .exists()
    ):
        errors["code"] = f"指标代码“{final['code']}”已存在。"
    if not final.get("name"):
        errors["name"] = "指标名称必填。"
    if final.get("measure") not in Measure.values:
        errors["measure"] = "计量单位无效。"
    if final.get("direction", Direction.HIGHER) not in Direction.values:
        errors["direction"] = "方向无效。"
    if final.get("source") not in Source.values:
        errors["source"] = "数据来源无效。"
    if final.get("aggregation", Aggregation.YTD) not in Aggregation.values:
        errors["aggregation"] = "填报口径无效。"
    if final.get("source") == Source.STAGE:
        if final.get("stage") not in S.MAIN_LINE:
            errors["stage"] = "按项目阶段计数的指标须选择项目阶段。"
        if final.get("measure") != Measure.COUNT:
            errors["measure"] = "项目数指标的计量单位应为“个”。"
    elif final.get("stage"):
        out["stage"] = ""
    if final.get("source") == Source.INVESTMENT and final.get("measure") not in ("万元", "亿元"):
        errors["measure"] = "完成投资指标的计量单位应为“万元”或“亿元”。"
    if final.get("plan_category") and final["plan_category"] not in PlanCategory.values:
        errors["plan_category"] = "年度类别无效。"
    if final.get("level") and final["level"] not in Level.values:
        errors["level"] = "项目级别无效。"
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def save_indicator(by, data: dict, instance: Indicator | None = None) -> Indicator:
    require(by, "targets.manage")
    clean = _clean_indicator(data, instance)
    if instance is None:
        ind = Indicator(**clean)
        ind.save()
        record("indicator.create", ind, after=snapshot(ind), only_changes=False)
        return ind
    ind = Indicator.objects.select_for_update().get(pk=instance.pk)
    before = snapshot(ind)
    if ("source" in clean and clean["source"] != ind.source) and _indicator_in_use(ind):
        raise ValidationError({"source": "该指标已用于目标责任状或月度数据，不能改变数据来源。"})
    for k, v in clean.items():
        setattr(ind, k, v)
    ind.save()
    record("indicator.update", ind, before=before, after=snapshot(ind))
    return ind


def _indicator_in_use(ind: Indicator) -> bool:
    return (
        AgreementItem.objects.filter(indicator=ind).exists()
        or MonthlyValue.objects.filter(indicator=ind).exists()
    )
