"""Pages of the weekly loop: the period summary, the phone report form, reports and their review,
催报, contact logs, lights, the problem list, meetings with agenda and action items, rules, and the
bulletin downloads. Reads go through queries (scoped), writes through services (audited)."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from diaodu.audit.services import record
from diaodu.engine import stages as S
from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as project_queries
from diaodu.supervision import bulletin, clock, forms, queries, services
from diaodu.supervision import periods as P
from diaodu.supervision.models import (
    ActionStatus,
    AgendaItem,
    ContactMethod,
    LightColor,
    ProblemStatus,
    ReportStatus,
)

PAGE = 50


def _page(request, qs, size=PAGE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _ctx(request, unit=None, period=None, cycle=None, **extra) -> dict:
    s = scope_for(request.user)
    ctx = {
        "s": s,
        "unit": unit,
        "period": period,
        "cycle": cycle,
        "units": queries.unit_choices(request.user),
    }
    if period is not None:
        ctx["prev"], ctx["next"] = period.previous(), period.next()
        ctx["q"] = urlencode({"unit": unit.pk if unit else "", "period": period.code})
    ctx.update(extra)
    return ctx


def _resolve(request):
    try:
        return queries.resolve(
            request.user,
            request.GET.get("unit") or request.POST.get("unit"),
            request.GET.get("period") or request.POST.get("period"),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return queries.resolve(
            request.user, request.GET.get("unit") or request.POST.get("unit"), None
        )


def _back(request, default: str):
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/supervision/") else default)


def _flash(request, exc: ValidationError):
    messages.error(request, "；".join(forms.errors_of(exc).values()))


# ================================================================ summary
@login_required
def summary(request):
    require(request.user, "projects.view")
    unit, cycle, period = _resolve(request)
    if unit is None:
        raise Http404("没有可查看的单位。")
    sm = queries.summary(request.user, unit, period)
    return render(
        request,
        "supervision/summary.html",
        _ctx(
            request,
            unit,
            period,
            cycle,
            sm=sm,
            overview=bulletin.overview_text(sm),
            lights_text=bulletin.lights_text(sm),
            problems_text=bulletin.problems_text(sm),
            reminders_text=bulletin.reminders_text(sm),
            next_text=bulletin.next_text(sm),
        ),
    )


# ================================================================ reports
@login_required
def my_reports(request):
    """The secretary's phone page: this period's projects and whether each is filed."""
    require(request.user, "reports.file")
    unit, cycle, period = _resolve(request)
    rows = queries.my_projects(request.user, period)
    return render(
        request,
        "supervision/my.html",
        _ctx(request, unit, period, cycle, rows=rows, current=queries.current_period(cycle)),
    )


@login_required
def reports(request):
    require(request.user, "projects.view")
    unit, cycle, period = _resolve(request)
    status = request.GET.get("status", "")
    status = status if status in ReportStatus.values else ""
    late = {"1": True, "0": False}.get(request.GET.get("late", ""))
    qs = (
        queries.period_reports(request.user, unit, period)
        if unit
        else queries.reports(request.user, period=period)
    )
    if status:
        qs = qs.filter(status=status)
    if late is not None:
        qs = qs.filter(is_late=late)
    return render(
        request,
        "supervision/reports.html",
        _ctx(
            request,
            unit,
            period,
            cycle,
            page=_page(request, qs),
            status=status,
            late=request.GET.get("late", ""),
            statuses=ReportStatus.choices,
        ),
    )


def _period_for(request, cycle):
    """The period asked for in ?period= (the cycle's kind), else the current one."""
    code = request.GET.get("period")
    if cycle is not None and code:
        try:
            return P.parse(code, cycle.frequency)
        except ValueError as exc:
            messages.error(request, str(exc))
    return queries.current_period(cycle)


@login_required
def report_new(request, project_id: int):
    require(request.user, "reports.file")
    project = project_queries.get(request.user, project_id)
    cycle = queries.cycle_for_project(project)
    period = _period_for(request, cycle)
    existing = queries.report_of(project, period) if cycle else None
    if existing is not None and request.method == "GET":
        return redirect("supervision:report", existing.pk)
    errors, data = {}, {}
    if request.method == "POST":
        data = forms.pick(request.POST, forms.REPORT_FIELDS)
        try:
            report = services.file_report(
                request.user,
                project,
                data,
                photo_files=request.FILES.getlist("photos"),
                problems=forms.problem_drafts(request.POST),
            )
        except ValidationError as exc:
            errors = forms.errors_of(exc)
        else:
            messages.success(
                request,
                f"《{project.name}》{report.period_obj.name}周报已报送"
                + ("（逾期报送）。" if report.is_late else "。"),
            )
            return redirect("supervision:report", report.pk)
    return render(
        request,
        "supervision/report_form.html",
        {
            "project": project,
            "cycle": cycle,
            "period": period,
            "errors": errors,
            "data": data,
            "report": None,
            "deadline": cycle.deadline_of(period) if cycle else None,
            "types": queries.problem_types(),
            "departments": queries.departments(),
            "can_raise": scope_for(request.user).has("problems.raise"),
        },
    )


@login_required
def report_edit(request, pk: int):
    report = queries.get_report(request.user, pk)
    require(request.user, "reports.file")
    if report.status != ReportStatus.RETURNED:
        messages.error(request, "只有被退回的周报才能修改后重新报送。")
        return redirect("supervision:report", report.pk)
    errors = {}
    data = {
        "progress_text": report.progress_text,
        "invested": report.invested,
        "next_plan": report.next_plan,
        "version": report.version,
    }
    if request.method == "POST":
        data = forms.pick(request.POST, forms.REPORT_FIELDS)
        try:
            services.resubmit_report(
                request.user,
                report,
                data,
                photo_files=request.FILES.getlist("photos"),
                remove_photos=request.POST.getlist("remove_photo"),
                problems=forms.problem_drafts(request.POST),
            )
        except ValidationError as exc:
            errors = forms.errors_of(exc)
        else:
            messages.success(request, "周报已修改并重新报送。")
            return redirect("supervision:report", report.pk)
    return render(
        request,
        "supervision/report_form.html",
        {
            "project": report.project,
            "cycle": report.cycle,
            "period": report.period_obj,
            "errors": errors,
            "data": data,
            "report": report,
            "photos": list(report.photos.all()),
            "deadline": report.deadline,
            "types": queries.problem_types(),
            "departments": queries.departments(),
            "can_raise": scope_for(request.user).has("problems.raise"),
        },
    )


@login_required
def report_detail(request, pk: int):
    require(request.user, "projects.view")
    report = queries.get_report(request.user, pk)
    s = scope_for(request.user)
    return render(
        request,
        "supervision/report.html",
        {
            "r": report,
            **queries.report_detail(report),
            "can_review": s.has("reports.review"),
            "can_file": s.has("reports.file"),
            "period": report.period_obj,
        },
    )


@login_required
@require_POST
def report_return(request, pk: int):
    report = queries.get_report(request.user, pk)
    try:
        services.return_report(request.user, report, request.POST.get("reason", ""))
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "周报已退回，填报人将收到通知。")
    return redirect("supervision:report", report.pk)


@login_required
@require_POST
def report_accept(request, pk: int):
    report = queries.get_report(request.user, pk)
    try:
        services.accept_report(request.user, report)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "周报已审核通过。")
    return redirect("supervision:report", report.pk)


@login_required
@require_POST
def report_photos(request, pk: int):
    report = queries.get_report(request.user, pk)
    try:
        added = services.add_photos(request.user, report, request.FILES.getlist("photos"))
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"已补充 {len(added)} 张照片。")
    return redirect("supervision:report", report.pk)


def _serve(photo, field):
    f = getattr(photo, field)
    if not f:
        raise Http404("照片不存在。")
    try:
        fh = f.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("照片文件已丢失。") from None
    resp = FileResponse(fh, content_type=photo.content_type if field == "file" else "image/jpeg")
    resp["Cache-Control"] = "private, max-age=3600"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@login_required
def photo(request, pk: int):
    return _serve(queries.get_photo(request.user, pk), "file")


@login_required
def photo_thumb(request, pk: int):
    return _serve(queries.get_photo(request.user, pk), "thumb")


# ================================================================ 催报
@login_required
def missing(request):
    require(request.user, "projects.view")
    unit, cycle, period = _resolve(request)
    rows = queries.missing(request.user, unit, period) if unit else []
    by_unit, by_person = queries.group_missing(rows)
    return render(
        request,
        "supervision/missing.html",
        _ctx(
            request,
            unit,
            period,
            cycle,
            rows=rows,
            by_unit=by_unit,
            by_person=by_person,
            deadline=cycle.deadline_of(period) if cycle else None,
            can_remind=scope_for(request.user).has("reports.review"),
        ),
    )


@login_required
@require_POST
def remind(request):
    unit, cycle, period = _resolve(request)
    ids = request.POST.getlist("project")
    try:
        sent = services.remind(
            request.user, unit, period, [int(i) for i in ids if i.isdigit()] if ids else None
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(
            request, f"已向 {len(sent)} 个未报送项目发出催报。" if sent else "没有需要催报的项目。"
        )
    return redirect(
        f"{reverse('supervision:missing')}?{urlencode({'unit': unit.pk, 'period': period.code})}"
    )


# ================================================================ contacts
@login_required
def contacts(request):
    require(request.user, "projects.view")
    unit, cycle, period = _resolve(request)
    qs = queries.contacts(request.user, unit=unit, since=period.start, until=period.end)
    return render(
        request,
        "supervision/contacts.html",
        _ctx(
            request,
            unit,
            period,
            cycle,
            page=_page(request, qs),
            without=queries.without_contact(request.user, unit, period, cycle) if unit else [],
            methods=dict(ContactMethod.choices),
        ),
    )


@login_required
def contact_new(request):
    require(request.user, "reports.file")
    projects = (
        project_queries.visible(request.user)
        .filter(stage__in=S.ACTIVE)
        .select_related("unit")
        .order_by("unit__path", "name_key")[:300]
    )
    errors, data = {}, {"project": request.GET.get("project", "")}
    if request.method == "POST":
        data = {
            **forms.pick(request.POST, forms.CONTACT_FIELDS),
            "project": request.POST.get("project", ""),
        }
        try:
            project = (
                project_queries.get(request.user, data["project"]) if data["project"] else None
            )
            if project is None:
                raise ValidationError({"project": "请选择项目。"})
            services.log_contact(
                request.user, project, data, problems=forms.problem_drafts(request.POST)
            )
        except ValidationError as exc:
            errors = forms.errors_of(exc)
        else:
            messages.success(request, f"已记录与《{project.name}》的对接。")
            return redirect("supervision:contacts")
    return render(
        request,
        "supervision/contact_form.html",
        {
            "projects": projects,
            "errors": errors,
            "data": data,
            "methods": ContactMethod.choices,
            "today": clock.today(),
            "types": queries.problem_types(),
            "departments": queries.departments(),
            "can_raise": scope_for(request.user).has("problems.raise"),
        },
    )


# ================================================================ lights
@login_required
def lights(request):
    require(request.user, "projects.view")
    unit, cycle, period = _resolve(request)
    color = request.GET.get("color", "")
    color = color if color in LightColor.values else ""
    rows = (
        queries.sort_lights(queries.period_lights(request.user, unit, period, color))
        if unit
        else []
    )
    s = scope_for(request.user)
    return render(
        request,
        "supervision/lights.html",
        _ctx(
            request,
            unit,
            period,
            cycle,
            rows=rows,
            color=color,
            colors=LightColor.choices,
            can_compute=s.has("reports.review") or s.has("supervision.rules"),
            can_override=s.has("lights.override"),
        ),
    )


@login_required
@require_POST
def lights_compute(request):
    unit, cycle, period = _resolve(request)
    if cycle is None:
        messages.error(request, "该单位尚未设置报送周期。")
    else:
        try:
            run = services.compute_lights(request.user, cycle, period, unit=unit)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(
                request,
                f"{period.name}亮灯已计算：红灯 {run.red} 个、黄灯 {run.yellow} 个、绿灯 {run.green} 个。",
            )
    return redirect(
        f"{reverse('supervision:lights')}?{urlencode({'unit': unit.pk, 'period': period.code})}"
    )


@login_required
@require_POST
def light_override(request, pk: int):
    light = queries.get_light(request.user, pk)
    try:
        services.override_light(
            request.user, light, request.POST.get("color", ""), request.POST.get("reason", "")
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, f"《{light.project.name}》的亮灯已调整。")
    return _back(request, reverse("supervision:lights"))


# ================================================================ problems
def _problem_filter(request):
    g = request.GET
    f = queries.ProblemFilter(
        status=g.get("status") if g.get("status") in ProblemStatus.values else "",
        type_code=(g.get("type") or "")[:20],
        overdue=g.get("overdue") == "1",
        escalated=g.get("escalated") == "1",
        open_only=g.get("open") == "1",
        mine=g.get("mine") == "1",
        text=(g.get("q") or "").strip()[:100],
    )
    if g.get("unit"):
        f.unit = queries.get_unit(request.user, g["unit"])
    if g.get("responsible"):
        f.responsible = queries.departments().filter(pk=_int(g["responsible"])).first()
    return f


def _int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return -1


@login_required
def problems(request):
    s = scope_for(request.user)
    if not (s.has("projects.view") or s.has("problems.handle")):
        require(request.user, "projects.view")
    f = _problem_filter(request)
    qs = queries.problems(request.user, f)
    base = request.GET.copy()
    base.pop("page", None)
    return render(
        request,
        "supervision/problems.html",
        {
            "page": _page(request, qs),
            "f": f,
            "statuses": ProblemStatus.choices,
            "types": queries.problem_types(),
            "departments": queries.departments(),
            "units": queries.unit_choices(request.user),
            "query": base.urlencode(),
            "can_raise": s.has("problems.raise"),
            "today": clock.today(),
        },
    )


@login_required
def problem_new(request):
    require(request.user, "problems.raise")
    projects = (
        project_queries.visible(request.user)
        .select_related("unit")
        .order_by("unit__path", "name_key")[:500]
    )
    errors, data = {}, {"project": request.GET.get("project", "")}
    if request.method == "POST":
        data = {
            k: request.POST.get(k, "")
            for k in ("project", "title", "type_code", "description", "suggested_unit")
        }
        try:
            project = (
                project_queries.get(request.user, data["project"]) if data["project"] else None
            )
            if project is None:
                raise ValidationError({"project": "请选择项目。"})
            unit = (
                queries.departments().filter(pk=_int(data["suggested_unit"])).first()
                if data["suggested_unit"]
                else None
            )
            pr = services.raise_problem(
                request.user,
                project,
                title=data["title"],
                type_code=data["type_code"],
                description=data["description"],
                suggested_unit=unit,
            )
        except ValidationError as exc:
            errors = forms.errors_of(exc)
        else:
            messages.success(request, "问题已提出，等待交办。")
            return redirect("supervision:problem", pr.pk)
    return render(
        request,
        "supervision/problem_form.html",
        {
            "projects": projects,
            "errors": errors,
            "data": data,
            "types": queries.problem_types(),
            "departments": queries.departments(),
        },
    )


@login_required
def problem_detail(request, pk: int):
    pr = queries.get_problem(request.user, pk)
    s = scope_for(request.user)
    today = clock.today()
    own = queries.own_unit_ids(request.user)
    may_handle = s.has("problems.handle") and (s.all_units or pr.responsible_unit_id in own)
    may_close = s.user_id == pr.raised_by_id or s.has("problems.assign")
    actions = []
    for action, (sources, _target) in services.MOVES.items():
        if pr.status not in sources:
            continue
        if (
            action == "assign"
            and s.has("problems.assign")
            or action in ("start", "resolve")
            and may_handle
            or action in ("close", "return")
            and may_close
        ):
            actions.append(action)
    return render(
        request,
        "supervision/problem.html",
        {
            "pr": pr,
            "events": queries.problem_events(pr),
            "actions": actions,
            "labels": services.ACTION_LABELS,
            "departments": queries.departments(),
            "overdue": pr.is_overdue(today),
            "can_escalate": s.has("problems.assign")
            and pr.status in ("assigned", "in_progress", "returned")
            and pr.escalation_level < 3,
            "can_rate": s.user_id == pr.raised_by_id and pr.status in ("resolved", "closed"),
            "project_visible": project_queries.visible(request.user)
            .filter(pk=pr.project_id)
            .exists(),
        },
    )


@login_required
@require_POST
def problem_move(request, pk: int, action: str):
    pr = queries.get_problem(request.user, pk)
    p = request.POST
    try:
        if action == "assign":
            unit = queries.departments().filter(pk=_int(p.get("unit"))).first()
            services.assign_problem(
                request.user,
                pr,
                unit=unit,
                deadline_wd=p.get("deadline_wd"),
                note=p.get("note", ""),
            )
        elif action == "start":
            services.start_problem(request.user, pr, note=p.get("note", ""))
        elif action == "resolve":
            services.resolve_problem(request.user, pr, answer=p.get("answer", ""))
        elif action == "close":
            services.close_problem(
                request.user, pr, satisfaction=p.get("satisfaction") or None, note=p.get("note", "")
            )
        elif action == "return":
            services.return_problem(request.user, pr, reason=p.get("reason", ""))
        elif action == "escalate":
            services.escalate_problem(request.user, pr, note=p.get("note", ""))
        elif action == "rate":
            services.rate_problem(request.user, pr, p.get("satisfaction"), p.get("note", ""))
        else:
            raise Http404("未知的操作。")
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(
            request,
            {"escalate": "已升级督办。", "rate": "感谢评价。"}.get(
                action, f"已{services.ACTION_LABELS.get(action, '')}。"
            ),
        )
    return redirect("supervision:problem", pr.pk)


@login_required
def problem_stats(request):
    require(request.user, "projects.view")
    unit = queries.get_unit(request.user, request.GET["unit"]) if request.GET.get("unit") else None
    by = "type" if request.GET.get("by") == "type" else "unit"
    rows = queries.problem_stats(request.user, by=by, unit=unit)
    return render(
        request,
        "supervision/problem_stats.html",
        {"rows": rows, "by": by, "unit": unit, "units": queries.unit_choices(request.user)},
    )


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
            errors = forms.errors_of(exc)
        else:
            messages.success(request, f"已建立“{m.title}”，议程已自动生成。")
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
    try:
        if op == "add":
            services.add_agenda_item(
                request.user,
                m,
                title=request.POST.get("title", ""),
                detail=request.POST.get("detail", ""),
            )
        elif op == "rebuild":
            n = services.build_agenda(request.user, m)
            messages.success(request, f"议程已更新，新增 {n} 项。")
        elif op in ("remove", "up", "down"):
            item = AgendaItem.objects.filter(meeting=m, pk=_int(request.POST.get("item"))).first()
            if item is None:
                raise Http404("议题不存在。")
            if op == "remove":
                services.remove_agenda_item(request.user, item)
            else:
                services.move_agenda_item(request.user, item, op)
        else:
            raise Http404("未知的操作。")
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("supervision:meeting", m.pk)


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
    try:
        services.add_action_item(request.user, m, data)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "议定事项已记录，责任人将收到通知。")
    return redirect("supervision:meeting", m.pk)


@login_required
@require_POST
def meeting_held(request, pk: int):
    m = queries.get_meeting(request.user, pk)
    services.hold_meeting(request.user, m, minutes=request.POST.get("minutes", ""))
    messages.success(request, "会议纪要已保存。")
    return redirect("supervision:meeting", m.pk)


@login_required
def actions(request):
    status = request.GET.get("status", "open")
    status = status if status in ActionStatus.values else ""
    qs = queries.action_items(request.user, status=status)
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
    try:
        services.close_action_item(request.user, item, result=request.POST.get("result", ""))
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, "议定事项已完成。")
    return _back(request, reverse("supervision:actions"))


# ================================================================ rules
@login_required
def rules(request):
    require(request.user, "supervision.rules")
    unit = (
        queries.get_unit(request.user, request.GET.get("unit") or request.POST.get("unit"))
        if (request.GET.get("unit") or request.POST.get("unit"))
        else queries.default_unit(request.user)
    )
    cycle = queries.cycle_for_unit(unit, below=False) if unit else None
    if cycle is not None and cycle.unit_id != unit.pk:
        unit = cycle.unit
    errors = {}
    if request.method == "POST":
        data = forms.pick(request.POST, forms.CYCLE_FIELDS)
        data["light_rules"] = forms.rules_from(request.POST)
        data["is_active"] = request.POST.get("is_active") == "on"
        try:
            cycle = services.save_cycle(request.user, unit, data)
        except ValidationError as exc:
            errors = forms.errors_of(exc)
        else:
            messages.success(request, f"{unit.name}的报送周期与亮灯规则已保存。")
            return redirect(f"{reverse('supervision:rules')}?unit={unit.pk}")
    from diaodu.engine.lights import LightRules

    return render(
        request,
        "supervision/rules.html",
        {
            "unit": unit,
            "cycle": cycle,
            "errors": errors,
            "units": queries.unit_choices(request.user),
            "lr": (queries.rules_of(cycle) if cycle else LightRules()).to_dict(),
            "weekdays": list(enumerate(P.WEEKDAYS)),
            "post": request.POST if request.method == "POST" else None,
        },
    )


# ================================================================ bulletin
def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


@login_required
def bulletin_docx(request):
    require(request.user, "bulletins.export")
    unit, _cycle, period = _resolve(request)
    data = bulletin.build_docx(request.user, unit, period)
    record(
        "bulletin.export", unit, after={"period": period.code, "format": "docx"}, only_changes=False
    )
    return _download(
        data,
        bulletin.filenames(unit, period)[0],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
def ledger_xlsx(request):
    require(request.user, "bulletins.export")
    unit, _cycle, period = _resolve(request)
    data = bulletin.build_xlsx(request.user, unit, period)
    record(
        "bulletin.export", unit, after={"period": period.code, "format": "xlsx"}, only_changes=False
    )
    return _download(
        data,
        bulletin.filenames(unit, period)[1],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
