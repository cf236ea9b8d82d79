"""Monthly values (月度完成值): the form, the Excel import, reminders (催报), deadlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu import clock, uploads
from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning
from diaodu.org.models import Unit
from diaodu.org.scope import require
from diaodu.targets import queries
from diaodu.targets.models import (
    Aggregation,
    EntryDeadline,
    Indicator,
    MonthlyValue,
    Reminder,
    Source,
)

from .common import _actor, _check_unit, _year, parse_decimal


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
    today = clock.today()
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
    """The first sheet of an uploaded workbook, opened through the safe opener (size limit,
    zip-bomb and container checks before openpyxl)."""
    try:
        wb = uploads.open_xlsx(source, data_only=True, read_only=True)
    except uploads.XlsxError as exc:
        raise ValidationError(
            f"文件无法读取：{exc}。请上传由模板填写的 .xlsx 格式 Excel 文件。"
        ) from None
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
            year = cleaning.integer(
                str(cell("year") or "").strip().rstrip("年"), "年度", required=True
            )
            month = cleaning.integer(
                str(cell("month") or "").strip().rstrip("月"), "月份", required=True
            )
        except cleaning.CleaningError:
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
