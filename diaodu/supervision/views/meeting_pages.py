"""Dispatch meetings (调度会): agenda, action items (议定事项) and their list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu import clock
from diaodu.engine import periods as P
from diaodu.org.scope import require, scope_for
from diaodu.supervision import queries, services
from diaodu.supervision.filters import ActionFilterSet
from diaodu.supervision.models import (
    ActionStatus,
    AgendaItem,
)
from diaodu.viewkit import error_texts, run_action

from .common import _back, _page
from .problem_pages import _int


# ================================================================ meetings
@login_required
def meetings(request):
    require(request.user, "projects.view")
    s = scope_for(request.user)
    errors, data = {}, {}
    unit = queries.default_unit(request.user)
    if request.method == "POST":
        require(request.user, "meetings.manage")
        data = {
            k: request.POST.get(k, "")
            for k in ("unit", "period", "held_on", "title", "location", "chair")
        }
        try:
            target = queries.get_unit(request.user, data["unit"]) if data["unit"] else unit
            m = services.create_meeting(request.user, target, data)
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(
                request, gettext("已建立“%(m_title)s”，议程已自动生成。") % {"m_title": m.title}
            )
            return redirect("supervision:meeting", m.pk)
    cycle = queries.cycle_for_unit(unit) if unit else None
    return render(
        request,
        "supervision/meetings.html",
        {
            "page": _page(request, queries.meetings(request.user)),
            "errors": errors,
            "data": data,
            "can_manage": s.has("meetings.manage"),
            "units": queries.unit_choices(request.user),
            "unit": unit,
            "suggested": queries.last_due_period(cycle) if cycle else None,
            "today": clock.today(),
        },
    )


@login_required
def meeting_detail(request, pk: int):
    require(request.user, "projects.view")  # what the meeting list checks
    m = queries.get_meeting(request.user, pk)
    s = scope_for(request.user)
    return render(
        request,
        "supervision/meeting.html",
        {
            "m": m,
            "agenda": queries.agenda(m),
            "actions": queries.meeting_actions(m),
            "carried": queries.meetings_count(m),
            "can_manage": s.has("meetings.manage"),
            "period": P.parse(m.period),
            "departments": queries.departments(),
            "today": clock.today(),
        },
    )


@login_required
@require_POST
def meeting_agenda(request, pk: int):
    m = queries.get_meeting(request.user, pk)
    op = request.POST.get("op", "")

    def act():
        if op == "add":
            return services.add_agenda_item(
                request.user,
                m,
                title=request.POST.get("title", ""),
                detail=request.POST.get("detail", ""),
            )
        if op == "rebuild":
            return services.build_agenda(request.user, m)
        if op in ("remove", "up", "down"):
            item = AgendaItem.objects.filter(meeting=m, pk=_int(request.POST.get("item"))).first()
            if item is None:
                raise Http404("议题不存在。")
            if op == "remove":
                return services.remove_agenda_item(request.user, item)
            return services.move_agenda_item(request.user, item, op)
        raise Http404("未知的操作。")

    return run_action(
        request,
        act,
        success=lambda n: f"议程已更新，新增 {n} 项。" if op == "rebuild" else None,
        to=("supervision:meeting", m.pk),
    )


@login_required
@require_POST
def meeting_action(request, pk: int):
    m = queries.get_meeting(request.user, pk)
    data = {
        k: request.POST.get(k, "")
        for k in (
            "content",
            "owner_id",
            "owner_name",
            "unit_id",
            "deadline",
            "project_id",
            "problem_id",
        )
    }
    return run_action(
        request,
        lambda: services.add_action_item(request.user, m, data),
        success="议定事项已记录，责任人将收到通知。",
        to=("supervision:meeting", m.pk),
    )


@login_required
@require_POST
def meeting_held(request, pk: int):
    m = queries.get_meeting(request.user, pk)
    services.hold_meeting(request.user, m, minutes=request.POST.get("minutes", ""))
    messages.success(request, gettext("会议纪要已保存。"))
    return redirect("supervision:meeting", m.pk)


@login_required
def actions(request):
    fs = ActionFilterSet(request.GET, queryset=queries.action_items(request.user), request=request)
    qs = fs.qs  # a bad status shows them all
    status = fs.form.cleaned_data.get("status") or ""
    return render(
        request,
        "supervision/actions.html",
        {
            "page": _page(request, qs),
            "status": status,
            "statuses": ActionStatus.choices,
            "today": clock.today(),
        },
    )


@login_required
@require_POST
def action_close(request, pk: int):
    item = queries.get_action(request.user, pk)
    return run_action(
        request,
        lambda: services.close_action_item(
            request.user, item, result=request.POST.get("result", "")
        ),
        success="议定事项已完成。",
        to=lambda _: _back(request, reverse("supervision:actions")),
    )
