"""API of the procedures app, mounted at /api/v1/projects (distinct paths from the projects
router): the stored schedule of a project, and CRUD of its chain items. Scoped like the pages
(404 outside the scope, 403 without the permission), validated by the same services (422
with Chinese messages)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Router, Schema

from diaodu.engine.locking import version_given
from diaodu.procedures import queries, services

router = Router(tags=["前期手续"])


class DepIO(Schema):
    code: str
    lag_wd: int = 0


class ScheduleItemOut(Schema):
    id: int
    code: str
    name: str
    stage: str
    status: str
    duration_wd: int
    duration_unit: str  # working_days 工作日 | calendar_days 自然日
    latest_start: date | None
    latest_finish: date | None
    earliest_start: date | None
    earliest_finish: date | None
    slack_wd: int | None
    critical: bool
    overdue: bool
    at_risk: bool


class ScheduleOut(Schema):
    project_id: int
    target_start: date | None
    expected_start: date | None
    days_late_wd: int | None
    calendar_warnings: list[str]
    critical_path: list[str]
    delay_cause: str
    computed_at: datetime | None
    template: str | None
    items: list[ScheduleItemOut]


class ProcedureItemOut(Schema):
    id: int
    code: str
    name: str
    stage: str
    status: str
    duration_wd: int
    duration_unit: str  # working_days 工作日 | calendar_days 自然日
    duration_source: str
    predecessors: list[DepIO]
    responsible_unit_id: int | None
    responsible_unit: str
    documents: list[str]
    actual_start: date | None
    actual_finish: date | None
    doc_number: str
    note: str
    added: bool
    version: int
    latest_start: date | None
    latest_finish: date | None
    earliest_start: date | None
    earliest_finish: date | None
    slack_wd: int | None
    critical: bool
    overdue: bool
    at_risk: bool
    attachments: list[str]


# Inputs are loosely typed on purpose: the services parse them and answer in Chinese.
class ProcedureItemIn(Schema):
    code: str | None = None
    name: str | None = None
    stage: str | None = None
    status: str | None = None
    duration_wd: int | str | None = None
    duration_unit: str | None = None  # working_days (default) | calendar_days
    duration_source: str | None = None
    predecessors: list[DepIO] | str | None = None
    responsible_unit_id: int | None = None
    responsible_text: str | None = None
    documents: list[str] | str | None = None
    actual_start: str | None = None
    actual_finish: str | None = None
    doc_number: str | None = None
    note: str | None = None
    version: int | None = None


class ChainIn(Schema):
    template: str  # template code (its current version is used)


class RemovedOut(Schema):
    result: str


def _item(it) -> dict:
    return {
        "id": it.pk,
        "code": it.code,
        "name": it.name,
        "stage": it.stage,
        "status": it.status,
        "duration_wd": it.duration_wd,
        "duration_unit": it.duration_unit,
        "duration_source": it.duration_source,
        "predecessors": [
            {"code": d["code"], "lag_wd": d.get("lag_wd", 0)} for d in it.predecessors
        ],
        "responsible_unit_id": it.responsible_unit_id,
        "responsible_unit": it.responsible_unit.name
        if it.responsible_unit_id
        else it.responsible_text,
        "documents": it.documents or [],
        "actual_start": it.actual_start,
        "actual_finish": it.actual_finish,
        "doc_number": it.doc_number,
        "note": it.note,
        "added": it.is_added,
        "version": it.version,
        "latest_start": it.latest_start,
        "latest_finish": it.latest_finish,
        "earliest_start": it.earliest_start,
        "earliest_finish": it.earliest_finish,
        "slack_wd": it.slack_wd,
        "critical": it.critical,
        "overdue": it.overdue,
        "at_risk": it.at_risk,
        "attachments": [a.original_name for a in it.attachments.all()],
    }


def _chain(request, project_id: int):
    if not queries.can_view(request.user):
        raise PermissionDenied("没有查看项目的权限。")
    project, chain = queries.project_and_chain(request.user, project_id)
    return project, chain


def _payload(body: ProcedureItemIn, project) -> dict:
    data = body.dict(exclude_unset=True)
    data.pop("version", None)
    if "predecessors" in data and isinstance(data["predecessors"], list):
        data["predecessors"] = [
            {"code": d["code"], "lag_wd": d.get("lag_wd", 0)} for d in data["predecessors"]
        ]
    if "responsible_unit_id" in data:
        uid = data.pop("responsible_unit_id")
        if uid is None:
            data["responsible_unit"] = None
        else:
            unit = next((u for u in queries.department_choices(project) if u.pk == uid), None)
            if unit is None:
                raise ValidationError(
                    {"responsible_unit_id": "责任部门应为项目所在开发区的部门或科室。"}
                )
            data["responsible_unit"] = unit
    return data


@router.get("/{project_id}/schedule", response=ScheduleOut, summary="项目前期手续排期（倒排工期）")
def procedures_schedule(request, project_id: int):
    project, chain = _chain(request, project_id)
    if chain is None:
        return {
            "project_id": project.pk,
            "target_start": project.planned_start_date,
            "expected_start": None,
            "days_late_wd": None,
            "calendar_warnings": [],
            "critical_path": [],
            "delay_cause": "",
            "computed_at": None,
            "template": None,
            "items": [],
        }
    services.ensure_fresh(chain)
    items = [it for it in queries.chain_items(chain) if it.status != "not_applicable"]
    return {
        "project_id": project.pk,
        "target_start": chain.target_start,
        "expected_start": chain.expected_start,
        "days_late_wd": chain.days_late_wd,
        "calendar_warnings": chain.calendar_warnings,
        "critical_path": chain.critical_path,
        "delay_cause": chain.delay_cause,
        "computed_at": chain.computed_at,
        "template": f"{chain.template.code}@{chain.template.version}",
        "items": items,
    }


@router.post(
    "/{project_id}/procedure-chain", response={201: ScheduleOut}, summary="按模板建立前期手续链条"
)
def procedures_chain_create(request, project_id: int, body: ChainIn):
    project, chain = _chain(request, project_id)
    template = queries.templates().filter(code=body.template).first()
    if template is None:
        raise ValidationError({"template": f"模板“{body.template}”不存在。"})
    services.create_chain(request.user, project, template)
    return 201, procedures_schedule(request, project_id)


@router.get("/{project_id}/procedures", response=list[ProcedureItemOut], summary="项目前期手续清单")
def procedures_list(request, project_id: int):
    project, chain = _chain(request, project_id)
    if chain is None:
        return []
    return [_item(it) for it in queries.chain_items(chain)]


@router.post("/{project_id}/procedures", response={201: ProcedureItemOut}, summary="添加手续")
def procedures_create(request, project_id: int, body: ProcedureItemIn):
    project, chain = _chain(request, project_id)
    if chain is None:
        raise ValidationError({"general": "该项目尚未建立前期手续链条。"})
    item = services.add_item(request.user, chain, _payload(body, project))
    return 201, _item(queries.get_item(request.user, item.pk))


@router.get("/{project_id}/procedures/{item_id}", response=ProcedureItemOut, summary="手续详情")
def procedures_get(request, project_id: int, item_id: int):
    _chain(request, project_id)
    return _item(queries.get_item_of_project(request.user, project_id, item_id))


@router.patch(
    "/{project_id}/procedures/{item_id}",
    response=ProcedureItemOut,
    summary="修改手续（状态、日期、文号等）",
)
def procedures_update(request, project_id: int, item_id: int, body: ProcedureItemIn):
    project, _chain_obj = _chain(request, project_id)
    item = queries.get_item_of_project(request.user, project_id, item_id)
    services.check_item_write(request.user, item)  # who may, before what they sent
    version = version_given(body.version, "该手续")  # required: refuses a save over another's
    services.update_item(request.user, item, _payload(body, project), version=version)
    return _item(queries.get_item(request.user, item.pk))


@router.delete(
    "/{project_id}/procedures/{item_id}",
    response=RemovedOut,
    summary="删除新增的手续；模板中的手续标记为不适用",
)
def procedures_delete(request, project_id: int, item_id: int):
    _chain(request, project_id)
    item = queries.get_item_of_project(request.user, project_id, item_id)
    return {"result": services.remove_item(request.user, item)}
