"""更正: correcting a report after 审核通过. The person who files reports asks for a correction
with a reason; another person who reviews reports accepts or rejects it. Until accepted, every
total keeps the accepted version; once accepted, the report takes the new values (a new version)
and the running sums, the ledger and the lights follow. Every step is audited, and each
correction keeps the values before and after, so every version stays readable."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from diaodu import clock
from diaodu.audit.services import record
from diaodu.supervision.models import (
    CorrectionStatus,
    ProgressReport,
    ReportCorrection,
    ReportEvent,
    ReportStatus,
)

from . import report_sums as sums
from .common import _amount, _check_project, _name, _notify, _raise, _text, _user
from .reports import _flags, _report_data, _report_snapshot, recompute_investment

FIELDS = {"invested": "本期完成投资", "progress_text": "形象进度", "next_plan": "下期计划"}


def _plain(report: ProgressReport) -> dict:
    return {
        "invested": str(report.invested),
        "progress_text": report.progress_text,
        "next_plan": report.next_plan,
    }


def _summary(c: ReportCorrection) -> dict:
    return {
        "correction": c.number,
        "status": c.status,
        "reason": c.reason,
        "before": c.before,
        "after": c.after,
        "review_note": c.review_note,
    }


@transaction.atomic
def correct_report(by, report: ProgressReport, data: dict, *, reason: str) -> ReportCorrection:
    """提交更正 of an accepted report: the new values (any of 本期完成投资, 形象进度, 下期计划) and
    the reason. Nothing counts until a reviewer accepts it."""
    _check_project(by, report.project, "reports.file")
    current = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("project")
        .get(pk=report.pk)
    )
    errors: dict = {}
    if current.status != ReportStatus.ACCEPTED:
        raise ValidationError(
            {"status": "只有审核通过的周报才能提交更正；尚未审核的周报请由督查室退回后修改。"}
        )
    reason = _text({"reason": reason}, "reason", "更正原因", errors, required=True, limit=500)
    after = _plain(current)
    if "invested" in data:
        amount = _amount(data.get("invested"), "invested", "本期完成投资", errors)
        if amount is not None:
            after["invested"] = str(amount)
    for key in ("progress_text", "next_plan"):
        if key in data:
            after[key] = _text(data, key, FIELDS[key], errors, required=key == "progress_text")
    before = _plain(current)
    changed = {k for k in after if after[k] != before[k]}
    if not errors and not changed:
        errors["invested"] = "更正内容与现有内容相同。"
    if ReportCorrection.objects.filter(report=current, status=CorrectionStatus.PENDING).exists():
        errors["status"] = "该周报已有一项更正待审核，请等待审核后再提交。"
    if not errors and "invested" in changed:
        candidate = sums.Line(
            current.pk, current.period_start, current.year, Decimal(after["invested"]), True
        )
        sums.check(current.project, candidate, errors, "invested")
    _raise(errors)
    number = (
        ReportCorrection.objects.filter(report=current).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    now = clock.now()
    c = ReportCorrection.objects.create(
        report=current,
        number=number,
        reason=reason,
        before={k: before[k] for k in sorted(changed)},
        after={k: after[k] for k in sorted(changed)},
        filed_by=_user(by),
        filed_by_name=_name(by),
        filed_at=now,
    )
    ReportEvent.objects.create(
        report=current,
        action="correct",
        by=_user(by),
        by_name=_name(by),
        at=now,
        note=reason,
        data={"correction": number, "before": c.before, "after": c.after},
    )
    record("report.correct", current, after=_summary(c), only_changes=False)
    return c


@transaction.atomic
def review_correction(
    by, correction: ReportCorrection, *, accept: bool, note: str = ""
) -> ReportCorrection:
    """Accept (the report takes the new values as a new version; sums, ledger and lights follow)
    or reject a pending correction. Not by the person who asked for it."""
    _check_project(by, correction.report.project, "reports.review")
    c = (
        ReportCorrection.objects.select_for_update(of=("self",))
        .select_related("report", "report__project")
        .get(pk=correction.pk)
    )
    if c.status != CorrectionStatus.PENDING:
        raise ValidationError({"status": f"该更正已{c.get_status_display()}，不能再次审核。"})
    me = _user(by)
    if me is not None and c.filed_by_id == me.pk:
        raise PermissionDenied("更正须由提交人以外的人员审核。")
    errors: dict = {}
    note = _text({"note": note}, "note", "审核意见", errors, required=not accept, limit=500)
    _raise(errors)
    report = ProgressReport.objects.select_for_update(of=("self",)).get(pk=c.report_id)
    now = clock.now()
    c.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED
    c.reviewed_by_name, c.reviewed_at, c.review_note = _name(by), now, note
    c.save()
    if accept:
        before = _report_snapshot(report)
        for key, value in c.after.items():
            setattr(report, key, Decimal(value) if key == "invested" else value)
        report.version += 1
        report.reviewed_at, report.reviewed_by_name = now, _name(by)
        report.save()
        recompute_investment(report.project)
        sums.refresh_lights(report.project, report.period_start)
        report.refresh_from_db()
        report.flags = _flags(report)
        report.save(update_fields=["flags"])
        record("report.update", report, before=before, after=_report_snapshot(report))
    ReportEvent.objects.create(
        report=report,
        action="correct_accept" if accept else "correct_reject",
        by=me,
        by_name=_name(by),
        at=now,
        note=note,
        data={"correction": c.number, **(_report_data(report) if accept else {})},
    )
    record(
        "report.correct_accept" if accept else "report.correct_reject",
        report,
        after=_summary(c),
        only_changes=False,
    )
    if c.filed_by is not None:
        _notify(
            [c.filed_by],
            title=f"周报更正{'已通过' if accept else '未通过'}：《{report.project.name}》{report.period_obj.name}",
            body=note or c.reason,
            link=f"/supervision/reports/{report.pk}/",
            kind="info",
            unit=report.project.unit,
            source=report,
        )
    return c
