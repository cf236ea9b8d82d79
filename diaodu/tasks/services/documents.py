"""Source documents (来源文件): upload (.docx/.txt, 简体/繁體) with the document's date → the
offline extractor's draft 任务分解表 → the clerk's review (edit, merge, split, delete, add, map
unknown unit names once as aliases) → approve: every row becomes a task in one audited
transaction, or nothing does and each bad row is named."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning
from diaodu.engine.cleaning import Errors
from diaodu.engine.locking import check_version
from diaodu.engine.taskextract import extract, for_matching
from diaodu.org.models import Unit
from diaodu.org.scope import require, sees_unit
from diaodu.tasks.models import Recurrence, SourceDocument, SourceKind, Task, UnitAlias
from diaodu.tasks.sources import SourceError, gazetteer_for, text_of

from .common import user_of
from .tasks import _announce, _save_new, clean_nodes, clean_task

ROW_KEYS = ("number", "task", "measures", "lead_units", "support_units", "leader", "deadline",
            "recurrence", "target", "nodes", "source_span")  # fmt: skip
MAX_ROWS = 500
_SPLIT = re.compile(r"[、,，;；/\s]+")


def draft_row(d: dict) -> dict:
    """A row of the extractor's JSON as the review screen keeps it."""
    return {
        "number": d.get("number") or "",
        "task": d.get("task") or "",
        "measures": d.get("measures") or "",
        "lead_units": list(d.get("lead_units") or []),
        "support_units": list(d.get("support_units") or []),
        "leader": d.get("leader") or "",
        "deadline": d.get("deadline") or "",
        "recurrence": d.get("recurrence") or "",
        "target": "、".join(d.get("quantities") or [])[:200],
        "nodes": [{"due_date": n["date"], "title": n["text"]} for n in d.get("nodes") or []],
        "source_span": list(d.get("source_span") or []),
    }


def _check_zone(by, zone: Unit) -> None:
    require(by, "tasks.manage")
    if not sees_unit(by, zone):
        raise PermissionDenied("无权在此单位下上传来源文件。")


@transaction.atomic
def upload_document(
    by, zone: Unit, *, upload=None, title: str = "", doc_date=None, kind: str = SourceKind.DOCUMENT
) -> SourceDocument:
    """Keep the original, its text and the draft rows. Every error at once; nothing stored."""
    _check_zone(by, zone)
    e = Errors()
    on = e.take(cleaning.date_value, doc_date, "文件日期", field="doc_date", required=True,
                minimum=date(1990, 1, 1), maximum=date(2100, 12, 31))  # fmt: skip
    title = e.take(
        cleaning.text, title, "文件名称", field="title", max_length=200, single_line=True
    )
    if kind not in SourceKind.values:
        e.add("kind", "来源类型无效。")
    text = ""
    name = ""
    data = b""
    if upload is None:
        e.add("file", "请选择要上传的文件（.docx 或 .txt）。")
    else:
        name = (getattr(upload, "name", "") or "文件")[-200:]
        from diaodu.uploads import limit_text, over_limit

        if over_limit(upload):
            e.add("file", f"文件“{name}”超过{limit_text()}。")
        else:
            data = upload.read()
            try:
                text = text_of(data, name)
            except SourceError as exc:
                e.add("file", str(exc))
    e.raise_if_any(ValidationError)
    title = title or re.sub(r"\.(docx|txt|text)$", "", name, flags=re.I)[:200] or "未命名文件"
    rows = [draft_row(r.as_dict(text)) for r in extract(text, on, gazetteer_for(zone))]
    doc = SourceDocument(
        zone=zone, title=title, kind=kind, doc_date=on, original_name=name, text=text,
        rows=rows[:MAX_ROWS], created_by=user_of(by), created_at=clock.now(),
    )  # fmt: skip
    doc.file.save(name, ContentFile(data), save=False)
    doc.save()
    record("task.document.upload", doc, after=snapshot(doc, ["title", "kind", "doc_date", "zone",
           "original_name", "state"]) | {"rows": len(doc.rows)}, only_changes=False)  # fmt: skip
    return doc


def _names(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        parts = _SPLIT.split(str(value or ""))
    return [p.strip() for p in parts if p and p.strip()]


def clean_rows(rows) -> list[dict]:
    """Posted rows in the review screen's shape (no business checks: a draft may be incomplete)."""
    out = []
    for r in list(rows or ())[:MAX_ROWS]:
        nodes = r.get("nodes") or []
        if isinstance(nodes, str):
            nodes = parse_nodes(nodes)
        span = r.get("source_span") or []
        try:
            span = [int(span[0]), int(span[1])] if len(span) == 2 else []
        except (TypeError, ValueError):
            span = []
        out.append(
            {
                "number": str(r.get("number") or "")[:20],
                "task": str(r.get("task") or ""),
                "measures": str(r.get("measures") or ""),
                "lead_units": _names(r.get("lead_units")),
                "support_units": _names(r.get("support_units")),
                "leader": str(r.get("leader") or "")[:50],
                "deadline": str(r.get("deadline") or ""),
                "recurrence": str(r.get("recurrence") or ""),
                "target": str(r.get("target") or "")[:200],
                "nodes": nodes,
                "source_span": span,
            }
        )
    return out


_NODE_LINE = re.compile(r"^\s*(\S+)\s+(.+?)\s*$")


def parse_nodes(text: str) -> list[dict]:
    """Nodes typed one a line: "2026-11-30 完成初稿"."""
    out = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        m = _NODE_LINE.match(line)
        out.append(
            {"due_date": m.group(1), "title": m.group(2)}
            if m
            else {"due_date": line.strip(), "title": ""}
        )
    return out


def nodes_text(nodes) -> str:
    return "\n".join(f"{n.get('due_date', '')} {n.get('title', '')}".strip() for n in nodes or [])


@transaction.atomic
def save_draft(by, doc: SourceDocument, rows, *, version) -> SourceDocument:
    """Keep the clerk's edits of the draft (incomplete rows allowed)."""
    current = _locked_draft(by, doc, version)
    before = {"rows": len(current.rows), "version": current.version}
    current.rows = clean_rows(rows)
    current.version += 1
    current.save(update_fields=["rows", "version"])
    record("task.document.draft", current, before=before,
           after={"rows": len(current.rows), "version": current.version})  # fmt: skip
    return current


def _locked_draft(by, doc, version) -> SourceDocument:
    current = (
        SourceDocument.objects.select_for_update(of=("self",)).select_related("zone").get(pk=doc.pk)
    )
    _check_zone(by, current.zone)
    if current.state != SourceDocument.State.DRAFT:
        raise ValidationError({"action": "此文件的任务已下达，不能再修改草稿。"})
    try:
        check_version(version, current.version, "任务分解表草稿")
    except cleaning.CleaningError as exc:
        raise ValidationError(exc.as_dict()) from None
    return current


class Resolver:
    """Unit names → units of a zone: full names, short names and the zone's aliases, matched
    Simplified and half-width (繁體 names resolve too)."""

    def __init__(self, zone: Unit):
        self.by_name: dict[str, Unit] = {}
        units = list(Unit.objects.subtree(zone).active().order_by("path"))
        for u in units:
            for n in (u.name, u.short_name):
                if n:
                    self.by_name.setdefault(for_matching(n.strip()), u)
        for a in UnitAlias.objects.filter(zone=zone).select_related("unit"):
            if a.unit.is_active and a.unit.path.startswith(zone.path):
                self.by_name.setdefault(for_matching(a.alias.strip()), a.unit)

    def get(self, name: str) -> Unit | None:
        return self.by_name.get(for_matching((name or "").strip()))

    def unknown(self, rows) -> list[str]:
        out = []
        for r in rows:
            for n in [*r.get("lead_units", []), *r.get("support_units", [])]:
                if self.get(n) is None and n not in out:
                    out.append(n)
        return out


def check_rows(
    zone: Unit, rows: list[dict], lines=None
) -> tuple[list[tuple[dict, list, dict]], dict]:
    """Each row as (task data, nodes, row) or the errors by ``rows-N-field``, every message naming
    its row (第 N 行) and the field."""
    resolver = Resolver(zone)
    errors: dict[str, str] = {}
    ready = []
    if not rows:
        errors["rows"] = "任务分解表没有任何一行，不能下达。"
    for i, r in enumerate(rows, 1):
        row_errors: dict[str, str] = {}
        lead_names = r["lead_units"]
        lead = None
        if not lead_names:
            row_errors["lead_units"] = "请填写牵头单位"
        else:
            lead = resolver.get(lead_names[0])
            if lead is None:
                row_errors["lead_units"] = (
                    f"牵头单位“{lead_names[0]}”不在单位树中，请改为单位名称或在“单位对照”中指定"
                )
        support = []
        for n in [*lead_names[1:], *r["support_units"]]:
            u = resolver.get(n)
            if u is None:
                row_errors.setdefault(
                    "support_units",
                    f"配合单位“{n}”不在单位树中，请改为单位名称或在“单位对照”中指定",
                )
            else:
                support.append(u)
        recurrence = r.get("recurrence") or ""
        if recurrence not in Recurrence.values:
            row_errors["recurrence"] = f"周期“{recurrence}”无效"
            recurrence = ""
        data = {
            "number": r.get("number") or str(i),
            "title": r["task"],
            "measures": r["measures"],
            "lead_unit": lead,
            "support_units": support,
            "leader_name": r.get("leader") or "",
            "deadline": r.get("deadline") or None,
            "recurrence": recurrence,
            "target": r.get("target") or "",
        }
        d, e = clean_task(data, zone)
        for key, msg in e.messages.items():
            if key != "lead_unit" or lead is not None:
                row_errors.setdefault(
                    {"title": "task", "leader_name": "leader"}.get(key, key), msg.rstrip("。")
                )
        nodes, ne = clean_nodes(r.get("nodes") or [])
        for key, msg in ne.messages.items():
            row_errors.setdefault(key, msg.rstrip("。"))
        line = lines[i - 1] if lines else i
        for key, msg in row_errors.items():
            errors[f"rows-{i - 1}-{key}"] = f"第{line}行：{msg}。"
        if not row_errors:
            ready.append((d, nodes, r))
    return ready, errors


@transaction.atomic
def approve_document(by, doc: SourceDocument, rows, *, version) -> list[Task]:
    """下达: every row becomes a task of the document (lead unit, supporting units, leader,
    deadline, nodes, the span of its sentence) in one transaction; the draft is kept as it was
    approved. A bad row anywhere → nothing is created, every bad row named."""
    current = _locked_draft(by, doc, version)
    rows = clean_rows(rows)
    ready, errors = check_rows(current.zone, rows)
    if errors:
        raise ValidationError(errors)
    created = []
    for d, nodes, r in ready:
        span = tuple(r["source_span"]) if len(r["source_span"]) == 2 else None
        if span and not (0 <= span[0] <= span[1] <= len(current.text)):
            span = None
        d["source_kind"] = current.kind
        d["source_ref"] = current.title[:200]
        created.append(_save_new(by, current.zone, d, document=current, span=span, nodes=nodes))
    before = {"state": current.state, "rows": len(current.rows)}
    current.rows, current.state, current.approved_at = (
        rows,
        SourceDocument.State.APPROVED,
        clock.now(),
    )
    current.version += 1
    current.save(update_fields=["rows", "state", "approved_at", "version"])
    record("task.document.approve", current, before=before,
           after={"state": current.state, "tasks": [t.pk for t in created]})  # fmt: skip
    for t in created:
        _announce(t)
    return created


@transaction.atomic
def learn_alias(by, zone: Unit, alias: str, unit: Unit | None) -> UnitAlias:
    """Remember that *alias* means *unit* in this zone (for this and every later document)."""
    _check_zone(by, zone)
    e = Errors()
    alias = e.take(
        cleaning.text, alias, "别名", field="alias", required=True, max_length=60, single_line=True
    )
    if unit is None or not unit.is_active or not unit.path.startswith(zone.path):
        e.add("unit", f"请选择{zone.name}的在用单位。")
    e.raise_if_any(ValidationError)
    try:
        with transaction.atomic():
            a = UnitAlias.objects.create(zone=zone, alias=alias, unit=unit)
    except IntegrityError:
        raise ValidationError({"alias": f"“{alias}”已对照到其他单位。"}) from None
    record(
        "task.alias",
        a,
        after={"alias": alias, "unit": unit.pk, "zone": zone.pk},
        only_changes=False,
    )
    return a


# ---------------------------------------------------------------- an office's .xlsx 任务分解表
def _resolve_time(value: str, on: date) -> tuple[str, str]:
    """(ISO deadline or the text as typed, recurrence) of a deadline cell: a date, or words the
    extractor resolves against the document's date ("年底前", "11月15日前", "每月")."""
    value = (value or "").strip()
    if not value:
        return "", ""
    try:
        d = cleaning.date_value(value, "完成时限")
        return (d.isoformat() if d else ""), ""
    except cleaning.CleaningError:
        pass
    from diaodu.engine.taskextract import resolve

    r = resolve(for_matching(value), on)
    return (
        r.deadline.isoformat() if r.deadline else ("" if r.recurrence else value)
    ), r.recurrence or ""


def preview_table(by, zone: Unit, upload, doc_date) -> tuple[list[dict], dict, date]:
    """试导入: the rows of an office's .xlsx 任务分解表 in the review shape, and the errors each
    row would meet on approval (named by the sheet's row number). Nothing is stored."""
    from diaodu.engine.tasktable import TableError
    from diaodu.tasks.exports import draft_of_table_row, read_office_table
    from diaodu.uploads import XlsxError

    _check_zone(by, zone)
    e = Errors()
    on = e.take(cleaning.date_value, doc_date, "文件日期", field="doc_date", required=True)
    table = []
    if upload is None:
        e.add("file", "请选择要导入的任务分解表（.xlsx）。")
    elif not (getattr(upload, "name", "") or "").lower().endswith(".xlsx"):
        e.add("file", f"文件“{upload.name}”不是 .xlsx 工作簿。")
    else:
        try:
            table = read_office_table(upload)
        except (XlsxError, TableError) as exc:
            e.add("file", str(exc))
        if not table and "file" not in e:
            e.add("file", "任务分解表没有任何任务行。")
    e.raise_if_any(ValidationError)
    rows = []
    for t in table[:MAX_ROWS]:
        r = draft_of_table_row(t)
        r["deadline"], rec = _resolve_time(r["deadline"], on)
        r["recurrence"] = r["recurrence"] or rec
        nodes = []
        for n in r["nodes"]:
            due, _ = _resolve_time(n.get("due_date", ""), on)
            nodes.append({"due_date": due or n.get("due_date", ""), "title": n.get("title", "")})
        r["nodes"] = nodes
        rows.append(r)
    _ready, errors = check_rows(zone, rows, [r["line"] for r in rows])
    return rows, errors, on


@transaction.atomic
def import_table(by, zone: Unit, rows: list[dict], *, title: str, doc_date, approve: bool):
    """导入: the previewed rows become a source document (the table as its text); with
    *approve*, its tasks are created in the same transaction — a bad row anywhere and nothing
    at all is stored. Returns (document, tasks)."""
    _check_zone(by, zone)
    e = Errors()
    on = e.take(cleaning.date_value, doc_date, "文件日期", field="doc_date", required=True)
    title = e.take(cleaning.text, title, "文件名称", field="title", required=True, max_length=200,
                   single_line=True)  # fmt: skip
    e.raise_if_any(ValidationError)
    lines = [r.get("line") or i for i, r in enumerate(rows, 1)]
    rows = clean_rows(rows)
    if approve:
        _ready, errors = check_rows(zone, rows, lines)
        if errors:
            raise ValidationError(errors)
    text = "\n".join(
        "\t".join([r["number"], r["task"], r["measures"], "、".join(r["lead_units"]),
                   "、".join(r["support_units"]), r["leader"], r["deadline"]])
        for r in rows
    )  # fmt: skip
    doc = SourceDocument.objects.create(
        zone=zone, title=title, kind=SourceKind.DOCUMENT, doc_date=on, original_name="",
        text=text or "（空表）", rows=rows, created_by=user_of(by), created_at=clock.now(),
    )  # fmt: skip
    record(
        "task.document.import", doc, after={"title": title, "rows": len(rows)}, only_changes=False
    )
    tasks = approve_document(by, doc, rows, version=doc.version) if approve else []
    return doc, tasks
