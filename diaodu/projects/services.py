"""Every write to the ledger: create, edit (optimistic locking), stage moves, saved filters and
Excel import. Each checks the person's permission and scope, validates with Chinese messages,
saves in a transaction and appends the audit entry."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from diaodu.audit.models import AuditEntry
from diaodu.audit.services import record, snapshot
from diaodu.engine import ledger
from diaodu.engine import stages as S
from diaodu.engine.textnorm import normalise_name, to_simplified
from diaodu.ops.storage import write_upload
from diaodu.org.models import DictItem, Unit, User
from diaodu.org.scope import require
from diaodu.projects import queries
from diaodu.projects.models import (
    ImportJob,
    Level,
    PlanCategory,
    Project,
    ProjectYearPlan,
    SavedFilter,
    StageChange,
)

DATE_FIELDS = (
    "planned_signing_date",
    "planned_start_date",
    "planned_completion_date",
    "planned_production_date",
    "actual_signing_date",
    "actual_start_date",
    "actual_completion_date",
    "actual_production_date",
)
MONEY_FIELDS = (
    "total_investment",
    "annual_plan_investment",
    "completed_this_year",
    "completed_since_start",
    "expected_output",
    "expected_tax",
)
TEXT_FIELDS = (
    "name",
    "investor",
    "content_scale",
    "address",
    "progress_text",
    "issues_text",
    "remarks",
)
PLAIN_FIELDS = (
    TEXT_FIELDS
    + MONEY_FIELDS
    + DATE_FIELDS
    + (
        "national_code",
        "industry_code",
        "industry_text",
        "latitude",
        "longitude",
        "land_area_mu",
        "plan_category",
        "level",
        "expected_jobs",
        "lead_officials_text",
        "secretary_text",
        "responsible_unit_text",
        "date_precision",
        "plan_year",
    )
)
FIELD_LABELS = {
    f.name: str(f.verbose_name) for f in Project._meta.get_fields() if hasattr(f, "verbose_name")
}
INDUSTRY_RE = re.compile(r"^([A-T])?(\d{2,4})?$")


class ConflictError(Exception):
    """Someone else saved the project since this person loaded it."""

    def __init__(self, message: str, changes: list[dict]):
        super().__init__(message)
        self.changes = changes


# ---------------------------------------------------------------- validation
def _decimal(
    value, field_name: str, errors: dict, *, minimum: Decimal | None = Decimal(0), places: int = 2
):
    if value in (None, ""):
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors[field_name] = f"{FIELD_LABELS.get(field_name, field_name)}应为数字。"
        return None
    if not d.is_finite():
        errors[field_name] = f"{FIELD_LABELS.get(field_name, field_name)}应为数字。"
        return None
    if minimum is not None and d < minimum:
        errors[field_name] = f"{FIELD_LABELS.get(field_name, field_name)}不能为负数。"
        return None
    q = Decimal(1).scaleb(-places)
    d = d.quantize(q)
    if abs(d) >= Decimal(10) ** (14 - places):
        errors[field_name] = f"{FIELD_LABELS.get(field_name, field_name)}数值过大。"
        return None
    return d


def parse_industry(text: str) -> tuple[str, str]:
    """'C36 汽车制造业' / 'C3611' / '3611' / '汽车制造业' / '制造业' → (code, display text)."""
    raw = (text or "").strip()
    if not raw:
        return "", ""
    simple = to_simplified(raw).replace("（", "(").replace("）", ")")
    m = re.match(r"^([A-Ta-t]?\d{0,4})\s*(.*)$", simple)
    code, rest = (m.group(1).upper(), m.group(2).strip(" -:：()")) if m else ("", simple)
    if code and not INDUSTRY_RE.match(code):
        code = ""
    if code and not code[0].isalpha():
        # a bare division code: find its section from the dictionary
        parent = (
            DictItem.objects.filter(dict_type__code="industry", code=code[:2])
            .values_list("parent_code", flat=True)
            .first()
        )
        code = f"{parent}{code}" if parent else code
    if not code and rest:
        hit = DictItem.objects.filter(dict_type__code="industry", label=rest).first()
        if hit:
            code = f"{hit.parent_code}{hit.code}" if hit.parent_code else hit.code
    if code and not rest:
        key = code[1:] if code[0].isalpha() and len(code) > 1 else code
        label = (
            DictItem.objects.filter(
                dict_type__code="industry", code=key[:2] if key[0].isdigit() else key
            )
            .values_list("label", flat=True)
            .first()
        )
        rest = label or ""
    return code, (rest or raw)[:100]


def _match_people(names: list[str]) -> tuple[list[User], list[str]]:
    users, unmatched = [], []
    for name in names:
        name = name.strip()
        if not name:
            continue
        hits = list(User.objects.filter(name=name, is_active=True)[:2])
        if len(hits) == 1:
            users.append(hits[0])
        else:
            unmatched.append(name)
    return users, unmatched


def _match_unit(text: str, within: Unit | None = None) -> Unit | None:
    text = (text or "").strip()
    if not text:
        return None
    qs = Unit.objects.filter(is_active=True)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    hits = list(qs.filter(name=text)[:2]) or list(qs.filter(short_name=text)[:2])
    return hits[0] if len(hits) == 1 else None


def clean(data: dict, *, instance: Project | None = None) -> dict:
    """Validate and normalise project fields. Raises ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    out: dict = {}
    for f in TEXT_FIELDS:
        if f in data:
            out[f] = (
                (data[f] or "").strip()
                if isinstance(data[f], str) or data[f] is None
                else str(data[f])
            )
    if "name" in out or instance is None:
        if not out.get("name"):
            errors["name"] = "项目名称必填。"
        elif len(out["name"]) > 200:
            errors["name"] = "项目名称不能超过 200 字。"
    if "national_code" in data:
        code = (data["national_code"] or "").strip()
        if code:
            try:
                code = ledger.validate_national_code(code)
            except ValueError as exc:
                errors["national_code"] = str(exc)
            else:
                clash = Project.objects.filter(national_code=code)
                if instance is not None:
                    clash = clash.exclude(pk=instance.pk)
                if clash.exists():
                    errors["national_code"] = f"项目代码“{code}”已被其他项目使用。"
        out["national_code"] = code or None
    for f in MONEY_FIELDS:
        if f in data:
            out[f] = _decimal(data[f], f, errors)
    if "land_area_mu" in data:
        out["land_area_mu"] = _decimal(data["land_area_mu"], "land_area_mu", errors)
    for f, lo, hi in (("latitude", -90, 90), ("longitude", -180, 180)):
        if f in data:
            v = _decimal(data[f], f, errors, minimum=None, places=6)
            if v is not None and not (lo <= v <= hi):
                errors[f] = f"{FIELD_LABELS[f]}应在 {lo} 到 {hi} 之间。"
            out[f] = v
    if "expected_jobs" in data:
        v = data["expected_jobs"]
        if v in (None, ""):
            out["expected_jobs"] = None
        else:
            try:
                out["expected_jobs"] = int(Decimal(str(v)))
                if out["expected_jobs"] < 0:
                    raise ValueError
            except (InvalidOperation, ValueError):
                errors["expected_jobs"] = "带动就业应为非负整数。"
    for f in DATE_FIELDS:
        if f in data:
            v = data[f]
            if v in (None, ""):
                out[f] = None
            elif isinstance(v, date):
                out[f] = v
            else:
                try:
                    out[f] = date.fromisoformat(str(v))
                except ValueError:
                    errors[f] = f"{FIELD_LABELS[f]}日期格式应为 YYYY-MM-DD。"
    if "plan_category" in data:
        v = data["plan_category"] or ""
        if v and v not in PlanCategory.values:
            errors["plan_category"] = "年度类别无效。"
        out["plan_category"] = v
    if "level" in data:
        v = data["level"] or ""
        if v and v not in Level.values:
            errors["level"] = "项目级别无效。"
        out["level"] = v
    if "industry" in data:
        out["industry_code"], out["industry_text"] = parse_industry(data["industry"] or "")
    for f in ("lead_officials_text", "secretary_text", "responsible_unit_text"):
        if f in data:
            out[f] = (data[f] or "").strip()
    if "date_precision" in data:
        out["date_precision"] = {
            k: v for k, v in (data["date_precision"] or {}).items() if k in DATE_FIELDS
        }
    if "plan_year" in data:
        out["plan_year"] = data["plan_year"]

    # cross-field rules, on the values the project will have after the change
    def final(f):
        return out[f] if f in out else getattr(instance, f, None)

    order = [
        ("planned_signing_date", "planned_start_date"),
        ("planned_start_date", "planned_completion_date"),
        ("planned_completion_date", "planned_production_date"),
        ("actual_signing_date", "actual_start_date"),
        ("actual_start_date", "actual_completion_date"),
        ("actual_completion_date", "actual_production_date"),
    ]
    for a, b in order:
        va, vb = final(a), final(b)
        if va and vb and vb < va and b not in errors:
            errors[b] = (
                f"{FIELD_LABELS[b]}（{vb:%Y-%m-%d}）不能早于{FIELD_LABELS[a]}（{va:%Y-%m-%d}）。"
            )
    today = timezone.localdate()
    for f in DATE_FIELDS[4:]:
        v = final(f)
        if v and v > today and f not in errors:
            errors[f] = f"{FIELD_LABELS[f]}（{v:%Y-%m-%d}）晚于今天：实际日期不能预填。"
    total, annual = final("total_investment"), final("annual_plan_investment")
    if (
        total is not None
        and annual is not None
        and annual > total
        and "annual_plan_investment" not in errors
    ):
        errors["annual_plan_investment"] = (
            f"年度计划投资（{annual}万元）超过总投资（{total}万元）。"
        )
    since = final("completed_since_start")
    if (
        total is not None
        and since is not None
        and since > total
        and "completed_since_start" not in errors
    ):
        errors["completed_since_start"] = f"累计完成投资（{since}万元）超过总投资（{total}万元）。"
    if errors:
        raise ValidationError(errors)
    if "name" in out:
        out["name_key"] = normalise_name(out["name"])
    return out


def _snapshot(p: Project) -> dict:
    data = snapshot(p, exclude=("updated_at", "created_at", "name_key"))
    data["lead_officials"] = sorted(p.lead_officials.values_list("name", flat=True)) if p.pk else []
    return data


def _check_unit(by, unit: Unit) -> None:
    if unit is None:
        raise ValidationError({"unit": "请选择所属园区。"})
    if not queries.can_write_unit(by, unit):
        raise PermissionDenied(f"无权在“{unit.name}”下维护项目。")


def _check_project(by, project: Project, key: str = "projects.change") -> Project:
    require(by, key)
    if not queries.visible(by).filter(pk=project.pk).exists():
        raise PermissionDenied("无权修改此项目。")
    return project


def _set_leads(project: Project, lead_officials) -> None:
    if lead_officials is not None:
        project.lead_officials.set(lead_officials)


def _year_plan(project: Project) -> None:
    if project.plan_year and project.plan_category:
        ProjectYearPlan.objects.update_or_create(
            project=project,
            year=project.plan_year,
            defaults={
                "plan_category": project.plan_category,
                "annual_plan_investment": project.annual_plan_investment,
            },
        )


# ---------------------------------------------------------------- create / update
@transaction.atomic
def create_project(
    by,
    *,
    unit: Unit,
    data: dict,
    lead_officials: list[User] | None = None,
    secretary: User | None = None,
    responsible_unit: Unit | None = None,
    stage: str = "lead",
    stage_date: date | None = None,
    note: str = "",
) -> Project:
    require(by, "projects.change")
    _check_unit(by, unit)
    values = clean(data)
    if stage not in S.ALL:
        raise ValidationError({"stage": "项目阶段无效。"})
    if values.get("plan_category") and not values.get("plan_year"):
        values["plan_year"] = timezone.localdate().year
    project = Project(
        unit=unit,
        secretary=secretary,
        responsible_unit=responsible_unit,
        stage=stage,
        stage_date=stage_date or timezone.localdate(),
        **values,
    )
    project.save()
    _set_leads(project, lead_officials)
    _year_plan(project)
    StageChange.objects.create(
        project=project,
        from_stage="",
        to_stage=stage,
        on=project.stage_date,
        person=by if isinstance(by, User) else None,
        person_name=getattr(by, "name", "") or "system",
        note=note or "新建项目",
    )
    record("project.create", project, after=_snapshot(project), only_changes=False)
    return project


@transaction.atomic
def update_project(
    by,
    project: Project,
    *,
    data: dict,
    version: int,
    lead_officials: list[User] | None = None,
    secretary: User | None | type(...) = ...,
    responsible_unit: Unit | None | type(...) = ...,
    unit: Unit | None = None,
) -> Project:
    """Save changes made on top of `version`. A newer save in between is refused with ConflictError."""
    _check_project(by, project)
    current = Project.objects.select_for_update().get(pk=project.pk)
    if current.version != version:
        raise ConflictError(conflict_message(current, version), changes_since(current, version))
    before = _snapshot(current)
    values = clean(data, instance=current)
    if unit is not None and unit.pk != current.unit_id:
        _check_unit(by, unit)
        current.unit = unit
    for k, v in values.items():
        setattr(current, k, v)
    if secretary is not ...:
        current.secretary = secretary
    if responsible_unit is not ...:
        current.responsible_unit = responsible_unit
    if current.plan_category and not current.plan_year:
        current.plan_year = timezone.localdate().year
    current.version = version + 1
    current.save()
    _set_leads(current, lead_officials)
    _year_plan(current)
    after = _snapshot(current)
    record("project.update", current, before=before, after=after)
    return current


def changes_since(project: Project, version: int) -> list[dict]:
    """What others changed after `version`, read back from the audit log."""
    out = []
    entries = AuditEntry.objects.filter(
        object_type="projects.project",
        object_id=str(project.pk),
        action__in=["project.update", "project.stage"],
    ).order_by("id")
    for e in entries:
        after = e.after or {}
        if "version" in after and int(after["version"]) <= version:
            continue
        if "version" not in after and e.action == "project.update":
            continue
        for key in sorted(after):
            if key == "version":
                continue
            out.append(
                {
                    "who": e.actor_name,
                    "when": e.created_at,
                    "field": FIELD_LABELS.get(key, key),
                    "before": (e.before or {}).get(key),
                    "after": after.get(key),
                }
            )
    return out


def conflict_message(current: Project, version: int) -> str:
    changes = changes_since(current, version)
    if not changes:
        return "项目已被他人修改，请刷新后重新编辑。"
    parts = [
        f"{c['who']} 修改了“{c['field']}”：{c['before'] if c['before'] not in (None, '') else '（空）'} → "
        f"{c['after'] if c['after'] not in (None, '') else '（空）'}"
        for c in changes[:10]
    ]
    return "保存未成功：您打开此项目后，" + "；".join(parts) + "。请在最新内容的基础上重新修改。"


# ---------------------------------------------------------------- stage
@transaction.atomic
def transition(
    by, project: Project, to_stage: str, on: date, *, note: str = "", reason: str = ""
) -> Project:
    _check_project(by, project, "projects.stage")
    current = Project.objects.select_for_update().get(pk=project.pk)
    last = current.stage_changes.order_by("-on", "-id").first()
    try:
        move = S.check(
            current.stage,
            to_stage,
            on,
            last_move_on=last.on if last else None,
            today=timezone.localdate(),
            reason=reason,
            resume_stage=current.resume_stage or None,
        )
    except S.TransitionError as exc:
        raise ValidationError({"stage": str(exc)}) from None
    before = _snapshot(current)
    if to_stage in S.SIDE and current.stage not in S.SIDE:
        current.resume_stage = current.stage
    elif to_stage in S.MAIN_LINE:
        current.resume_stage = ""
    current.stage, current.stage_date = to_stage, on
    date_field = S.DATE_FIELD.get(to_stage)
    if date_field and getattr(current, date_field) is None:
        setattr(current, date_field, on)
    current.version += 1
    current.save()
    StageChange.objects.create(
        project=current,
        from_stage=move.from_stage,
        to_stage=to_stage,
        on=on,
        person=by if isinstance(by, User) else None,
        person_name=getattr(by, "name", ""),
        note=(note or "").strip()[:500],
        reason=(reason or "").strip()[:500],
    )
    record("project.stage", current, before=before, after=_snapshot(current))
    return current


# ---------------------------------------------------------------- saved filters
@transaction.atomic
def save_filter(by, name: str, query: str) -> SavedFilter:
    require(by, "projects.view")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写筛选名称。"})
    sf, created = SavedFilter.objects.update_or_create(
        user=by, name=name[:60], defaults={"query": query[:1000]}
    )
    record("filter.save", sf, after={"name": sf.name, "query": sf.query}, only_changes=False)
    return sf


@transaction.atomic
def delete_filter(by, sf: SavedFilter) -> None:
    if sf.user_id != by.pk:
        raise PermissionDenied("只能删除自己的筛选。")
    record("filter.delete", sf, before={"name": sf.name, "query": sf.query}, only_changes=False)
    sf.delete()


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


# ---------------------------------------------------------------- import jobs (web upload)
IMPORT_DIR = Path(settings.MEDIA_ROOT) / "imports"


@transaction.atomic
def start_import(by, unit: Unit, upload) -> ImportJob:
    """Store an uploaded ledger and queue its dry run (the check shown before anything is written)."""
    require(by, "projects.import")
    _check_unit(by, unit)
    IMPORT_DIR.mkdir(parents=True, exist_ok=True)
    path = IMPORT_DIR / f"{uuid.uuid4().hex}.xlsx"
    write_upload(upload, path)  # a failed write leaves no partial file
    try:
        job = ImportJob.objects.create(
            user=by, unit=unit, file_name=upload.name[:200], file_path=str(path), dry_run=True
        )
        record(
            "ledger.import_check",
            job,
            after={"unit": unit.code, "file": job.file_name},
            only_changes=False,
        )
        _enqueue(job)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


@transaction.atomic
def confirm_import(by, checked: ImportJob) -> ImportJob:
    """Queue the real import of a file whose dry run passed."""
    require(by, "projects.import")
    if checked.user_id != by.pk:
        raise PermissionDenied("只能确认自己上传的导入。")
    if (
        checked.status != ImportJob.Status.DONE
        or not checked.dry_run
        or not checked.result
        or checked.result.get("errors")
    ):
        raise PermissionDenied("该预检结果不能确认导入。")
    job = ImportJob.objects.create(
        user=by,
        unit=checked.unit,
        file_name=checked.file_name,
        file_path=checked.file_path,
        dry_run=False,
    )
    record(
        "ledger.import_confirm",
        job,
        after={"unit": checked.unit.code, "file": job.file_name, "checked_job": checked.pk},
        only_changes=False,
    )
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from diaodu.projects.jobs import enqueue

    enqueue(job)
