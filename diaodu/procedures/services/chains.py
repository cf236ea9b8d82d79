"""Per-project procedure chains and their items: create, edit, add, remove."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from diaodu import clock
from diaodu.audit.locking import StaleVersion, last_writer
from diaodu.audit.services import ObjectRef, record, snapshot
from diaodu.engine import locking
from diaodu.org.models import Unit, UnitKind
from diaodu.org.scope import require, scope_for
from diaodu.procedures.models import (
    ProcedureChain,
    ProcedureTemplate,
    ProjectProcedure,
    Stage,
    Status,
)
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project

from .common import (
    CODE_RE,
    STATUS_LABELS,
    _actor,
    _chain_check,
    parse_date,
    parse_documents,
    parse_duration,
    parse_duration_unit,
    parse_predecessors,
)
from .scheduling import recompute_chain


# ================================================================ chains
def _check_write(by, project: Project) -> None:
    require(by, "projects.change")
    if not project_queries.visible(by).filter(pk=project.pk).exists():
        raise PermissionDenied("无权修改此项目的前期手续。")


# What a department may change on an item assigned to it: its own part of the work.
HANDLER_FIELDS = ("status", "actual_start", "actual_finish", "doc_number", "note")


def check_item_write(by, item: ProjectProcedure) -> bool:
    """True: full rights on the item (projects.change on a visible project); False: the
    responsible department, which records its own part only. Anyone else is refused."""
    s = scope_for(by)
    if s.has("projects.change") and project_queries.visible(by).filter(pk=item.project_id).exists():
        return True
    from diaodu.procedures.queries import may_handle_item

    if may_handle_item(by, item):
        return False
    _check_write(by, item.project)  # refuses, naming the missing permission or scope
    return True


def match_units(texts, near: Unit) -> dict[str, Unit]:
    """Department names → units, preferring the unit closest to `near` in the tree (the
    project's park): a province-wide installation has one 自然资源局 per zone."""
    texts = {t for t in texts if t}
    if not texts:
        return {}
    candidates = (
        Unit.objects.filter(Q(name__in=texts) | Q(short_name__in=texts), is_active=True)
        .exclude(kind__in=[UnitKind.PARK])
        .order_by("path")
    )
    best: dict[str, tuple[int, Unit]] = {}
    for unit in candidates:
        common = _common_depth(unit.path, near.path)
        if common == 0:
            continue
        for text in (unit.name, unit.short_name):
            if text in texts and (text not in best or best[text][0] < common):
                best[text] = (common, unit)
    return {t: u for t, (_, u) in best.items()}


def _common_depth(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.strip("/").split("/"), b.strip("/").split("/")):
        if x != y:
            break
        n += 1
    return n


def _item_snapshot(item: ProjectProcedure) -> dict:
    data = snapshot(
        item,
        [
            "code",
            "name",
            "stage",
            "duration_wd",
            "duration_unit",
            "predecessors",
            "responsible_unit",
            "responsible_text",
            "documents",
            "status",
            "actual_start",
            "actual_finish",
            "doc_number",
            "note",
        ],
    )
    return data


def _ref(item: ProjectProcedure) -> ObjectRef:
    return ObjectRef(
        "procedures.projectprocedure", str(item.pk), f"{item.project}·{item.name}"[:300]
    )


@transaction.atomic
def create_chain(by, project: Project, template: ProcedureTemplate) -> ProcedureChain:
    _check_write(by, project)
    project = Project.objects.select_for_update().select_related("unit").get(pk=project.pk)
    if ProcedureChain.objects.filter(project=project).exists():
        raise ValidationError({"template": "该项目已建立前期手续链条。"})
    if not template.is_current:
        raise ValidationError({"template": f"“{template}”不是现行版本，请选择现行模板。"})
    tpl_items = list(template.items.all())
    units = match_units({p.responsible_text for p in tpl_items}, project.unit)
    chain = ProcedureChain.objects.create(project=project, template=template, created_by=_actor(by))
    ProjectProcedure.objects.bulk_create(
        [
            ProjectProcedure(
                chain=chain,
                project=project,
                procedure=p,
                code=p.code,
                name=p.name,
                stage=p.stage,
                duration_wd=p.duration_wd,
                duration_unit=p.duration_unit,
                duration_source=p.duration_source,
                predecessors=p.predecessors,
                responsible_unit=units.get(p.responsible_text),
                responsible_text="" if p.responsible_text in units else p.responsible_text,
                documents=p.documents,
                sort_order=p.sort_order * 10,
            )
            for p in tpl_items
        ]
    )
    record(
        "procedures.chain_create",
        chain,
        after={
            "project": project.pk,
            "template": template.code,
            "version": template.version,
            "items": len(tpl_items),
        },
        only_changes=False,
    )
    recompute_chain(chain)
    return chain


def chain_has_records(chain: ProcedureChain) -> bool:
    return chain.items.filter(
        ~Q(status__in=[Status.NOT_STARTED, Status.NOT_APPLICABLE])
        | ~Q(doc_number="")
        | Q(attachments__isnull=False)
    ).exists()


@transaction.atomic
def delete_chain(by, chain: ProcedureChain) -> None:
    """Drop a chain that holds no records yet (to pick another template)."""
    _check_write(by, chain.project)
    chain = ProcedureChain.objects.select_for_update().get(pk=chain.pk)
    if chain_has_records(chain):
        raise ValidationError(
            {
                "general": "链条中已有办理记录（状态、文号或附件），不能删除；不适用的手续请标记为“不适用”。"
            }
        )
    record(
        "procedures.chain_delete",
        chain,
        before={
            "project": chain.project_id,
            "template": chain.template.code,
            "version": chain.template.version,
        },
        only_changes=False,
    )
    chain.delete()


ITEM_TEXT_FIELDS = {
    "name": 100,
    "duration_source": 200,
    "responsible_text": 100,
    "doc_number": 100,
    "note": 500,
}


def _clean_item(
    data: dict, *, item: ProjectProcedure | None, siblings: list[ProjectProcedure], today: date
) -> dict:
    """Validate the fields present in `data` for the item as it will be after the change, in the
    context of the other items of its chain. Returns the values to set."""
    errors: dict[str, str] = {}
    out: dict = {}
    for key, length in ITEM_TEXT_FIELDS.items():
        if key in data:
            out[key] = (
                (data[key] or "").strip()[:length]
                if isinstance(data[key], (str, type(None)))
                else str(data[key])
            )
    if "code" in data and item is None:
        out["code"] = (data["code"] or "").strip()
        if not CODE_RE.match(out["code"]):
            errors["code"] = "编码只能包含字母、数字、横线和下划线，最长 20 位。"
        elif any(s.code == out["code"] for s in siblings):
            errors["code"] = f"编码 {out['code']} 在该项目的链条中已存在。"
    if "name" in out and not out["name"]:
        errors["name"] = "手续名称必填。"
    if "stage" in data:
        out["stage"] = data["stage"] or ""
        if out["stage"] not in Stage.values:
            errors["stage"] = "阶段无效。"
    if "duration_wd" in data:
        out["duration_wd"] = parse_duration(data["duration_wd"], errors)
    if "duration_unit" in data:
        out["duration_unit"] = parse_duration_unit(data["duration_unit"], errors)
    if "predecessors" in data:
        out["predecessors"] = parse_predecessors(data["predecessors"], errors)
    if "documents" in data:
        out["documents"] = parse_documents(data["documents"])
    if "responsible_unit" in data:
        unit = data["responsible_unit"]
        if unit is not None and not (isinstance(unit, Unit) and unit.is_active):
            errors["responsible_unit"] = "责任部门无效或已停用。"
        out["responsible_unit"] = unit
    if "status" in data:
        out["status"] = data["status"] or ""
        if out["status"] not in Status.values:
            errors["status"] = "状态无效。"
    for key, label in (("actual_start", "开始办理"), ("actual_finish", "办结")):
        if key in data:
            out[key] = parse_date(data[key], label, errors, key)
    if errors:
        raise ValidationError(errors)

    def final(key):
        return out[key] if key in out else getattr(item, key, None) if item is not None else None

    status = final("status") or Status.NOT_STARTED
    if status == Status.NOT_STARTED:  # nothing has happened yet: no actual dates
        out["actual_start"] = out["actual_finish"] = None
    start, finish = final("actual_start"), final("actual_finish")
    label = STATUS_LABELS[status]
    if status == Status.DONE and finish is None:
        errors["actual_finish"] = "状态为“已办结”时须填写办结日期。"
    if status in (Status.IN_PROGRESS, Status.ACCEPTED_WITH_GAPS) and start is None:
        errors["actual_start"] = f"状态为“{label}”时须填写开始办理日期。"
    if status in (Status.IN_PROGRESS, Status.ACCEPTED_WITH_GAPS) and finish is not None:
        errors["actual_finish"] = f"状态为“{label}”时不应填写办结日期；已办结请把状态改为“已办结”。"
    for key, value, what in (
        ("actual_start", start, "开始办理日期"),
        ("actual_finish", finish, "办结日期"),
    ):
        if value and value > today and key not in errors:
            errors[key] = f"{what}（{value:%Y-%m-%d}）晚于今天：实际日期不能预填。"
    if start and finish and finish < start and "actual_finish" not in errors:
        errors["actual_finish"] = (
            f"办结日期（{finish:%Y-%m-%d}）早于开始办理日期（{start:%Y-%m-%d}）。"
        )
    if errors:
        raise ValidationError(errors)

    # the chain after the change: codes, predecessors, cycles
    me = {
        "code": final("code"),
        "name": final("name"),
        "stage": final("stage"),
        "predecessors": final("predecessors") or [],
    }
    others = [
        {"code": s.code, "name": s.name, "stage": s.stage, "predecessors": s.predecessors}
        for s in siblings
        if item is None or s.pk != item.pk
    ]
    message = _chain_check(others + [me])
    if message:
        raise ValidationError({"predecessors": message})

    # dates against predecessors (linked through 不适用 items) and successors
    by_code = {s.code: s for s in siblings if item is None or s.pk != item.pk}
    if status not in (Status.NOT_STARTED, Status.NOT_APPLICABLE):
        mine = start or finish
        for pred in _effective_predecessors(me["predecessors"], by_code):
            release, what = _release(pred)
            if release and mine and mine < release:
                key = "actual_start" if start else "actual_finish"
                errors[key] = (
                    f"{'开始办理' if start else '办结'}日期（{mine:%Y-%m-%d}）早于前置手续“{pred.name}”的"
                    f"{what}（{release:%Y-%m-%d}）。"
                )
                break
    if (
        item is not None
        and status in (Status.DONE, Status.ACCEPTED_WITH_GAPS)
        and "actual_finish" not in errors
    ):
        release = finish if status == Status.DONE else start
        what = "办结日期" if status == Status.DONE else "容缺受理日期"
        for succ in _effective_successors(item.code, by_code):
            succ_day = succ.actual_start or succ.actual_finish
            if (
                succ.status not in (Status.NOT_STARTED, Status.NOT_APPLICABLE)
                and succ_day
                and release
                and succ_day < release
            ):
                key = "actual_finish" if status == Status.DONE else "actual_start"
                errors[key] = (
                    f"{what}（{release:%Y-%m-%d}）晚于后续手续“{succ.name}”的开始日期"
                    f"（{succ_day:%Y-%m-%d}）。"
                )
                break
    if errors:
        raise ValidationError(errors)
    return out


def _release(pred: ProjectProcedure) -> tuple[date | None, str]:
    if pred.status == Status.DONE:
        return pred.actual_finish, "办结日期"
    if pred.status == Status.ACCEPTED_WITH_GAPS:
        return pred.actual_start, "容缺受理日期"
    return None, ""


def _effective_predecessors(preds: list[dict], by_code: dict) -> list[ProjectProcedure]:
    out, seen, stack = [], set(), [d["code"] for d in preds]
    while stack:
        code = stack.pop()
        if code in seen or code not in by_code:
            continue
        seen.add(code)
        p = by_code[code]
        if p.status == Status.NOT_APPLICABLE:
            stack.extend(d["code"] for d in p.predecessors)
        else:
            out.append(p)
    return out


def _effective_successors(code: str, by_code: dict) -> list[ProjectProcedure]:
    out, seen, stack = [], set(), [code]
    while stack:
        current = stack.pop()
        for s in by_code.values():
            if s.code in seen or not any(d["code"] == current for d in s.predecessors):
                continue
            seen.add(s.code)
            if s.status == Status.NOT_APPLICABLE:
                stack.append(s.code)
            else:
                out.append(s)
    return out


class ConflictError(StaleVersion):
    """A save over someone else's (a 409 in the API), naming who saved last."""


@transaction.atomic
def update_item(
    by, item: ProjectProcedure, data: dict, *, version: int | None = None
) -> ProjectProcedure:
    """Change an item: status, actual dates, 文号, note, duration, predecessors, responsible
    department, documents, name. `version` (optional) refuses a save over someone else's."""
    full = check_item_write(by, item)
    chain = ProcedureChain.objects.select_for_update().get(pk=item.chain_id)
    siblings = list(chain.items.all())
    current = next((s for s in siblings if s.pk == item.pk), None)
    if current is None:
        raise ValidationError({"general": "该手续已被删除。"})
    if version is not None and current.version != version:
        who, when = last_writer(_ref(current))
        raise ConflictError(
            {"general": locking.stale_message("该手续", current.version, version, who, when)}
        )
    data = {k: v for k, v in data.items() if k != "code" and (full or k in HANDLER_FIELDS)}
    clean = _clean_item(data, item=current, siblings=siblings, today=clock.today())
    before = _item_snapshot(current)
    for k, v in clean.items():
        setattr(current, k, v)
    current.version += 1
    current.save()
    after = _item_snapshot(current)
    action = (
        "procedures.item_status"
        if before.get("status") != after.get("status")
        else "procedures.item_update"
    )
    record(action, _ref(current), before=before, after=after)
    recompute_chain(chain)
    current.refresh_from_db()
    return current


@transaction.atomic
def add_item(by, chain: ProcedureChain, data: dict) -> ProjectProcedure:
    """Add a procedure that the template does not have to this project's chain."""
    _check_write(by, chain.project)
    chain = ProcedureChain.objects.select_for_update().get(pk=chain.pk)
    siblings = list(chain.items.all())
    data = dict(data)
    if not (data.get("code") or "").strip():
        data["code"] = _next_code(siblings)
    data.setdefault("stage", Stage.LAND_PLANNING)
    data.setdefault("status", Status.NOT_STARTED)
    for key in ("name", "duration_wd"):
        data.setdefault(key, None)
    clean = _clean_item(data, item=None, siblings=siblings, today=clock.today())
    clean.setdefault("predecessors", [])
    clean.setdefault("duration_source", "项目自定")
    top = max((s.sort_order for s in siblings), default=0)
    item = ProjectProcedure.objects.create(
        chain=chain, project_id=chain.project_id, sort_order=top + 10, **clean
    )
    record("procedures.item_add", _ref(item), after=_item_snapshot(item), only_changes=False)
    recompute_chain(chain)
    item.refresh_from_db()
    return item


def _next_code(siblings) -> str:
    codes = {s.code for s in siblings}
    n = 1
    while f"X{n:02d}" in codes:
        n += 1
    return f"X{n:02d}"


@transaction.atomic
def remove_item(by, item: ProjectProcedure, *, reason: str = "") -> str:
    """An item added to this project is deleted; a template item is marked 不适用 (it stays
    visible and its predecessors are linked through). Returns "removed" or "not_applicable"."""
    _check_write(by, item.project)
    chain = ProcedureChain.objects.select_for_update().get(pk=item.chain_id)
    siblings = list(chain.items.all())
    current = next((s for s in siblings if s.pk == item.pk), None)
    if current is None:
        raise ValidationError({"general": "该手续已被删除。"})
    if current.procedure_id is not None:
        if current.status != Status.NOT_APPLICABLE:
            before = _item_snapshot(current)
            current.status = Status.NOT_APPLICABLE
            if reason:
                current.note = reason.strip()[:500]
            current.version += 1
            current.save()
            record(
                "procedures.item_status",
                _ref(current),
                before=before,
                after=_item_snapshot(current),
            )
            recompute_chain(chain)
        return "not_applicable"
    users = [s for s in siblings if any(d["code"] == current.code for d in s.predecessors)]
    if users:
        raise ValidationError(
            {"general": f"“{current.name}”是“{users[0].name}”的前置手续，请先调整前置关系再删除。"}
        )
    if current.attachments.exists():
        raise ValidationError({"general": f"“{current.name}”已有附件，请先删除附件。"})
    record(
        "procedures.item_remove", _ref(current), before=_item_snapshot(current), only_changes=False
    )
    current.delete()
    recompute_chain(chain)
    return "removed"
