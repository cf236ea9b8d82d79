"""Every write of the supervision loop. Each function checks the acting person's permission key
and scope, validates with Chinese messages (ValidationError naming the field; nothing changes),
saves in a transaction and appends the audit entry. Notifications go through diaodu.notify.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from diaodu.audit.services import record, snapshot
from diaodu.engine import lights as L
from diaodu.engine import stages as S
from diaodu.org.models import DictItem, Unit, User
from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project
from diaodu.supervision import clock, photos, queries
from diaodu.supervision import periods as P
from diaodu.supervision.models import (
    RUNNING,
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    ContactLog,
    ContactMethod,
    DispatchMeeting,
    Frequency,
    InvestmentBaseline,
    Light,
    LightColor,
    MeetingStatus,
    Problem,
    ProblemEvent,
    ProblemSource,
    ProblemStatus,
    ProgressReport,
    Reminder,
    ReportCycle,
    ReportEvent,
    ReportPhoto,
    ReportStatus,
)

log = logging.getLogger(__name__)
MAX_TEXT = 4000
MAX_AMOUNT = Decimal("1000000000")  # 万元


# ================================================================ helpers
def _user(by) -> User | None:
    return by if isinstance(by, User) else None


def _name(by) -> str:
    return (getattr(by, "name", "") or getattr(by, "username", "") or "系统")[:50]


def _text(
    data: dict, key: str, label: str, errors: dict, *, required: bool = False, limit: int = MAX_TEXT
) -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors[key] = f"请填写{label}。"
    elif len(value) > limit:
        errors[key] = f"{label}不能超过 {limit} 字。"
    return value


def _amount(value, key: str, label: str, errors: dict, *, required: bool = True) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[key] = f"请填写{label}（万元，没有发生请填 0）。"
        return None
    try:
        d = (
            value
            if isinstance(value, Decimal)
            else Decimal(str(value).replace(",", "").replace("，", "").strip())
        )
    except (InvalidOperation, ValueError):
        errors[key] = f"{label}应为数字（万元），例如 350 或 12.5。"
        return None
    if not d.is_finite() or abs(d) >= MAX_AMOUNT:
        errors[key] = f"{label}数值无效或过大。"
        return None
    return d.quantize(Decimal("0.01"))


def _int_in(
    value, key: str, label: str, errors: dict, lo: int, hi: int, *, required: bool = True
) -> int | None:
    if value in (None, ""):
        if required:
            errors[key] = f"请填写{label}。"
        return None
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        errors[key] = f"{label}应为整数。"
        return None
    if not lo <= n <= hi:
        errors[key] = f"{label}应在 {lo} 到 {hi} 之间。"
        return None
    return n


def _date(value, key: str, label: str, errors: dict, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            errors[key] = f"请填写{label}。"
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = f"{label}格式应为 YYYY-MM-DD。"
        return None


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_project(by, project: Project, key: str) -> None:
    require(by, key)
    if not project_queries.visible(by).filter(pk=project.pk).exists():
        raise PermissionDenied("无权操作此项目。")


def _notify(recipients, **kw) -> None:
    """diaodu.notify (in-app inbox and channels). Never lets a notification break the business write."""
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return
    try:
        from diaodu.notify.services import notify
    except ImportError:  # the notifications app is not installed in this deployment
        return
    try:
        notify(recipients, **kw)
    except Exception:  # pragma: no cover - notify promises not to raise; be safe anyway
        log.exception("通知发送失败")


def _notify_unit(unit, **kw) -> None:
    if unit is None:
        return
    try:
        from diaodu.notify.services import notify_unit
    except ImportError:
        return
    try:
        notify_unit(unit, **kw)
    except Exception:  # pragma: no cover
        log.exception("通知发送失败")


def _type_label(code: str) -> str | None:
    return (
        DictItem.objects.filter(dict_type__code="problem_type", code=code, is_active=True)
        .values_list("label", flat=True)
        .first()
    )


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
        v = data["deadline_time"]
        if isinstance(v, time):
            out["deadline_time"] = v
        else:
            try:
                out["deadline_time"] = time.fromisoformat(str(v).strip())
            except ValueError:
                errors["deadline_time"] = "截止时间格式应为 HH:MM。"
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
                d = _amount(v, key, label, errors)
                if d is not None and not lo <= d <= hi:
                    errors[key] = f"{label}应在 {lo} 到 {hi} 之间。"
                out[key] = None if d is None else Decimal(str(v)).quantize(Decimal("0.000001"))
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
    steps = [
        final("urge_after_wd") or 1,
        final("supervise_after_wd") or 3,
        final("elevate_after_wd") or 8,
    ]
    if not errors and not steps[0] <= steps[1] <= steps[2]:
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
    if (
        "version" in data
        and data["version"] not in (None, "")
        and int(data["version"]) != cycle.version
    ):
        raise ValidationError({"version": "报送周期已被他人修改，请刷新后重新编辑。"})
    before = snapshot(cycle)
    for k, v in _clean_cycle(data, cycle).items():
        if v is None and not k.startswith("centre"):
            continue
        setattr(cycle, k, v)
    cycle.version += 1
    cycle.save()
    record("cycle.update", cycle, before=before, after=snapshot(cycle))
    return cycle


# ================================================================ progress reports
@dataclass
class ProblemDraft:
    title: str
    type_code: str
    description: str = ""
    suggested_unit: Unit | None = None


def _clean_problem_drafts(items, errors: dict, key: str = "problems") -> list[ProblemDraft]:
    out = []
    for i, item in enumerate(items or [], 1):
        if isinstance(item, ProblemDraft):
            item = {
                "title": item.title,
                "type_code": item.type_code,
                "description": item.description,
                "suggested_unit": item.suggested_unit,
            }
        title = (item.get("title") or "").strip()
        if not title and not (item.get("description") or "").strip():
            continue  # an empty row of the form
        code = (item.get("type_code") or "").strip()
        if not title:
            errors[key] = f"第{i}个问题：请填写问题概述。"
        elif len(title) > 200:
            errors[key] = f"第{i}个问题：问题概述不能超过 200 字。"
        elif not code or _type_label(code) is None:
            errors[key] = f"第{i}个问题：请选择问题类型。"
        unit = item.get("suggested_unit")
        if unit is None and item.get("suggested_unit_id"):
            unit = queries.departments().filter(pk=item["suggested_unit_id"]).first()
            if unit is None:
                errors[key] = f"第{i}个问题：建议责任单位不存在。"
        out.append(
            ProblemDraft(title, code, (item.get("description") or "").strip()[:MAX_TEXT], unit)
        )
    return out


def _inspect_photos(uploads, errors: dict, existing: int = 0) -> list[photos.PhotoInfo]:
    uploads = [u for u in (uploads or []) if u]
    if existing + len(uploads) > photos.MAX_PHOTOS:
        errors["photos"] = f"每期最多上传 {photos.MAX_PHOTOS} 张照片。"
        return []
    out = []
    for upload in uploads:
        try:
            out.append(photos.inspect(upload))
        except ValueError as exc:
            errors["photos"] = str(exc)
            return []
    return out


def _check_period(cycle: ReportCycle, code, errors: dict) -> P.Period | None:
    try:
        period = P.parse(code, cycle.frequency) if code else queries.current_period(cycle)
    except ValueError as exc:
        errors["period"] = str(exc)
        return None
    current = queries.current_period(cycle)
    if period > current:
        errors["period"] = f"{period.name}尚未开始，不能提前填报。"
    elif period.end < cycle.starts_on:
        errors["period"] = f"{period.name}早于起报日期（{cycle.starts_on:%Y-%m-%d}），无需填报。"
    return period


def _clean_report(data: dict, errors: dict) -> dict:
    return {
        "progress_text": _text(data, "progress_text", "形象进度", errors, required=True),
        "invested": _amount(data.get("invested"), "invested", "本期完成投资", errors),
        "next_plan": _text(data, "next_plan", "下期计划", errors),
    }


def _save_photos(
    by, report: ProgressReport, infos: list[photos.PhotoInfo], saved: list
) -> list[ReportPhoto]:
    cycle, project = report.cycle, report.project
    out = []
    for info in infos:
        ph = ReportPhoto(
            report=report,
            original_name=info.name,
            size=len(info.data),
            content_type=info.content_type,
            width=info.width,
            height=info.height,
            latitude=info.latitude,
            longitude=info.longitude,
            uploaded_by=_user(by),
        )
        if info.taken_at is not None:
            ph.taken_at = (
                info.taken_at
                if timezone.is_aware(info.taken_at)
                else timezone.make_aware(info.taken_at)
            )
        if info.latitude is not None:
            if project.latitude is not None and project.longitude is not None:
                ph.distance_km = Decimal(
                    f"{photos.distance_km(info.latitude, info.longitude, project.latitude, project.longitude):.2f}"
                )
            elif cycle.centre_latitude is not None:
                ph.distance_km = Decimal(
                    f"{photos.distance_km(info.latitude, info.longitude, cycle.centre_latitude, cycle.centre_longitude):.2f}"
                )
        ph.file.save(f"photo.{info.ext}", ContentFile(info.data), save=False)
        saved.append(ph.file.name)
        ph.thumb.save("thumb.jpg", ContentFile(info.thumb), save=False)
        saved.append(ph.thumb.name)
        ph.save()
        out.append(ph)
    return out


def _cleanup(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover
            pass


def _flags(report: ProgressReport) -> list[dict]:
    """What contradicts the ledger: a negative amount, more invested than the total, a photo taken
    far away or long before the period."""
    project, cycle = report.project, report.cycle
    out = []
    if report.invested is not None and report.invested < 0:
        out.append(
            {
                "code": "negative",
                "message": f"本期完成投资为负数（{report.invested}万元），请核实是否为核减。",
            }
        )
    if project.total_investment is not None and report.since_start > project.total_investment:
        out.append(
            {
                "code": "over_total",
                "message": f"开工以来累计完成投资（{report.since_start}万元）"
                f"超过总投资（{project.total_investment}万元）。",
            }
        )
    earliest = report.period_start - timedelta(days=cycle.photo_max_days_before)
    for ph in report.photos.all():
        if ph.distance_km is not None:
            near_project = project.latitude is not None and project.longitude is not None
            limit = cycle.project_radius_km if near_project else cycle.zone_radius_km
            if ph.distance_km > limit:
                where = "项目位置" if near_project else "园区中心"
                out.append(
                    {
                        "code": "photo_far",
                        "message": f"照片“{ph.original_name}”拍摄地点距{where}"
                        f"{ph.distance_km}公里（超过{limit}公里）。",
                    }
                )
        if ph.taken_at is not None:
            day = timezone.localtime(ph.taken_at).date()
            if day < earliest:
                out.append(
                    {
                        "code": "photo_old",
                        "message": f"照片“{ph.original_name}”拍摄于{day:%Y-%m-%d}，"
                        f"早于本期开始{(report.period_start - day).days}天。",
                    }
                )
            elif day > report.period_end + timedelta(days=7):
                out.append(
                    {
                        "code": "photo_future",
                        "message": f"照片“{ph.original_name}”的拍摄时间"
                        f"{day:%Y-%m-%d}晚于本期，时间可能有误。",
                    }
                )
    return out


def _project_money(p: Project) -> dict:
    return snapshot(p, ["completed_this_year", "completed_since_start", "version"])


def recompute_investment(project: Project) -> None:
    """Running sums of the project's reports (year-to-date and since start, never typed), and the
    ledger's 本年完成 / 累计完成 updated to match (audited as a project change)."""
    base = InvestmentBaseline.objects.filter(project=project).first()
    reports = list(ProgressReport.objects.filter(project=project).order_by("period_start"))
    if base is None or not reports:
        return
    running = base.since_start
    per_year: dict[int, Decimal] = {}
    changed = []
    for r in reports:
        running += r.invested
        per_year.setdefault(r.year, base.this_year if r.year == base.year else Decimal("0"))
        per_year[r.year] += r.invested
        if (r.ytd, r.since_start) != (per_year[r.year], running):
            r.ytd, r.since_start = per_year[r.year], running
            changed.append(r)
    if changed:
        ProgressReport.objects.bulk_update(changed, ["ytd", "since_start"])
    latest = reports[-1]
    p = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    new = (per_year[latest.year], running)
    if (p.completed_this_year, p.completed_since_start) != new:
        before = _project_money(p)
        p.completed_this_year, p.completed_since_start = new
        p.version += 1
        p.save(
            update_fields=["completed_this_year", "completed_since_start", "version", "updated_at"]
        )
        record("project.update", p, before=before, after=_project_money(p))
    project.completed_this_year, project.completed_since_start = new


def _report_data(r: ProgressReport) -> dict:
    return {
        "progress_text": r.progress_text,
        "invested": str(r.invested),
        "next_plan": r.next_plan,
        "ytd": str(r.ytd),
        "since_start": str(r.since_start),
        "photos": r.photos.count(),
    }


def _report_snapshot(r: ProgressReport) -> dict:
    return snapshot(
        r,
        [
            "project",
            "period",
            "status",
            "progress_text",
            "invested",
            "ytd",
            "since_start",
            "next_plan",
            "is_late",
            "return_reason",
            "flags",
            "version",
        ],
    )


def file_report(by, project: Project, data: dict, *, photo_files=(), problems=()) -> ProgressReport:
    """报送: a project's report for a period (default: the current one). Late when after the deadline."""
    _check_project(by, project, "reports.file")
    project = Project.objects.select_related("unit").get(pk=project.pk)
    errors: dict = {}
    if project.stage not in S.ACTIVE:
        raise ValidationError({"project": f"项目处于“{project.stage_label}”阶段，无需报送周报。"})
    cycle = queries.cycle_for_project(project)
    if cycle is None or not cycle.is_active:
        raise ValidationError({"project": "项目所属开发区尚未设置报送周期，请联系督查室。"})
    period = _check_period(cycle, data.get("period"), errors)
    values = _clean_report(data, errors)
    drafts = _clean_problem_drafts(problems, errors)
    if drafts:
        try:
            require(by, "problems.raise")
        except PermissionDenied as exc:
            errors["problems"] = str(exc)
    if (
        period is not None
        and "period" not in errors
        and ProgressReport.objects.filter(project=project, period=period.code).exists()
    ):
        errors["period"] = (
            f"《{project.name}》{period.name}的周报已报送；如需修改，请由督查室退回后修改。"
        )
    infos = _inspect_photos(photo_files, errors) if not errors else []
    _raise(errors)
    now = clock.now()
    saved: list[str] = []
    try:
        with transaction.atomic():
            InvestmentBaseline.objects.get_or_create(
                project=project,
                defaults={
                    "since_start": project.completed_since_start or Decimal("0"),
                    "this_year": (project.completed_this_year or Decimal("0"))
                    if project.plan_year in (None, period.year)
                    else Decimal("0"),
                    "year": period.year,
                },
            )
            deadline = cycle.deadline_of(period)
            report = ProgressReport(
                project=project,
                cycle=cycle,
                period=period.code,
                period_start=period.start,
                period_end=period.end,
                year=period.year,
                deadline=deadline,
                filed_by=_user(by),
                filed_by_name=_name(by),
                submitted_at=now,
                is_late=now > deadline,
                **values,
            )
            try:
                with transaction.atomic():
                    report.save()
            except IntegrityError:
                raise ValidationError(
                    {"period": f"《{project.name}》{period.name}的周报已报送。"}
                ) from None
            _save_photos(by, report, infos, saved)
            recompute_investment(project)
            report.refresh_from_db()
            report.project = project
            report.flags = _flags(report)
            report.save(update_fields=["flags"])
            ReportEvent.objects.create(
                report=report,
                action="submit",
                by=_user(by),
                by_name=_name(by),
                at=now,
                note="逾期报送" if report.is_late else "",
                data=_report_data(report),
            )
            record("report.submit", report, after=_report_snapshot(report), only_changes=False)
            for d in drafts:
                raise_problem(
                    by,
                    project,
                    title=d.title,
                    type_code=d.type_code,
                    description=d.description,
                    suggested_unit=d.suggested_unit,
                    source=ProblemSource.REPORT,
                    report=report,
                )
    except Exception:
        _cleanup(saved)
        raise
    return report


def resubmit_report(
    by, report: ProgressReport, data: dict, *, photo_files=(), remove_photos=(), problems=()
) -> ProgressReport:
    """修改后重新报送 a returned report. The earlier content stays in the report's history."""
    _check_project(by, report.project, "reports.file")
    errors: dict = {}
    values = _clean_report(data, errors)
    drafts = _clean_problem_drafts(problems, errors)
    if drafts:
        try:
            require(by, "problems.raise")
        except PermissionDenied as exc:
            errors["problems"] = str(exc)
    keep = report.photos.exclude(
        pk__in=[int(x) for x in remove_photos or [] if str(x).isdigit()]
    ).count()
    infos = _inspect_photos(photo_files, errors, existing=keep) if not errors else []
    _raise(errors)
    now = clock.now()
    saved: list[str] = []
    try:
        with transaction.atomic():
            current = (
                ProgressReport.objects.select_for_update(of=("self",))
                .select_related("project", "cycle")
                .get(pk=report.pk)
            )
            if current.status != ReportStatus.RETURNED:
                raise ValidationError(
                    {
                        "status": f"周报当前状态为“{current.get_status_display()}”，只有被退回的周报才能修改后重新报送。"
                    }
                )
            if data.get("version") not in (None, "") and int(data["version"]) != current.version:
                raise ValidationError({"version": "周报已被他人修改，请刷新后重试。"})
            before = _report_snapshot(current)
            for k, v in values.items():
                setattr(current, k, v)
            current.status = ReportStatus.SUBMITTED
            current.resubmitted_at = now
            current.version += 1
            current.save()
            removed = list(
                current.photos.filter(
                    pk__in=[int(x) for x in remove_photos or [] if str(x).isdigit()]
                )
            )
            for ph in removed:
                names = [ph.file.name, ph.thumb.name]
                ph.delete()
                transaction.on_commit(lambda names=names: _cleanup(names))
            _save_photos(by, current, infos, saved)
            recompute_investment(current.project)
            current.refresh_from_db()
            current.flags = _flags(current)
            current.save(update_fields=["flags"])
            ReportEvent.objects.create(
                report=current,
                action="resubmit",
                by=_user(by),
                by_name=_name(by),
                at=now,
                data=_report_data(current),
            )
            record("report.resubmit", current, before=before, after=_report_snapshot(current))
            for d in drafts:
                raise_problem(
                    by,
                    current.project,
                    title=d.title,
                    type_code=d.type_code,
                    description=d.description,
                    suggested_unit=d.suggested_unit,
                    source=ProblemSource.REPORT,
                    report=current,
                )
    except Exception:
        _cleanup(saved)
        raise
    return current


@transaction.atomic
def return_report(by, report: ProgressReport, reason: str) -> ProgressReport:
    """退回: the 督查室 sends a report back for correction, with a reason."""
    _check_project(by, report.project, "reports.review")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回原因。"})
    if len(reason) > 500:
        raise ValidationError({"reason": "退回原因不能超过 500 字。"})
    current = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("project", "filed_by")
        .get(pk=report.pk)
    )
    if current.status == ReportStatus.RETURNED:
        raise ValidationError({"status": "该周报已退回，等待填报人修改。"})
    before = _report_snapshot(current)
    now = clock.now()
    current.status, current.return_reason, current.returned_at = ReportStatus.RETURNED, reason, now
    current.version += 1
    current.save()
    ReportEvent.objects.create(
        report=current,
        action="return",
        by=_user(by),
        by_name=_name(by),
        at=now,
        note=reason,
        data=_report_data(current),
    )
    record("report.return", current, before=before, after=_report_snapshot(current))
    who = current.filed_by or current.project.secretary
    _notify(
        [who],
        title=f"周报被退回：《{current.project.name}》{current.period_obj.name}",
        body=f"退回原因：{reason}",
        link=f"/supervision/reports/{current.pk}/",
        kind="info",
        unit=current.project.unit,
        source=current,
    )
    return current


@transaction.atomic
def accept_report(by, report: ProgressReport) -> ProgressReport:
    _check_project(by, report.project, "reports.review")
    current = ProgressReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if current.status != ReportStatus.SUBMITTED:
        raise ValidationError(
            {"status": f"周报当前状态为“{current.get_status_display()}”，不能审核。"}
        )
    before = _report_snapshot(current)
    now = clock.now()
    current.status, current.reviewed_at, current.reviewed_by_name = (
        ReportStatus.ACCEPTED,
        now,
        _name(by),
    )
    current.version += 1
    current.save()
    ReportEvent.objects.create(
        report=current, action="accept", by=_user(by), by_name=_name(by), at=now
    )
    record("report.accept", current, before=before, after=_report_snapshot(current))
    return current


def add_photos(by, report: ProgressReport, photo_files) -> list[ReportPhoto]:
    """补充照片 to a report that is not yet reviewed."""
    _check_project(by, report.project, "reports.file")
    if report.status == ReportStatus.ACCEPTED:
        raise ValidationError({"photos": "周报已审核，不能再补充照片。"})
    errors: dict = {}
    infos = _inspect_photos(photo_files, errors, existing=report.photos.count())
    if not infos and not errors:
        errors["photos"] = "请选择照片。"
    _raise(errors)
    saved: list[str] = []
    try:
        with transaction.atomic():
            current = (
                ProgressReport.objects.select_for_update(of=("self",))
                .select_related("project", "cycle")
                .get(pk=report.pk)
            )
            added = _save_photos(by, current, infos, saved)
            current.flags = _flags(current)
            current.save(update_fields=["flags"])
            ReportEvent.objects.create(
                report=current,
                action="photo",
                by=_user(by),
                by_name=_name(by),
                at=clock.now(),
                note=f"{len(added)} 张",
            )
            record(
                "report.photos",
                current,
                after={"photos": [p.original_name for p in added]},
                only_changes=False,
            )
    except Exception:
        _cleanup(saved)
        raise
    return added


# ================================================================ contact logs (对接留痕)
def _methods() -> set[str]:
    codes = set(
        DictItem.objects.filter(dict_type__code="contact_method", is_active=True).values_list(
            "code", flat=True
        )
    )
    return codes or set(ContactMethod.values)


@transaction.atomic
def log_contact(by, project: Project, data: dict, *, problems=()) -> ContactLog:
    _check_project(by, project, "reports.file")
    errors: dict = {}
    on = _date(data.get("on"), "on", "对接日期", errors)
    if on and on > clock.today():
        errors["on"] = "对接日期不能晚于今天。"
    elif on and on < clock.today() - timedelta(days=366):
        errors["on"] = "对接日期过早（超过一年）。"
    people = _text(data, "people", "参加人员", errors, required=True, limit=200)
    contact = _text(data, "enterprise_contact", "企业联系人", errors, required=True, limit=100)
    method = (data.get("method") or "").strip()
    if method not in _methods():
        errors["method"] = "请选择对接方式。"
    content = _text(data, "content", "对接内容", errors, required=True)
    drafts = _clean_problem_drafts(problems, errors)
    if drafts:
        try:
            require(by, "problems.raise")
        except PermissionDenied as exc:
            errors["problems"] = str(exc)
    _raise(errors)
    c = ContactLog.objects.create(
        project=project,
        on=on,
        people=people,
        enterprise_contact=contact,
        method=method,
        content=content,
        logged_by=_user(by),
        logged_by_name=_name(by),
    )
    record("contact.create", c, after=snapshot(c), only_changes=False)
    for d in drafts:
        raise_problem(
            by,
            project,
            title=d.title,
            type_code=d.type_code,
            description=d.description,
            suggested_unit=d.suggested_unit,
            source=ProblemSource.CONTACT,
            contact=c,
        )
    return c


# ================================================================ reminders (催报)
@transaction.atomic
def remind(
    by, unit: Unit, period: P.Period, project_ids=None, *, automatic: bool = False
) -> list[Reminder]:
    """Remind the secretaries of missing reports (all missing under the unit, or the chosen ones)."""
    require(by, "reports.review")
    rows = queries.missing(by, unit, period)
    if project_ids is not None:
        wanted = {int(p) for p in project_ids}
        unknown = wanted - {r.project.pk for r in rows}
        if unknown:
            raise ValidationError(
                {"projects": "所选项目不在未报送名单中（可能已报送或无权查看）。"}
            )
        rows = [r for r in rows if r.project.pk in wanted]
    now = clock.now()
    cycle = queries.cycle_for_unit(unit)
    deadline = cycle.deadline_of(period) if cycle else None
    out = []
    for r in rows:
        p = r.project
        rem = Reminder.objects.create(
            project=p,
            period=period.code,
            recipient=p.secretary,
            recipient_name=r.person,
            sent_by=_user(by),
            sent_by_name=_name(by),
            automatic=automatic,
            sent_at=now,
        )
        out.append(rem)
        title = f"催报：《{p.name}》{period.name}周报尚未报送"
        body = (
            f"截止时间 {timezone.localtime(deadline):%m月%d日 %H:%M}，请尽快报送。"
            if deadline
            else "请尽快报送。"
        )
        link = f"/supervision/reports/new/{p.pk}/?period={period.code}"
        if p.secretary is not None:
            _notify(
                [p.secretary],
                title=title,
                body=body,
                link=link,
                kind="reminder",
                unit=p.unit,
                source=rem,
            )
        else:
            _notify_unit(
                p.unit, title=title, body=body, link=link, kind="reminder", roles=["park_staff"]
            )
    if out:
        record(
            "report.remind",
            unit,
            after={
                "period": period.code,
                "automatic": automatic,
                "projects": [r.project_id for r in out],
            },
            only_changes=False,
        )
    return out


# ================================================================ lights (亮灯)
@dataclass
class LightRun:
    period: str
    computed: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    newly_red: int = 0

    def as_dict(self):
        return dict(self.__dict__)


def compute_lights(
    by,
    cycle: ReportCycle,
    period: P.Period | None = None,
    *,
    as_of: datetime | None = None,
    unit: Unit | None = None,
) -> LightRun:
    """The lights of every project that owes a report in the cycle, for one period, with their reasons.
    Kept per period (history); an override made by a leader survives a recomputation."""
    s = scope_for(by)
    if not (s.has("reports.review") or s.has("supervision.rules")):
        require(by, "reports.review")
    period = period or queries.current_period(cycle)
    if period.kind != cycle.frequency:
        raise ValidationError({"period": "期次与报送周期不符。"})
    target = unit or cycle.unit
    projects = list(queries.owed_projects(by, target, period))
    rules = queries.rules_of(cycle)
    facts = queries.light_facts(projects, cycle, period, as_of)
    now = clock.now()
    run = LightRun(period.code)
    with transaction.atomic():
        existing = {
            lt.project_id: lt
            for lt in Light.objects.select_for_update(of=("self",)).filter(
                period=period.code, project_id__in=[p.pk for p in projects]
            )
        }
        previous = dict(
            Light.objects.filter(
                period=period.previous().code, project_id__in=[p.pk for p in projects]
            ).values_list("project_id", "color")
        )
        new, changed, red_projects = [], [], []
        for p in projects:
            f, plain = facts[p.pk]
            result = L.evaluate(f, rules)
            reasons = [
                {"code": r.code, "color": r.color, "message": r.message} for r in result.reasons
            ]
            lt = existing.get(p.pk)
            if lt is None:
                new.append(
                    Light(
                        project=p,
                        cycle=cycle,
                        period=period.code,
                        period_end=period.end,
                        color=result.color,
                        reasons=reasons,
                        facts=plain,
                        computed_at=now,
                    )
                )
            else:
                lt.color, lt.reasons, lt.facts, lt.computed_at, lt.cycle = (
                    result.color,
                    reasons,
                    plain,
                    now,
                    cycle,
                )
                changed.append(lt)
            setattr(run, result.color, getattr(run, result.color) + 1)
            if result.color == "red" and previous.get(p.pk) != "red":
                red_projects.append((p, result))
        Light.objects.bulk_create(
            new, batch_size=500, ignore_conflicts=True
        )  # a concurrent run made them
        Light.objects.bulk_update(
            changed, ["color", "reasons", "facts", "computed_at", "cycle"], batch_size=500
        )
        run.computed = len(projects)
        run.newly_red = len(red_projects)
        record("lights.compute", target, after=run.as_dict(), only_changes=False)
        for p, result in red_projects:
            leads = list(p.lead_officials.all())
            _notify(
                leads + [p.secretary],
                title=f"红灯：《{p.name}》{period.name}",
                body=result.summary,
                link=f"/projects/{p.pk}/",
                kind="info",
                unit=p.unit,
            )
    return run


@transaction.atomic
def override_light(by, light: Light, color: str, reason: str) -> Light:
    """A leader sets a different colour with a written reason (the computed light and reasons stay)."""
    _check_project(by, light.project, "lights.override")
    errors = {}
    if color not in LightColor.values and color != "":
        errors["color"] = "灯色应为红灯、黄灯或绿灯。"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "调整亮灯须写明理由。"
    elif len(reason) > 500:
        errors["reason"] = "理由不能超过 500 字。"
    _raise(errors)
    current = Light.objects.select_for_update(of=("self",)).get(pk=light.pk)
    before = snapshot(current, ["color", "override_color", "override_reason", "override_by_name"])
    current.override_color = "" if color == current.color else color
    current.override_reason = reason
    current.override_by_name = _name(by)
    current.overridden_at = clock.now()
    current.save()
    record(
        "light.override",
        current,
        before=before,
        after=snapshot(current, ["color", "override_color", "override_reason", "override_by_name"]),
    )
    return current


# ================================================================ problems (问题清单)
# action: (statuses it may start from, status it leads to)
MOVES = {
    "assign": (
        (ProblemStatus.RAISED, ProblemStatus.ASSIGNED, ProblemStatus.IN_PROGRESS),
        ProblemStatus.ASSIGNED,
    ),
    "start": ((ProblemStatus.ASSIGNED, ProblemStatus.RETURNED), ProblemStatus.IN_PROGRESS),
    "resolve": (
        (ProblemStatus.ASSIGNED, ProblemStatus.IN_PROGRESS, ProblemStatus.RETURNED),
        ProblemStatus.RESOLVED,
    ),
    "close": ((ProblemStatus.RESOLVED,), ProblemStatus.CLOSED),
    "return": ((ProblemStatus.RESOLVED,), ProblemStatus.RETURNED),
}
ACTION_LABELS = {
    "assign": "交办",
    "start": "签收办理",
    "resolve": "办结",
    "close": "销号",
    "return": "退回重办",
}


def check_move(status: str, action: str) -> str:
    """The status a move leads to, or ValidationError naming what is allowed."""
    if action not in MOVES:
        raise ValidationError({"action": f"未知的操作“{action}”。"})
    sources, target = MOVES[action]
    if status not in sources:
        allowed = (
            "、".join(ACTION_LABELS[a] for a, (src, _t) in MOVES.items() if status in src) or "无"
        )
        raise ValidationError(
            {
                "action": f"问题当前为“{ProblemStatus(status).label}”，不能{ACTION_LABELS[action]}。"
                f"当前可进行：{allowed}。"
            }
        )
    return target


def _problem_snapshot(p: Problem) -> dict:
    return snapshot(
        p,
        [
            "status",
            "responsible_unit",
            "deadline_wd",
            "assigned_on",
            "due_date",
            "answer",
            "return_reason",
            "escalation_level",
            "satisfaction",
            "version",
        ],
    )


def _event(
    problem: Problem, action: str, by, before_status: str, *, note: str = "", level: int = 0
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        action=action,
        from_status=before_status,
        to_status=problem.status,
        level=level,
        by=_user(by),
        by_name=_name(by),
        at=clock.now(),
        note=note,
    )


def _check_visible_problem(by, problem: Problem) -> None:
    if not queries._problem_scope(by).filter(pk=problem.pk).exists():
        raise PermissionDenied("无权操作此问题。")


@transaction.atomic
def raise_problem(
    by,
    project: Project,
    *,
    title: str,
    type_code: str,
    description: str = "",
    suggested_unit: Unit | None = None,
    source: str = ProblemSource.MANUAL,
    report: ProgressReport | None = None,
    contact: ContactLog | None = None,
) -> Problem:
    _check_project(by, project, "problems.raise")
    errors: dict = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "请填写问题概述。"
    elif len(title) > 200:
        errors["title"] = "问题概述不能超过 200 字。"
    label = _type_label(type_code or "")
    if label is None:
        errors["type_code"] = "请选择问题类型。"
    if source not in ProblemSource.values:
        errors["source"] = "问题来源无效。"
    _raise(errors)
    pr = Problem.objects.create(
        project=project,
        title=title,
        description=(description or "").strip()[:MAX_TEXT],
        type_code=type_code,
        type_label=label,
        source=source,
        report=report,
        contact=contact,
        suggested_unit=suggested_unit,
        raised_by=_user(by),
        raised_by_name=_name(by),
        raised_at=clock.now(),
    )
    _event(pr, "raise", by, "", note=pr.description[:500])
    record("problem.raise", pr, after=snapshot(pr), only_changes=False)
    return pr


def _may_handle(by, problem: Problem) -> bool:
    s = require(by, "problems.handle")
    if s.all_units:
        return True
    return problem.responsible_unit_id in queries.own_unit_ids(by)


def _may_close(by, problem: Problem) -> bool:
    s = scope_for(by)
    if s.user_id is not None and problem.raised_by_id == s.user_id:
        return True
    return s.has("problems.assign")


def move_problem(by, problem: Problem, action: str, **kw) -> Problem:
    """One entry for every lifecycle move (used by the pages and the API)."""
    handlers = {
        "assign": assign_problem,
        "start": start_problem,
        "resolve": resolve_problem,
        "close": close_problem,
        "return": return_problem,
    }
    if action not in handlers:
        raise ValidationError({"action": f"未知的操作“{action}”。"})
    return handlers[action](by, problem, **kw)


@transaction.atomic
def assign_problem(
    by, problem: Problem, *, unit: Unit | None = None, deadline_wd=None, note: str = ""
) -> Problem:
    """交办: to a department with a deadline in working days (the due date skips holidays)."""
    require(by, "problems.assign")
    _check_visible_problem(by, problem)
    current = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("project", "project__unit")
        .get(pk=problem.pk)
    )
    target = check_move(current.status, "assign")
    errors: dict = {}
    if unit is None or not unit.is_active:
        errors["unit"] = "请选择责任单位。"
    wd = _int_in(deadline_wd, "deadline_wd", "办理时限（工作日）", errors, 1, 120)
    _raise(errors)
    before, old = _problem_snapshot(current), current.status
    today = clock.today()
    cal = clock.calendar()
    current.status, current.responsible_unit = target, unit
    current.deadline_wd, current.assigned_on = wd, today
    current.due_date = cal.add_workdays(today, wd)
    current.version += 1
    current.save()
    _event(
        current,
        "assign",
        by,
        old,
        note=f"交{unit.name}办理，{wd}个工作日内办结（{current.due_date:%Y-%m-%d}前）"
        + (f"。{note.strip()}" if note and note.strip() else ""),
    )
    record("problem.assign", current, before=before, after=_problem_snapshot(current))
    _notify_unit(
        unit,
        title=f"交办：{current.title}",
        body=f"项目《{current.project.name}》，请于{current.due_date:%Y年%m月%d日}前办结。",
        link=f"/supervision/problems/{current.pk}/",
        kind="assignment",
    )
    return current


@transaction.atomic
def start_problem(by, problem: Problem, *, note: str = "") -> Problem:
    current = Problem.objects.select_for_update(of=("self",)).get(pk=problem.pk)
    if not _may_handle(by, current):
        raise PermissionDenied("只有责任单位可以办理此问题。")
    target = check_move(current.status, "start")
    before, old = _problem_snapshot(current), current.status
    current.status = target
    current.version += 1
    current.save()
    _event(current, "start", by, old, note=(note or "").strip()[:500])
    record("problem.start", current, before=before, after=_problem_snapshot(current))
    return current


@transaction.atomic
def resolve_problem(by, problem: Problem, *, answer: str = "") -> Problem:
    current = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("project", "raised_by")
        .get(pk=problem.pk)
    )
    if not _may_handle(by, current):
        raise PermissionDenied("只有责任单位可以办结此问题。")
    target = check_move(current.status, "resolve")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "办结须填写办理结果。"})
    if len(answer) > MAX_TEXT:
        raise ValidationError({"answer": f"办理结果不能超过 {MAX_TEXT} 字。"})
    before, old = _problem_snapshot(current), current.status
    current.status, current.answer, current.resolved_at = target, answer, clock.now()
    current.version += 1
    current.save()
    _event(current, "resolve", by, old, note=answer)
    record("problem.resolve", current, before=before, after=_problem_snapshot(current))
    _notify(
        [current.raised_by],
        title=f"问题已办结：{current.title}",
        body=answer[:200],
        link=f"/supervision/problems/{current.pk}/",
        kind="info",
        unit=current.project.unit,
        source=current,
    )
    return current


def _satisfaction(value, errors: dict, *, required: bool = False):
    return _int_in(value, "satisfaction", "满意度", errors, 1, 5, required=required)


@transaction.atomic
def close_problem(by, problem: Problem, *, satisfaction=None, note: str = "") -> Problem:
    """销号: by whoever raised the problem or the 督查室; the raiser may rate it (1–5) at once."""
    _check_visible_problem(by, problem)
    current = Problem.objects.select_for_update(of=("self",)).get(pk=problem.pk)
    if not _may_close(by, current):
        raise PermissionDenied("只有问题提出人或督查室可以销号。")
    target = check_move(current.status, "close")
    errors: dict = {}
    sat = _satisfaction(satisfaction, errors)
    if sat is not None and current.raised_by_id != getattr(by, "pk", None):
        errors["satisfaction"] = "满意度由问题提出人评价。"
    _raise(errors)
    before, old = _problem_snapshot(current), current.status
    current.status, current.closed_at = target, clock.now()
    if sat is not None:
        current.satisfaction, current.satisfaction_note = sat, (note or "").strip()[:300]
    current.version += 1
    current.save()
    _event(
        current,
        "close",
        by,
        old,
        note=((f"满意度 {sat} 分。" if sat else "") + (note or "").strip())[:500],
    )
    record("problem.close", current, before=before, after=_problem_snapshot(current))
    return current


@transaction.atomic
def return_problem(by, problem: Problem, *, reason: str = "") -> Problem:
    """退回: the answer does not solve it; back to the department, which keeps its deadline."""
    _check_visible_problem(by, problem)
    current = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("responsible_unit")
        .get(pk=problem.pk)
    )
    if not _may_close(by, current):
        raise PermissionDenied("只有问题提出人或督查室可以退回。")
    target = check_move(current.status, "return")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写退回原因。"})
    before, old = _problem_snapshot(current), current.status
    current.status, current.return_reason, current.resolved_at = target, reason[:500], None
    current.version += 1
    current.save()
    _event(current, "return", by, old, note=reason[:500])
    record("problem.return", current, before=before, after=_problem_snapshot(current))
    _notify_unit(
        current.responsible_unit,
        title=f"问题被退回重办：{current.title}",
        body=f"退回原因：{reason}",
        link=f"/supervision/problems/{current.pk}/",
        kind="assignment",
    )
    return current


@transaction.atomic
def rate_problem(by, problem: Problem, satisfaction, note: str = "") -> Problem:
    """满意度评价 (1–5) by the raiser, once the problem is resolved or closed."""
    current = Problem.objects.select_for_update(of=("self",)).get(pk=problem.pk)
    if current.raised_by_id is None or current.raised_by_id != getattr(by, "pk", None):
        raise PermissionDenied("满意度由问题提出人评价。")
    if current.status not in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED):
        raise ValidationError({"satisfaction": "问题办结后才能评价满意度。"})
    errors: dict = {}
    sat = _satisfaction(satisfaction, errors, required=True)
    _raise(errors)
    before = _problem_snapshot(current)
    current.satisfaction, current.satisfaction_note = sat, (note or "").strip()[:300]
    current.version += 1
    current.save()
    _event(
        current, "rate", by, current.status, note=f"满意度 {sat} 分。{current.satisfaction_note}"
    )
    record("problem.rate", current, before=before, after=_problem_snapshot(current))
    return current


def _escalate_to(by, current: Problem, level: int, note: str) -> None:
    from diaodu.supervision.models import LEVELS

    old = current.escalation_level
    before = _problem_snapshot(current)
    for lvl in range(old + 1, level + 1):
        _event(current, "escalate", by, current.status, level=lvl, note=note)
    current.escalation_level, current.escalated_at = level, clock.now()
    current.version += 1
    current.save()
    record("problem.escalate", current, before=before, after=_problem_snapshot(current))
    name = LEVELS[level]
    title = f"{name}：{current.title}"
    body = f"项目《{current.project.name}》，{note}"
    link = f"/supervision/problems/{current.pk}/"
    _notify_unit(current.responsible_unit, title=title, body=body, link=link, kind="escalation")
    if level >= 2:
        leads = list(current.project.lead_officials.all())
        _notify(
            leads,
            title=title,
            body=body,
            link=link,
            kind="escalation",
            unit=current.project.unit,
            source=current,
        )
    if level >= 3:
        zone = current.project.unit.parent or current.project.unit
        _notify_unit(
            zone,
            title=f"提级至区领导：{current.title}",
            body=body,
            link=link,
            kind="escalation",
            roles=["leader"],
        )


def escalate_overdue(by=None, *, today: date | None = None) -> list[tuple[int, int]]:
    """Overdue problems move up 催办 → 督办 → 提级 by working days past their due date (thresholds of
    the zone's cycle). Each step is an event and a notification. Returns [(problem id, level)]."""
    from diaodu.org.scope import SYSTEM

    by = by or SYSTEM
    today = today or clock.today()
    cal = clock.calendar()
    cycles = {}
    out = []
    qs = (
        Problem.objects.filter(status__in=RUNNING, due_date__lt=today, escalation_level__lt=3)
        .select_related("project", "project__unit", "responsible_unit")
        .order_by("id")
    )
    for pr in qs:
        cycle = cycles.setdefault(pr.project.unit_id, queries.cycle_for_project(pr.project))
        steps = (
            (cycle.urge_after_wd, cycle.supervise_after_wd, cycle.elevate_after_wd)
            if cycle
            else (1, 3, 8)
        )
        late = cal.workdays_between(pr.due_date, today)
        level = sum(1 for s in steps if late >= s)
        if level > pr.escalation_level:
            with transaction.atomic():
                current = (
                    Problem.objects.select_for_update(of=("self",))
                    .select_related("project", "project__unit", "responsible_unit")
                    .get(pk=pr.pk)
                )
                if current.status in RUNNING and level > current.escalation_level:
                    _escalate_to(
                        by,
                        current,
                        level,
                        f"超过办理时限{late}个工作日（时限 {pr.due_date:%Y-%m-%d}）",
                    )
                    out.append((pr.pk, level))
    return out


@transaction.atomic
def escalate_problem(by, problem: Problem, *, note: str = "") -> Problem:
    """督查室 raises the level by hand (one step), with a note."""
    require(by, "problems.assign")
    _check_visible_problem(by, problem)
    current = (
        Problem.objects.select_for_update(of=("self",))
        .select_related("project", "project__unit", "responsible_unit")
        .get(pk=problem.pk)
    )
    if current.status not in RUNNING:
        raise ValidationError({"action": "只有已交办、尚未办结的问题可以升级督办。"})
    if current.escalation_level >= 3:
        raise ValidationError({"action": "问题已提级到区领导，不能再升级。"})
    _escalate_to(
        by, current, current.escalation_level + 1, (note or "").strip()[:500] or "督查室人工督办"
    )
    return current


# ================================================================ meetings (调度会) and action items (议定事项)
def _check_meeting_unit(by, unit: Unit) -> None:
    require(by, "meetings.manage")
    if not queries.visible_units(by).filter(pk=unit.pk).exists():
        raise PermissionDenied("无权管理该单位的调度会。")


@transaction.atomic
def create_meeting(by, unit: Unit, data: dict) -> DispatchMeeting:
    """A meeting for the unit and period; its agenda is built at once."""
    _check_meeting_unit(by, unit)
    errors: dict = {}
    cycle = queries.cycle_for_unit(unit)
    period = None
    try:
        period = (
            P.parse(data["period"], cycle.frequency if cycle else None)
            if data.get("period")
            else (queries.last_due_period(cycle) if cycle else P.of(clock.today()))
        )
    except ValueError as exc:
        errors["period"] = str(exc)
    held_on = _date(data.get("held_on") or clock.today(), "held_on", "会议日期", errors)
    title = _text(data, "title", "会议名称", errors, limit=200)
    location = _text(data, "location", "地点", errors, limit=100)
    chair = _text(data, "chair", "主持人", errors, limit=50)
    if (
        period is not None
        and DispatchMeeting.objects.filter(unit=unit, period=period.code).exists()
    ):
        errors["period"] = f"{unit.name}{period.name}的调度会已建立。"
    _raise(errors)
    m = DispatchMeeting.objects.create(
        unit=unit,
        period=period.code,
        held_on=held_on,
        location=location,
        chair=chair,
        title=title or f"{unit.label}{period.name}重点项目调度会",
        created_by_name=_name(by),
    )
    record("meeting.create", m, after=snapshot(m), only_changes=False)
    build_agenda(by, m)
    return m


@transaction.atomic
def build_agenda(by, meeting: DispatchMeeting) -> int:
    """Add what belongs on the agenda and is not there yet: red lights of the period, overdue and
    escalated problems, open action items of earlier meetings. Items removed by hand stay removed."""
    _check_meeting_unit(by, meeting.unit)
    unit = meeting.unit
    period = P.parse(meeting.period)
    today = clock.today()
    have = meeting.agenda.all()
    seen_projects = {a.project_id for a in have if a.kind == AgendaKind.LIGHT}
    seen_problems = {a.problem_id for a in have if a.kind == AgendaKind.PROBLEM}
    seen_actions = {a.action_id for a in have if a.kind == AgendaKind.ACTION}
    order = max([a.sort_order for a in have], default=0)
    added = []
    reds = queries.sort_lights(queries.period_lights(by, unit, period, color="red"))
    for lt in reds:
        if lt.project_id not in seen_projects:
            order += 10
            added.append(
                AgendaItem(
                    meeting=meeting,
                    kind=AgendaKind.LIGHT,
                    project=lt.project,
                    sort_order=order,
                    title=f"红灯项目：{lt.project.name}（{lt.project.unit.label}）",
                    detail=lt.reason_text,
                )
            )
    probs = queries.problems(by, queries.ProblemFilter(unit=unit), today=today).filter(
        status__in=RUNNING
    )
    for pr in probs.order_by("-escalation_level", "due_date", "id"):
        overdue = pr.due_date is not None and pr.due_date < today
        if (overdue or pr.escalation_level >= 1) and pr.pk not in seen_problems:
            order += 10
            tag = pr.level_label or "超期"
            added.append(
                AgendaItem(
                    meeting=meeting,
                    kind=AgendaKind.PROBLEM,
                    project=pr.project,
                    problem=pr,
                    sort_order=order,
                    title=f"{tag}问题：{pr.title}（{pr.project.name}）",
                    detail=f"责任单位：{pr.responsible_unit.name if pr.responsible_unit else '未交办'}；"
                    f"办结时限：{pr.due_date:%Y-%m-%d}"
                    if pr.due_date
                    else "",
                )
            )
    acts = (
        ActionItem.objects.filter(
            status=ActionStatus.OPEN, meeting__unit__path__startswith=unit.path
        )
        .exclude(meeting=meeting)
        .filter(meeting__held_on__lte=meeting.held_on)
        .select_related("meeting", "unit")
        .order_by("deadline", "id")
    )
    for a in acts:
        if a.pk not in seen_actions:
            order += 10
            added.append(
                AgendaItem(
                    meeting=meeting,
                    kind=AgendaKind.ACTION,
                    action=a,
                    project=a.project,
                    sort_order=order,
                    title=f"上次议定事项：{a.content[:200]}",
                    detail=f"{a.meeting.title}议定；责任人：{a.owner_name or '—'}；"
                    f"责任单位：{a.unit.name if a.unit else '—'}；时限：{a.deadline:%Y-%m-%d}",
                )
            )
    AgendaItem.objects.bulk_create(added)
    if added:
        record(
            "meeting.agenda_build",
            meeting,
            after={"added": [a.title for a in added]},
            only_changes=False,
        )
    return len(added)


@transaction.atomic
def add_agenda_item(by, meeting: DispatchMeeting, *, title: str, detail: str = "") -> AgendaItem:
    _check_meeting_unit(by, meeting.unit)
    errors: dict = {}
    title = _text({"title": title}, "title", "议题", errors, required=True, limit=300)
    _raise(errors)
    order = max(meeting.agenda.values_list("sort_order", flat=True), default=0) + 10
    item = AgendaItem.objects.create(
        meeting=meeting,
        kind=AgendaKind.CUSTOM,
        title=title,
        detail=(detail or "").strip()[:MAX_TEXT],
        sort_order=order,
        auto=False,
    )
    record("meeting.agenda_add", meeting, after={"title": title}, only_changes=False)
    return item


@transaction.atomic
def remove_agenda_item(by, item: AgendaItem) -> None:
    _check_meeting_unit(by, item.meeting.unit)
    record("meeting.agenda_remove", item.meeting, before={"title": item.title}, only_changes=False)
    if item.auto:
        AgendaItem.objects.filter(pk=item.pk).update(
            removed=True
        )  # a rebuild must not bring it back
    else:
        item.delete()


@transaction.atomic
def move_agenda_item(by, item: AgendaItem, direction: str) -> None:
    _check_meeting_unit(by, item.meeting.unit)
    items = list(item.meeting.agenda.filter(removed=False).order_by("sort_order", "id"))
    i = next(k for k, a in enumerate(items) if a.pk == item.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        for k, a in enumerate(items):
            if a.sort_order != (k + 1) * 10:
                AgendaItem.objects.filter(pk=a.pk).update(sort_order=(k + 1) * 10)
        record(
            "meeting.agenda_move",
            item.meeting,
            after={"title": item.title, "direction": direction},
            only_changes=False,
        )


@transaction.atomic
def hold_meeting(by, meeting: DispatchMeeting, *, minutes: str = "") -> DispatchMeeting:
    _check_meeting_unit(by, meeting.unit)
    current = DispatchMeeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    before = snapshot(current, ["status", "minutes"])
    current.status, current.minutes = MeetingStatus.HELD, (minutes or "").strip()[:20000]
    current.save()
    record("meeting.held", current, before=before, after=snapshot(current, ["status", "minutes"]))
    return current


def _owner_and_unit(by, data: dict, errors: dict) -> tuple[User | None, str, Unit | None]:
    owner, owner_name = None, (data.get("owner_name") or "").strip()[:50]
    if data.get("owner_id") not in (None, ""):
        try:
            owner = User.objects.get(pk=int(data["owner_id"]), is_active=True)
            owner_name = owner.name or owner.username
        except (User.DoesNotExist, ValueError, TypeError):
            errors["owner_id"] = "责任人不存在。"
    unit = None
    if data.get("unit_id") not in (None, ""):
        try:
            unit = Unit.objects.get(pk=int(data["unit_id"]), is_active=True)
        except (Unit.DoesNotExist, ValueError, TypeError):
            errors["unit_id"] = "责任单位不存在。"
    if owner is None and not owner_name and unit is None:
        errors["owner_id"] = "请指定责任人或责任单位。"
    return owner, owner_name, unit


@transaction.atomic
def add_action_item(by, meeting: DispatchMeeting, data: dict) -> ActionItem:
    """议定事项: a decision with an owner, a unit and a deadline."""
    _check_meeting_unit(by, meeting.unit)
    errors: dict = {}
    content = _text(data, "content", "议定事项", errors, required=True)
    deadline = _date(data.get("deadline"), "deadline", "完成时限", errors)
    if deadline and deadline < meeting.held_on:
        errors["deadline"] = "完成时限不能早于会议日期。"
    owner, owner_name, unit = _owner_and_unit(by, data, errors)
    project = problem = None
    if data.get("project_id") not in (None, ""):
        project = project_queries.visible(by).filter(pk=_safe_int(data["project_id"])).first()
        if project is None:
            errors["project_id"] = "项目不存在或无权查看。"
    if data.get("problem_id") not in (None, ""):
        problem = queries._problem_scope(by).filter(pk=_safe_int(data["problem_id"])).first()
        if problem is None:
            errors["problem_id"] = "问题不存在或无权查看。"
    _raise(errors)
    a = ActionItem.objects.create(
        meeting=meeting,
        content=content,
        deadline=deadline,
        owner=owner,
        owner_name=owner_name,
        unit=unit,
        project=project or (problem.project if problem else None),
        problem=problem,
    )
    record("action.create", a, after=snapshot(a), only_changes=False)
    title = f"调度会议定事项：{content[:60]}"
    body = f"{meeting.title}议定，请于{deadline:%Y年%m月%d日}前完成。"
    if owner is not None:
        _notify(
            [owner],
            title=title,
            body=body,
            link="/supervision/actions/",
            kind="meeting",
            unit=unit,
            source=a,
        )
    elif unit is not None:
        _notify_unit(unit, title=title, body=body, link="/supervision/actions/", kind="meeting")
    return a


def _safe_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return -1


@transaction.atomic
def close_action_item(by, item: ActionItem, *, result: str = "") -> ActionItem:
    """An action item is done: by the meeting organisers, its owner or its unit."""
    s = scope_for(by)
    allowed = (
        s.has("meetings.manage")
        or (s.user_id is not None and item.owner_id == s.user_id)
        or (item.unit_id is not None and item.unit_id in queries.own_unit_ids(by))
    )
    if not allowed:
        raise PermissionDenied("只有责任人、责任单位或督查室可以办结议定事项。")
    current = ActionItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if current.status != ActionStatus.OPEN:
        raise ValidationError({"status": "该议定事项已完成。"})
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": "请填写完成情况。"})
    before = snapshot(current, ["status", "result"])
    current.status, current.result, current.closed_at, current.closed_by_name = (
        ActionStatus.DONE,
        result[:MAX_TEXT],
        clock.now(),
        _name(by),
    )
    current.save()
    record("action.close", current, before=before, after=snapshot(current, ["status", "result"]))
    return current


# ================================================================ scheduled work (called by tasks)
def deadline_tick(now: datetime | None = None) -> dict:
    """For every active cycle: from `remind_hours_before` the deadline on, remind the missing reports
    of the current period once; from the deadline on, compute the period's lights once. Idempotent.
    Lights missed because the scheduler was down over a deadline are caught up for the previous
    period (not on the very first run, and reminders are never sent for a past period)."""
    from diaodu.org.scope import SYSTEM

    now = now or clock.now()
    done = {"reminded": 0, "lights": 0}
    for cycle in queries.active_cycles():
        current = queries.current_period(cycle, timezone.localtime(now).date())
        for period in (current.previous(), current):
            if period.end < cycle.starts_on:
                continue
            deadline = cycle.deadline_of(period)
            if period != current:
                if (
                    cycle.auto_lights_period
                    and now >= deadline
                    and cycle.auto_lights_period < period.code
                ):
                    done["lights"] += compute_lights(SYSTEM, cycle, period, as_of=now).computed
                    cycle.auto_lights_period = period.code
                    ReportCycle.objects.filter(pk=cycle.pk).update(auto_lights_period=period.code)
                continue
            if (
                now >= deadline - timedelta(hours=cycle.remind_hours_before)
                and cycle.auto_remind_period < period.code
            ):
                done["reminded"] += len(remind(SYSTEM, cycle.unit, period, automatic=True))
                cycle.auto_remind_period = period.code
                ReportCycle.objects.filter(pk=cycle.pk).update(auto_remind_period=period.code)
            if now >= deadline and cycle.auto_lights_period < period.code:
                done["lights"] += compute_lights(SYSTEM, cycle, period, as_of=now).computed
                cycle.auto_lights_period = period.code
                ReportCycle.objects.filter(pk=cycle.pk).update(auto_lights_period=period.code)
    return done
