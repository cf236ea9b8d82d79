"""Dispatch meetings (调度会), their agenda and action items (议定事项)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu import clock
from diaodu.audit.services import record, snapshot
from diaodu.engine import periods as P
from diaodu.org.models import Unit, User
from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as project_queries
from diaodu.supervision import queries
from diaodu.supervision.models import (
    RUNNING,
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    DispatchMeeting,
    MeetingStatus,
)

from .common import (
    MAX_TEXT,
    _date,
    _name,
    _notify,
    _notify_unit,
    _person_named,
    _raise,
    _text,
    _unit_named,
)


# ================================================================ meetings (调度会) and action items (议定事项)
def _check_meeting_unit(by, unit: Unit) -> None:
    require(by, "meetings.manage")
    if not queries.visible_units(by).filter(pk=unit.pk).exists():
        raise PermissionDenied("无权管理该单位的调度会。")


@transaction.atomic
def create_meeting(by, unit: Unit, data: dict) -> DispatchMeeting:
    """A meeting for the unit and period; its agenda is built at once."""
    _check_meeting_unit(by, unit)
    errors: dict = {}
    cycle = queries.cycle_for_unit(unit)
    period = None
    try:
        period = (
            P.parse(data["period"], cycle.frequency if cycle else None)
            if data.get("period")
            else (queries.last_due_period(cycle) if cycle else P.of(clock.today()))
        )
    except ValueError as exc:
        errors["period"] = str(exc)
    held_on = _date(data.get("held_on") or clock.today(), "held_on", "会议日期", errors)
    if held_on is not None and period is not None and held_on < period.start:
        # a meeting reviews its period: it cannot be held before the period begins
        errors["held_on"] = (
            f"会议日期 {held_on:%Y-%m-%d} 早于所调度的{period.name}（{period.start:%Y-%m-%d} 起），"
            "请核对会议日期或期次。"
        )
    title = _text(data, "title", "会议名称", errors, limit=200)
    location = _text(data, "location", "地点", errors, limit=100)
    chair = _text(data, "chair", "主持人", errors, limit=50)
    if (
        period is not None
        and DispatchMeeting.objects.filter(unit=unit, period=period.code).exists()
    ):
        errors["period"] = f"{unit.name}{period.name}的调度会已建立。"
    _raise(errors)
    m = DispatchMeeting.objects.create(
        unit=unit,
        period=period.code,
        held_on=held_on,
        location=location,
        chair=chair,
        title=title or f"{unit.label}{period.name}重点项目调度会",
        created_by_name=_name(by),
    )
    record("meeting.create", m, after=snapshot(m), only_changes=False)
    build_agenda(by, m)
    return m


@transaction.atomic
def build_agenda(by, meeting: DispatchMeeting) -> int:
    """Add what belongs on the agenda and is not there yet: red lights of the period, overdue and
    escalated problems, open action items of earlier meetings. Items removed by hand stay removed."""
    _check_meeting_unit(by, meeting.unit)
    unit = meeting.unit
    period = P.parse(meeting.period)
    today = clock.today()
    have = meeting.agenda.all()
    seen_projects = {a.project_id for a in have if a.kind == AgendaKind.LIGHT}
    seen_problems = {a.problem_id for a in have if a.kind == AgendaKind.PROBLEM}
    seen_actions = {a.action_id for a in have if a.kind == AgendaKind.ACTION}
    order = max([a.sort_order for a in have], default=0)
    added = []
    reds = queries.sort_lights(queries.period_lights(by, unit, period, color="red"))
    for lt in reds:
        if lt.project_id not in seen_projects:
            order += 10
            added.append(
                AgendaItem(
                    meeting=meeting,
                    kind=AgendaKind.LIGHT,
                    project=lt.project,
                    sort_order=order,
                    title=f"红灯项目：{lt.project.name}（{lt.project.unit.label}）",
                    detail=lt.reason_text,
                )
            )
    probs = queries.problems(by, queries.ProblemFilter(unit=unit), today=today).filter(
        status__in=RUNNING
    )
    for pr in probs.order_by("-escalation_level", "due_date", "id"):
        overdue = pr.due_date is not None and pr.due_date < today
        if (overdue or pr.escalation_level >= 1) and pr.pk not in seen_problems:
            order += 10
            tag = pr.level_label or "超期"
            added.append(
                AgendaItem(
                    meeting=meeting,
                    kind=AgendaKind.PROBLEM,
                    project=pr.project,
                    problem=pr,
                    sort_order=order,
                    title=f"{tag}问题：{pr.title}（{pr.project.name}）",
                    detail=f"责任单位：{pr.responsible_unit.name if pr.responsible_unit else '未交办'}；"
                    f"办结时限：{pr.due_date:%Y-%m-%d}"
                    if pr.due_date
                    else "",
                )
            )
    acts = (
        ActionItem.objects.filter(
            status=ActionStatus.OPEN, meeting__unit__path__startswith=unit.path
        )
        .exclude(meeting=meeting)
        .filter(meeting__held_on__lte=meeting.held_on)
        .select_related("meeting", "unit")
        .order_by("deadline", "id")
    )
    for a in acts:
        if a.pk not in seen_actions:
            order += 10
            added.append(
                AgendaItem(
                    meeting=meeting,
                    kind=AgendaKind.ACTION,
                    action=a,
                    project=a.project,
                    sort_order=order,
                    title=f"上次议定事项：{a.content[:200]}",
                    detail=f"{a.meeting.title}议定；责任人：{a.owner_name or '—'}；"
                    f"责任单位：{a.unit.name if a.unit else '—'}；时限：{a.deadline:%Y-%m-%d}",
                )
            )
    AgendaItem.objects.bulk_create(added)
    if added:
        record(
            "meeting.agenda_build",
            meeting,
            after={"added": [a.title for a in added]},
            only_changes=False,
        )
    return len(added)


@transaction.atomic
def add_agenda_item(by, meeting: DispatchMeeting, *, title: str, detail: str = "") -> AgendaItem:
    _check_meeting_unit(by, meeting.unit)
    errors: dict = {}
    title = _text({"title": title}, "title", "议题", errors, required=True, limit=300)
    _raise(errors)
    order = max(meeting.agenda.values_list("sort_order", flat=True), default=0) + 10
    item = AgendaItem.objects.create(
        meeting=meeting,
        kind=AgendaKind.CUSTOM,
        title=title,
        detail=(detail or "").strip()[:MAX_TEXT],
        sort_order=order,
        auto=False,
    )
    record("meeting.agenda_add", meeting, after={"title": title}, only_changes=False)
    return item


@transaction.atomic
def remove_agenda_item(by, item: AgendaItem) -> None:
    _check_meeting_unit(by, item.meeting.unit)
    record("meeting.agenda_remove", item.meeting, before={"title": item.title}, only_changes=False)
    if item.auto:
        AgendaItem.objects.filter(pk=item.pk).update(
            removed=True
        )  # a rebuild must not bring it back
    else:
        item.delete()


@transaction.atomic
def move_agenda_item(by, item: AgendaItem, direction: str) -> None:
    _check_meeting_unit(by, item.meeting.unit)
    items = list(item.meeting.agenda.filter(removed=False).order_by("sort_order", "id"))
    i = next(k for k, a in enumerate(items) if a.pk == item.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        for k, a in enumerate(items):
            if a.sort_order != (k + 1) * 10:
                AgendaItem.objects.filter(pk=a.pk).update(sort_order=(k + 1) * 10)
        record(
            "meeting.agenda_move",
            item.meeting,
            after={"title": item.title, "direction": direction},
            only_changes=False,
        )


@transaction.atomic
def hold_meeting(by, meeting: DispatchMeeting, *, minutes: str = "") -> DispatchMeeting:
    _check_meeting_unit(by, meeting.unit)
    current = DispatchMeeting.objects.select_for_update(of=("self",)).get(pk=meeting.pk)
    before = snapshot(current, ["status", "minutes"])
    current.status, current.minutes = MeetingStatus.HELD, (minutes or "").strip()[:20000]
    current.save()
    record("meeting.held", current, before=before, after=snapshot(current, ["status", "minutes"]))
    return current


def _owner_and_unit(
    by, data: dict, errors: dict, home: Unit | None = None
) -> tuple[User | None, str, Unit | None]:
    owner, owner_name = None, (data.get("owner_name") or "").strip()[:50]
    if data.get("owner_id") not in (None, ""):
        try:
            owner = User.objects.get(pk=int(data["owner_id"]), is_active=True)
            owner_name = owner.name or owner.username
        except (User.DoesNotExist, ValueError, TypeError):
            errors["owner_id"] = "责任人不存在。"
    unit = None
    if data.get("unit_id") not in (None, ""):
        try:
            unit = Unit.objects.get(pk=int(data["unit_id"]), is_active=True)
        except (Unit.DoesNotExist, ValueError, TypeError):
            errors["unit_id"] = "责任单位不存在。"
    if owner is None and not owner_name and unit is None:
        errors["owner_id"] = "请指定责任人或责任单位。"
    _person_named(by, owner, home, "owner_id", "责任人", errors)
    _unit_named(by, unit, home, "unit_id", "责任单位", errors)
    return owner, owner_name, unit


@transaction.atomic
def add_action_item(by, meeting: DispatchMeeting, data: dict) -> ActionItem:
    """议定事项: a decision with an owner, a unit and a deadline."""
    _check_meeting_unit(by, meeting.unit)
    errors: dict = {}
    content = _text(data, "content", "议定事项", errors, required=True)
    deadline = _date(data.get("deadline"), "deadline", "完成时限", errors)
    if deadline and deadline < meeting.held_on:
        errors["deadline"] = "完成时限不能早于会议日期。"
    owner, owner_name, unit = _owner_and_unit(by, data, errors, meeting.unit)
    project = problem = None
    if data.get("project_id") not in (None, ""):
        project = project_queries.visible(by).filter(pk=_safe_int(data["project_id"])).first()
        if project is None:
            errors["project_id"] = "项目不存在或无权查看。"
    if data.get("problem_id") not in (None, ""):
        problem = queries._problem_scope(by).filter(pk=_safe_int(data["problem_id"])).first()
        if problem is None:
            errors["problem_id"] = "问题不存在或无权查看。"
    _raise(errors)
    a = ActionItem.objects.create(
        meeting=meeting,
        content=content,
        deadline=deadline,
        owner=owner,
        owner_name=owner_name,
        unit=unit,
        project=project or (problem.project if problem else None),
        problem=problem,
    )
    record("action.create", a, after=snapshot(a), only_changes=False)
    title = f"调度会议定事项：{content[:60]}"
    body = f"{meeting.title}议定，请于{deadline:%Y年%m月%d日}前完成。"
    if owner is not None:
        _notify(
            [owner],
            title=title,
            body=body,
            link="/supervision/actions/",
            kind="meeting",
            unit=unit,
            source=a,
        )
    elif unit is not None:
        _notify_unit(unit, title=title, body=body, link="/supervision/actions/", kind="meeting")
    return a


def _safe_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return -1


@transaction.atomic
def close_action_item(by, item: ActionItem, *, result: str = "") -> ActionItem:
    """An action item is done: by the meeting organisers, its owner or its unit."""
    s = scope_for(by)
    allowed = (
        s.has("meetings.manage")
        or (s.user_id is not None and item.owner_id == s.user_id)
        or (item.unit_id is not None and item.unit_id in queries.own_unit_ids(by))
    )
    if not allowed:
        raise PermissionDenied("只有责任人、责任单位或督查室可以办结议定事项。")
    current = ActionItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    if current.status != ActionStatus.OPEN:
        raise ValidationError({"status": "该议定事项已完成。"})
    result = (result or "").strip()
    if not result:
        raise ValidationError({"result": "请填写完成情况。"})
    before = snapshot(current, ["status", "result"])
    current.status, current.result, current.closed_at, current.closed_by_name = (
        ActionStatus.DONE,
        result[:MAX_TEXT],
        clock.now(),
        _name(by),
    )
    current.save()
    record("action.close", current, before=before, after=snapshot(current, ["status", "result"]))
    return current
