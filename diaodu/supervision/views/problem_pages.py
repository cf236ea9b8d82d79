"""Problems (问题清单): list, new, detail, moves and statistics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu import clock
from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as project_queries
from diaodu.supervision import queries, services
from diaodu.supervision.flows import RUNNING_STATES
from diaodu.supervision.models import (
    ProblemStatus,
)
from diaodu.viewkit import error_texts

from .common import _flash, _page


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
            errors = error_texts(exc)
        else:
            messages.success(request, gettext("问题已提出，等待交办。"))
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
    actions = [m.name for m in services.allowed_moves(request.user, pr)]
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
            and pr.status in RUNNING_STATES
            and pr.escalation_level < services.TOP,
            "can_rate": s.user_id == pr.raised_by_id and pr.status in ("resolved", "closed"),
            "is_raiser": s.user_id == pr.raised_by_id,  # only the raiser rates: no field otherwise
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
