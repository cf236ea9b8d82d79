"""Excel ledger import: read with the engine's ledger reader, create or update projects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from diaodu.audit.services import record
from diaodu.engine import ledger
from diaodu.engine import stages as S
from diaodu.engine.textnorm import normalise_name, to_simplified
from diaodu.org.models import Unit, User
from diaodu.org.scope import require
from diaodu.projects import queries
from diaodu.projects.models import (
    Project,
    StageChange,
)

from .editing import create_project, update_project
from .fields import DATE_FIELDS, MONEY_FIELDS, TEXT_FIELDS
from .validation import _check_unit, _match_people, _match_unit, _snapshot, clean

# ---------------------------------------------------------------- Excel import
STAGE_WORDS = {
    **{v: k for k, v in S.LABELS.items()},
    "已开工": "under_construction",
    "开工": "under_construction",
    "在建": "under_construction",
    "建设中": "under_construction",
    "已签约": "signed",
    "洽谈": "negotiating",
    "已竣工": "completed",
    "已投产": "operating",
    "前期": "preparing",
    "前期工作": "preparing",
    "已落地": "landed",
    "储备": "lead",
    "谋划": "lead",
    "停建": "suspended",
    "缓建": "suspended",
}


@dataclass
class ImportReport:
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: int = 0
    messages: list[dict] = field(default_factory=list)
    applied: bool = False

    def add(self, row: int, level: str, message: str):
        self.messages.append({"row": row, "level": level, "message": message})

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "applied": self.applied,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": self.errors,
            "messages": self.messages,
        }


class _Rollback(Exception):
    pass


def import_ledger(
    by,
    unit: Unit,
    source,
    *,
    dry_run: bool = True,
    skip_errors: bool = False,
    year: int | None = None,
    progress=None,
) -> ImportReport:
    """Read a ledger workbook and create/update the unit's projects.

    All or nothing: unless `skip_errors`, a single bad row means nothing is written and every
    problem is reported. A dry run computes the same report and rolls back."""
    require(by, "projects.import")
    _check_unit(by, unit)
    year = year or timezone.localdate().year
    report = ImportReport(dry_run=dry_run)

    def read_progress(done, total):
        if progress:
            progress("读取", done, total)

    try:
        result = ledger.read_ledger(source, progress=read_progress)
    except ledger.LedgerFormatError as exc:
        report.errors += 1
        report.add(0, "error", str(exc))
        return report
    for m in result.messages:
        report.add(m.row, m.level, m.message)
    try:
        with transaction.atomic():
            _import_rows(
                by, unit, result, report, year=year, skip_errors=skip_errors, progress=progress
            )
            if report.errors and not skip_errors:
                report.add(
                    0,
                    "error",
                    f"共有 {report.errors} 行存在错误，本次导入未写入任何数据。请修正后重新导入。",
                )
                raise _Rollback
            if dry_run:
                raise _Rollback
            report.applied = True
            record(
                "ledger.import",
                unit,
                after={
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "skipped": report.skipped,
                },
                only_changes=False,
            )
    except _Rollback:
        pass
    return report


def _row_payload(data: dict) -> dict:
    payload = {}
    for key in (
        TEXT_FIELDS
        + MONEY_FIELDS
        + DATE_FIELDS
        + (
            "national_code",
            "latitude",
            "longitude",
            "land_area_mu",
            "expected_jobs",
            "plan_category",
            "level",
        )
    ):
        if key in data:
            payload[key] = data[key]
    if "industry" in data:
        payload["industry"] = data["industry"] or ""
    precision = {k[: -len("_precision")]: v for k, v in data.items() if k.endswith("_precision")}
    payload["date_precision"] = precision
    return payload


def _import_rows(
    by, unit, result, report: ImportReport, *, year: int, skip_errors: bool, progress
) -> None:
    total = len(result.rows)
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple, int] = {}
    for index, row in enumerate(result.rows, 1):
        if progress and (index % 200 == 0 or index == total):
            progress("写入", index, total)
        row_errors = [m for m in row.messages if m.level == "error"]
        for m in row.messages:
            report.add(m.row, m.level, m.message)
        if row_errors:
            report.errors += 1
            report.skipped += 1
            continue
        # A column that is in the sheet but empty in this row means "cleared"; the reader leaves
        # such keys out, so put them back as empty.
        data = dict(row.data)
        for key in result.columns:
            data.setdefault(key, None)
        try:
            target_unit = unit
            if data.get("unit_name"):
                target_unit = _match_unit(data["unit_name"], within=unit)
                if target_unit is None:
                    raise ValidationError(f"所属园区“{data['unit_name']}”不在“{unit.name}”之下。")
            code = data.get("national_code")
            existing = None
            if code:
                if code in seen_codes:
                    raise ValidationError(f"项目代码“{code}”与第 {seen_codes[code]} 行重复。")
                seen_codes[code] = row.row
                existing = Project.objects.filter(national_code=code).first()
                if existing is not None:
                    if not queries.visible(by).filter(
                        pk=existing.pk
                    ).exists() or not existing.unit.path.startswith(unit.path):
                        raise ValidationError(
                            f"项目代码“{code}”已被其他单位的项目使用，不能导入到“{unit.name}”。"
                        )
            key = (target_unit.pk, normalise_name(data.get("name", "")))
            if key in seen_names:
                raise ValidationError(f"项目“{data.get('name')}”与第 {seen_names[key]} 行重复。")
            seen_names[key] = row.row
            if existing is None:
                existing = Project.objects.filter(unit=target_unit, name_key=key[1]).first()
            payload = _row_payload(data)
            if payload.get("plan_category"):
                payload["plan_year"] = year
            leads, unmatched_leads = _match_people(data.get("lead_officials") or [])
            if data.get("secretary") is None:
                data["secretary"] = None
            sec_users, sec_unmatched = _match_people(
                [data["secretary"]] if data.get("secretary") else []
            )
            resp = (
                _match_unit(data.get("responsible_unit", ""))
                if data.get("responsible_unit")
                else None
            )
            if "lead_officials" in result.columns:
                payload["lead_officials_text"] = "、".join(unmatched_leads)
            if "secretary" in result.columns:
                payload["secretary_text"] = "、".join(sec_unmatched)
            if "responsible_unit" in result.columns:
                payload["responsible_unit_text"] = (
                    ""
                    if resp or not data.get("responsible_unit")
                    else str(data["responsible_unit"])
                )
            stage = (
                STAGE_WORDS.get(to_simplified(data.get("stage") or "").strip())
                if data.get("stage")
                else None
            )
            if data.get("stage") and stage is None:
                report.add(
                    row.row,
                    "warning",
                    f"第{row.row}行：项目阶段“{data['stage']}”无法识别，已忽略。",
                )
            secretary = sec_users[0] if sec_users else None
            if existing is None:
                stage_date = _stage_date(data, stage)
                create_project(
                    by,
                    unit=target_unit,
                    data=payload,
                    lead_officials=leads,
                    secretary=secretary,
                    responsible_unit=resp,
                    stage=stage or "lead",
                    stage_date=stage_date,
                    note="台账导入",
                )
                report.created += 1
            else:
                changed = _update_from_row(
                    by,
                    existing,
                    target_unit,
                    payload,
                    leads,
                    secretary,
                    resp,
                    stage,
                    "lead_officials" in result.columns,
                    "secretary" in result.columns,
                    "responsible_unit" in result.columns,
                )
                if changed:
                    report.updated += 1
                else:
                    report.unchanged += 1
        except ValidationError as exc:
            report.errors += 1
            report.skipped += 1
            msgs = exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]
            for group in msgs:
                for msg in group:
                    text = msg if msg.startswith("第") else f"第{row.row}行：{msg}"
                    report.add(row.row, "error", text)
        except PermissionDenied as exc:
            report.errors += 1
            report.skipped += 1
            report.add(row.row, "error", f"第{row.row}行：{exc}")


def _stage_date(data: dict, stage: str | None) -> date:
    field_name = S.DATE_FIELD.get(stage or "")
    today = timezone.localdate()
    if field_name and data.get(field_name) and data[field_name] <= today:
        return data[field_name]
    return today


def _update_from_row(
    by,
    project,
    target_unit,
    payload,
    leads,
    secretary,
    resp,
    stage,
    has_leads,
    has_secretary,
    has_resp,
) -> bool:
    values = clean(payload, instance=project)
    diff = {k: v for k, v in values.items() if k != "name_key" and getattr(project, k) != v}
    if "date_precision" in diff and not diff["date_precision"] and not project.date_precision:
        diff.pop("date_precision")
    lead_change = has_leads and sorted(u.pk for u in leads) != sorted(
        project.lead_officials.values_list("pk", flat=True)
    )
    sec_change = has_secretary and (secretary.pk if secretary else None) != project.secretary_id
    resp_change = has_resp and (resp.pk if resp else None) != project.responsible_unit_id
    unit_change = target_unit.pk != project.unit_id
    stage_change = stage is not None and stage != project.stage
    if not (diff or lead_change or sec_change or resp_change or unit_change or stage_change):
        return False
    kwargs = {}
    if has_secretary:
        kwargs["secretary"] = secretary
    if has_resp:
        kwargs["responsible_unit"] = resp
    project = update_project(
        by,
        project,
        data=payload,
        version=project.version,
        lead_officials=leads if has_leads else None,
        unit=target_unit,
        **kwargs,
    )
    if stage_change:
        _set_stage_from_ledger(by, project, stage)
    return True


def _set_stage_from_ledger(by, project: Project, stage: str) -> None:
    """The ledger is the office's record: its stage is taken as a correction, recorded as such."""
    before = _snapshot(project)
    today = timezone.localdate()
    last = project.stage_changes.order_by("-on", "-id").first()
    on = max(today, last.on) if last else today
    StageChange.objects.create(
        project=project,
        from_stage=project.stage,
        to_stage=stage,
        on=on,
        person=by if isinstance(by, User) else None,
        person_name=getattr(by, "name", ""),
        note="台账导入校正",
    )
    project.stage, project.stage_date = stage, on
    project.resume_stage = ""
    project.version += 1
    project.save(update_fields=["stage", "stage_date", "resume_stage", "version", "updated_at"])
    record("project.stage", project, before=before, after=_snapshot(project))
