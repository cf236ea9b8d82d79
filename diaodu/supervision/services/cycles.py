"""Report cycles (填报周期): how often and by when each unit's projects report."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.locking import require_version
from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning
from diaodu.engine import lights as L
from diaodu.engine.escalation import Ladder
from diaodu.org.models import Unit
from diaodu.org.scope import require
from diaodu.supervision import queries
from diaodu.supervision.models import (
    Frequency,
    ReportCycle,
)

from .common import _amount, _date, _int_in, _raise, _take

# ================================================================ report cycles
CYCLE_FIELDS = (
    "frequency",
    "deadline_weekday",
    "deadline_day",
    "deadline_time",
    "remind_hours_before",
    "starts_on",
    "is_active",
    "light_rules",
    "min_contacts_per_week",
    "centre_latitude",
    "centre_longitude",
    "zone_radius_km",
    "project_radius_km",
    "photo_max_days_before",
    "urge_after_wd",
    "supervise_after_wd",
    "elevate_after_wd",
)


def _clean_cycle(data: dict, instance: ReportCycle | None) -> dict:
    errors: dict = {}
    out: dict = {}

    def cur(k, default=None):
        return getattr(instance, k) if instance is not None else default

    if "frequency" in data or instance is None:
        v = data.get("frequency") or Frequency.WEEKLY
        if v not in Frequency.values:
            errors["frequency"] = "报送周期应为每周或每月。"
        out["frequency"] = v
    for key, label, lo, hi in (
        ("deadline_weekday", "截止星期", 0, 6),
        ("deadline_day", "截止日", 1, 28),
        ("remind_hours_before", "提前提醒小时数", 0, 72),
        ("min_contacts_per_week", "每周最少对接次数", 0, 7),
        ("photo_max_days_before", "照片最早天数", 1, 365),
        ("urge_after_wd", "催办工作日", 1, 60),
        ("supervise_after_wd", "督办工作日", 1, 60),
        ("elevate_after_wd", "提级工作日", 1, 120),
    ):
        if key in data:
            out[key] = _int_in(data[key], key, label, errors, lo, hi)
    if "deadline_time" in data:
        out["deadline_time"] = _take(
            errors, "deadline_time", cleaning.time_value, data["deadline_time"], "截止时间"
        )
    if "starts_on" in data or instance is None:
        out["starts_on"] = _date(
            data.get("starts_on") or clock.today(), "starts_on", "起报日期", errors
        )
    if "is_active" in data:
        out["is_active"] = bool(data["is_active"])
    if "light_rules" in data:
        rules = data["light_rules"] or {}
        try:
            out["light_rules"] = L.LightRules.from_dict(rules).to_dict()
        except (ValueError, TypeError) as exc:
            errors["light_rules"] = f"亮灯规则有误：{exc}"
    for key, label, lo, hi in (
        ("centre_latitude", "中心纬度", -90, 90),
        ("centre_longitude", "中心经度", -180, 180),
    ):
        if key in data:
            v = data[key]
            if v in (None, ""):
                out[key] = None
            else:
                d = _take(errors, key, cleaning.decimal_value, v, label, minimum=None, places=6)
                if d is not None and not lo <= d <= hi:
                    errors[key] = f"{label}应在 {lo} 到 {hi} 之间。"
                out[key] = d
    for key, label in (("zone_radius_km", "园区半径"), ("project_radius_km", "距项目最远距离")):
        if key in data:
            d = _amount(data[key], key, label, errors)
            if d is not None and not Decimal("0.1") <= d <= Decimal("500"):
                errors[key] = f"{label}应在 0.1 到 500 公里之间。"
            out[key] = d

    def final(k):
        return out[k] if k in out else cur(k)

    if (final("centre_latitude") is None) != (
        final("centre_longitude") is None
    ) and "centre_latitude" not in errors:
        errors["centre_latitude"] = "园区中心须同时填写纬度和经度。"
    if not errors:
        try:  # the ladder's own rule (催办 ≤ 督办 ≤ 提级), missing thresholds at their defaults
            Ladder.of(
                final("urge_after_wd") or None,
                final("supervise_after_wd") or None,
                final("elevate_after_wd") or None,
            )
        except ValueError:
            errors["supervise_after_wd"] = "升级时限应满足：催办 ≤ 督办 ≤ 提级（工作日）。"
    _raise(errors)
    return out


@transaction.atomic
def save_cycle(by, unit: Unit, data: dict) -> ReportCycle:
    """Create or change the report cycle of a zone (or district)."""
    require(by, "supervision.rules")
    if not queries.visible_units(by).filter(pk=unit.pk).exists():
        raise PermissionDenied("无权配置该单位的报送周期。")
    cycle = ReportCycle.objects.select_for_update(of=("self",)).filter(unit=unit).first()
    if cycle is None:
        clash = (
            ReportCycle.objects.filter(unit_id__in=queries._path_ids(unit))
            .exclude(unit=unit)
            .first()
            or ReportCycle.objects.filter(unit__path__startswith=unit.path)
            .exclude(unit=unit)
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {"unit": f"“{clash.unit.name}”已设置报送周期，上下级单位不能重复设置。"}
            )
        values = _clean_cycle(data, None)
        values.setdefault("light_rules", L.LightRules().to_dict())
        cycle = ReportCycle(
            unit=unit,
            **{k: v for k, v in values.items() if v is not None or k.startswith("centre")},
        )
        cycle.save()
        record("cycle.create", cycle, after=snapshot(cycle), only_changes=False)
        return cycle
    if data.get("version") not in (None, ""):
        require_version(data["version"], cycle, "报送周期")
    before = snapshot(cycle)
    for k, v in _clean_cycle(data, cycle).items():
        if v is None and not k.startswith("centre"):
            continue
        setattr(cycle, k, v)
    cycle.version += 1
    cycle.save()
    record("cycle.update", cycle, before=before, after=snapshot(cycle))
    return cycle
