"""The home page (工作台): what this person must do now, by role, each item one tap from its form.

Sections come from what a person is and may do, not from role names, so a person with several
roles sees the union:
* a project secretary (reports.file, secretary of active projects): this period's reports due with
  the deadline, returned reports, their projects' red and yellow lights, contacts due this week,
  problems they raised that wait for their rating;
* a department (problems.handle, member of a unit that problems and procedures are assigned to):
  problems and procedure items waiting, overdue first;
* a supervision office (reports.review with meetings.manage, or reports.review alone for a park):
  missing reports of the last period due, reports to review, overdue problems, the next meeting;
* a leader (cockpit.view without reports.review): their projects' red lights, overdue problems,
  targets behind pace.

Every read goes through the apps' scoped queries; this module only arranges them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from diaodu import clock
from diaodu.engine import stages as S
from diaodu.i18n import period_name
from diaodu.org.scope import scope_for
from diaodu.procedures import queries as procedure_queries
from diaodu.projects import queries as project_queries
from diaodu.supervision import figures
from diaodu.supervision import queries as sq
from diaodu.supervision.models import (
    RUNNING,
    ContactLog,
    DispatchMeeting,
    Light,
    MeetingStatus,
    Problem,
    ProblemStatus,
    ProgressReport,
    ReportStatus,
)

LIMIT = 8  # items shown per list; the list's "全部" link leads to the rest
WEEKDAY = "一二三四五六日"


@dataclass
class Item:
    title: str
    url: str
    note: str = ""
    tone: str = ""  # red, yellow, orange, muted: the colour of the note
    action: str = ""  # the button text: 填报, 修改, 办理 …
    key: str = ""  # a stable handle for tests: "report-new-12", "problem-5" …


@dataclass
class Block:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    count: int = 0
    more_url: str = ""
    summary: str = ""
    empty: str = ""


def _when(dt) -> str:
    from django.utils import timezone

    local = timezone.localtime(dt)
    return f"{local.month}月{local.day}日（周{WEEKDAY[local.weekday()]}）{local:%H:%M}"


def _problem_item(pr: Problem, today, action: str) -> Item:
    overdue = pr.is_overdue(today)
    if overdue:
        note, tone = _("已超期 %(n)s 天") % {"n": (today - pr.due_date).days}, "red"
    elif pr.extension_due:
        note, tone = (
            _("已申请延期至 %(d)s，待审批")
            % {"d": f"{pr.extension_due.month}月{pr.extension_due.day}日"},
            "yellow",
        )
    elif pr.due_date:
        note, tone = _("%(d)s 前办结") % {"d": f"{pr.due_date.month}月{pr.due_date.day}日"}, ""
    else:
        note, tone = pr.get_status_display(), ""
    return Item(
        f"{pr.project.name}：{pr.title}",
        reverse("supervision:problem", args=[pr.pk]),
        note,
        tone,
        action,
        f"problem-{pr.pk}",
    )


def _overdue_first(qs, today):
    rows = list(qs)
    rows.sort(key=lambda p: (not p.is_overdue(today), p.due_date or today + timedelta(days=3650)))
    return rows


# ---------------------------------------------------------------- the secretary
def _cycle_of(project, cycles):
    best = None
    for c in cycles:
        if project.unit.path.startswith(c.unit.path) and c.starts_on <= clock.today():
            if best is None or c.unit.depth > best.unit.depth:
                best = c
    return best


def _outermost(units) -> list:
    """The units none of which lies under another of them (a park's cycle inside its zone's
    is counted once, with the zone)."""
    units = sorted(units, key=lambda u: len(u.path))
    out = []
    for u in units:
        if not any(u.path.startswith(o.path) for o in out):
            out.append(u)
    return out


def secretary_blocks(user, today) -> list[Block]:
    mine = list(
        project_queries.visible(user)
        .filter(secretary=user, stage__in=S.ACTIVE)
        .select_related("unit")
        .order_by("unit__path", "name_key")
    )
    if not mine:
        return []
    ids = [p.pk for p in mine]
    own = project_queries.visible(user).filter(secretary=user)
    cycles = sq.active_cycles()
    due = Block("reports_due", _("本期待填报"), empty=_("本期周报都已报送。"))
    deadlines = set()
    governing = {}  # project → its cycle (the deepest), for the deadline
    groups: dict[str, tuple] = {}  # period code → (period, {unit pk: cycle unit})
    for p in mine:
        cycle = _cycle_of(p, cycles)
        if cycle is None:
            continue
        governing[p.pk] = cycle
        period = sq.current_period(cycle, today)
        groups.setdefault(period.code, (period, {}))[1][cycle.unit.pk] = cycle.unit
    by_pk = {p.pk: p for p in mine}
    for period, units in groups.values():
        for unit in _outermost(units.values()):
            # the count is the figure's (未报送 less the returned, which wait for a revision)
            due.count += figures.report_counts(user, unit, period, among=own).never_filed
            returned = set(
                sq.period_reports(user, unit, period, among=own)
                .filter(status=ReportStatus.RETURNED)
                .values_list("project_id", flat=True)
            )
            for row in sq.missing(user, unit, period, among=own):
                if row.project.pk in returned:
                    continue
                p = by_pk.get(row.project.pk, row.project)
                cycle = governing.get(p.pk)
                deadline = cycle.deadline_of(period) if cycle else None
                late = deadline is not None and deadline < clock.now()
                if deadline is not None:
                    deadlines.add(deadline)
                due.items.append(
                    Item(
                        p.name,
                        reverse("supervision:report_new", args=[p.pk]) + f"?period={period.code}",
                        (_("已过截止时间 %(d)s") if late else _("截止 %(d)s"))
                        % {"d": _when(deadline)}
                        if deadline
                        else "",
                        "red" if late else "",
                        _("填报"),
                        f"report-new-{p.pk}",
                    )
                )
    if due.count and deadlines:
        first = min(deadlines)
        due.summary = _("本期待填报 %(n)s 个，截止%(d)s") % {"n": due.count, "d": _when(first)}
    due.more_url = reverse("supervision:my")

    returned = Block("reports_returned", _("被退回的周报"))
    for r in (
        ProgressReport.objects.filter(project_id__in=ids, status=ReportStatus.RETURNED)
        .select_related("project")
        .order_by("-period_start")
    ):
        returned.items.append(
            Item(
                f"{r.project.name}（{r.period}）",
                reverse("supervision:report_edit", args=[r.pk]),
                _("退回原因：%(r)s") % {"r": r.return_reason or "—"},
                "orange",
                _("修改"),
                f"report-edit-{r.pk}",
            )
        )
    returned.count = len(returned.items)

    lights = Block("my_lights", _("我的项目亮灯"))
    lights.items = _light_items(_latest_lights(ids, ("red", "yellow")))
    lights.count = len(lights.items)
    lights.more_url = reverse("supervision:lights")

    contacts = Block("contacts_due", _("本周待对接"))
    monday = today - timedelta(days=today.weekday())
    counts = dict(
        ContactLog.objects.filter(project_id__in=ids, on__gte=monday, on__lte=today)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    for p in mine:
        cycle = governing.get(p.pk)
        need = cycle.min_contacts_per_week if cycle else 1
        if need and counts.get(p.pk, 0) < need:
            contacts.items.append(
                Item(
                    p.name,
                    reverse("supervision:contact_new") + f"?project={p.pk}",
                    _("本周已对接 %(n)s 次，至少 %(m)s 次") % {"n": counts.get(p.pk, 0), "m": need},
                    "",
                    _("记录"),
                    f"contact-new-{p.pk}",
                )
            )
    contacts.count = len(contacts.items)
    contacts.more_url = reverse("supervision:contacts")

    rate = Block("problems_to_rate", _("待我评价的问题"))
    qs = sq.problems(user).filter(
        raised_by=user,
        status__in=[ProblemStatus.RESOLVED, ProblemStatus.CLOSED],
        satisfaction__isnull=True,
    )
    rate.items = [_problem_item(pr, today, _("评价")) for pr in qs[:LIMIT]]
    rate.count = qs.count()
    for it in rate.items:
        it.note, it.tone = _("已办结，请评价"), ""
    return [due, returned, lights, contacts, rate]


def _latest_lights(project_ids, colors) -> list[Light]:
    """The newest light of each project, when its effective colour is one of `colors`."""
    rows = (
        Light.objects.filter(project_id__in=project_ids)
        .select_related("project", "project__unit")
        .order_by("project_id", "-period_end")
    )
    seen, out = set(), []
    for lt in rows:
        if lt.project_id in seen:
            continue
        seen.add(lt.project_id)
        if lt.effective_color in colors:
            out.append(lt)
    return sq.sort_lights(out)


def _light_items(lights) -> list[Item]:
    return [
        Item(
            lt.project.name,
            reverse("projects:detail", args=[lt.project_id]),
            f"{lt.effective_label}（{lt.period}）：{lt.reason_text}",
            lt.effective_color,
            _("查看"),
            f"light-{lt.pk}",
        )
        for lt in lights
    ]


# ---------------------------------------------------------------- the department
def department_blocks(user, today) -> list[Block]:
    s = scope_for(user)
    if not s.has("problems.handle") or s.all_units or not s.member_unit_ids:
        return []
    own = sq.own_unit_ids(user)
    problems = Block("dept_problems", _("待本单位办理的问题"), empty=_("没有待办理的问题。"))
    qs = sq.problems(user).filter(responsible_unit_id__in=list(own), status__in=RUNNING)
    rows = _overdue_first(qs, today)
    problems.count = len(rows)
    problems.items = [_problem_item(pr, today, _("办理")) for pr in rows[:LIMIT]]
    problems.more_url = reverse("supervision:problems") + "?mine=1"

    procs = Block("dept_procedures", _("待本单位办理的前期手续"), empty=_("没有待办理的手续。"))
    units = procedure_queries.waiting_units(user)
    qs = procedure_queries.waiting_on_units(units)
    procs.count = qs.count()
    for it in qs[:LIMIT]:
        late = it.latest_finish is not None and it.latest_finish < today
        note = (
            _("最迟 %(d)s 完成") % {"d": f"{it.latest_finish.month}月{it.latest_finish.day}日"}
            if it.latest_finish
            else it.get_status_display()
        )
        procs.items.append(
            Item(
                f"{it.project.name}：{it.name}",
                reverse("procedures:item", args=[it.pk]),
                (_("已超期：") + note) if late else note,
                "red" if late else "",
                _("办理"),
                f"procedure-{it.pk}",
            )
        )
    procs.more_url = reverse("procedures:waiting")
    return [problems, procs]


# ---------------------------------------------------------------- the supervision office
def office_blocks(user, today) -> list[Block]:
    s = scope_for(user)
    if not s.has("reports.review"):
        return []
    out = []
    unit = sq.default_unit(user)
    cycle = sq.cycle_for_unit(unit) if unit else None
    period = None
    if unit is not None and cycle is not None:
        period = sq.last_due_period(cycle)
        rows = sq.missing(user, unit, period)
        miss = Block(
            "missing", _("缺报（%(p)s）") % {"p": period_name(period)}, empty=_("本期无缺报。")
        )
        # the counts are the figures': owed minus filed, a returned report not being filed
        rc = figures.report_counts(user, unit, period)
        miss.count = rc.missing
        miss.more_url = reverse("supervision:missing") + f"?unit={unit.pk}&period={period.code}"
        miss.items = [
            Item(
                r.project.name,
                miss.more_url,
                _("%(who)s · 已催报 %(n)s 次") % {"who": r.person, "n": r.reminders},
                "orange",
                _("催报"),
                f"missing-{r.project.pk}",
            )
            for r in rows[:LIMIT]
        ]
        returned = sq.period_reports(user, unit, period).filter(status=ReportStatus.RETURNED)
        miss.items += [
            Item(
                f"{r.project.name}（{r.period}）",
                reverse("supervision:report", args=[r.pk]),
                _("已退回，待重新报送"),
                "orange",
                _("查看"),
                f"returned-{r.pk}",
            )
            for r in returned[: max(0, LIMIT - len(miss.items))]
        ]
        out.append(miss)
    review = Block("to_review", _("待审核的周报"), empty=_("没有待审核的周报。"))
    if period is not None:  # the period the next meeting reviews, as the reports page shows it
        qs = sq.period_reports(user, unit, period).filter(status=ReportStatus.SUBMITTED)
        review.count = rc.to_review  # the figure's: filed and not yet reviewed
        review.more_url = (
            reverse("supervision:reports")
            + f"?unit={unit.pk}&period={period.code}&status=submitted"
        )
    else:
        qs = sq.reports(user, status=ReportStatus.SUBMITTED)
        review.count = qs.count()
        review.more_url = reverse("supervision:reports") + "?status=submitted"
    review.items = [
        Item(
            f"{r.project.name}（{r.period}）",
            reverse("supervision:report", args=[r.pk]),
            _("%(who)s 报送%(late)s")
            % {"who": r.filed_by_name or "—", "late": _("，逾期") if r.is_late else ""},
            "orange" if r.is_late else "",
            _("审核"),
            f"review-{r.pk}",
        )
        for r in qs[:LIMIT]
    ]
    out.append(review)
    if s.has("problems.assign") and unit is not None:
        # the figure 超期问题数 of the unit, and its problems
        b = _overdue_block(
            user, today, sq.problems(user, sq.ProblemFilter(unit=unit, overdue=True)), _("督办")
        )
        b.count = figures.problem_counts(user, unit, today)["overdue"]
        b.more_url = reverse("supervision:problems") + f"?unit={unit.pk}&overdue=1"
        out.append(b)
        out.append(_desk_block(user, unit))
    meeting = (
        DispatchMeeting.objects.filter(
            unit__in=sq.visible_units(user), status=MeetingStatus.PLANNED, held_on__gte=today
        )
        .select_related("unit")
        .order_by("held_on", "id")
        .first()
    )
    nxt = Block("next_meeting", _("下次调度会"), empty=_("尚未安排下次调度会。"))
    if meeting is not None:
        nxt.count = 1
        nxt.items = [
            Item(
                meeting.title,
                reverse("supervision:meeting", args=[meeting.pk]),
                f"{meeting.held_on.month}月{meeting.held_on.day}日（周{WEEKDAY[meeting.held_on.weekday()]}）"
                + (f" · {meeting.location}" if meeting.location else ""),
                "",
                _("议程"),
                f"meeting-{meeting.pk}",
            )
        ]
    nxt.more_url = reverse("supervision:meetings")
    out.append(nxt)
    return out


def _desk_block(user, unit) -> Block:
    """What departments sent to the office: problems sent back (退回交办, to assign again) and
    extension requests (申请延期, to approve or refuse)."""
    b = Block("problem_requests", _("退回交办与延期申请"), empty=_("没有待处理的申请。"))
    rows = list(sq.problems(user, sq.ProblemFilter(unit=unit, requests=True)).order_by("id"))
    b.count = len(rows)
    for pr in rows[:LIMIT]:
        if pr.status == ProblemStatus.SENT_BACK:
            note, action = _("责任单位退回交办，待重新交办"), _("交办")
        else:
            note = _("%(u)s申请延期至 %(d)s") % {
                "u": pr.responsible_unit.name if pr.responsible_unit else "",
                "d": f"{pr.extension_due.month}月{pr.extension_due.day}日",
            }
            action = _("审批")
        b.items.append(
            Item(
                f"{pr.project.name}：{pr.title}",
                reverse("supervision:problem", args=[pr.pk]),
                note,
                "orange",
                action,
                f"request-{pr.pk}",
            )
        )
    b.more_url = reverse("supervision:problems") + f"?unit={unit.pk}&requests=1"
    return b


def _overdue_block(user, today, qs, action: str) -> Block:
    b = Block("overdue_problems", _("超期问题"), empty=_("没有超期问题。"))
    rows = _overdue_first(qs, today)
    b.count = len(rows)
    b.items = [_problem_item(pr, today, action) for pr in rows[:LIMIT]]
    b.more_url = reverse("supervision:problems") + "?overdue=1"
    return b


# ---------------------------------------------------------------- the leader
def leader_blocks(user, today) -> list[Block]:
    s = scope_for(user)
    if not s.has("cockpit.view") or s.has("reports.review"):
        return []
    visible = project_queries.visible(user)
    led = visible.filter(lead_officials=user)
    among = led if led.exists() else None
    projects = led if among is not None else visible
    ids = list(projects.values_list("pk", flat=True))
    red = Block("leader_lights", _("分管项目红灯"), empty=_("没有红灯项目。"))
    unit = sq.default_unit(user)
    if unit is not None:
        # the figure 红灯项目数 of the unit's current period, as the cockpit shows it, for the
        # projects the leader leads (all visible ones when they lead none)
        period = figures.period_of(unit, today)
        rc = figures.report_counts(user, unit, period, among=among)
        red.count = figures.light_counts(user, unit, period, rc.due, among=among)["red"]
        red.items = _light_items(sq.period_lights(user, unit, period, "red", among=among)[:LIMIT])
        red.more_url = (
            reverse("supervision:lights") + f"?unit={unit.pk}&period={period.code}&color=red"
        )
    overdue = _overdue_block(
        user,
        today,
        sq.problems(user, sq.ProblemFilter(overdue=True)).filter(project_id__in=ids),
        _("查看"),
    )
    return [red, overdue, _targets_block(user, today)]


def _targets_block(user, today) -> Block:
    b = Block("targets_behind", _("落后于序时进度的指标"), empty=_("各项指标均达到序时进度。"))
    from diaodu.targets import queries as tq
    from diaodu.targets.views import default_unit

    unit = default_unit(user, today.year)
    if unit is None:
        return b
    rows, _mode, _used = tq.unit_rows(user, unit, today.year, today)
    behind = [r for r in rows if r.light in ("red", "yellow")]
    behind.sort(key=lambda r: r.light != "red")
    b.count = len(behind)
    b.items = [
        Item(
            f"{r.unit.name}：{r.indicator.name}",
            r.drill_url,
            r.result.message,
            r.light,
            _("查看"),
            f"target-{i}",
        )
        for i, r in enumerate(behind[:LIMIT])
    ]
    b.more_url = reverse("targets:progress")
    return b


def _task_item(t, today, action: str) -> Item:
    from diaodu.tasks.flows import LADDER
    from diaodu.tasks.models import RUNNING as TASK_RUNNING

    late = t.status in TASK_RUNNING and t.deadline is not None and t.deadline < today
    note = _("%(d)s前完成") % {"d": f"{t.deadline:%m-%d}"} if t.deadline else ""
    if late:
        note = _("已逾期（%(d)s）") % {"d": f"{t.deadline:%m-%d}"}
    level = LADDER.label(t.escalation_level) if t.status in TASK_RUNNING else ""
    return Item(
        title=t.title[:60] + (f" · {t.lead_unit.label}" if t.lead_unit_id else ""),
        url=reverse("tasks:detail", args=[t.pk]),
        note=(f"{level} " if level else "") + note,
        tone="red" if late else "",
        action=action,
        key=f"task-{t.pk}",
    )


def task_blocks(user, today) -> list[Block]:
    """Key tasks (重点工作督办): a unit's tasks to do, overdue first; the 督查室's overdue tasks and
    the completion/extension requests waiting for it."""
    from django.apps import apps

    if not apps.is_installed("diaodu.tasks"):
        return []
    from django.db.models import Q

    from diaodu.tasks import queries as tq

    s = scope_for(user)
    out = []
    if s.has("tasks.handle") and not s.all_units and s.member_unit_ids:
        b = Block("dept_tasks", _("待本单位办理的重点任务"), empty=_("没有待办理的重点任务。"))
        rows = list(tq.department_queue(user, today=today)[: LIMIT * 4])
        rows.sort(key=lambda t: (not (t.deadline and t.deadline < today), t.deadline or today))
        b.count = len(rows)
        b.items = [_task_item(t, today, _("办理")) for t in rows[:LIMIT]]
        b.more_url = reverse("tasks:queue")
        out.append(b)
    if s.has("tasks.manage"):
        b = Block(
            "office_tasks", _("逾期与待审核的重点任务"), empty=_("没有逾期或待审核的重点任务。")
        )
        qs = (
            tq.visible(user)
            .filter(tq.overdue_q(today) | Q(status="requested") | Q(extension_due__isnull=False))
            .select_related("lead_unit")
            .order_by("deadline", "id")
        )
        b.count = qs.count()
        b.items = [_task_item(t, today, _("查看")) for t in qs[:LIMIT]]
        b.more_url = reverse("tasks:board")
        out.append(b)
    return out


def blocks_for(user) -> list[Block]:
    today = clock.today()
    out = []
    for build in (secretary_blocks, department_blocks, office_blocks, leader_blocks, task_blocks):
        out.extend(build(user, today))
    return out
