"""Supervision API (mounted at /api/v1/supervision): reports with photo upload (multipart),
reminders, contact logs, problems and their moves, lights, meetings and action items, and the
period summary. Same queries (scoped: 404 outside the scope) and services (validated in Chinese,
audited) as the pages."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import File, Form, Query, Router, Schema, UploadedFile

from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as project_queries
from diaodu.supervision import queries, services
from diaodu.supervision.models import AgendaItem, LightColor, ProblemStatus, ReportStatus

router = Router(tags=["督查调度"])
LIMIT = 200


# ---------------------------------------------------------------- schemas
class PhotoOut(Schema):
    id: int
    name: str
    url: str
    thumb_url: str
    size: int
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    distance_km: Decimal | None


class ReportOut(Schema):
    id: int
    project_id: int
    project_name: str
    unit_name: str
    period: str
    period_name: str
    status: str
    progress_text: str
    invested: Decimal
    ytd: Decimal
    since_start: Decimal
    next_plan: str
    filed_by_name: str
    submitted_at: datetime
    deadline: datetime
    is_late: bool
    return_reason: str
    flags: list[dict]
    photos: list[PhotoOut] = []
    version: int


class ReasonIn(Schema):
    reason: str = ""


class MissingOut(Schema):
    project_id: int
    project_name: str
    unit_name: str
    person: str
    reminders: int


class RemindIn(Schema):
    unit_id: int
    period: str
    project_ids: list[int] | None = None


class ContactIn(Schema):
    project_id: int
    on: date | None = None
    people: str = ""
    enterprise_contact: str = ""
    method: str = ""
    content: str = ""
    problems: list[dict] = []


class ContactOut(Schema):
    id: int
    project_id: int
    project_name: str
    on: date
    people: str
    enterprise_contact: str
    method: str
    content: str
    logged_by_name: str


class ProblemIn(Schema):
    project_id: int
    title: str = ""
    type_code: str = ""
    description: str = ""
    suggested_unit_id: int | None = None


class MoveIn(Schema):
    action: str
    unit_id: int | None = None
    deadline_wd: int | None = None
    answer: str = ""
    reason: str = ""
    satisfaction: int | None = None
    note: str = ""


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    level: int
    by_name: str
    at: datetime
    note: str


class ProblemOut(Schema):
    id: int
    project_id: int
    project_name: str
    title: str
    description: str
    type_code: str
    type_label: str
    source: str
    status: str
    status_label: str
    responsible_unit_id: int | None
    responsible_unit_name: str
    deadline_wd: int | None
    assigned_on: date | None
    due_date: date | None
    overdue: bool
    escalation_level: int
    escalation_label: str
    answer: str
    satisfaction: int | None
    raised_by_name: str
    raised_at: datetime
    events: list[EventOut] = []
    version: int


class StatOut(Schema):
    key: str
    label: str
    received: int
    resolved: int
    closed: int
    overdue: int
    avg_days: float | None
    satisfaction: float | None


class LightOut(Schema):
    id: int
    project_id: int
    project_name: str
    unit_name: str
    period: str
    color: str
    effective_color: str
    reasons: list[dict]
    facts: dict
    override_color: str
    override_reason: str
    override_by_name: str
    computed_at: datetime


class ComputeIn(Schema):
    unit_id: int
    period: str = ""


class OverrideIn(Schema):
    color: str
    reason: str = ""


class ActionIn(Schema):
    content: str = ""
    owner_id: int | None = None
    owner_name: str = ""
    unit_id: int | None = None
    deadline: date | None = None
    project_id: int | None = None
    problem_id: int | None = None


class ActionOut(Schema):
    id: int
    meeting_id: int
    content: str
    owner_id: int | None
    owner_name: str
    unit_id: int | None
    unit_name: str
    deadline: date
    status: str
    result: str


class CloseIn(Schema):
    result: str = ""


class AgendaOut(Schema):
    id: int
    kind: str
    title: str
    detail: str
    project_id: int | None
    problem_id: int | None
    action_id: int | None


class AgendaIn(Schema):
    title: str = ""
    detail: str = ""


class MeetingIn(Schema):
    unit_id: int
    period: str = ""
    held_on: date | None = None
    title: str = ""
    location: str = ""
    chair: str = ""


class MeetingOut(Schema):
    id: int
    unit_id: int
    period: str
    title: str
    held_on: date
    location: str
    status: str
    agenda: list[AgendaOut] = []
    actions: list[ActionOut] = []


class SummaryOut(Schema):
    unit_id: int
    period: str
    period_name: str
    deadline: datetime | None
    owed: int
    filed: int
    on_time: int
    late: int
    missing: int
    rate: Decimal
    invested_period: Decimal
    ytd_total: Decimal
    annual_plan_total: Decimal
    lights: dict
    problems_new: int
    problems_open: int
    problems_resolved: int
    problems_overdue: int
    problems_escalated: int
    reminders_sent: int
    no_contact: int
    actions_open: int


class Where(Schema):
    unit: int | None = None
    period: str = ""


# ---------------------------------------------------------------- helpers
def _where(request, unit=None, period=""):
    try:
        u, cycle, p = queries.resolve(request.user, unit, period or None)
    except ValidationError:
        raise
    if u is None:
        raise ValidationError({"unit": "请指定单位。"})
    return u, cycle, p


def _photo(ph) -> dict:
    return {
        "id": ph.pk,
        "name": ph.original_name,
        "url": reverse("supervision:photo", args=[ph.pk]),
        "thumb_url": reverse("supervision:photo_thumb", args=[ph.pk]),
        "size": ph.size,
        "taken_at": ph.taken_at,
        "latitude": ph.latitude,
        "longitude": ph.longitude,
        "distance_km": ph.distance_km,
    }


def _report(r, photos=None) -> dict:
    return {
        **{
            f: getattr(r, f)
            for f in (
                "id",
                "project_id",
                "period",
                "status",
                "progress_text",
                "invested",
                "ytd",
                "since_start",
                "next_plan",
                "filed_by_name",
                "submitted_at",
                "deadline",
                "is_late",
                "return_reason",
                "flags",
                "version",
            )
        },
        "project_name": r.project.name,
        "unit_name": r.project.unit.name,
        "period_name": r.period_obj.name,
        "photos": [_photo(p) for p in (photos if photos is not None else r.photos.all())],
    }


def _problem(pr, events=None) -> dict:
    from diaodu.supervision import clock

    return {
        **{
            f: getattr(pr, f)
            for f in (
                "id",
                "project_id",
                "title",
                "description",
                "type_code",
                "type_label",
                "source",
                "status",
                "responsible_unit_id",
                "deadline_wd",
                "assigned_on",
                "due_date",
                "escalation_level",
                "answer",
                "satisfaction",
                "raised_by_name",
                "raised_at",
                "version",
            )
        },
        "project_name": pr.project.name,
        "status_label": pr.get_status_display(),
        "responsible_unit_name": pr.responsible_unit.name if pr.responsible_unit else "",
        "overdue": pr.is_overdue(clock.today()),
        "escalation_label": pr.level_label,
        "events": [
            {
                "action": e.action,
                "label": e.label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "level": e.level,
                "by_name": e.by_name,
                "at": e.at,
                "note": e.note,
            }
            for e in (events or [])
        ],
    }


def _light(lt) -> dict:
    return {
        **{
            f: getattr(lt, f)
            for f in (
                "id",
                "project_id",
                "period",
                "color",
                "reasons",
                "facts",
                "override_color",
                "override_reason",
                "override_by_name",
                "computed_at",
            )
        },
        "project_name": lt.project.name,
        "unit_name": lt.project.unit.name,
        "effective_color": lt.effective_color,
    }


def _action(a) -> dict:
    return {
        **{
            f: getattr(a, f)
            for f in (
                "id",
                "meeting_id",
                "content",
                "owner_id",
                "owner_name",
                "unit_id",
                "deadline",
                "status",
                "result",
            )
        },
        "unit_name": a.unit.name if a.unit else "",
    }


def _meeting(m, full=False) -> dict:
    out = {
        f: getattr(m, f)
        for f in ("id", "unit_id", "period", "title", "held_on", "location", "status")
    }
    if full:
        out["agenda"] = [
            {
                f: getattr(a, f)
                for f in ("id", "kind", "title", "detail", "project_id", "problem_id", "action_id")
            }
            for a in queries.agenda(m)
        ]
        out["actions"] = [_action(a) for a in queries.meeting_actions(m)]
    return out


def _problems_json(text: str) -> list:
    if not text:
        return []
    try:
        data = json.loads(text)
    except ValueError:
        raise ValidationError(
            {"problems": 'problems 应为 JSON 数组，如 [{"title": "…", "type_code": "land"}]。'}
        ) from None
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise ValidationError({"problems": "problems 应为对象数组。"})
    return data


# ---------------------------------------------------------------- reports
@router.get("/reports", response=list[ReportOut], summary="周报（按单位、期次、状态）")
def list_reports(request, where: Query[Where], status: str = "", page: int = 1):
    require(request.user, "projects.view")
    unit, _cycle, period = _where(request, where.unit, where.period)
    qs = queries.period_reports(request.user, unit, period).prefetch_related("photos")
    if status:
        if status not in ReportStatus.values:
            raise ValidationError({"status": "状态无效。"})
        qs = qs.filter(status=status)
    start = (max(page, 1) - 1) * LIMIT
    return [_report(r) for r in qs[start : start + LIMIT]]


@router.get("/reports/{report_id}", response=ReportOut, summary="周报详情")
def get_report(request, report_id: int):
    require(request.user, "projects.view")
    return _report(queries.get_report(request.user, report_id))


@router.post(
    "/reports",
    response={201: ReportOut},
    summary="报送周报（multipart：字段 + photos 多张照片；problems 为 JSON 数组）",
)
def file_report(
    request,
    project_id: Form[int],
    progress_text: Form[str] = "",
    invested: Form[str] = "",
    next_plan: Form[str] = "",
    period: Form[str] = "",
    problems: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
):
    require(request.user, "reports.file")
    project = project_queries.get(request.user, project_id)
    r = services.file_report(
        request.user,
        project,
        {
            "period": period,
            "progress_text": progress_text,
            "invested": invested,
            "next_plan": next_plan,
        },
        photo_files=photos or [],
        problems=_problems_json(problems),
    )
    return 201, _report(queries.get_report(request.user, r.pk))


@router.post(
    "/reports/{report_id}/resubmit", response=ReportOut, summary="修改后重新报送（multipart）"
)
def resubmit_report(
    request,
    report_id: int,
    progress_text: Form[str] = "",
    invested: Form[str] = "",
    next_plan: Form[str] = "",
    version: Form[str] = "",
    remove_photos: Form[str] = "",
    problems: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
):
    r = queries.get_report(request.user, report_id)
    removed = [x for x in remove_photos.replace("，", ",").split(",") if x.strip()]
    r = services.resubmit_report(
        request.user,
        r,
        {
            "progress_text": progress_text,
            "invested": invested,
            "next_plan": next_plan,
            "version": version,
        },
        photo_files=photos or [],
        remove_photos=removed,
        problems=_problems_json(problems),
    )
    return _report(queries.get_report(request.user, r.pk))


@router.post("/reports/{report_id}/return", response=ReportOut, summary="退回周报（须写明原因）")
def return_report(request, report_id: int, payload: ReasonIn):
    r = services.return_report(
        request.user, queries.get_report(request.user, report_id), payload.reason
    )
    return _report(queries.get_report(request.user, r.pk))


@router.post("/reports/{report_id}/accept", response=ReportOut, summary="审核通过")
def accept_report(request, report_id: int):
    r = services.accept_report(request.user, queries.get_report(request.user, report_id))
    return _report(queries.get_report(request.user, r.pk))


@router.post(
    "/reports/{report_id}/photos", response={201: list[PhotoOut]}, summary="补充照片（multipart）"
)
def add_photos(request, report_id: int, photos: File[list[UploadedFile]]):
    added = services.add_photos(request.user, queries.get_report(request.user, report_id), photos)
    return 201, [_photo(p) for p in added]


# ---------------------------------------------------------------- 催报
@router.get("/missing", response=list[MissingOut], summary="未报送名单（催报）")
def list_missing(request, where: Query[Where]):
    require(request.user, "projects.view")
    unit, _cycle, period = _where(request, where.unit, where.period)
    return [
        {
            "project_id": r.project.pk,
            "project_name": r.project.name,
            "unit_name": r.project.unit.name,
            "person": r.person,
            "reminders": r.reminders,
        }
        for r in queries.missing(request.user, unit, period)
    ]


@router.post("/reminders", response={201: dict}, summary="催报（全部未报送，或指定项目）")
def send_reminders(request, payload: RemindIn):
    unit, _cycle, period = _where(request, payload.unit_id, payload.period)
    sent = services.remind(request.user, unit, period, payload.project_ids)
    return 201, {"sent": len(sent), "projects": [r.project_id for r in sent]}


# ---------------------------------------------------------------- contacts
@router.get("/contacts", response=list[ContactOut], summary="对接记录")
def list_contacts(request, where: Query[Where], project: int | None = None):
    require(request.user, "projects.view")
    unit, _cycle, period = _where(request, where.unit, where.period)
    qs = queries.contacts(request.user, unit=unit, since=period.start, until=period.end)
    if project:
        qs = qs.filter(project_id=project)
    return [
        {
            **{
                f: getattr(c, f)
                for f in (
                    "id",
                    "project_id",
                    "on",
                    "people",
                    "enterprise_contact",
                    "method",
                    "content",
                    "logged_by_name",
                )
            },
            "project_name": c.project.name,
        }
        for c in qs[:LIMIT]
    ]


@router.post("/contacts", response={201: ContactOut}, summary="记录对接（留痕）")
def create_contact(request, payload: ContactIn):
    require(request.user, "reports.file")
    project = project_queries.get(request.user, payload.project_id)
    c = services.log_contact(
        request.user,
        project,
        payload.dict(exclude={"project_id", "problems"}),
        problems=payload.problems,
    )
    return 201, {
        **{
            f: getattr(c, f)
            for f in (
                "id",
                "project_id",
                "on",
                "people",
                "enterprise_contact",
                "method",
                "content",
                "logged_by_name",
            )
        },
        "project_name": project.name,
    }


# ---------------------------------------------------------------- problems
@router.get("/problems", response=list[ProblemOut], summary="问题清单")
def list_problems(
    request,
    status: str = "",
    unit: int | None = None,
    type: str = "",
    overdue: bool = False,
    escalated: bool = False,
    mine: bool = False,
    page: int = 1,
):
    s = scope_for(request.user)
    if not (s.has("projects.view") or s.has("problems.handle")):
        require(request.user, "projects.view")
    if status and status not in ProblemStatus.values:
        raise ValidationError({"status": "状态无效。"})
    f = queries.ProblemFilter(
        status=status,
        type_code=type,
        overdue=overdue,
        escalated=escalated,
        mine=mine,
        unit=queries.get_unit(request.user, unit) if unit else None,
    )
    start = (max(page, 1) - 1) * LIMIT
    return [_problem(p) for p in queries.problems(request.user, f)[start : start + LIMIT]]


@router.get("/problems/stats", response=list[StatOut], summary="问题办理统计（按责任单位或类型）")
def problem_stats(request, by: str = "unit", unit: int | None = None):
    require(request.user, "projects.view")
    rows = queries.problem_stats(
        request.user,
        by="type" if by == "type" else "unit",
        unit=queries.get_unit(request.user, unit) if unit else None,
    )
    return [
        {
            "key": r.key,
            "label": r.label,
            "received": r.received,
            "resolved": r.resolved,
            "closed": r.closed,
            "overdue": r.overdue,
            "avg_days": r.avg_days,
            "satisfaction": r.satisfaction,
        }
        for r in rows
    ]


@router.post("/problems", response={201: ProblemOut}, summary="提出问题")
def create_problem(request, payload: ProblemIn):
    require(request.user, "problems.raise")
    project = project_queries.get(request.user, payload.project_id)
    unit = None
    if payload.suggested_unit_id:
        unit = queries.departments().filter(pk=payload.suggested_unit_id).first()
        if unit is None:
            raise ValidationError({"suggested_unit_id": "建议责任单位不存在。"})
    pr = services.raise_problem(
        request.user,
        project,
        title=payload.title,
        type_code=payload.type_code,
        description=payload.description,
        suggested_unit=unit,
    )
    return 201, _problem(pr, queries.problem_events(pr))


@router.get("/problems/{problem_id}", response=ProblemOut, summary="问题详情（含办理过程）")
def get_problem(request, problem_id: int):
    pr = queries.get_problem(request.user, problem_id)
    return _problem(pr, queries.problem_events(pr))


@router.post(
    "/problems/{problem_id}/transition",
    response=ProblemOut,
    summary="问题流转：assign 交办 / start 签收 / resolve 办结 / close 销号 / return 退回 / escalate 督办 / rate 评价",
)
def move_problem(request, problem_id: int, payload: MoveIn):
    pr = queries.get_problem(request.user, problem_id)
    a = payload.action
    if a == "assign":
        unit = queries.departments().filter(pk=payload.unit_id).first() if payload.unit_id else None
        pr = services.assign_problem(
            request.user, pr, unit=unit, deadline_wd=payload.deadline_wd, note=payload.note
        )
    elif a == "start":
        pr = services.start_problem(request.user, pr, note=payload.note)
    elif a == "resolve":
        pr = services.resolve_problem(request.user, pr, answer=payload.answer)
    elif a == "close":
        pr = services.close_problem(
            request.user, pr, satisfaction=payload.satisfaction, note=payload.note
        )
    elif a == "return":
        pr = services.return_problem(request.user, pr, reason=payload.reason)
    elif a == "escalate":
        pr = services.escalate_problem(request.user, pr, note=payload.note)
    elif a == "rate":
        pr = services.rate_problem(request.user, pr, payload.satisfaction, payload.note)
    else:
        raise ValidationError(
            {
                "action": f"未知的操作“{a}”：可用 assign、start、resolve、close、return、escalate、rate。"
            }
        )
    pr = queries.get_problem(request.user, pr.pk)
    return _problem(pr, queries.problem_events(pr))


# ---------------------------------------------------------------- lights
@router.get("/lights", response=list[LightOut], summary="项目亮灯（含原因）")
def list_lights(request, where: Query[Where], color: str = ""):
    require(request.user, "projects.view")
    if color and color not in LightColor.values:
        raise ValidationError({"color": "灯色应为 red、yellow 或 green。"})
    unit, _cycle, period = _where(request, where.unit, where.period)
    return [
        _light(lt)
        for lt in queries.sort_lights(queries.period_lights(request.user, unit, period, color))
    ]


@router.post("/lights/compute", response=dict, summary="计算亮灯")
def compute_lights(request, payload: ComputeIn):
    unit, cycle, period = _where(request, payload.unit_id, payload.period)
    if cycle is None:
        raise ValidationError({"unit_id": "该单位尚未设置报送周期。"})
    return services.compute_lights(request.user, cycle, period, unit=unit).as_dict()


@router.post("/lights/{light_id}/override", response=LightOut, summary="调整亮灯（须写明理由）")
def override_light(request, light_id: int, payload: OverrideIn):
    lt = services.override_light(
        request.user, queries.get_light(request.user, light_id), payload.color, payload.reason
    )
    return _light(queries.get_light(request.user, lt.pk))


# ---------------------------------------------------------------- meetings and action items
@router.get("/meetings", response=list[MeetingOut], summary="调度会")
def list_meetings(request):
    require(request.user, "projects.view")
    return [_meeting(m) for m in queries.meetings(request.user)[:LIMIT]]


@router.post("/meetings", response={201: MeetingOut}, summary="建立调度会（自动生成议程）")
def create_meeting(request, payload: MeetingIn):
    unit = queries.get_unit(request.user, payload.unit_id)
    m = services.create_meeting(
        request.user, unit, payload.dict(exclude={"unit_id"}, exclude_none=True)
    )
    return 201, _meeting(m, full=True)


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="调度会详情（议程与议定事项）")
def get_meeting(request, meeting_id: int):
    return _meeting(queries.get_meeting(request.user, meeting_id), full=True)


@router.post("/meetings/{meeting_id}/agenda", response={201: MeetingOut}, summary="增加议题")
def add_agenda(request, meeting_id: int, payload: AgendaIn):
    m = queries.get_meeting(request.user, meeting_id)
    services.add_agenda_item(request.user, m, title=payload.title, detail=payload.detail)
    return 201, _meeting(m, full=True)


@router.delete("/meetings/{meeting_id}/agenda/{item_id}", response=MeetingOut, summary="移出议题")
def remove_agenda(request, meeting_id: int, item_id: int):
    m = queries.get_meeting(request.user, meeting_id)
    item = AgendaItem.objects.filter(meeting=m, pk=item_id, removed=False).first()
    if item is None:
        from django.http import Http404

        raise Http404("议题不存在。")
    services.remove_agenda_item(request.user, item)
    return _meeting(m, full=True)


@router.post("/meetings/{meeting_id}/actions", response={201: ActionOut}, summary="记录议定事项")
def add_action(request, meeting_id: int, payload: ActionIn):
    m = queries.get_meeting(request.user, meeting_id)
    a = services.add_action_item(request.user, m, payload.dict())
    return 201, _action(a)


@router.get("/actions", response=list[ActionOut], summary="议定事项（默认未完成）")
def list_actions(request, status: str = "open"):
    return [
        _action(a)
        for a in queries.action_items(
            request.user, status=status if status in ("open", "done") else ""
        )[:LIMIT]
    ]


@router.post("/actions/{action_id}/close", response=ActionOut, summary="议定事项完成")
def close_action(request, action_id: int, payload: CloseIn):
    a = services.close_action_item(
        request.user, queries.get_action(request.user, action_id), result=payload.result
    )
    return _action(queries.get_action(request.user, a.pk))


# ---------------------------------------------------------------- summary
@router.get("/summary", response=SummaryOut, summary="本期概况（与通报同一口径）")
def summary(request, where: Query[Where]):
    require(request.user, "projects.view")
    unit, _cycle, period = _where(request, where.unit, where.period)
    sm = queries.summary(request.user, unit, period)
    return {
        "unit_id": unit.pk,
        "period": period.code,
        "period_name": period.name,
        "deadline": sm.deadline,
        **{
            f: getattr(sm, f)
            for f in (
                "owed",
                "filed",
                "on_time",
                "late",
                "missing",
                "rate",
                "invested_period",
                "ytd_total",
                "annual_plan_total",
                "lights",
                "problems_new",
                "problems_open",
                "problems_resolved",
                "problems_overdue",
                "problems_escalated",
                "reminders_sent",
                "no_contact",
            )
        },
        "actions_open": len(sm.actions_open),
    }
