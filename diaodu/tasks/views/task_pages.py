"""Tasks (重点任务): the list, the department's queue, a task with its nodes, reports and history,
and every POST button on it (moves, progress, extension, split, 督办单, escalation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from diaodu import clock
from diaodu.engine import cleaning
from diaodu.org.scope import require, scope_for
from diaodu.tasks import queries, services
from diaodu.tasks.filters import TaskFilterSet
from diaodu.tasks.flows import EXTENSION, LADDER, TASK
from diaodu.tasks.models import RUNNING, Cadence, Recurrence, SourceKind, TaskLevel, TaskStatus
from diaodu.viewkit import error_text, run_action

PAGE = 50
EVENT_LABELS = {
    "create": "交办",
    "edit": "修改",
    "report": "报送进展",
    "escalate": "升级督办",
    "notice": "督办单",
    "notice_reply": "督办单回执",
    **{m.name: m.label for m in TASK.moves},
    **{m.name: m.label for m in EXTENSION.moves},
}


def _page(request, qs):
    return Paginator(qs, PAGE).get_page(request.GET.get("page"))


def _int(v):
    n = cleaning.integer_or(v)
    return n if n is not None and 0 < n < 2**31 else None


def decorate(tasks, today):
    for t in tasks:
        t.overdue = t.status in RUNNING and t.deadline is not None and t.deadline < today
        t.level_label = LADDER.label(t.escalation_level) if t.status in RUNNING else ""
    return tasks


def _labelled(e):
    e.label = EVENT_LABELS.get(e.action, e.action)
    if e.action == "escalate":
        e.label = LADDER.label(e.level) or e.label
    return e


@login_required
def task_list(request):
    require(request.user, "tasks.view")
    fs = TaskFilterSet(request.GET, request=request)
    for msg in fs.messages.values():
        messages.warning(request, msg)
    page = _page(request, fs.qs)
    today = clock.today()
    decorate(page.object_list, today)
    base = request.GET.copy()
    base.pop("page", None)
    s = scope_for(request.user)
    return render(
        request,
        "tasks/list.html",
        {
            "page": page,
            "f": fs.filter,
            "statuses": TaskStatus.choices,
            "levels": TaskLevel.choices,
            "query": base.urlencode(),
            "can_manage": s.has("tasks.manage"),
            "today": today,
        },
    )


@login_required
def queue(request):
    """待我办理: the tasks the person's units lead, running first by deadline."""
    require(request.user, "tasks.handle")
    today = clock.today()
    page = _page(request, queries.department_queue(request.user, today=today))
    decorate(page.object_list, today)
    return render(request, "tasks/queue.html", {"page": page, "today": today, "query": ""})


@login_required
def task_detail(request, pk):
    require(request.user, "tasks.view")
    task = queries.get_task(request.user, pk)
    today = clock.today()
    decorate([task], today)
    s = scope_for(request.user)
    moves = services.allowed_moves(request.user, task)
    ext_state = "pending" if task.extension_due else "none"
    ext = (
        [m.name for m in services.allowed_moves(request.user, task, EXTENSION, ext_state)]
        if task.status in RUNNING
        else []
    )
    lead = services.facts(request.user, task)["lead"]
    source_text = ""
    if task.document_id and task.span_start is not None:
        source_text = task.document.text[task.span_start : task.span_end]
    return render(
        request,
        "tasks/detail.html",
        {
            "t": task,
            "moves": moves,
            "extension": ext,
            "milestones": list(queries.milestones(task)),
            "reports": list(queries.reports(task)[:100]),
            "events": [_labelled(e) for e in queries.events(task)],
            "children": decorate(list(queries.children(request.user, task)), today),
            "notices": list(queries.notices(request.user, task)),
            "source_text": source_text,
            "can_report": lead and task.status in RUNNING,
            "can_split": task.parent_id is None
            and task.status not in ("done", "suspended")
            and (lead or s.has("tasks.manage")),
            "can_manage": s.has("tasks.manage"),
            "is_lead": lead,
            "units": queries.units_under(task.zone),
            "ladder": LADDER,
            "today": today,
        },
    )


@login_required
@require_POST
def task_move(request, pk, action):
    task = queries.get_task(request.user, pk)
    p = request.POST
    if action in ("request_extension", "approve_extension", "refuse_extension"):
        if action == "request_extension":

            def act():
                return services.request_extension(
                    request.user, task, new_due=p.get("new_due"), reason=p.get("reason", "")
                )
        else:

            def act():
                return services.decide_extension(
                    request.user, task, approve=action == "approve_extension",
                    reason=p.get("reason", ""),
                )  # fmt: skip

        label = EXTENSION[action].label
    elif action == "escalate":

        def act():
            return services.escalate_task(request.user, task, note=p.get("note", ""))

        label = "升级督办"
    elif action in TASK:
        kw = {"version": p.get("version") or None}
        if action == "request_done":
            kw["summary"] = p.get("summary", "")
        elif action in ("return", "suspend"):
            kw["reason"] = p.get("reason", "")
        label = TASK[action].label

        def act():
            return services.move_task(request.user, task, action, **kw)
    else:
        raise Http404("未知的操作。")
    return run_action(request, act, success=f"已{label}。", to=("tasks:detail", task.pk))


@login_required
@require_POST
def task_report(request, pk):
    task = queries.get_task(request.user, pk)
    p = request.POST
    milestone = None
    mid = _int(p.get("milestone"))
    if mid is not None:
        milestone = queries.milestones(task).filter(pk=mid).first()
        if milestone is None:
            messages.error(request, "节点不属于此任务。")
            return redirect("tasks:detail", task.pk)
    return run_action(
        request,
        lambda: services.report_progress(
            request.user,
            task,
            text=p.get("text", ""),
            percent=p.get("percent") or None,
            milestone=milestone,
            attachment=request.FILES.get("attachment"),
        ),  # fmt: skip
        success="进展已报送。",
        to=("tasks:detail", task.pk),
    )


@login_required
@require_POST
def task_split(request, pk):
    task = queries.get_task(request.user, pk)
    p = request.POST
    units = {u.pk: u for u in queries.units_under(task.zone)}
    lead = units.get(_int(p.get("lead_unit")))
    data = {"title": p.get("title", ""), "measures": p.get("measures", ""), "lead_unit": lead,
            "deadline": p.get("deadline") or None}  # fmt: skip
    return run_action(
        request,
        lambda: services.split_task(request.user, task, data),
        success=lambda c: f"已分解子任务“{c.title}”，交{c.lead_unit.name}办理。",
        to=lambda c: ("tasks:detail", c.pk) if c else ("tasks:detail", task.pk),
    )


@login_required
@require_POST
def task_notice(request, pk):
    task = queries.get_task(request.user, pk)
    p = request.POST
    return run_action(
        request,
        lambda: services.issue_notice(
            request.user, task, body=p.get("body", ""), reply_wd=p.get("reply_wd") or 3
        ),
        success=lambda n: f"督办单{n.number}已下发。",
        to=("tasks:detail", task.pk),
    )


@login_required
@require_POST
def notice_reply(request, pk):
    notice = queries.get_notice(request.user, pk)
    return run_action(
        request,
        lambda: services.reply_notice(request.user, notice, reply=request.POST.get("reply", "")),
        success="回执已提交。",
        to=("tasks:detail", notice.task_id),
    )


@login_required
def task_new(request):
    """A task that does not come from an uploaded document: a meeting's decision, a leader's
    批示, a target agreement (督查室)."""
    require(request.user, "tasks.manage")
    zones = list(queries.zones(request.user))
    if not zones:
        raise Http404("没有可交办任务的单位。")
    zone = next(
        (z for z in zones if z.pk == _int(request.GET.get("zone") or request.POST.get("zone"))),
        None,
    )
    zone = zone or next((z for z in zones if z.kind == "zone"), zones[0])
    units = list(queries.units_under(zone))
    errors, data = {}, {}
    if request.method == "POST":
        p = request.POST
        by_pk = {u.pk: u for u in units}
        data = {k: p.get(k, "") for k in ("title", "measures", "leader_name", "person_name",
                "deadline", "recurrence", "cadence", "level", "target", "source_kind",
                "source_ref", "lead_unit", "nodes")}  # fmt: skip
        task_data = {
            **data,
            "lead_unit": by_pk.get(_int(p.get("lead_unit"))),
            "support_units": [
                by_pk[i] for i in map(_int, p.getlist("support_units")) if i in by_pk
            ],
            "deadline": data["deadline"] or None,
        }
        try:
            t = services.create_task(
                request.user, zone, task_data, nodes=services.parse_nodes(data["nodes"])
            )
        except ValidationError as exc:
            errors = {k: "；".join(v) for k, v in exc.message_dict.items()}
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "任务已交办。")
            return redirect("tasks:detail", t.pk)
    return render(
        request,
        "tasks/new.html",
        {
            "zone": zone, "zones": zones, "units": units, "errors": errors, "data": data,
            "recurrences": Recurrence.choices, "cadences": Cadence.choices,
            "levels": TaskLevel.choices, "kinds": SourceKind.choices,
        },
    )  # fmt: skip


EDIT_FIELDS = ("title", "measures", "leader_name", "person_name", "deadline", "recurrence",
               "cadence", "level", "target")  # fmt: skip


@login_required
def task_edit(request, pk):
    """修改任务 (督查室): the fields of a task against the version the editor saw; the lead unit
    only while the task waits to be accepted."""
    require(request.user, "tasks.manage")
    task = queries.get_task(request.user, pk)
    units = list(queries.units_under(task.zone))
    errors: dict = {}
    data = {f: getattr(task, f) for f in EDIT_FIELDS}
    data["deadline"] = task.deadline.isoformat() if task.deadline else ""
    data["lead_unit"] = str(task.lead_unit_id)
    data["support"] = {u.pk for u in task.support_units.all()}
    data["version"] = task.version
    if request.method == "POST":
        p = request.POST
        by_pk = {u.pk: u for u in units}
        data = {f: p.get(f, "") for f in EDIT_FIELDS}
        data["lead_unit"] = p.get("lead_unit", "")
        data["support"] = {i for i in map(_int, p.getlist("support_units")) if i in by_pk}
        data["version"] = p.get("version")
        change = {f: data[f] for f in EDIT_FIELDS}
        change["deadline"] = data["deadline"] or None
        change["lead_unit"] = by_pk.get(_int(data["lead_unit"]))
        change["support_units"] = [by_pk[i] for i in sorted(data["support"])]
        try:
            services.update_task(request.user, task, change, version=data["version"])
        except ValidationError as exc:
            errors = {k: "；".join(v) for k, v in exc.message_dict.items()}
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "任务已修改。")
            return redirect("tasks:detail", task.pk)
    return render(
        request,
        "tasks/edit.html",
        {
            "t": task, "units": units, "errors": errors, "data": data,
            "recurrences": Recurrence.choices, "cadences": Cadence.choices,
            "levels": TaskLevel.choices,
        },
    )  # fmt: skip


@login_required
def report_file(request, pk):
    """The attachment of a progress report, for whoever may see its task."""
    from django.http import FileResponse

    require(request.user, "tasks.view")
    rep = queries.get_report(request.user, pk)
    if not rep.attachment:
        raise Http404("此进展报告没有附件。")
    return FileResponse(
        rep.attachment.open("rb"), as_attachment=True, filename=rep.attachment_name or "附件"
    )
