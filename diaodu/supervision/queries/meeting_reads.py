"""Dispatch meetings, their agenda and action items."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q
from django.http import Http404

from diaodu import clock
from diaodu.org.models import Unit
from diaodu.org.scope import scope_for
from diaodu.supervision.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    DispatchMeeting,
)

from .scope import own_unit_ids, visible_units


# ---------------------------------------------------------------- meetings and action items
def meetings(user, unit: Unit | None = None):
    qs = DispatchMeeting.objects.filter(unit__in=visible_units(user))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return (
        qs.select_related("unit")
        .annotate(
            n_actions=Count("actions", distinct=True),
            n_open=Count("actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True),
        )
        .order_by("-held_on", "-id")
    )


def get_meeting(user, pk) -> DispatchMeeting:
    try:
        return (
            DispatchMeeting.objects.filter(unit__in=visible_units(user))
            .select_related("unit")
            .get(pk=int(pk))
        )
    except (DispatchMeeting.DoesNotExist, ValueError, TypeError):
        raise Http404("调度会不存在或无权查看。") from None


def agenda(meeting: DispatchMeeting) -> list[AgendaItem]:
    return list(
        meeting.agenda.filter(removed=False)
        .select_related(
            "project",
            "project__unit",
            "problem",
            "problem__responsible_unit",
            "action",
            "action__meeting",
            "action__unit",
        )
        .order_by("sort_order", "id")
    )


def meeting_actions(meeting: DispatchMeeting) -> list[ActionItem]:
    return list(meeting.actions.select_related("owner", "unit", "project").order_by("id"))


def _action_scope(user):
    s = scope_for(user)
    if s.user_id is None and not s.all_units:
        return ActionItem.objects.none()
    q = Q(meeting__unit__in=visible_units(user))
    if s.user_id:
        q |= Q(owner_id=s.user_id)
    own = own_unit_ids(user)
    if own:
        q |= Q(unit_id__in=list(own))
    return ActionItem.objects.filter(q)


def action_items(
    user,
    *,
    status: str = "",
    unit: Unit | None = None,
    overdue: bool = False,
    today: date | None = None,
):
    qs = _action_scope(user)
    if status:
        qs = qs.filter(status=status)
    if unit is not None:
        qs = qs.filter(
            Q(meeting__unit__path__startswith=unit.path)
            | Q(project__unit__path__startswith=unit.path)
            | Q(unit__path__startswith=unit.path)
        )
    if overdue:
        qs = qs.filter(status=ActionStatus.OPEN, deadline__lt=today or clock.today())
    return qs.select_related("meeting", "owner", "unit", "project").order_by("deadline", "id")


def get_action(user, pk) -> ActionItem:
    try:
        return (
            _action_scope(user)
            .select_related("meeting", "owner", "unit", "project")
            .get(pk=int(pk))
        )
    except (ActionItem.DoesNotExist, ValueError, TypeError):
        raise Http404("议定事项不存在或无权查看。") from None


def meetings_count(meeting: DispatchMeeting) -> dict[int, int]:
    """For each open action on this meeting's agenda: how many meetings it has been carried over."""
    ids = [a.action_id for a in meeting.agenda.filter(kind="action", removed=False)]
    return dict(
        AgendaItem.objects.filter(action_id__in=ids, removed=False)
        .values("action_id")
        .annotate(n=Count("meeting", distinct=True))
        .values_list("action_id", "n")
    )
