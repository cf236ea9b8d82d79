"""Tasks (重点任务): create, edit (optimistic locking), split into sub-tasks, nodes, and every move
of the task's machine (签收, 申请办结, 办结, 退回, 挂起, 恢复) and of its extension requests."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.engine import cleaning
from diaodu.engine.cleaning import Errors
from diaodu.engine.locking import check_version
from diaodu.org.models import Unit, User
from diaodu.org.scope import require, sees_unit
from diaodu.tasks.flows import EXTENSION
from diaodu.tasks.models import (
    Cadence,
    Milestone,
    Recurrence,
    SourceDocument,
    SourceKind,
    Task,
    TaskLevel,
)

from .common import (
    MAX_TEXT,
    allow,
    check_visible,
    event,
    facts,
    notify_unit,
    task_snapshot,
    user_of,
)

MAX_NODES = 50


def _in_zone(zone: Unit, unit) -> bool:
    return isinstance(unit, Unit) and unit.is_active and unit.path.startswith(zone.path)


def clean_task(data: dict, zone: Unit, *, prefix: str = "") -> tuple[dict, Errors]:
    """The task fields of *data* cleaned, and the errors (keys prefixed, e.g. ``rows-3-title``).
    Units are Unit instances (the caller resolves names); they must be active units of *zone*."""
    e = Errors()
    k = prefix.__add__
    out: dict = {}
    out["title"] = e.take(
        cleaning.text, data.get("title"), "任务", field=k("title"), required=True, max_length=500
    )
    out["measures"] = (
        e.take(cleaning.text, data.get("measures"), "具体措施", field=k("measures")) or ""
    )
    out["number"] = (
        e.take(
            cleaning.text, data.get("number"), "序号", field=k("number"), max_length=20,
            single_line=True,
        )
        or ""
    )  # fmt: skip
    for key, label, limit in (
        ("leader_name", "责任领导", 50),
        ("person_name", "责任人", 50),
        ("target", "量化目标", 200),
        ("deadline_text", "时限原文", 60),
        ("source_ref", "来源说明", 200),
    ):
        out[key] = (
            e.take(
                cleaning.text, data.get(key), label, field=k(key), max_length=limit,
                single_line=True,
            )
            or ""
        )  # fmt: skip
    lead = data.get("lead_unit")
    if lead is None:
        e.add(k("lead_unit"), "请选择牵头单位。")
    elif not _in_zone(zone, lead):
        e.add(k("lead_unit"), f"牵头单位“{lead}”不是{zone.name}的在用单位。")
    out["lead_unit"] = lead
    support = []
    for u in data.get("support_units") or ():
        if not _in_zone(zone, u):
            e.add(k("support_units"), f"配合单位“{u}”不是{zone.name}的在用单位。")
        elif u != lead and u not in support:
            support.append(u)
    out["support_units"] = support
    out["deadline"] = e.take(
        cleaning.date_value,
        data.get("deadline"),
        "完成时限",
        field=k("deadline"),
        minimum=date(2000, 1, 1),
        maximum=date(2100, 12, 31),
    )
    for key, label, choices, default in (
        ("recurrence", "周期", Recurrence, ""),
        ("cadence", "报送频次", Cadence, Cadence.WEEKLY),
        ("level", "交办级别", TaskLevel, TaskLevel.ZONE),
        ("source_kind", "来源", SourceKind, SourceKind.DOCUMENT),
    ):
        value = data.get(key)
        value = default if value is None or value == "" and default else str(value)
        if value not in choices.values:
            e.add(
                k(key), f"{label}“{value}”无效，可选：{'、'.join(str(x) for x in choices.labels)}。"
            )
        out[key] = value
    leader = data.get("leader")
    if leader is not None and not isinstance(leader, User):
        e.add(k("leader"), "责任领导账号无效。")
        leader = None
    if leader is None and out["leader_name"]:
        leader = leader_by_name(zone, out["leader_name"])
    out["leader"] = leader
    if leader is not None and not out["leader_name"]:
        out["leader_name"] = (leader.name or leader.username)[:50]
    return out, e


_TITLES = re.compile(r"(同志|常务)?(副)?(书记|主任|区长|县长|市长|局长|部长|总经理|秘书长)?$")


def leader_by_name(zone: Unit, text: str) -> User | None:
    """The one active person of *zone* (or a unit below it) whose name is *text* without its
    title ("孙彦鹏同志", "刘成斌副主任" → 刘成斌), so that the leader sees the tasks they answer
    for; None when no one or several people have that name."""
    name = _TITLES.sub("", text.strip())[:50]
    if len(name) < 2:
        return None
    people = list(
        User.objects.filter(
            name=name, is_active=True, memberships__unit__path__startswith=zone.path
        ).distinct()[:2]
    )
    return people[0] if len(people) == 1 else None


def clean_nodes(nodes, *, prefix: str = "") -> tuple[list[dict], Errors]:
    """Nodes as ``[{"title", "due_date"}]`` cleaned; errors name the node (第 N 个节点)."""
    e = Errors()
    out = []
    for i, n in enumerate(list(nodes or ())[: MAX_NODES + 1], 1):
        if i > MAX_NODES:
            e.add(f"{prefix}nodes", f"节点不能超过 {MAX_NODES} 个。")
            break
        title = e.take(
            cleaning.text, n.get("title"), f"第{i}个节点的内容", field=f"{prefix}nodes",
            required=True, max_length=200, single_line=True,
        )  # fmt: skip
        due = e.take(
            cleaning.date_value, n.get("due_date"), f"第{i}个节点的时限", field=f"{prefix}nodes",
            required=True, minimum=date(2000, 1, 1), maximum=date(2100, 12, 31),
        )  # fmt: skip
        if title and due:
            out.append({"title": title, "due_date": due})
    return out, e


def _save_new(by, zone, d: dict, *, parent=None, document=None, span=None, nodes=()) -> Task:
    t = Task.objects.create(
        zone=zone,
        source_kind=d["source_kind"],
        document=document,
        source_ref=d["source_ref"],
        span_start=span[0] if span else None,
        span_end=span[1] if span else None,
        parent=parent,
        number=d["number"],
        title=d["title"],
        measures=d["measures"][: MAX_TEXT * 4],
        lead_unit=d["lead_unit"],
        leader=d["leader"],
        leader_name=d["leader_name"],
        person_name=d["person_name"],
        deadline=d["deadline"],
        deadline_text=d["deadline_text"],
        recurrence=d["recurrence"],
        cadence=d["cadence"],
        level=d["level"],
        target=d["target"],
        created_by=user_of(by),
        created_at=clock.now(),
    )
    if d["support_units"]:
        t.support_units.set(d["support_units"])
    Milestone.objects.bulk_create(
        [
            Milestone(task=t, title=n["title"], due_date=n["due_date"], sort_order=i)
            for i, n in enumerate(nodes)
        ]
    )
    event(t, "create", by, "", note=f"交{t.lead_unit.name}牵头办理")
    after = task_snapshot(t)
    after["nodes"] = [[n["title"], n["due_date"].isoformat()] for n in nodes]
    record("task.create", t, after=after, only_changes=False)
    return t


def _announce(t: Task) -> None:
    due = f"，完成时限{t.deadline:%Y年%m月%d日}" if t.deadline else ""
    notify_unit(
        t.lead_unit,
        title=f"新交办任务：{t.title[:60]}",
        body=f"请签收并按期报送进展{due}。",
        link=f"/tasks/{t.pk}/",
        kind="assignment",
    )


@transaction.atomic
def create_task(
    by,
    zone: Unit,
    data: dict,
    *,
    nodes=(),
    document: SourceDocument | None = None,
    span: tuple[int, int] | None = None,
) -> Task:
    """A task of *zone* (督查室, ``tasks.manage``), with its nodes. Every error at once."""
    require(by, "tasks.manage")
    if not sees_unit(by, zone):
        raise PermissionDenied("无权在此单位下交办任务。")
    d, e = clean_task(data, zone)
    clean, ne = clean_nodes(nodes)
    for key, msg in ne.messages.items():
        e.add(key, msg)
    e.raise_if_any(ValidationError)
    t = _save_new(by, zone, d, document=document, span=span, nodes=clean)
    _announce(t)
    return t


@transaction.atomic
def split_task(by, parent: Task, data: dict, *, nodes=()) -> Task:
    """A sub-task of *parent* for another unit (its lead unit or the 督查室). One level only: a
    sub-task is not split again. The parent's progress becomes the mean of its sub-tasks'."""
    check_visible(by, parent)
    current = Task.objects.select_for_update(of=("self",)).select_related("zone").get(pk=parent.pk)
    if current.parent_id is not None:
        raise ValidationError({"parent": "子任务不能再分解。"})
    if not (facts(by, current)["lead"] or _manages(by)):
        raise PermissionDenied("只有牵头单位或督查室可以分解此任务。")
    if current.status in ("done", "suspended"):
        raise ValidationError({"parent": f"任务已{current.get_status_display()}，不能再分解。"})
    data = {**data}
    data.setdefault("source_kind", current.source_kind)
    data.setdefault("level", current.level)
    d, e = clean_task(data, current.zone)
    clean, ne = clean_nodes(nodes)
    for key, msg in ne.messages.items():
        e.add(key, msg)
    if d["deadline"] and current.deadline and d["deadline"] > current.deadline:
        e.add("deadline", f"子任务的完成时限不能晚于上级任务（{current.deadline:%Y-%m-%d}）。")
    e.raise_if_any(ValidationError)
    child = _save_new(by, current.zone, d, parent=current, document=current.document, nodes=clean)
    roll_up(current)
    _announce(child)
    return child


def _manages(by) -> bool:
    from diaodu.org.scope import scope_for

    return scope_for(by).has("tasks.manage")


def roll_up(parent: Task) -> None:
    """The parent's progress = the mean of its sub-tasks' (a done sub-task counts 100)."""
    rows = list(Task.objects.filter(parent=parent).values_list("status", "progress"))
    if not rows:
        return
    value = round(sum(100 if s == "done" else p for s, p in rows) / len(rows))
    if value != parent.progress:
        before = snapshot(parent, ["progress"])
        Task.objects.filter(pk=parent.pk).update(progress=value)
        parent.progress = value
        record("task.rollup", parent, before=before, after={"progress": value})


EDITABLE = ("title", "measures", "number", "leader_name", "person_name", "target", "deadline",
            "deadline_text", "recurrence", "cadence", "level", "source_ref")  # fmt: skip


@transaction.atomic
def update_task(by, task: Task, data: dict, *, version) -> Task:
    """Edit a task's fields (督查室) against the version the editor saw. Units may change while
    the task waits to be signed; the lead unit is kept otherwise."""
    require(by, "tasks.manage")
    check_visible(by, task)
    current = Task.objects.select_for_update(of=("self",)).select_related("zone").get(pk=task.pk)
    try:
        check_version(version, current.version, "任务")
    except cleaning.CleaningError as exc:
        raise ValidationError(exc.as_dict()) from None
    merged = {f: getattr(current, f) for f in EDITABLE}
    merged.update(lead_unit=current.lead_unit, leader=current.leader)
    merged["support_units"] = list(current.support_units.all())
    merged.update(
        {k: v for k, v in data.items() if k in (*EDITABLE, "lead_unit", "support_units", "leader")}
    )
    d, e = clean_task(merged, current.zone)
    if d["lead_unit"] is not None and d["lead_unit"] != current.lead_unit:
        if current.status != "pending":
            e.add("lead_unit", "任务已签收，不能更换牵头单位（请退回后重新交办）。")
    e.raise_if_any(ValidationError)
    before = task_snapshot(current)
    for f in EDITABLE:
        setattr(current, f, d[f])
    current.lead_unit, current.leader = d["lead_unit"], d["leader"]
    current.version += 1
    current.save()
    current.support_units.set(d["support_units"])
    after = task_snapshot(current)
    event(current, "edit", by, current.status, note="修改任务信息")
    record("task.update", current, before=before, after=after)
    return current


# ---------------------------------------------------------------- moves
def move_task(by, task: Task, action: str, **kw) -> Task:
    """One entry for every move of the task's machine (tasks.flows.TASK)."""
    handlers = {
        "sign": sign_task,
        "request_done": request_done,
        "approve_done": approve_done,
        "return": return_task,
        "suspend": suspend_task,
        "resume": resume_task,
    }
    if action not in handlers:
        raise ValidationError({"action": f"未知的操作“{action}”。"})
    return handlers[action](by, task, **kw)


def _locked(task: Task) -> Task:
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("lead_unit", "parent", "zone")
        .get(pk=task.pk)
    )


def _simple_move(by, task, move, *, note="", fields=None, apply=None, version=None) -> Task:
    check_visible(by, task)
    current = _locked(task)
    if version is not None:
        try:
            check_version(version, current.version, "任务")
        except cleaning.CleaningError as exc:
            raise ValidationError(exc.as_dict()) from None
    target = allow(by, current, move, fields)
    before, old = task_snapshot(current), current.status
    current.status = target
    if apply:
        apply(current)
    current.version += 1
    current.save()
    event(current, move, by, old, note=note)
    record(f"task.{move}", current, before=before, after=task_snapshot(current))
    if current.parent_id:
        roll_up(current.parent)
    return current


@transaction.atomic
def sign_task(by, task: Task, *, note: str = "", version=None) -> Task:
    return _simple_move(by, task, "sign", note=(note or "").strip() or "签收", version=version)


@transaction.atomic
def request_done(by, task: Task, *, summary: str = "", version=None) -> Task:
    e = Errors()
    summary = e.take(cleaning.text, summary, "办结情况", field="summary", max_length=MAX_TEXT) or ""
    e.raise_if_any(ValidationError)

    def apply(t):
        t.summary = summary

    t = _simple_move(
        by, task, "request_done", note=summary, fields={"summary": summary}, apply=apply,
        version=version,
    )  # fmt: skip
    return t


@transaction.atomic
def approve_done(by, task: Task, *, note: str = "", version=None) -> Task:
    def apply(t):
        t.done_at, t.progress = clock.now(), 100

    t = _simple_move(
        by, task, "approve_done", note=note or "同意办结", apply=apply, version=version
    )
    notify_unit(t.lead_unit, title=f"任务已办结：{t.title[:60]}", link=f"/tasks/{t.pk}/")
    return t


@transaction.atomic
def return_task(by, task: Task, *, reason: str = "", version=None) -> Task:
    reason = (reason or "").strip()[:500]

    def apply(t):
        t.return_reason = reason

    t = _simple_move(
        by, task, "return", note=reason, fields={"reason": reason}, apply=apply, version=version
    )
    notify_unit(
        t.lead_unit,
        title=f"任务被退回重办：{t.title[:60]}",
        body=f"退回原因：{reason}",
        link=f"/tasks/{t.pk}/",
        kind="assignment",
    )
    return t


@transaction.atomic
def suspend_task(by, task: Task, *, reason: str = "", version=None) -> Task:
    reason = (reason or "").strip()[:500]
    return _simple_move(
        by, task, "suspend", note=reason, fields={"reason": reason}, version=version
    )


@transaction.atomic
def resume_task(by, task: Task, *, note: str = "", version=None) -> Task:
    return _simple_move(by, task, "resume", note=note or "恢复办理", version=version)


# ---------------------------------------------------------------- extension (申请延期)
def _ext_state(t: Task) -> str:
    return "pending" if t.extension_due else "none"


@transaction.atomic
def request_extension(by, task: Task, *, new_due=None, reason: str = "") -> Task:
    check_visible(by, task)
    current = _locked(task)
    if current.status not in ("pending", "in_progress", "returned"):
        raise ValidationError({"action": f"任务{current.get_status_display()}，不能申请延期。"})
    e = Errors()
    due = e.take(cleaning.date_value, new_due, "申请延期至", field="new_due")
    reason = e.take(cleaning.text, reason, "申请延期的理由", field="reason", max_length=500) or ""
    allow(by, current, "request_extension", {"new_due": "✓", "reason": "✓"},
          machine=EXTENSION, state=_ext_state(current))  # fmt: skip
    if due is None and "new_due" not in e:
        e.add("new_due", EXTENSION["request_extension"].required["new_due"])
    if not reason and "reason" not in e:
        e.add("reason", EXTENSION["request_extension"].required["reason"])
    if due is not None and current.deadline and due <= current.deadline:
        e.add("new_due", f"申请延期至的日期应晚于现在的完成时限（{current.deadline:%Y-%m-%d}）。")
    e.raise_if_any(ValidationError)
    before = task_snapshot(current)
    current.extension_due, current.extension_reason = due, reason
    current.version += 1
    current.save()
    event(
        current, "request_extension", by, current.status, note=f"申请延期至{due:%Y-%m-%d}：{reason}"
    )
    record("task.request_extension", current, before=before, after=task_snapshot(current))
    return current


@transaction.atomic
def decide_extension(by, task: Task, *, approve: bool, reason: str = "") -> Task:
    check_visible(by, task)
    current = _locked(task)
    move = "approve_extension" if approve else "refuse_extension"
    reason = (reason or "").strip()[:500]
    allow(by, current, move, {"reason": reason}, machine=EXTENSION, state=_ext_state(current))
    before = task_snapshot(current)
    due = current.extension_due
    if approve:
        current.deadline, current.escalation_level = due, 0
        note = f"批准延期至{due:%Y-%m-%d}" + (f"：{reason}" if reason else "")
    else:
        note = f"不予延期：{reason}"
    current.extension_due, current.extension_reason = None, ""
    current.version += 1
    current.save()
    event(current, move, by, current.status, note=note)
    record(f"task.{move}", current, before=before, after=task_snapshot(current))
    notify_unit(current.lead_unit, title=f"延期申请：{note}", link=f"/tasks/{current.pk}/")
    return current
