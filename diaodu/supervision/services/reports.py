"""Progress reports (进度填报): file, resubmit, return, accept, photos, investment."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from diaodu import clock
from diaodu.audit.locking import UNCHECKED, require_version
from diaodu.audit.services import Change, record, record_many, snapshot
from diaodu.engine import periods as P
from diaodu.engine import stages as S
from diaodu.org.models import Unit
from diaodu.org.scope import require
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project
from diaodu.supervision import photos, queries
from diaodu.supervision.models import (
    InvestmentBaseline,
    ProblemSource,
    ProgressReport,
    ReportCycle,
    ReportEvent,
    ReportPhoto,
    ReportStatus,
)

from . import investment
from . import report_sums as sums
from .common import (
    MAX_TEXT,
    _amount,
    _check_project,
    _name,
    _notify,
    _raise,
    _text,
    _type_label,
    _user,
)
from .problems import raise_problem


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
        "reduction_note": _text(data, "reduction_note", "核减说明", errors, limit=500),
        "next_plan": _text(data, "next_plan", "下期计划", errors),
    }


def _save_photos(
    by, report: ProgressReport, infos: list[photos.PhotoInfo], saved: list
) -> list[ReportPhoto]:
    out = _build_photos(by, report, infos, saved)
    ReportPhoto.objects.bulk_create(out)
    return out


def _build_photos(
    by, report: ProgressReport, infos: list[photos.PhotoInfo], saved: list
) -> list[ReportPhoto]:
    """The photos' rows, not yet inserted (their files are stored; `saved` lists them)."""
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
        out.append(ph)
    return out


def _cleanup(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover
            pass


def _flags(report: ProgressReport, report_photos=None) -> list[dict]:
    """What contradicts the ledger: a negative amount, more invested than the total, a photo taken
    far away or long before the period. `report_photos`: the photos when already in hand."""
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
    for ph in report.photos.all() if report_photos is None else report_photos:
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


def recompute_investment(project: Project) -> None:
    """Running sums of the project's reports (year-to-date and since start, never typed; only the
    reports that count, see report_sums), and the ledger's 本年完成 / 累计完成 updated to match
    (audited as a project change)."""
    base = InvestmentBaseline.objects.filter(project=project).first()
    reports = {r.pk: r for r in ProgressReport.objects.filter(project=project)}
    if base is None or not reports:
        return
    lines, per_year, running = sums.run(
        sums.Base(base.since_start, base.this_year, base.year), sums.lines_of(project)
    )
    changed = []
    for ln in lines:
        r = reports[ln.key]
        if (r.ytd, r.since_start) != (ln.ytd, ln.since_start):
            r.ytd, r.since_start = ln.ytd, ln.since_start
            changed.append(r)
    if changed:
        ProgressReport.objects.bulk_update(changed, ["ytd", "since_start"])
    latest = max(lines, key=lambda ln: ln.period_start)
    p = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    new = (per_year[latest.year], running)
    change = investment.set_project_money(p, new)
    if change is not None:
        record_many([change])
    project.completed_this_year, project.completed_since_start = new


def _check_amounts(project: Project, period: P.Period, values: dict, errors: dict, key) -> None:
    """核减 needs its note; the sums with this report counted must hold (see report_sums)."""
    invested = values.get("invested")
    if invested is None or "invested" in errors:
        return
    if invested < 0 and not values.get("reduction_note"):
        errors["reduction_note"] = "本期完成投资为负数（核减）时，请填写核减说明。"
        return
    sums.check(
        project, sums.Line(key, period.start, period.year, invested, True), errors, "invested"
    )


def _report_data(r: ProgressReport, n_photos: int | None = None) -> dict:
    return {
        "progress_text": r.progress_text,
        "invested": str(r.invested),
        "next_plan": r.next_plan,
        "ytd": str(r.ytd),
        "since_start": str(r.since_start),
        "photos": r.photos.count() if n_photos is None else n_photos,
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
            "reduction_note",
            "flags",
            "version",
        ],
    )


CLIENT_KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def _client_key(value, errors: dict) -> str:
    key = str(value or "").strip()
    if key and not CLIENT_KEY.match(key):
        errors["client_key"] = "提交编号格式不正确：应为 8–64 位字母、数字或连字符（如 UUID）。"
        return ""
    return key


def _stored(project: Project, key: str) -> ProgressReport | None:
    """The report an earlier submission with this client key stored, marked `replayed`."""
    if not key:
        return None
    report = ProgressReport.objects.filter(client_key=key).first()
    if report is None:
        return None
    if report.project_id != project.pk:
        raise ValidationError(
            {"client_key": "该提交编号已用于其他项目的周报：请刷新页面后重新填报。"}
        )
    report.replayed = True
    return report


def file_report(
    by, project: Project, data: dict, *, photo_files=(), problems=(), client_key=""
) -> ProgressReport:
    """报送: a project's report for a period (default: the current one). Late when after the deadline.

    Idempotent with a client key (the form's hidden field, the API's Idempotency-Key): a retry of
    a submission that was stored — after a timeout, a double tap — returns the stored report,
    marked `replayed`, instead of "已报送". The work does not grow with the project's history:
    the running sums read the newest report only (investment.py), flags come from the data in
    hand, and the audit entries are written in one INSERT.
    """
    require(by, "reports.file")
    errors: dict = {}
    key = _client_key(client_key or data.get("client_key"), errors)
    if project.stage not in S.ACTIVE:
        raise ValidationError({"project": f"项目处于“{project.stage_label}”阶段，无需报送周报。"})
    cycle = queries.cycle_for_project(project)
    if cycle is None or not cycle.is_active:
        raise ValidationError({"project": "项目所属开发区尚未设置报送周期，请联系督查室。"})
    period = _check_period(cycle, data.get("period"), errors)
    values = _clean_report(data, errors)
    if values.get("invested") is not None and values["invested"] < 0:
        if not values.get("reduction_note") and "invested" not in errors:
            errors["reduction_note"] = "本期完成投资为负数（核减）时，请填写核减说明。"
    drafts = _clean_problem_drafts(problems, errors)
    if drafts:
        try:
            require(by, "problems.raise")
        except PermissionDenied as exc:
            errors["problems"] = str(exc)
    infos = _inspect_photos(photo_files, errors) if not errors else []
    _raise(errors)
    now = clock.now()
    saved: list[str] = []
    duplicate = ValidationError(
        {"period": f"《{project.name}》{period.name}的周报已报送；如需修改，请由督查室退回后修改。"}
    )
    try:
        with transaction.atomic():
            # the scope check, the stage under lock, and the lock that orders this project's sums
            locked = (
                project_queries.visible(by)
                .select_for_update(of=("self",))
                .filter(pk=project.pk)
                .first()
            )
            if locked is None:
                raise PermissionDenied("无权操作此项目。")
            if locked.stage not in S.ACTIVE:
                raise ValidationError(
                    {"project": f"项目处于“{locked.stage_label}”阶段，无需报送周报。"}
                )
            locked.unit = project.unit
            latest = investment.latest_report(locked)
            if latest is not None and latest.period == period.code:
                if key and latest.client_key == key:
                    return _stored(project, key)
                raise duplicate
            deadline = cycle.deadline_of(period)
            report = ProgressReport(
                project=locked,
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
                client_key=key,
                **values,
            )
            new_year, new_since = investment.place(locked, report, latest)  # checks the sums
            new_photos = _build_photos(by, report, infos, saved)
            report.flags = _flags(report, new_photos)
            report.save()
            if new_photos:
                ReportPhoto.objects.bulk_create(new_photos)
            sums.refresh_lights(locked, report.period_start)  # lights of this period on, if any
            changes = [
                Change("report.submit", report, after=_report_snapshot(report), only_changes=False)
            ]
            money = investment.set_project_money(locked, (new_year, new_since))
            if money is not None:
                changes.append(money)
            ReportEvent.objects.create(
                report=report,
                action="submit",
                by=_user(by),
                by_name=_name(by),
                at=now,
                note="逾期报送" if report.is_late else "",
                data=_report_data(report, len(new_photos)),
            )
            record_many(changes)
            for d in drafts:
                raise_problem(
                    by,
                    locked,
                    title=d.title,
                    type_code=d.type_code,
                    description=d.description,
                    suggested_unit=d.suggested_unit,
                    source=ProblemSource.REPORT,
                    report=report,
                )
    except IntegrityError:
        # a concurrent submission of the same period (or the same client key) won the race
        _cleanup(saved)
        stored = _stored(project, key)
        if stored is not None:
            return stored
        raise duplicate from None
    except Exception:
        _cleanup(saved)
        raise
    project.completed_this_year, project.completed_since_start = new_year, new_since
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
    _check_amounts(report.project, report.period_obj, values, errors, report.pk)
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
            if data.get("version") not in (None, ""):
                require_version(data["version"], current, "周报")
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
            sums.refresh_lights(current.project, current.period_start)
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
def return_report(by, report: ProgressReport, reason: str, *, version=UNCHECKED) -> ProgressReport:
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
    require_version(version, current, "周报")
    if current.status == ReportStatus.RETURNED:
        raise ValidationError({"status": "该周报已退回，等待填报人修改。"})
    before = _report_snapshot(current)
    now = clock.now()
    current.status, current.return_reason, current.returned_at = ReportStatus.RETURNED, reason, now
    current.version += 1
    current.save()
    # a returned report counts nowhere until filed again: the sums and the lights follow now
    recompute_investment(current.project)
    sums.refresh_lights(current.project, current.period_start)
    current.refresh_from_db()
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
def accept_report(by, report: ProgressReport, *, version=UNCHECKED) -> ProgressReport:
    _check_project(by, report.project, "reports.review")
    current = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=report.pk)
    )
    require_version(version, current, "周报")
    if current.status != ReportStatus.SUBMITTED:
        raise ValidationError(
            {"status": f"周报当前状态为“{current.get_status_display()}”，不能审核。"}
        )
    reduction = current.invested is not None and current.invested < 0
    if reduction and _user(by) is not None and current.filed_by_id == _user(by).pk:
        raise PermissionDenied("核减须由填报人以外的人员审核。")
    before = _report_snapshot(current)
    now = clock.now()
    current.status, current.reviewed_at, current.reviewed_by_name = (
        ReportStatus.ACCEPTED,
        now,
        _name(by),
    )
    current.version += 1
    current.save()
    if reduction:  # a 核减 counts from its acceptance on
        recompute_investment(current.project)
        sums.refresh_lights(current.project, current.period_start)
        current.refresh_from_db()
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
