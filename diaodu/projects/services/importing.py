"""Excel ledger import (台账导入): read an office's own workbook and create or update its projects.

Rules, once for every way in (the web upload, ``diaodu import-ledger``):

* **A blank cell never erases.** A cell left blank (or "—", "/", "无") changes nothing; only a
  cell that says “（清空）” (:data:`CLEAR_MARKER`) clears the stored value. So an office can
  re-import its own file with columns it does not keep, and lose nothing.
* **The dry run shows the diff first.** Every row is reported as 新增 / 更新 / 无变化 / 跳过 with
  every field that changes, old → new (``ImportReport.rows``), computed by the same code that
  writes, inside a transaction that a dry run rolls back.
* **Stage dates come from the ledger.** A project's moves into 签约 / 在建 / 竣工 / 投产 are dated by
  the ledger's own 签约日期 / 开工日期 / 竣工日期 / 投产日期 columns; a move whose date the ledger
  does not give is recorded as 日期未知 (it counts in no year until the date is entered), never
  dated by the import.
* **All or nothing**, unless ``skip_errors``: one bad row means nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu import clock, uploads
from diaodu.audit.services import record
from diaodu.engine import ledger
from diaodu.engine import stages as S
from diaodu.engine.textnorm import normalise_name, to_simplified
from diaodu.org.models import Unit, User
from diaodu.org.scope import require
from diaodu.projects.models import Level, PlanCategory, Project, StageChange

from .fields import DATE_FIELDS, FIELD_LABELS, MONEY_FIELDS, TEXT_FIELDS
from .import_batch import Batch, Create, Index, Update, check_once
from .validation import (
    _check_responsible_unit,
    _check_unit,
    _match_people,
    _match_unit,
    _snapshot,
    clean,
    lookups_remembered,
)

CLEAR_MARKER = ledger.CLEAR_MARKER
STAGE_WORDS = S.STAGE_WORDS  # how ledgers write a stage (engine.stages.parse_stage)
ACTION_LABELS = {"create": "新增", "update": "更新", "unchanged": "无变化", "skip": "跳过"}
# Plain fields a row may carry (besides people, units and the stage).
_ROW_FIELDS = (
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
)
_CHOICE_LABELS = {
    "plan_category": dict(PlanCategory.choices),
    "level": dict(Level.choices),
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
    # one entry per project row: {row, name, action, action_label, changes: [{field, label, old,
    # new}]} — what the dry run shows before anything is written
    rows: list[dict] = field(default_factory=list)

    def add(self, row: int, level: str, message: str):
        self.messages.append({"row": row, "level": level, "message": message})

    def add_row(self, row: int, name: str, action: str, changes: list[dict] = ()) -> None:
        self.rows.append(
            {
                "row": row,
                "name": name,
                "action": action,
                "action_label": ACTION_LABELS[action],
                "changes": list(changes),
            }
        )

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
            "rows": self.rows,
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
    """Read a ledger workbook and create/update the unit's projects (rules: module docstring).

    All or nothing: unless `skip_errors`, a single bad row means nothing is written and every
    problem is reported. A dry run computes the same report and rolls back."""
    require(by, "projects.import")
    _check_unit(by, unit)
    year = year or clock.today().year
    report = ImportReport(dry_run=dry_run)

    def read_progress(done, total):
        if progress:
            progress("读取", done, total)

    try:
        result = ledger.read_ledger(source, progress=read_progress, max_bytes=uploads.max_bytes())
    except ledger.LedgerFormatError as exc:
        report.errors += 1
        report.add(0, "error", str(exc))
        return report
    for m in result.messages:
        report.add(m.row, m.level, m.message)
    try:
        with transaction.atomic(), lookups_remembered():
            _import_rows(by, unit, result, report, year=year, progress=progress)
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


# ---------------------------------------------------------------- one row
@dataclass
class _Row:
    """What one ledger row says, with "not said" (blank) kept apart from "clear" (（清空）)."""

    number: int
    data: dict
    cleared: set

    def says(self, key: str) -> bool:
        return key in self.data or key in self.cleared

    def payload(self, project: Project | None) -> dict:
        """The project fields the row sets: only those it says (a blank cell is left out)."""
        out = {}
        for key in _ROW_FIELDS:
            if key in self.data:
                out[key] = self.data[key]
            elif key in self.cleared:
                out[key] = "" if key in TEXT_FIELDS + ("plan_category", "level") else None
        if "industry" in self.data:
            out["industry"] = self.data["industry"] or ""
        elif "industry" in self.cleared:
            out["industry"] = ""
        precision = dict(project.date_precision or {}) if project is not None else {}
        for key in DATE_FIELDS:
            if key in self.data:
                if self.data.get(f"{key}_precision"):
                    precision[key] = self.data[f"{key}_precision"]
                else:
                    precision.pop(key, None)
            elif key in self.cleared:
                precision.pop(key, None)
        if project is None or precision != (project.date_precision or {}):
            out["date_precision"] = precision
        return out


def _import_rows(by, unit, result, report: ImportReport, *, year: int, progress) -> None:
    """Check every row against an index read once (import_batch.Index), then write what the
    rows plan in bulk (import_batch.Batch). Progress: the checks are the first half of 写入."""
    total = len(result.rows)
    index = Index(by, unit, result.rows)
    memo: dict = {}  # permission and scope checks, once per unit / person
    written = [0]

    def flushed(n: int) -> None:
        written[0] += n
        if progress:
            progress("写入", min(total, total // 2 + written[0] // 2), total)

    def refused(number: int, entry: dict, message: str) -> None:
        report.errors += 1
        report.skipped += 1
        if entry["action"] == "create":
            report.created -= 1
        elif entry["action"] == "update":
            report.updated -= 1
        entry.update(action="skip", action_label=ACTION_LABELS["skip"], changes=[])
        report.add(number, "error", message)

    batch = Batch(by, index, note="台账导入", on_refused=refused, progress=flushed)
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple, int] = {}
    for number, lrow in enumerate(result.rows, 1):
        if progress and (number % 200 == 0 or number == total):
            progress("写入", number // 2, total)
        for m in lrow.messages:
            report.add(m.row, m.level, m.message)
        name = str(lrow.data.get("name") or "")
        if lrow.has_errors:
            report.errors += 1
            report.skipped += 1
            report.add_row(lrow.row, name, "skip")
            continue
        row = _Row(lrow.row, dict(lrow.data), set(lrow.cleared))
        plan = _Plan(by, unit, index, batch, memo, year, seen_codes, seen_names)
        try:
            action, changes, item = plan.row(row, report)
        except (ValidationError, PermissionDenied) as exc:
            report.errors += 1
            report.skipped += 1
            report.add_row(lrow.row, name, "skip")
            if isinstance(exc, PermissionDenied):
                groups = [[str(exc)]]
            else:
                groups = exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]
            for group in groups:
                for msg in group:
                    text = msg if msg.startswith("第") else f"第{lrow.row}行：{msg}"
                    report.add(lrow.row, "error", text)
            continue
        if action == "create":
            report.created += 1
        elif action == "update":
            report.updated += 1
        else:
            report.unchanged += 1
        report.add_row(lrow.row, name, action, changes)
        if item is not None:
            item.row = report.rows[-1]
            (batch.creates if isinstance(item, Create) else batch.updates).append(item)
    batch.flush()
    if progress and total:
        progress("写入", total, total)


@dataclass
class _Plan:
    """What one row asks for, every check made, as a create or update for the batch."""

    by: object
    unit: Unit
    index: Index
    batch: Batch
    memo: dict
    year: int
    seen_codes: dict
    seen_names: dict

    def once(self, key, check) -> None:
        check_once(self.memo, key, check)

    def row(self, row: _Row, report):
        by, unit, index, data = self.by, self.unit, self.index, row.data
        if "unit_name" in row.cleared:
            raise ValidationError("所属园区不能清空。")
        target_unit = unit
        if data.get("unit_name"):
            target_unit = _match_unit(data["unit_name"], within=unit)
            if target_unit is None:
                raise ValidationError(f"所属园区“{data['unit_name']}”不在“{unit.name}”之下。")
        code = data.get("national_code")
        existing = None
        if code:
            if code in self.seen_codes:
                raise ValidationError(f"项目代码“{code}”与第 {self.seen_codes[code]} 行重复。")
            self.seen_codes[code] = row.number
            existing = index.code(code)
            if existing is not None and (
                existing.pk not in index.visible or not existing.unit.path.startswith(unit.path)
            ):
                raise ValidationError(
                    f"项目代码“{code}”已被其他单位的项目使用，不能导入到“{unit.name}”。"
                )
        key = (target_unit.pk, normalise_name(data.get("name", "")))
        if key in self.seen_names:
            raise ValidationError(f"项目“{data.get('name')}”与第 {self.seen_names[key]} 行重复。")
        self.seen_names[key] = row.number
        if existing is None and row.says("unit_name"):
            existing = next((p for p in index.named(key[1]) if p.unit_id == target_unit.pk), None)
        elif existing is None:  # 所属园区 not said: the one project of that name under the unit
            if key[1] in self.batch.pending_names:
                self.batch.flush()  # an earlier row of this file creates it: write that first
            same = index.named(key[1])
            existing = same[0] if len(same) == 1 else None
        if existing is not None and not row.says("unit_name"):
            target_unit = existing.unit  # a blank 所属园区 moves nothing
        payload = row.payload(existing)
        if payload.get("plan_category"):
            payload["plan_year"] = self.year
        people = _people(row)
        if people["has_leads"]:
            payload["lead_officials_text"] = "、".join(people["unmatched_leads"])
        if people["has_secretary"]:
            payload["secretary_text"] = "、".join(people["unmatched_secretary"])
        if people["has_resp"]:
            text = data.get("responsible_unit")
            payload["responsible_unit_text"] = "" if people["resp"] or not text else str(text)
        stage = _stage_of(row, report)
        self.once("change", lambda: require(by, "projects.change"))
        if existing is None:
            return self.create(row, target_unit, payload, people, stage)
        return self.update(row, existing, target_unit, payload, people, stage)

    def create(self, row, target_unit, payload, people, stage):
        """create_project's checks and values, for the batch."""
        by = self.by
        values = clean(payload, code_owners=self.index.code_owners)
        moves = _moves(None, stage or "lead", values)
        self.once(("unit", target_unit.pk), lambda: _check_unit(by, target_unit))
        resp = people["resp"]
        if resp is not None:
            self.once(
                ("resp", resp.pk, target_unit.pk),
                lambda: _check_responsible_unit(by, resp, target_unit),
            )
        if values.get("plan_category") and not values.get("plan_year"):
            values["plan_year"] = clock.today().year
        stage_now, stage_date = moves[-1]
        project = Project(
            unit=target_unit,
            secretary=people["secretary"],
            responsible_unit=resp,
            stage=stage_now,
            stage_date=stage_date,
            **values,
        )
        leads = list(people["leads"])
        self.batch.pending_names.add(project.name_key)
        item = Create(row={}, number=row.number, project=project, leads=leads, moves=moves)
        return "create", _creation_changes(project, leads), item

    def update(self, row, project: Project, target_unit, payload, people, stage):
        """update_project's checks and the row's diff; nothing changed → 无变化."""
        by = self.by
        values = clean(payload, instance=project, code_owners=self.index.code_owners)
        changes = []
        old_p, new_p = project.date_precision or {}, values.get("date_precision", {})
        for key, new in values.items():
            if key in ("name_key", "date_precision", "lead_officials_text", "secretary_text"):
                continue
            if key == "responsible_unit_text":
                continue
            old = getattr(project, key)
            if key in DATE_FIELDS and "date_precision" in values:
                if old != new or old_p.get(key) != new_p.get(key):
                    changes.append(
                        _change(key, old, new, old_p=old_p.get(key), new_p=new_p.get(key))
                    )
            elif old != new:
                changes.append(_change(key, old, new))
        old_leads = self.index.leads(project)
        if people["has_leads"]:
            old = _lead_names(project, old_leads)
            new = sorted(u.name for u in people["leads"]) + people["unmatched_leads"]
            if old != new:
                changes.append(_change("lead_officials", old, new))
        if people["has_secretary"]:
            old = project.secretary.name if project.secretary_id else project.secretary_text
            new = people["secretary"].name if people["secretary"] else payload.get("secretary_text")
            if (old or "") != (new or ""):
                changes.append(_change("secretary", old, new))
        if people["has_resp"]:
            old = (
                project.responsible_unit.name
                if project.responsible_unit_id
                else project.responsible_unit_text
            )
            new = people["resp"].name if people["resp"] else payload.get("responsible_unit_text")
            if (old or "") != (new or ""):
                changes.append(_change("responsible_unit", old, new))
        if target_unit.pk != project.unit_id:
            changes.append(_change("unit", project.unit.name, target_unit.name))
        stage_change = stage is not None and stage != project.stage
        if stage_change:
            changes.append(_change("stage", project.stage, stage))
        if not changes:
            return "unchanged", [], None
        if project.pk not in self.index.visible:
            raise PermissionDenied("无权修改此项目。")
        fields: dict = {}
        if target_unit.pk != project.unit_id:
            self.once(("unit", target_unit.pk), lambda: _check_unit(by, target_unit))
            fields["unit"] = target_unit
        if people["has_secretary"]:
            fields["secretary"] = people["secretary"]
        resp = people["resp"]
        if people["has_resp"] and resp != project.responsible_unit:
            if resp is not None:
                self.once(
                    ("resp", resp.pk, target_unit.pk),
                    lambda: _check_responsible_unit(by, resp, target_unit),
                )
            fields["responsible_unit"] = resp
        moves = None
        if stage_change:
            merged = {f: values.get(f, getattr(project, f)) for f in DATE_FIELDS}
            moves = _moves(project.stage, stage, merged)
            check_moves(project, moves)
        item = Update(
            row={},
            number=row.number,
            project=project,
            version=project.version,
            values=values,
            leads=list(people["leads"]) if people["has_leads"] else None,
            fields=fields,
            moves=moves,
        )
        return "update", changes, item


def _people(row: _Row) -> dict:
    data = row.data
    leads, unmatched_leads = _match_people(data.get("lead_officials") or [])
    secretaries, unmatched_sec = _match_people([data["secretary"]] if data.get("secretary") else [])
    text = data.get("responsible_unit")
    return {
        "has_leads": row.says("lead_officials"),
        "leads": leads,
        "unmatched_leads": unmatched_leads,
        "has_secretary": row.says("secretary"),
        "secretary": secretaries[0] if secretaries else None,
        "unmatched_secretary": unmatched_sec,
        "has_resp": row.says("responsible_unit"),
        "resp": _match_unit(text) if text else None,
    }


def _stage_of(row: _Row, report) -> str | None:
    if "stage" in row.cleared:
        report.add(row.number, "warning", f"第{row.number}行：项目阶段不能清空，已忽略。")
        return None
    text = row.data.get("stage")
    if not text:
        return None
    stage = S.parse_stage(to_simplified(str(text)))
    if stage is None:
        report.add(
            row.number,
            "warning",
            f"第{row.number}行：项目阶段“{text}”无法识别，已忽略"
            "（可写：在谈、签约、落地、前期、在建/施工中/已开工、竣工、投产、达产、暂缓、终止）。",
        )
    return stage


# ---------------------------------------------------------------- stage dates
def _moves(current: str | None, stage: str, values: dict) -> list[tuple[str, date | None]]:
    """The moves that take a project from `current` (None: a new project) to `stage`, each
    dated by the ledger's column for it (签约日期、开工日期 …), None when the ledger does not say.
    Forward on the main line, the stages passed on the way that the ledger dates are recorded
    too (a project imported as 竣工 with its 开工日期 also entered 在建 that day)."""

    def when(st):
        field_name = S.DATE_FIELD.get(st)
        return values.get(field_name) if field_name else None

    moves: list[tuple[str, date | None]] = []
    if stage in S.MAIN_LINE and (current is None or current in S.MAIN_LINE):
        start = 0 if current is None else S.rank(current) + 1
        for st in S.MAIN_LINE[start : S.rank(stage)]:
            if when(st) is not None:
                moves.append((st, when(st)))
    moves.append((stage, when(stage)))
    dated = [(st, d) for st, d in moves if d is not None]
    for (a, da), (b, db) in zip(dated, dated[1:]):
        if db < da:
            fa, fb = S.DATE_FIELD[a], S.DATE_FIELD[b]
            raise ValidationError(
                {
                    fb: f"{FIELD_LABELS[fb]}（{db:%Y-%m-%d}）早于{FIELD_LABELS[fa]}（{da:%Y-%m-%d}）。"
                }
            )
    return moves


def check_moves(project: Project, moves: list[tuple[str, date | None]]) -> None:
    """The ledger's stage moves never date before the project's previous move with a known date."""
    last = project.stage_changes.filter(date_unknown=False).order_by("-on", "-id").first()
    first_dated = next((d for _, d in moves if d is not None), None)
    if last is not None and first_dated is not None and first_dated < last.on:
        st = next(st for st, d in moves if d is not None)
        field_name = S.DATE_FIELD[st]
        raise ValidationError(
            {
                field_name: f"{FIELD_LABELS[field_name]}（{first_dated:%Y-%m-%d}）早于上一次阶段变更"
                f"（{S.label(last.to_stage)}，{last.on:%Y-%m-%d}）。"
            }
        )


def apply_moves(
    by, project: Project, moves: list[tuple[str, date | None]], leads: list[User]
) -> None:
    """Record the ledger's stage (a correction by the office's own record), dated as the ledger
    dates it (checked by :func:`check_moves` when the row was read)."""
    before = _snapshot(project, leads)
    today = clock.today()
    frm = project.stage
    for st, on in moves:
        StageChange.objects.create(
            project=project,
            from_stage=frm,
            to_stage=st,
            on=on or today,
            date_unknown=on is None,
            person=by if isinstance(by, User) else None,
            person_name=getattr(by, "name", ""),
            note="台账导入校正",
        )
        frm = st
    project.stage, project.stage_date = moves[-1]
    if project.stage in S.SIDE and before["stage"] not in S.SIDE:
        project.resume_stage = before["stage"]
    elif project.stage in S.MAIN_LINE:
        project.resume_stage = ""
    project.version += 1
    project.save(update_fields=["stage", "stage_date", "resume_stage", "version", "updated_at"])
    record("project.stage", project, before=before, after=_snapshot(project, leads))


# ---------------------------------------------------------------- the diff
def _shown(key: str, value, precision: str | None = None) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, date):
        if precision == "month":
            return f"{value.year}年{value.month}月"
        if precision == "year":
            return f"{value.year}年"
        return value.isoformat()
    if key in _CHOICE_LABELS:
        return _CHOICE_LABELS[key].get(value, str(value))
    if key == "stage":
        return S.label(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def _change(key: str, old, new, *, old_p=None, new_p=None) -> dict:
    label = {
        "lead_officials": "包保领导",
        "secretary": "项目秘书",
        "responsible_unit": "责任单位",
        "unit": "所属园区",
        "stage": "项目阶段",
        "industry_text": "国民经济行业",
        "plan_year": "计划年度",
    }.get(key) or FIELD_LABELS.get(key, key)
    return {
        "field": key,
        "label": label,
        "old": _shown(key, old, old_p),
        "new": _shown(key, new, new_p),
    }


def _lead_names(project: Project, leads: list[User]) -> list[str]:
    names = sorted(u.name for u in leads)
    return names + [n for n in (project.lead_officials_text or "").split("、") if n]


def _creation_changes(project: Project, leads: list[User]) -> list[dict]:
    """A new project: every field it gets, from empty."""
    out = []
    precision = project.date_precision or {}
    for key in _ROW_FIELDS + ("industry_text",):
        if key == "name":
            continue
        value = getattr(project, key, None)
        if value not in (None, ""):
            out.append(_change(key, None, value, new_p=precision.get(key)))
    if _lead_names(project, leads):
        out.append(_change("lead_officials", None, _lead_names(project, leads)))
    secretary = project.secretary.name if project.secretary_id else project.secretary_text
    if secretary:
        out.append(_change("secretary", None, secretary))
    resp = project.responsible_unit.name if project.responsible_unit_id else None
    if resp or project.responsible_unit_text:
        out.append(_change("responsible_unit", None, resp or project.responsible_unit_text))
    out.append(_change("unit", None, project.unit.name))
    out.append(_change("stage", None, project.stage))
    return out
