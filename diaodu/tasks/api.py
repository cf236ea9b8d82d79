"""Tasks API (mounted at /api/v1/tasks): the list (the page's FilterSet), one task with its
nodes, the board (the pages' figures), creation, every move, progress reports and 督办单. Same
queries (scoped: 404 outside) and services (Chinese messages by field, audited) as the pages."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from ninja import Router, Schema
from ninja.pagination import paginate

from diaodu import clock
from diaodu.org.scope import require
from diaodu.pagination import Paged, Rows
from diaodu.tasks import figures, queries, services
from diaodu.tasks.filters import TaskFilterSet
from diaodu.tasks.flows import EXTENSION, TASK

router = Router(tags=["重点工作督办"])


class TaskMilestoneOut(Schema):
    id: int
    title: str
    due_date: date
    progress: int
    done_on: date | None


class TaskOut(Schema):
    id: int
    number: str
    title: str
    measures: str
    lead_unit: str
    lead_unit_id: int
    leader_name: str
    deadline: date | None
    recurrence: str
    level: str
    status: str
    status_label: str
    progress: int
    escalation_level: int
    overdue: bool
    parent_id: int | None
    document_id: int | None
    version: int


class TaskDetailOut(TaskOut):
    support_units: list[str]
    milestones: list[TaskMilestoneOut]
    moves: list[str]


class TaskBoardOut(Schema):
    key: str
    label: str
    total: int
    done: int
    overdue: int
    on_time: int
    escalated: int
    drill: str


class TaskIn(Schema):
    zone_id: int
    title: str
    lead_unit_id: int
    measures: str = ""
    support_unit_ids: list[int] = []
    leader_name: str = ""
    deadline: str | None = None
    recurrence: str = ""
    cadence: str = "weekly"
    level: str = "zone"
    source_kind: str = "document"
    source_ref: str = ""
    nodes: list[dict] = []


class TaskPatch(Schema):
    version: int | None = None
    title: str | None = None
    measures: str | None = None
    lead_unit_id: int | None = None
    support_unit_ids: list[int] | None = None
    leader_name: str | None = None
    person_name: str | None = None
    deadline: str | None = None
    recurrence: str | None = None
    cadence: str | None = None
    level: str | None = None
    target: str | None = None


class SourceDocumentOut(Schema):
    id: int
    title: str
    doc_date: date
    state: str
    rows: list[dict]
    version: int


class TaskMoveIn(Schema):
    action: str
    version: int | None = None
    summary: str = ""
    reason: str = ""
    new_due: str | None = None


class TaskReportIn(Schema):
    text: str
    percent: int | None = None
    milestone_id: int | None = None


class TaskReportOut(Schema):
    id: int
    task_id: int
    at: datetime
    percent: int | None


def _task(t, today) -> dict:
    return {
        **{f: getattr(t, f) for f in ("id", "number", "title", "measures", "lead_unit_id",
           "leader_name", "deadline", "recurrence", "level", "status", "progress",
           "escalation_level", "parent_id", "document_id", "version")},
        "lead_unit": t.lead_unit.name,
        "status_label": TASK.label(t.status),
        "overdue": t.status in ("pending", "in_progress", "returned") and t.deadline is not None
        and t.deadline < today,
    }  # fmt: skip


@router.get("/", response=list[TaskOut], summary="重点任务（分页，筛选同任务清单页面）")
@paginate(Paged)
def list_tasks(
    request, status: str = "", level: str = "", lead_unit: int | None = None, leader: str = "",
    document: int | None = None, overdue: bool = False, escalated: bool = False,
    mine: bool = False, top: bool = False, q: str = "",
):  # fmt: skip
    require(request.user, "tasks.view")
    fs = TaskFilterSet(request.GET, request=request)
    fs.raise_errors()
    today = clock.today()
    return Rows(fs.qs, page=lambda rows: [_task(t, today) for t in rows])


@router.get("/board", response=list[TaskBoardOut], summary="督办看板（by=unit|leader|document）")
def board(request, by: str = "unit"):
    require(request.user, "tasks.view")
    if by not in figures.GROUPS:
        raise ValidationError({"by": "看板分组应为 unit、leader 或 document。"})
    return [r.as_dict() for r in figures.board(request.user, by)]


def _detail(request, t) -> dict:
    today = clock.today()
    moves = [m.name for m in services.allowed_moves(request.user, t)]
    state = "pending" if t.extension_due else "none"
    moves += [m.name for m in services.allowed_moves(request.user, t, EXTENSION, state)]
    return {
        **_task(t, today),
        "support_units": [u.name for u in t.support_units.all()],
        "milestones": list(queries.milestones(t)),
        "moves": moves,
    }


@router.get("/{int:task_id}", response=TaskDetailOut, summary="一项任务（含节点与可进行的操作）")
def get_task(request, task_id: int):
    require(request.user, "tasks.view")
    return _detail(request, queries.get_task(request.user, task_id))


@router.post("/", response={201: TaskDetailOut}, summary="交办任务（督查室）")
def create_task(request, payload: TaskIn):
    require(request.user, "tasks.manage")
    zone = queries.zones(request.user).filter(pk=payload.zone_id).first()
    if zone is None:
        raise ValidationError({"zone_id": "单位不存在或无权交办。"})
    units = {u.pk: u for u in queries.units_under(zone)}
    data = payload.dict()
    data["lead_unit"] = units.get(payload.lead_unit_id)
    data["support_units"] = [units[i] for i in payload.support_unit_ids if i in units]
    if len(data["support_units"]) != len(set(payload.support_unit_ids)):
        raise ValidationError({"support_unit_ids": "配合单位不是本单位的在用单位。"})
    t = services.create_task(request.user, zone, data, nodes=payload.nodes)
    return 201, _detail(request, queries.get_task(request.user, t.pk))


@router.patch("/{int:task_id}", response=TaskDetailOut, summary="修改任务（督查室，须带 version）")
def update_task(request, task_id: int, payload: TaskPatch):
    require(request.user, "tasks.manage")
    t = queries.get_task(request.user, task_id)
    units = {u.pk: u for u in queries.units_under(t.zone)}
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if k != "version"}
    if "lead_unit_id" in data:
        data["lead_unit"] = units.get(data.pop("lead_unit_id"))
        if data["lead_unit"] is None:
            raise ValidationError({"lead_unit_id": "牵头单位不是本单位的在用单位。"})
    if "support_unit_ids" in data:
        ids = data.pop("support_unit_ids") or []
        if any(i not in units for i in ids):
            raise ValidationError({"support_unit_ids": "配合单位不是本单位的在用单位。"})
        data["support_units"] = [units[i] for i in ids]
    services.update_task(request.user, t, data, version=payload.version)
    return _detail(request, queries.get_task(request.user, task_id))


@router.get("/documents", response=list[SourceDocumentOut], summary="来源文件（督查室，分页）")
@paginate(Paged)
def list_documents(request):
    require(request.user, "tasks.manage")
    return queries.documents(request.user)


@router.post(
    "/{int:task_id}/moves",
    response=TaskDetailOut,
    summary="任务操作（签收、申请办结、办结、退回、挂起、恢复、延期）",
)
def move(request, task_id: int, payload: TaskMoveIn):
    t = queries.get_task(request.user, task_id)
    a = payload.action
    if a == "request_extension":
        services.request_extension(request.user, t, new_due=payload.new_due, reason=payload.reason)
    elif a in ("approve_extension", "refuse_extension"):
        services.decide_extension(
            request.user, t, approve=a == "approve_extension", reason=payload.reason
        )
    elif a in TASK:
        kw: dict = {"version": payload.version}
        if kw["version"] is None:
            raise ValidationError(
                {"version": "请提供任务的版本号（version），以免覆盖他人在此期间的修改。"}
            )
        if a == "request_done":
            kw["summary"] = payload.summary
        elif a in ("return", "suspend"):
            kw["reason"] = payload.reason
        services.move_task(request.user, t, a, **kw)
    else:
        raise ValidationError({"action": f"未知的操作“{a}”。"})
    return _detail(request, queries.get_task(request.user, task_id))


@router.post(
    "/{int:task_id}/reports", response={201: TaskReportOut}, summary="报送进展（牵头单位）"
)
def report(request, task_id: int, payload: TaskReportIn):
    t = queries.get_task(request.user, task_id)
    milestone = None
    if payload.milestone_id is not None:
        milestone = queries.milestones(t).filter(pk=payload.milestone_id).first()
        if milestone is None:
            raise ValidationError({"milestone_id": "节点不属于此任务。"})
    rep = services.report_progress(request.user, t, text=payload.text, percent=payload.percent,
                                   milestone=milestone)  # fmt: skip
    return 201, {"id": rep.pk, "task_id": t.pk, "at": rep.at, "percent": rep.percent}
