"""The holiday calendar (节假日安排) of each year."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning
from diaodu.org.scope import require
from diaodu.procedures import workcal
from diaodu.procedures.models import (
    HolidayYear,
)

from .common import _actor


# ================================================================ calendar (节假日安排)
@transaction.atomic
def save_holiday_year(by, *, year, holidays, makeup_workdays, source: str) -> HolidayYear:
    """Enter or correct one year's holiday notice. `holidays` / `makeup_workdays`: text as typed
    (one date or range per line) or lists of dates. Enqueues the recompute of all schedules."""
    require(by, "sys.calendar")
    errors: dict[str, str] = {}
    try:
        year = cleaning.integer(year, "年份", required=True, minimum=2000, maximum=2100)
    except cleaning.CleaningError:
        raise ValidationError({"year": "年份应为 2000–2100 之间的整数。"}) from None
    days: dict[str, list[date]] = {}
    for key, label, value in (
        ("holidays", "放假日期", holidays),
        ("makeup_workdays", "调休上班日期", makeup_workdays),
    ):
        try:
            if isinstance(value, str) or value is None:
                days[key] = workcal.parse_days(value or "", year, label)
            else:
                days[key] = workcal.parse_days("\n".join(str(d) for d in value), year, label)
        except ValueError as exc:
            errors[key] = str(exc)
    source = (source or "").strip()
    if not source:
        errors["source"] = "请填写来源（如国务院办公厅通知的名称和文号）。"
    if not errors:
        both = sorted(set(days["holidays"]) & set(days["makeup_workdays"]))
        if both:
            errors["makeup_workdays"] = f"{both[0].isoformat()} 同时填在放假日期和调休上班日期中。"
        weekdays = [d for d in days["makeup_workdays"] if d.weekday() < 5]
        if weekdays and "makeup_workdays" not in errors:
            d = weekdays[0]
            errors["makeup_workdays"] = (
                f"调休上班日期 {d.isoformat()} 是星期{'一二三四五'[d.weekday()]}，本来就是工作日；"
                "调休上班日应为周六或周日。"
            )
        if not days["holidays"] and "holidays" not in errors:
            errors["holidays"] = "请填写放假日期。"
    if errors:
        raise ValidationError(errors)
    row = HolidayYear.objects.select_for_update().filter(year=year).first()
    before = snapshot(row, ["holidays", "makeup_workdays", "source"]) if row else None
    row = row or HolidayYear(year=year)
    row.holidays = [d.isoformat() for d in days["holidays"]]
    row.makeup_workdays = [d.isoformat() for d in days["makeup_workdays"]]
    row.source = source[:300]
    row.updated_by = _actor(by)
    row.save()
    record(
        "calendar.save",
        row,
        before=before,
        after=snapshot(row, ["year", "holidays", "makeup_workdays", "source"]),
        only_changes=before is not None,
    )
    from diaodu.procedures.tasks import recompute_schedules

    recompute_schedules.enqueue()  # after commit (the backend's ENQUEUE_ON_COMMIT)
    return row
