"""Meeting endpoints (调度会): meetings, agenda, action items (议定事项)."""

from __future__ import annotations

from ninja.pagination import paginate

from diaodu.org.scope import require
from diaodu.pagination import Paged, Rows
from diaodu.supervision import queries, services
from diaodu.supervision.filters import ActionFilterSet
from diaodu.supervision.models import AgendaItem

from .common import _action, _meeting, router
from .schemas import ActionIn, ActionOut, AgendaIn, CloseIn, MeetingIn, MeetingOut


# ---------------------------------------------------------------- meetings and action items
@router.get("/meetings", response=list[MeetingOut], summary="调度会（分页）")
@paginate(Paged)
def list_meetings(request):
    require(request.user, "projects.view")
    return Rows(queries.meetings(request.user), page=lambda rows: [_meeting(m) for m in rows])


@router.post("/meetings", response={201: MeetingOut}, summary="建立调度会（自动生成议程）")
def create_meeting(request, payload: MeetingIn):
    unit = queries.get_unit(request.user, payload.unit_id)
    m = services.create_meeting(
        request.user, unit, payload.dict(exclude={"unit_id"}, exclude_none=True)
    )
    return 201, _meeting(m, full=True)


@router.get("/meetings/{meeting_id}", response=MeetingOut, summary="调度会详情（议程与议定事项）")
def get_meeting(request, meeting_id: int):
    require(request.user, "projects.view")  # what the meeting list checks
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


@router.get("/actions", response=list[ActionOut], summary="议定事项（默认未完成；分页）")
@paginate(Paged)
def list_actions(request, status: str = "open"):
    fs = ActionFilterSet(request.GET, queryset=queries.action_items(request.user), request=request)
    return Rows(fs.qs, page=lambda rows: [_action(a) for a in rows])  # a bad status: all


@router.post("/actions/{action_id}/close", response=ActionOut, summary="议定事项完成")
def close_action(request, action_id: int, payload: CloseIn):
    a = services.close_action_item(
        request.user, queries.get_action(request.user, action_id), result=payload.result
    )
    return _action(queries.get_action(request.user, a.pk))
