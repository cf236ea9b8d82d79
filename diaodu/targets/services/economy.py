"""Economic series: regions, peer groups, values typed or imported from Excel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning
from diaodu.org.models import Unit
from diaodu.org.scope import require
from diaodu.targets.models import (
    Aggregation,
    EconomicValue,
    Indicator,
    PeerGroup,
    Region,
)

from .common import CODE_RE, _actor, _check_unit, _year, parse_decimal
from .monthly import ImportReport, _header, _open_sheet


# ---------------------------------------------------------------- economy
@transaction.atomic
def save_region(
    by, *, code: str, name: str, unit: Unit | None = None, sort_order: int = 0
) -> Region:
    require(by, "targets.manage")
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not CODE_RE.match(code):
        errors["code"] = "地区编码须为 1—32 位字母、数字、点、横线或下划线。"
    if not name:
        errors["name"] = "地区名称必填。"
    if errors:
        raise ValidationError(errors)
    if unit is not None:
        _check_unit(by, unit)
    region, created = Region.objects.update_or_create(
        code=code, defaults={"name": name[:60], "unit": unit, "sort_order": sort_order}
    )
    record(
        "region.create" if created else "region.update",
        region,
        after=snapshot(region),
        only_changes=False,
    )
    return region


@transaction.atomic
def save_peer_group(
    by, *, name: str, owner: Unit, regions: list[Region], scope_label: str = "全市"
) -> PeerGroup:
    require(by, "targets.manage")
    _check_unit(by, owner)
    if not (name or "").strip():
        raise ValidationError({"name": "比较组名称必填。"})
    if len(regions) < 2:
        raise ValidationError({"regions": "比较组至少需要两个地区。"})
    group, created = PeerGroup.objects.get_or_create(
        name=name.strip()[:60], owner=owner, defaults={"scope_label": scope_label[:20]}
    )
    group.scope_label = scope_label[:20]
    group.save()
    group.regions.set(regions)
    record(
        "peergroup.save",
        group,
        after={"name": group.name, "regions": [r.code for r in regions]},
        only_changes=False,
    )
    return group


ECONOMY_COLUMNS = {
    "region": ("地区编码",),
    "indicator": ("指标代码",),
    "year": ("年度", "年份"),
    "month": ("月份",),
    "value": ("累计值",),
    "growth": ("同比增长（%）", "同比增长(%)", "同比增长"),
}


@dataclass
class EconomyRow:
    where: str
    region: Region
    indicator: Indicator
    year: int
    month: int
    value: Decimal | None
    growth: Decimal | None


def _check_economy(rows: list[EconomyRow]) -> list[str]:
    errors = []
    today = clock.today()
    seen = {}
    for e in rows:
        if not e.indicator.is_economic:
            errors.append(f"{e.where}：指标“{e.indicator.name}”不是经济指标。")
        if not 1 <= e.month <= 12 or date(e.year, e.month, 1) > today:
            errors.append(f"{e.where}：{e.year}年{e.month}月不是有效的已开始月份。")
        if e.growth is not None and not Decimal(-100) <= e.growth <= Decimal(1000):
            errors.append(f"{e.where}：同比增长应在 -100% 到 1000% 之间。")
        if e.value is None and e.growth is None:
            errors.append(f"{e.where}：累计值和同比增长至少填写一项。")
        k = (e.region.pk, e.indicator.pk, e.year, e.month)
        if k in seen:
            errors.append(f"{e.where}：与{seen[k].where}重复。")
        seen[k] = e
    if errors:
        return errors
    keys = {
        (e.region.pk, e.indicator.pk, e.year)
        for e in rows
        if e.indicator.aggregation == Aggregation.YTD
    }
    for rid, iid, year in sorted(keys):
        months = {
            m: v
            for m, v in EconomicValue.objects.filter(
                region_id=rid, indicator_id=iid, year=year
            ).values_list("month", "value")
            if v is not None
        }
        where = {}
        for (r, i, y, m), e in seen.items():
            if (r, i, y) == (rid, iid, year) and e.value is not None:
                months[m] = e.value
                where[m] = e
        previous = None
        for m in sorted(months):
            if previous is not None and months[m] < months[previous]:
                e = where.get(m) or where.get(previous)
                errors.append(
                    f"{e.where}：“{e.region.name}”的“{e.indicator.name}”为累计值，{m}月不能小于{previous}月。"
                )
            previous = m
    return errors


def _save_economy(by, rows: list[EconomyRow]) -> int:
    """Write checked rows: one upsert per row, one audit entry for the batch (with every row)."""
    existing = {
        (v.region_id, v.indicator_id, v.year, v.month): v
        for v in EconomicValue.objects.filter(
            region_id__in={e.region.pk for e in rows},
            indicator_id__in={e.indicator.pk for e in rows},
            year__in={e.year for e in rows},
        )
    }
    new, changed = [], []
    for e in rows:
        v = existing.get((e.region.pk, e.indicator.pk, e.year, e.month))
        if v is None:
            new.append(
                EconomicValue(
                    region=e.region,
                    indicator=e.indicator,
                    year=e.year,
                    month=e.month,
                    value=e.value,
                    growth=e.growth,
                    entered_by=_actor(by),
                )
            )
        elif (v.value, v.growth) != (e.value, e.growth):
            v.value, v.growth, v.entered_by = e.value, e.growth, _actor(by)
            changed.append(v)
    EconomicValue.objects.bulk_create(new)
    EconomicValue.objects.bulk_update(changed, ["value", "growth", "entered_by"])
    if new or changed:
        from diaodu.audit.services import ObjectRef

        record(
            "economy.save",
            ObjectRef("targets.economicvalue", "batch", f"经济指标 {len(new) + len(changed)} 条"),
            after={
                "rows": [
                    [e.region.code, e.indicator.code, e.year, e.month, e.value, e.growth]
                    for e in rows
                ]
            },
            only_changes=False,
        )
    return len(new) + len(changed)


@transaction.atomic
def save_economic_value(
    by, *, region: Region, indicator: Indicator, year, month, value=None, growth=None
) -> EconomicValue:
    require(by, "targets.manage")
    try:
        v = None if value in (None, "") else parse_decimal(value, "累计值")
        g = (
            None
            if growth in (None, "")
            else parse_decimal(growth, "同比增长", minimum=None, places=2)
        )
    except ValueError as exc:
        raise ValidationError({"value": str(exc)}) from None
    row = EconomyRow(f"“{region.name}”", region, indicator, _year(year), int(month), v, g)
    errors = _check_economy([row])
    if errors:
        raise ValidationError({"value": errors})
    _save_economy(by, [row])
    return EconomicValue.objects.get(
        region=region, indicator=indicator, year=row.year, month=row.month
    )


def import_economy(by, source) -> ImportReport:
    require(by, "targets.manage")
    report = ImportReport()
    ws = _open_sheet(source)
    head, cols = _header(ws, ECONOMY_COLUMNS)
    regions = {r.code: r for r in Region.objects.all()}
    inds = {i.code: i for i in Indicator.objects.all()}
    rows = []
    for r, row in enumerate(ws.iter_rows(min_row=head + 1, values_only=True), head + 1):
        if all(v in (None, "") for v in row):
            continue
        cell = lambda k: row[cols[k]] if cols[k] < len(row) else None  # noqa: E731, B023
        where = f"第{r}行"
        rcode, icode = str(cell("region") or "").strip(), str(cell("indicator") or "").strip()
        problems = []
        region, ind = regions.get(rcode), inds.get(icode)
        if region is None:
            problems.append(f"地区编码“{rcode}”不存在")
        if ind is None:
            problems.append(f"指标代码“{icode}”不存在")
        try:
            year = cleaning.integer(cell("year"), "年度", required=True)
            month = cleaning.integer(cell("month"), "月份", required=True)
        except cleaning.CleaningError:
            problems.append("年度或月份不是数字")
            year = month = 0
        if cell("value") in (None, "") and cell("growth") in (None, ""):
            continue
        try:
            value = None if cell("value") in (None, "") else parse_decimal(cell("value"), "累计值")
            growth = (
                None
                if cell("growth") in (None, "")
                else parse_decimal(cell("growth"), "同比增长", minimum=None, places=2)
            )
        except ValueError as exc:
            problems.append(str(exc).rstrip("。"))
            value = growth = None
        if problems:
            report.errors.append(f"{where}：{'；'.join(problems)}。")
            continue
        report.rows += 1
        rows.append(EconomyRow(where, region, ind, year, month, value, growth))
    if not rows and not report.errors:
        report.errors.append("文件中没有填写任何数值。")
    report.errors += _check_economy(rows)
    if report.errors:
        return report
    with transaction.atomic():
        report.saved = _save_economy(by, rows)
    return report
