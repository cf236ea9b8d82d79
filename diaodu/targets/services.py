"""Every write of targets: indicators, agreements (sign, scan, amend), monthly values (form and
Excel import), reminders (催报), economic series, assessment schemes and score sets.

Each function checks the permission key and the unit scope, validates with Chinese messages,
saves inside a transaction and appends the audit entry. Bad input raises ValidationError and
changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from diaodu.audit.services import record, snapshot
from diaodu.engine import pace, scoring
from diaodu.engine import stages as S
from diaodu.org.models import Unit, User
from diaodu.org.scope import require
from diaodu.projects.models import Level, PlanCategory
from diaodu.targets import queries
from diaodu.targets.models import (
    AdjustmentEntry,
    AdjustmentSource,
    Aggregation,
    AgreementItem,
    AssessmentScheme,
    Direction,
    EconomicValue,
    EntryDeadline,
    Indicator,
    Measure,
    MonthlyValue,
    PaceKind,
    PeerGroup,
    Region,
    Reminder,
    RuleKind,
    SchemeAdjustment,
    SchemeCriterion,
    ScoreSet,
    Source,
    TargetAgreement,
    UnitScore,
)

CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
SCAN_EXTS = (".pdf", ".jpg", ".jpeg", ".png")
MAX_SCAN = 20 * 1024 * 1024
MAX_VALUE = Decimal("1e13")


def _actor(by):
    return by if isinstance(by, User) else None


def _check_unit(by, unit: Unit) -> None:
    if unit is None:
        raise ValidationError({"unit": "请选择单位。"})
    if not queries.sees(by, unit):
        raise PermissionDenied(f"无权维护“{unit.name}”的数据。")


def parse_decimal(
    value, label: str, *, minimum: Decimal | None = Decimal(0), places: int = 4
) -> Decimal:
    """A number typed by a person or read from Excel ('1,234.5', ' 12 '), or ValueError(Chinese)."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{label}不能为空。")
    try:
        d = (
            value
            if isinstance(value, Decimal)
            else Decimal(str(value).replace(",", "").replace("，", "").strip())
        )
    except (InvalidOperation, ValueError):
        raise ValueError(f"{label}应为数字（收到“{value}”）。") from None
    if not d.is_finite():
        raise ValueError(f"{label}应为数字。")
    if minimum is not None and d < minimum:
        raise ValueError(f"{label}不能小于{minimum}。")
    if abs(d) >= MAX_VALUE:
        raise ValueError(f"{label}数值过大。")
    return d.quantize(Decimal(1).scaleb(-places))


def _year(year) -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "年度应为四位数字。"}) from None
    if not 2000 <= y <= 2100:
        raise ValidationError({"year": "年度应在 2000—2100 之间。"})
    return y


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


# ---------------------------------------------------------------- agreements
def _clean_weights(kind: str, weights, label: str = "") -> list[str]:
    if kind not in PaceKind.values:
        raise ValidationError({"pace_kind": f"{label}序时进度口径无效。"})
    if kind != PaceKind.CUSTOM:
        return []
    try:
        if weights is None or len(weights) != 12:
            raise ValueError("自定义序时进度口径需要恰好12个月度权重")
        values = [parse_decimal(w, f"{i}月权重") for i, w in enumerate(weights, 1)]
        pace.PaceProfile.custom(values)
    except (ValueError, TypeError) as exc:
        raise ValidationError({"pace_weights": f"{label}{exc}"}) from None
    return [str(v.normalize()) for v in values]


def _clean_items(items: list[dict]) -> list[dict]:
    if not items:
        raise ValidationError({"items": "责任状至少需要一项指标。"})
    errors = []
    seen = set()
    out = []
    for n, raw in enumerate(items, 1):
        ind = raw.get("indicator")
        if not isinstance(ind, Indicator):
            ind = (
                Indicator.objects.filter(pk=ind).first()
                if str(ind or "").isdigit()
                else Indicator.objects.filter(code=ind).first()
            )
        if ind is None:
            errors.append(f"第{n}项：指标不存在。")
            continue
        if not ind.is_active:
            errors.append(f"第{n}项：指标“{ind.name}”已停用。")
        if ind.pk in seen:
            errors.append(f"第{n}项：指标“{ind.name}”重复。")
        seen.add(ind.pk)
        try:
            target = parse_decimal(raw.get("target"), f"“{ind.name}”的年度目标")
            weight = parse_decimal(raw.get("weight") or 0, f"“{ind.name}”的权重", places=2)
            if weight > 100:
                raise ValueError(f"“{ind.name}”的权重不能超过100。")
        except ValueError as exc:
            errors.append(f"第{n}项：{exc}")
            continue
        kind = raw.get("pace_kind") or ""
        weights: list = []
        if kind:
            try:
                weights = _clean_weights(kind, raw.get("pace_weights"), f"“{ind.name}”的")
            except ValidationError as exc:
                errors.append(f"第{n}项：{'；'.join(exc.messages)}")
                continue
        out.append(
            {
                "indicator": ind,
                "target": target,
                "weight": weight,
                "pace_kind": kind,
                "pace_weights": weights,
                "note": (raw.get("note") or "").strip()[:200],
            }
        )
    if errors:
        raise ValidationError({"items": errors})
    return out


def _agreement_snapshot(a: TargetAgreement) -> dict:
    data = snapshot(a, exclude=("created_at", "updated_at"))
    data["items"] = (
        [
            f"{i.indicator.code}:{i.target.normalize()}:{i.weight.normalize()}"
            for i in a.items.select_related("indicator").order_by("sort_order", "id")
        ]
        if a.pk
        else []
    )
    return data


def _write_items(agreement: TargetAgreement, items: list[dict]) -> None:
    agreement.items.all().delete()
    AgreementItem.objects.bulk_create(
        [AgreementItem(agreement=agreement, sort_order=n, **item) for n, item in enumerate(items)]
    )


@transaction.atomic
def create_agreement(
    by,
    *,
    unit: Unit,
    year,
    items: list[dict],
    title: str = "",
    pace_kind: str = PaceKind.LINEAR,
    pace_weights=None,
    note: str = "",
) -> TargetAgreement:
    require(by, "targets.manage")
    _check_unit(by, unit)
    year = _year(year)
    if TargetAgreement.objects.filter(unit=unit, year=year).exists():
        raise ValidationError(
            {"year": f"“{unit.name}”已有{year}年目标责任状，请在原责任状上修订。"}
        )
    weights = _clean_weights(pace_kind, pace_weights)
    clean = _clean_items(items)
    a = TargetAgreement.objects.create(
        unit=unit,
        year=year,
        version=1,
        title=(title or "").strip()[:120],
        pace_kind=pace_kind,
        pace_weights=weights,
        note=(note or "").strip()[:300],
        created_by=_actor(by),
    )
    _write_items(a, clean)
    record("agreement.create", a, after=_agreement_snapshot(a), only_changes=False)
    return a


def _locked(by, agreement: TargetAgreement) -> TargetAgreement:
    require(by, "targets.manage")
    _check_unit(by, agreement.unit)
    return TargetAgreement.objects.select_for_update().select_related("unit").get(pk=agreement.pk)


@transaction.atomic
def update_agreement(
    by,
    agreement: TargetAgreement,
    *,
    items: list[dict],
    title: str | None = None,
    pace_kind: str | None = None,
    pace_weights=None,
    note: str | None = None,
) -> TargetAgreement:
    a = _locked(by, agreement)
    if a.status != TargetAgreement.Status.DRAFT:
        raise ValidationError("已签订的责任状不能直接修改，请发起修订（生成新版本）。")
    before = _agreement_snapshot(a)
    if pace_kind is not None:
        a.pace_weights = _clean_weights(pace_kind, pace_weights)
        a.pace_kind = pace_kind
    clean = _clean_items(items)
    if title is not None:
        a.title = title.strip()[:120]
    if note is not None:
        a.note = note.strip()[:300]
    a.save()
    _write_items(a, clean)
    record("agreement.update", a, before=before, after=_agreement_snapshot(a))
    return a


def _check_scan(upload) -> None:
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(SCAN_EXTS):
        raise ValidationError({"scan": "扫描件须为 PDF、JPG 或 PNG 文件。"})
    if upload.size > MAX_SCAN:
        raise ValidationError(
            {"scan": f"扫描件过大（{upload.size // 1024 // 1024} MB），上限 20 MB。"}
        )
    if upload.size == 0:
        raise ValidationError({"scan": "扫描件是空文件。"})


@transaction.atomic
def sign_agreement(
    by, agreement: TargetAgreement, *, signed_on: date, signatory: str = "", scan=None
) -> TargetAgreement:
    a = _locked(by, agreement)
    if a.status != TargetAgreement.Status.DRAFT:
        raise ValidationError("只有草拟状态的责任状可以签订。")
    if signed_on is None:
        raise ValidationError({"signed_on": "请填写签订日期。"})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": "签订日期不能晚于今天。"})
    if signed_on.year not in (a.year - 1, a.year):
        raise ValidationError({"signed_on": f"签订日期应在{a.year - 1}年或{a.year}年内。"})
    if not a.items.exists():
        raise ValidationError("责任状没有指标，不能签订。")
    if scan is not None:
        _check_scan(scan)
    before = _agreement_snapshot(a)
    previous = list(
        TargetAgreement.objects.select_for_update()
        .filter(unit=a.unit, year=a.year, status=TargetAgreement.Status.SIGNED)
        .exclude(pk=a.pk)
    )
    for old in previous:
        old_before = snapshot(old, ["status"])
        old.status = TargetAgreement.Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
        record("agreement.supersede", old, before=old_before, after=snapshot(old, ["status"]))
    a.status = TargetAgreement.Status.SIGNED
    a.signed_on = signed_on
    a.signatory = (signatory or "").strip()[:60]
    if scan is not None:
        a.scan.save(f"agreement-{a.pk}-v{a.version}{_ext(scan.name)}", scan, save=False)
        a.scan_name = scan.name[:200]
    a.save()
    record("agreement.sign", a, before=before, after=_agreement_snapshot(a))
    return a


def _ext(name: str) -> str:
    name = name.lower()
    return next((e for e in SCAN_EXTS if name.endswith(e)), "")


@transaction.atomic
def attach_scan(by, agreement: TargetAgreement, scan) -> TargetAgreement:
    a = _locked(by, agreement)
    if scan is None:
        raise ValidationError({"scan": "请选择扫描件。"})
    _check_scan(scan)
    before = snapshot(a, ["scan", "scan_name"])
    a.scan.save(f"agreement-{a.pk}-v{a.version}{_ext(scan.name)}", scan, save=False)
    a.scan_name = scan.name[:200]
    a.save(update_fields=["scan", "scan_name", "updated_at"])
    record("agreement.scan", a, before=before, after=snapshot(a, ["scan", "scan_name"]))
    return a


@transaction.atomic
def amend_agreement(by, agreement: TargetAgreement, *, reason: str) -> TargetAgreement:
    """Start an amendment: a new draft version with the same items. The signed version stays in
    force until the amendment is signed."""
    a = _locked(by, agreement)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"amendment_reason": "请填写修订原因。"})
    if a.status != TargetAgreement.Status.SIGNED:
        raise ValidationError("只能对已签订且现行有效的责任状发起修订。")
    if TargetAgreement.objects.filter(
        unit=a.unit, year=a.year, status=TargetAgreement.Status.DRAFT
    ).exists():
        raise ValidationError("该单位本年度已有修订中的草稿，请先完成或签订该草稿。")
    version = (
        TargetAgreement.objects.filter(unit=a.unit, year=a.year).aggregate(v=Max("version"))["v"]
        or 0
    ) + 1
    new = TargetAgreement.objects.create(
        unit=a.unit,
        year=a.year,
        version=version,
        title=a.title,
        pace_kind=a.pace_kind,
        pace_weights=a.pace_weights,
        note=a.note,
        amendment_reason=reason[:300],
        created_by=_actor(by),
    )
    AgreementItem.objects.bulk_create(
        [
            AgreementItem(
                agreement=new,
                indicator_id=i.indicator_id,
                target=i.target,
                weight=i.weight,
                pace_kind=i.pace_kind,
                pace_weights=i.pace_weights,
                note=i.note,
                sort_order=i.sort_order,
            )
            for i in a.items.all()
        ]
    )
    record(
        "agreement.amend",
        new,
        after={**_agreement_snapshot(new), "from_version": a.version},
        only_changes=False,
    )
    return new


# ---------------------------------------------------------------- monthly values
@dataclass
class Entry:
    """One value to save (from the form, the API or a row of the Excel file)."""

    where: str  # "第5行" / "“固定资产投资”"
    unit: Unit
    indicator: Indicator
    year: int
    month: int
    value: Decimal | None  # None: clear
    note: str = ""


def _check_entries(by, entries: list[Entry]) -> list[str]:
    """All rules of monthly values; returns every problem (Chinese, naming the row)."""
    errors: list[str] = []
    today = timezone.localdate()
    effective_cache: dict[tuple, set] = {}
    for e in entries:
        if not queries.sees(by, e.unit):
            errors.append(f"{e.where}：无权填报“{e.unit.name}”的数据。")
            continue
        if e.indicator.source != Source.ENTERED:
            errors.append(f"{e.where}：指标“{e.indicator.name}”由系统自动计算，不能填报。")
            continue
        if not 1 <= e.month <= 12:
            errors.append(f"{e.where}：月份应为 1—12。")
            continue
        if date(e.year, e.month, 1) > today:
            errors.append(f"{e.where}：{e.year}年{e.month}月尚未开始，不能填报。")
            continue
        key = (e.unit.pk, e.year)
        if key not in effective_cache:
            agreements = queries.effective_agreements(by, e.year, within=e.unit)
            effective_cache[key] = {
                i.indicator_id for a in agreements if a.unit_id == e.unit.pk for i in a.items.all()
            }
        if e.indicator.pk not in effective_cache[key]:
            errors.append(
                f"{e.where}：“{e.unit.name}”{e.year}年目标责任状中没有指标“{e.indicator.name}”。"
            )
    # cumulative indicators may not go backwards: check the months after the change
    seen: dict[tuple, Entry] = {}
    for e in entries:
        k = (e.unit.pk, e.indicator.pk, e.year, e.month)
        if k in seen:
            errors.append(f"{e.where}：与{seen[k].where}重复（同一单位、指标和月份）。")
        seen[k] = e
    series_keys = {
        (e.unit.pk, e.indicator.pk, e.year)
        for e in entries
        if e.indicator.aggregation == Aggregation.YTD
    }
    for uid, iid, year in sorted(series_keys):
        months = dict(
            MonthlyValue.objects.filter(unit_id=uid, indicator_id=iid, year=year).values_list(
                "month", "value"
            )
        )
        where = {}
        for (u, i, y, m), e in seen.items():
            if (u, i, y) == (uid, iid, year):
                if e.value is None:
                    months.pop(m, None)
                else:
                    months[m] = e.value
                where[m] = e
        previous = None
        for m in sorted(months):
            if previous is not None and months[m] < months[previous]:
                e = where.get(m) or where.get(previous)
                ind = e.indicator
                errors.append(
                    f"{e.where}：“{ind.name}”为累计值，{year}年{m}月（{months[m].normalize()}{ind.measure}）"
                    f"不能小于{previous}月（{months[previous].normalize()}{ind.measure}）。"
                )
            previous = m
    return errors


def _save_entries(by, entries: list[Entry], source: str) -> int:
    changed = 0
    for e in entries:
        current = MonthlyValue.objects.filter(
            unit=e.unit, indicator=e.indicator, year=e.year, month=e.month
        ).first()
        if e.value is None:
            if current is not None:
                record(
                    "monthly.delete",
                    current,
                    before=snapshot(current, ["value", "note"]),
                    only_changes=False,
                )
                current.delete()
                changed += 1
            continue
        if current is not None and current.value == e.value and current.note == e.note:
            continue
        before = snapshot(current, ["value", "note"]) if current else None
        mv, _ = MonthlyValue.objects.update_or_create(
            unit=e.unit,
            indicator=e.indicator,
            year=e.year,
            month=e.month,
            defaults={
                "value": e.value,
                "note": e.note[:200],
                "source": source,
                "entered_by": _actor(by),
            },
        )
        record(
            "monthly.save",
            mv,
            before=before,
            after={
                "unit": e.unit.code,
                "indicator": e.indicator.code,
                "year": e.year,
                "month": e.month,
                "value": e.value,
                "note": e.note,
            },
            only_changes=before is not None,
        )
        changed += 1
    return changed


@transaction.atomic
def save_monthly(
    by, *, unit: Unit, year, month, values: dict, notes: dict | None = None, source: str = "form"
) -> int:
    """Save a unit's values for a month: {indicator: value or None (clear)}."""
    require(by, "targets.enter")
    _check_unit(by, unit)
    year = _year(year)
    try:
        month = int(month)
    except (TypeError, ValueError):
        raise ValidationError({"month": "月份应为 1—12。"}) from None
    entries, errors = [], []
    for ind, raw in values.items():
        where = f"“{ind.name}”"
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            value = None
        else:
            try:
                value = parse_decimal(
                    raw, ind.name, minimum=None if ind.measure == "%" else Decimal(0)
                )
            except ValueError as exc:
                errors.append(f"{where}：{exc}")
                continue
        entries.append(
            Entry(where, unit, ind, year, month, value, ((notes or {}).get(ind.pk) or "").strip())
        )
    errors += _check_entries(by, entries)
    if errors:
        raise ValidationError({"values": errors})
    return _save_entries(by, entries, source)


@transaction.atomic
def save_monthly_entries(by, entries: list[Entry], source: str = "form") -> int:
    """Save many checked values at once (import, demo, API batches): all or nothing."""
    require(by, "targets.enter")
    errors = _check_entries(by, entries)
    if errors:
        raise ValidationError({"values": errors})
    return _save_entries(by, entries, source)


@dataclass
class ImportReport:
    saved: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _open_sheet(source):
    from openpyxl import load_workbook

    try:
        wb = load_workbook(source, data_only=True, read_only=True)
    except Exception:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise ValidationError("文件无法读取：请上传由模板填写的 .xlsx 格式 Excel 文件。") from None
    return wb.worksheets[0]


def _header(ws, required: dict) -> tuple[int, dict]:
    """Find the header row (within the first 6) and map our keys to column indexes."""
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=6, values_only=True), 1):
        labels = {str(v).strip(): c for c, v in enumerate(row) if v is not None}
        if all(any(lbl in labels for lbl in alts) for alts in required.values()):
            cols = {}
            for key, alts in required.items():
                cols[key] = next(labels[lbl] for lbl in alts if lbl in labels)
            return r, cols
    names = "、".join(alts[0] for alts in required.values())
    raise ValidationError(f"文件格式不对：未找到表头（应包含：{names}）。请下载模板后填写。")


MONTHLY_COLUMNS = {
    "unit": ("单位编码",),
    "indicator": ("指标代码",),
    "year": ("年度", "年份"),
    "month": ("月份",),
    "value": ("本月数值", "数值", "累计值"),
    "note": ("备注",),
}


def import_monthly(by, source) -> ImportReport:
    """Read the filled template; all or nothing: any bad row and nothing is written."""
    require(by, "targets.enter")
    report = ImportReport()
    ws = _open_sheet(source)
    head, cols = _header(ws, MONTHLY_COLUMNS)
    units = {u.code: u for u in Unit.objects.all()}
    inds = {i.code: i for i in Indicator.objects.all()}
    entries = []
    for r, row in enumerate(ws.iter_rows(min_row=head + 1, values_only=True), head + 1):
        cell = lambda k: row[cols[k]] if cols[k] < len(row) else None  # noqa: E731, B023
        if all(v in (None, "") for v in row):
            continue
        where = f"第{r}行"
        ucode, icode = str(cell("unit") or "").strip(), str(cell("indicator") or "").strip()
        unit, ind = units.get(ucode), inds.get(icode)
        problems = []
        if unit is None:
            problems.append(f"单位编码“{ucode}”不存在")
        if ind is None:
            problems.append(f"指标代码“{icode}”不存在")
        try:
            year = int(str(cell("year")).strip().rstrip("年"))
            month = int(str(cell("month")).strip().rstrip("月"))
        except (TypeError, ValueError):
            problems.append("年度或月份不是数字")
            year = month = 0
        raw = cell("value")
        if raw in (None, ""):
            continue  # an empty value in the template: not filled
        value = None
        if ind is not None:
            try:
                value = parse_decimal(
                    raw, "数值", minimum=None if ind.measure == "%" else Decimal(0)
                )
            except ValueError as exc:
                problems.append(str(exc).rstrip("。"))
        if problems:
            report.errors.append(f"{where}：{'；'.join(problems)}。")
            continue
        report.rows += 1
        entries.append(Entry(where, unit, ind, year, month, value, str(cell("note") or "").strip()))
    if not entries and not report.errors:
        report.errors.append("文件中没有填写任何数值。")
    report.errors += _check_entries(by, entries)
    if report.errors:
        return report
    with transaction.atomic():
        report.saved = _save_entries(by, entries, "import")
        record(
            "monthly.import",
            entries[0].unit,
            after={"rows": report.rows, "saved": report.saved},
            only_changes=False,
        )
    return report


@transaction.atomic
def remind(by, *, unit: Unit, year: int, month: int) -> Reminder:
    """催报: record that the unit was reminded of its missing values for the month."""
    require(by, "targets.manage")
    _check_unit(by, unit)
    missing = next(
        (
            m
            for m in queries.missing_reports(by, year, month, within=unit)
            if m["unit"].pk == unit.pk
        ),
        None,
    )
    if missing is None:
        raise ValidationError(f"“{unit.name}”{year}年{month}月的数据已报齐，无需催报。")
    r = Reminder.objects.create(
        unit=unit,
        year=year,
        month=month,
        sent_by=_actor(by),
        missing=[i.code for i in missing["missing"]],
    )
    record(
        "monthly.remind",
        unit,
        after={"year": year, "month": month, "missing": r.missing},
        only_changes=False,
    )
    return r


@transaction.atomic
def set_deadline(by, *, year: int, month: int, due_on: date) -> EntryDeadline:
    require(by, "targets.manage")
    if not 1 <= int(month) <= 12:
        raise ValidationError({"month": "月份应为 1—12。"})
    if due_on <= date(year, month, 1):
        raise ValidationError({"due_on": "截止日期应晚于该月1日。"})
    d, _ = EntryDeadline.objects.update_or_create(
        year=year, month=month, defaults={"due_on": due_on}
    )
    record(
        "monthly.deadline",
        d,
        after={"year": year, "month": month, "due_on": due_on},
        only_changes=False,
    )
    return d


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
    today = timezone.localdate()
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
            year, month = int(cell("year")), int(cell("month"))
        except (TypeError, ValueError):
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
    try:
        return scoring.Rule(
            kind=kind,
            cap=Decimal(str(cap or "1.2")),
            bands=tuple((Decimal(str(a)), Decimal(str(b))) for a, b in (bands or [])),
            rank_points=tuple(Decimal(str(p)) for p in (rank_points or [])),
            rank_floor=None if rank_floor in (None, "") else Decimal(str(rank_floor)),
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
    today = timezone.localdate()
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
