"""Every write of the procedures app: the holiday calendar, templates (versioned), per-project
chains and their items, attachments, and the stored schedules.

Each business write checks the person's permission key and scope, validates with Chinese
messages (ValidationError naming the field; nothing is changed on error), saves inside a
transaction, appends the audit entry, and recomputes the chain's schedule in the same
transaction. Stored schedule results are derived data: recomputing them is not audited per
row (a bulk recompute writes one audit entry for the run).
"""

from __future__ import annotations

import json
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from diaodu.audit.services import ObjectRef, record, snapshot
from diaodu.engine import schedule as E
from diaodu.org.models import Unit, UnitKind, User
from diaodu.org.scope import require
from diaodu.procedures import dates, workcal
from diaodu.procedures.models import (
    HolidayYear,
    Procedure,
    ProcedureAttachment,
    ProcedureChain,
    ProcedureTemplate,
    ProjectProcedure,
    Stage,
    Status,
)
from diaodu.projects import queries as project_queries
from diaodu.projects.models import Project

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
TEMPLATE_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
DEP_RE = re.compile(r"^([A-Za-z0-9_-]{1,20})(?:\s*\+\s*(\d{1,3}))?$")
MAX_DURATION = 999
MAX_UPLOAD = 20 * 1024 * 1024
STATUS_LABELS = dict(Status.choices)
STAGE_LABELS = dict(Stage.choices)


def at_risk_threshold() -> int:
    return getattr(settings, "AT_RISK_SLACK_WD", 5)


def _actor(by) -> User | None:
    return by if isinstance(by, User) else None


# ================================================================ small parsers
def parse_date(value, label: str, errors: dict, key: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = f"{label}日期格式应为 YYYY-MM-DD。"
        return None


def parse_duration(
    value, errors: dict, key: str = "duration_wd", label: str = "办理时限"
) -> int | None:
    if isinstance(value, bool):
        value = None
    try:
        n = int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        n = None
    if n is None or not 0 <= n <= MAX_DURATION:
        errors[key] = f"{label}应为 0–{MAX_DURATION} 之间的整数（工作日）。"
        return None
    return n


def parse_predecessors(value, errors: dict, key: str = "predecessors") -> list[dict]:
    """ "G01、G02+5" (text) or [{"code": "G01", "lag_wd": 0}] (API) → list of dicts."""
    if value in (None, ""):
        return []
    out: list[dict] = []
    if isinstance(value, str):
        parts = [
            p.strip() for p in re.split(r"[,，、;；\s]+(?![+\d])|[,，、;；]", value) if p.strip()
        ]
        for part in parts:
            m = DEP_RE.match(part)
            if not m:
                errors[key] = (
                    f"前置手续“{part}”无法识别：请写编码，如 G01，或带间隔的 G01+5（间隔为工作日）。"
                )
                return []
            out.append({"code": m.group(1), "lag_wd": int(m.group(2) or 0)})
    else:
        for dep in value:
            code = dep.get("code") if isinstance(dep, dict) else getattr(dep, "code", dep)
            lag = dep.get("lag_wd", 0) if isinstance(dep, dict) else getattr(dep, "lag_wd", 0)
            try:
                lag = int(lag or 0)
            except (TypeError, ValueError):
                lag = -1
            if not isinstance(code, str) or not CODE_RE.match(code) or not 0 <= lag <= MAX_DURATION:
                errors[key] = (
                    f"前置手续“{code}”无效：编码为字母数字，间隔为 0–{MAX_DURATION} 个工作日。"
                )
                return []
            out.append({"code": code, "lag_wd": lag})
    seen: dict[str, dict] = {}
    for dep in out:  # the same predecessor twice: keep the larger lag
        if dep["code"] not in seen or seen[dep["code"]]["lag_wd"] < dep["lag_wd"]:
            seen[dep["code"]] = dep
    return list(seen.values())


def parse_documents(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[\n；;]+", value)
    return [str(v).strip()[:200] for v in value if str(v).strip()][:50]


def _chain_check(items: list[dict]) -> str | None:
    """Cycle / unknown predecessor check of a whole chain (plain dicts with code, predecessors,
    stage). Returns a Chinese message or None."""
    stage_of = {it["code"]: it["stage"] for it in items}
    for it in items:
        for dep in it["predecessors"]:
            if dep["code"] == it["code"]:
                return f"手续“{it['name']}”（{it['code']}）不能以自己为前置手续。"
            if dep["code"] not in stage_of:
                return f"手续“{it['name']}”（{it['code']}）的前置手续编码 {dep['code']} 不存在。"
            if it["stage"] != Stage.ACCEPTANCE and stage_of[dep["code"]] == Stage.ACCEPTANCE:
                return (
                    f"手续“{it['name']}”（{it['code']}）在开工前办理，不能以竣工验收阶段的手续 {dep['code']} "
                    "为前置手续。"
                )
    try:
        E.validate_chain(
            [
                E.Item(
                    it["code"],
                    it["name"],
                    1,
                    [E.Dep(d["code"], d["lag_wd"]) for d in it["predecessors"]],
                )
                for it in items
            ]
        )
    except E.CycleError as exc:
        return f"{exc}。请调整前置关系。"
    except ValueError as exc:
        return str(exc)
    return None


# ================================================================ calendar (节假日安排)
@transaction.atomic
def save_holiday_year(by, *, year, holidays, makeup_workdays, source: str) -> HolidayYear:
    """Enter or correct one year's holiday notice. `holidays` / `makeup_workdays`: text as typed
    (one date or range per line) or lists of dates. Enqueues the recompute of all schedules."""
    require(by, "sys.calendar")
    errors: dict[str, str] = {}
    try:
        year = int(str(year).strip())
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
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


# ================================================================ templates
def _clean_template_items(rows: list[dict]) -> list[dict]:
    """Validate template rows; errors name the row (第 n 行) and the item code."""
    problems: list[str] = []
    out: list[dict] = []
    codes: set[str] = set()
    for n, row in enumerate(rows, 1):
        errs: dict[str, str] = {}
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        where = f"第 {n} 行" + (f"（{code}）" if code else "")
        if not CODE_RE.match(code):
            errs["code"] = "编码只能包含字母、数字、横线和下划线，最长 20 位"
        elif code in codes:
            errs["code"] = f"编码 {code} 重复"
        codes.add(code)
        if not name:
            errs["name"] = "手续名称必填"
        stage = row.get("stage") or ""
        if stage not in Stage.values:
            errs["stage"] = "阶段无效"
        duration = parse_duration(row.get("duration_wd"), errs)
        preds = parse_predecessors(row.get("predecessors"), errs)
        if errs:
            problems.append(f"{where}：" + "；".join(errs.values()) + "。")
            continue
        out.append(
            {
                "code": code,
                "name": name[:100],
                "stage": stage,
                "duration_wd": duration,
                "duration_source": (row.get("duration_source") or "").strip()[:200] or "地方实践",
                "predecessors": preds,
                "responsible_text": (row.get("responsible_text") or "").strip()[:100],
                "documents": parse_documents(row.get("documents")),
            }
        )
    if problems:
        raise ValidationError({"items": problems})
    if not out:
        raise ValidationError({"items": ["模板至少要有一项手续。"]})
    message = _chain_check(out)
    if message:
        raise ValidationError({"items": [message]})
    return out


def _template_snapshot(tpl: ProcedureTemplate) -> dict:
    data = snapshot(tpl, ["code", "name", "description", "version", "is_current", "change_note"])
    data["items"] = [
        f"{p.code} {p.name} {p.duration_wd}工作日 前置[{','.join(d['code'] for d in p.predecessors)}]"
        for p in tpl.items.all()
    ]
    return data


@transaction.atomic
def save_template(
    by,
    template: ProcedureTemplate | None,
    *,
    name: str,
    items: list[dict],
    description: str = "",
    change_note: str = "",
    code: str | None = None,
) -> ProcedureTemplate:
    """Create a template (`template` None, `code` required) or revise one: a revision is a new
    version of the same code; the edited version stops being current and keeps its chains."""
    require(by, "procedures.templates")
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "模板名称必填。"
    if template is None:
        code = (code or "").strip()
        if not TEMPLATE_CODE_RE.match(code):
            errors["code"] = "模板编码只能包含字母、数字、横线和下划线，最长 40 位。"
        elif ProcedureTemplate.objects.filter(code=code).exists():
            errors["code"] = f"模板编码“{code}”已存在。"
    try:
        clean = _clean_template_items(items)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if template is not None:
        family = list(
            ProcedureTemplate.objects.select_for_update()
            .filter(code=template.code)
            .order_by("version")
        )
        current = next((t for t in family if t.is_current), None)
        if current is None or current.pk != template.pk:
            raise ValidationError(
                {"general": f"“{template.name}”已有更新的版本，请在现行版本的基础上修订。"}
            )
        code, version, sort_order = template.code, family[-1].version + 1, template.sort_order
        before = _template_snapshot(template)
        ProcedureTemplate.objects.filter(pk=template.pk).update(is_current=False)
    else:
        version, before = 1, None
        sort_order = (ProcedureTemplate.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    tpl = ProcedureTemplate.objects.create(
        code=code,
        name=name[:100],
        description=(description or "").strip(),
        version=version,
        is_current=True,
        sort_order=sort_order,
        change_note=(change_note or "").strip()[:300],
        created_by=_actor(by),
    )
    Procedure.objects.bulk_create(
        [Procedure(template=tpl, sort_order=i, **row) for i, row in enumerate(clean)]
    )
    record(
        "procedures.template_save",
        tpl,
        before=before,
        after=_template_snapshot(tpl),
        only_changes=False,
    )
    return tpl


# ================================================================ chains
def _check_write(by, project: Project) -> None:
    require(by, "projects.change")
    if not project_queries.visible(by).filter(pk=project.pk).exists():
        raise PermissionDenied("无权修改此项目的前期手续。")


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


class ConflictError(ValidationError):
    pass


@transaction.atomic
def update_item(
    by, item: ProjectProcedure, data: dict, *, version: int | None = None
) -> ProjectProcedure:
    """Change an item: status, actual dates, 文号, note, duration, predecessors, responsible
    department, documents, name. `version` (optional) refuses a save over someone else's."""
    project = item.project
    _check_write(by, project)
    chain = ProcedureChain.objects.select_for_update().get(pk=item.chain_id)
    siblings = list(chain.items.all())
    current = next((s for s in siblings if s.pk == item.pk), None)
    if current is None:
        raise ValidationError({"general": "该手续已被删除。"})
    if version is not None and current.version != version:
        raise ConflictError({"general": "该手续已被他人修改，请刷新后重新填写。"})
    data = {k: v for k, v in data.items() if k != "code"}
    clean = _clean_item(data, item=current, siblings=siblings, today=dates.today())
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
    clean = _clean_item(data, item=None, siblings=siblings, today=dates.today())
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


# ================================================================ attachments
ALLOWED_FILES = {
    "pdf": ("application/pdf", b"%PDF"),
    "jpg": ("image/jpeg", b"\xff\xd8\xff"),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "word/document.xml",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xl/workbook.xml",
    ),
}


def check_upload(upload) -> tuple[str, str]:
    """(extension, content type) of an acceptable upload; ValidationError otherwise. The type is
    judged by the file's content, not by what the browser says."""
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_FILES:
        raise ValidationError(
            {"file": f"文件“{name}”的类型不支持：只能上传 PDF、JPG、PNG、DOCX、XLSX。"}
        )
    if upload.size > MAX_UPLOAD:
        raise ValidationError(
            {"file": f"文件“{name}”超过 20 MB（{upload.size / 1024 / 1024:.1f} MB）。"}
        )
    if upload.size == 0:
        raise ValidationError({"file": f"文件“{name}”是空文件。"})
    content_type, magic = ALLOWED_FILES[ext]
    upload.seek(0)
    ok = False
    if isinstance(magic, bytes):
        ok = upload.read(len(magic)) == magic
    else:
        try:
            with zipfile.ZipFile(upload) as z:
                ok = magic in z.namelist()
        except (zipfile.BadZipFile, OSError):
            ok = False
    upload.seek(0)
    if not ok:
        raise ValidationError({"file": f"文件“{name}”的内容与扩展名 .{ext} 不符。"})
    return ext, content_type


@transaction.atomic
def add_attachment(by, item: ProjectProcedure, upload) -> ProcedureAttachment:
    _check_write(by, item.project)
    _ext, content_type = check_upload(upload)
    att = ProcedureAttachment(
        item=item,
        original_name=(upload.name or "")[-200:],
        size=upload.size,
        content_type=content_type,
        uploaded_by=_actor(by),
    )
    att.file.save(upload.name, upload, save=False)
    name = att.file.name
    try:
        att.save()
        record(
            "procedures.attachment_add",
            _ref(item),
            after={"file": att.original_name, "size": att.size, "stored": name},
            only_changes=False,
        )
    except Exception:
        att.file.storage.delete(name)
        raise
    return att


@transaction.atomic
def delete_attachment(by, att: ProcedureAttachment) -> None:
    item = att.item
    _check_write(by, item.project)
    record(
        "procedures.attachment_delete",
        _ref(item),
        before={"file": att.original_name, "stored": att.file.name},
        only_changes=False,
    )
    storage, name = att.file.storage, att.file.name
    att.delete()
    transaction.on_commit(lambda: storage.delete(name))


# ================================================================ scheduling
RESULT_FIELDS = (
    "latest_start",
    "latest_finish",
    "earliest_start",
    "earliest_finish",
    "slack_wd",
    "critical",
    "overdue",
    "at_risk",
)
EMPTY_RESULT = (None, None, None, None, None, False, False, False)
# columns read for a computation (values_list order)
ITEM_COLS = (
    "id",
    "chain_id",
    "code",
    "name",
    "stage",
    "duration_wd",
    "predecessors",
    "status",
    "actual_start",
    "actual_finish",
) + RESULT_FIELDS
CHAIN_RESULT_FIELDS = (
    "target_start",
    "expected_start",
    "days_late_wd",
    "critical_path",
    "delay_cause",
    "calendar_warnings",
    "overdue_count",
    "at_risk_count",
    "compute_error",
)


def compute(
    rows: list[tuple], target: date | None, today: date, cal, at_risk: int
) -> tuple[dict, tuple, tuple]:
    """Schedule one chain from ITEM_COLS rows. Returns ({item id: result tuple}, chain result
    tuple in CHAIN_RESULT_FIELDS order, (engine wall seconds, engine CPU seconds)). 竣工验收
    items are after 开工: they get no dates. Without a target start only the earliest dates are
    kept."""
    ACCEPT = Stage.ACCEPTANCE
    pre = [r for r in rows if r[4] != ACCEPT]
    codes = {r[2] for r in pre}
    items = [
        E.Item(
            r[2],
            r[3],
            r[5],
            [E.Dep(d["code"], d.get("lag_wd") or 0) for d in r[6] if d["code"] in codes],
            r[7],
            r[8],
            r[9],
        )
        for r in pre
    ]
    out = {r[0]: EMPTY_RESULT for r in rows}
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        res = E.schedule(
            items, target_start=target or today, today=today, calendar=cal, at_risk_slack_wd=at_risk
        )
    except ValueError as exc:
        return (
            out,
            (target, None, None, [], "", [], 0, 0, str(exc)[:300]),
            (time.perf_counter() - t0, time.process_time() - c0),
        )
    engine = (time.perf_counter() - t0, time.process_time() - c0)
    ids = {r[2]: r[0] for r in pre}
    names = {}
    overdue = at_risk_n = 0
    for x in res.items:
        names[x.code] = x.name
        if target is None:
            out[ids[x.code]] = (
                None,
                None,
                x.earliest_start,
                x.earliest_finish,
                None,
                False,
                False,
                False,
            )
        else:
            out[ids[x.code]] = (
                x.latest_start,
                x.latest_finish,
                x.earliest_start,
                x.earliest_finish,
                x.slack_wd,
                x.critical,
                x.overdue,
                x.at_risk,
            )
            overdue += x.overdue
            at_risk_n += x.at_risk
    if target is None:
        return (
            out,
            (None, res.expected_start, None, [], "", res.calendar_warnings, 0, 0, ""),
            engine,
        )
    cause = ""
    if res.days_late_wd > 0 and res.critical_path:
        by_code = res.by_code()
        late = [c for c in res.critical_path if by_code[c].overdue]
        cause = names[(late or res.critical_path)[0]]
    return (
        out,
        (
            target,
            res.expected_start,
            res.days_late_wd,
            res.critical_path,
            cause[:100],
            res.calendar_warnings,
            overdue,
            at_risk_n,
            "",
        ),
        engine,
    )


def recompute_chain(
    chain: ProcedureChain, *, cal=None, today: date | None = None
) -> ProcedureChain:
    """Recompute and store one chain's schedule (two reads, at most three writes)."""
    today = today or dates.today()
    cal = cal or workcal.load()
    target = (
        Project.objects.filter(pk=chain.project_id)
        .values_list("planned_start_date", flat=True)
        .first()
    )
    rows = list(
        ProjectProcedure.objects.filter(chain_id=chain.pk)
        .order_by("sort_order", "id")
        .values_list(*ITEM_COLS)
    )
    results, chain_values, _ = compute(rows, target, today, cal, at_risk_threshold())
    changed = []
    for r in rows:
        new = results[r[0]]
        if tuple(r[10:]) != new:
            obj = ProjectProcedure(pk=r[0])
            for f, v in zip(RESULT_FIELDS, new):
                setattr(obj, f, v)
            changed.append(obj)
    if changed:
        ProjectProcedure.objects.bulk_update(changed, RESULT_FIELDS)
    values = dict(zip(CHAIN_RESULT_FIELDS, chain_values))
    values.update(computed_at=timezone.now(), computed_for=today)
    ProcedureChain.objects.filter(pk=chain.pk).update(**values)
    for k, v in values.items():
        setattr(chain, k, v)
    return chain


def ensure_fresh(chain: ProcedureChain) -> ProcedureChain:
    """Schedules move with the days: recompute a chain last computed on an earlier day, or whose
    project's target start changed since."""
    if (
        chain.computed_for != dates.today()
        or chain.target_start != chain.project.planned_start_date
    ):
        with transaction.atomic():
            recompute_chain(chain)
    return chain


@dataclass
class RecomputeStats:
    chains: int = 0
    items: int = 0
    items_written: int = 0
    engine_seconds: float = 0.0  # wall clock of the schedule() calls
    engine_cpu_seconds: float = 0.0  # CPU time of the same calls (not inflated by a busy machine)
    total_seconds: float = 0.0
    errors: int = 0
    warnings: set = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "chains": self.chains,
            "items": self.items,
            "items_written": self.items_written,
            "engine_seconds": round(self.engine_seconds, 3),
            "engine_cpu_seconds": round(self.engine_cpu_seconds, 3),
            "total_seconds": round(self.total_seconds, 3),
            "errors": self.errors,
            "calendar_warnings": sorted(self.warnings),
        }


def recompute_all(
    *,
    unit: Unit | None = None,
    batch_size: int = 2000,
    today: date | None = None,
    progress=None,
    audit: bool = True,
) -> RecomputeStats:
    """Recompute every stored schedule (or those of projects under `unit`): after a calendar
    change, and nightly (the dates move with "today"). Batches of chains by id; per batch two
    reads and set-based writes of the rows that changed."""
    t_start = time.perf_counter()
    today = today or dates.today()
    cal = workcal.load()
    at_risk = at_risk_threshold()
    stats = RecomputeStats()
    chains = ProcedureChain.objects.all()
    if unit is not None:
        chains = chains.filter(project__unit__path__startswith=unit.path)
    total = chains.count() if progress else 0
    last_id = 0
    now = timezone.now()
    parsed: dict[str, list] = {}  # predecessor lists repeat (same template): decode each text once
    loads = json.loads
    while True:
        batch = list(
            chains.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "project__planned_start_date", *CHAIN_RESULT_FIELDS)[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1][0]
        ids = [b[0] for b in batch]
        rows = (
            ProjectProcedure.objects.filter(chain_id__gte=ids[0], chain_id__lte=ids[-1])
            .annotate(preds_text=Cast("predecessors", TextField()))
            .order_by("chain_id", "sort_order", "id")
            .values_list(*ITEM_COLS[:6], "preds_text", *ITEM_COLS[7:])
        )
        by_chain: dict[int, list] = {}
        for r in rows:
            preds = parsed.get(r[6])
            if preds is None:
                preds = parsed[r[6]] = loads(r[6])
            by_chain.setdefault(r[1], []).append((*r[:6], preds, *r[7:]))
        item_updates, chain_updates = [], []
        for b in batch:
            chain_rows = by_chain.get(b[0], [])
            results, chain_values, (wall, cpu) = compute(chain_rows, b[1], today, cal, at_risk)
            stats.engine_seconds += wall
            stats.engine_cpu_seconds += cpu
            stats.chains += 1
            stats.items += len(chain_rows)
            if chain_values[-1]:
                stats.errors += 1
            stats.warnings.update(chain_values[5])
            for r in chain_rows:
                new = results[r[0]]
                if tuple(r[10:]) != new:
                    item_updates.append((r[0], *new))
            if tuple(b[2:]) != chain_values:
                chain_updates.append((b[0], *chain_values))
        with transaction.atomic():
            _write_item_results(item_updates)
            _write_chain_results(chain_updates)
            ProcedureChain.objects.filter(pk__in=ids).update(computed_at=now, computed_for=today)
        stats.items_written += len(item_updates)
        if progress:
            progress(stats.chains, total)
    stats.total_seconds = time.perf_counter() - t_start
    if audit:
        record(
            "procedures.recompute_all",
            ObjectRef("procedures.procedurechain", "*", "全部前期手续排期"),
            after={"unit": unit.code if unit else "", **stats.as_dict()},
            only_changes=False,
        )
    return stats


def _write_item_results(rows: list[tuple]) -> None:
    if not rows:
        return
    rows.sort()  # by id: the updated pages are visited in order
    table = ProjectProcedure._meta.db_table
    cols = ("id",) + RESULT_FIELDS
    if connection.vendor == "postgresql":
        _pg_update_from(
            table,
            cols,
            ("bigint", "date", "date", "date", "date", "integer", "boolean", "boolean", "boolean"),
            rows,
        )
    else:
        sets = ", ".join(f"{c} = %s" for c in RESULT_FIELDS)
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {table} SET {sets} WHERE id = %s", [r[1:] + (r[0],) for r in rows]
            )


def _write_chain_results(rows: list[tuple]) -> None:
    if not rows:
        return
    table = ProcedureChain._meta.db_table
    cols = ("id",) + CHAIN_RESULT_FIELDS
    # JSON columns are written as text: json.dumps, as Django's JSONField does
    data = [
        (r[0], r[1], r[2], r[3], json.dumps(r[4]), r[5], json.dumps(r[6]), r[7], r[8], r[9])
        for r in rows
    ]
    if connection.vendor == "postgresql":
        _pg_update_from(
            table,
            cols,
            (
                "bigint",
                "date",
                "date",
                "integer",
                "jsonb",
                "varchar",
                "jsonb",
                "integer",
                "integer",
                "varchar",
            ),
            data,
        )
    else:
        sets = ", ".join(f"{c} = %s" for c in CHAIN_RESULT_FIELDS)
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {table} SET {sets} WHERE id = %s", [r[1:] + (r[0],) for r in data]
            )


def _pg_update_from(table: str, cols: tuple, types: tuple, rows: list[tuple]) -> None:
    """COPY the new values into a temporary table, then one UPDATE … FROM (PostgreSQL)."""
    tmp = f"tmp_{table}"
    col_defs = ", ".join(f"{c} {t}" for c, t in zip(cols, types))
    sets = [f"{c} = v.{c}" for c in cols[1:]]
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {tmp} ({col_defs})")
        cur.execute(f"TRUNCATE {tmp}")
        with cur.cursor.copy(f"COPY {tmp} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"ANALYZE {tmp}"
        )  # so the planner joins through the primary key, not a full scan
        cur.execute(f"UPDATE {table} AS t SET {', '.join(sets)} FROM {tmp} AS v WHERE t.id = v.id")
        cur.execute(f"DROP TABLE {tmp}")
