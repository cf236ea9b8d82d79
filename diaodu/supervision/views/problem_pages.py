"""Problems (问题清单): list, new, detail, moves and statistics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu import clock
from diaodu.engine import cleaning
from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as project_queries
from diaodu.supervision import queries, services
from diaodu.supervision.filters import ProblemFilterSet
from diaodu.supervision.flows import EXTENSION, RUNNING_STATES
from diaodu.supervision.models import EvidenceKind, ProblemStatus
from diaodu.viewkit import error_texts, run_action

from .common import _page


# ================================================================ problems
def _problem_filter(request):
    """The list's filter from the query string (the FilterSet the API list shares); a value it
    cannot use is ignored, as the page always did."""
    return ProblemFilterSet(request.GET, request=request).filter


def _int(value):
    return cleaning.integer_or(value, -1)


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
    extension = []
    if pr.status in RUNNING_STATES:
        extension = [
            m.name
            for m in services.allowed_moves(
                request.user, pr, machine=EXTENSION, state=pr.extension_state
            )
        ]
    return render(
        request,
        "supervision/problem.html",
        {
            "pr": pr,
            "events": queries.problem_events(pr),
            "files": queries.problem_files(pr),
            "extension": extension,
            "evidence_kinds": EvidenceKind.choices,
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
    v = p.get("version")  # the version the page showed: a move over another's is refused

    def act():
        if action == "assign":
            unit = queries.departments().filter(pk=_int(p.get("unit"))).first()
            services.assign_problem(
                request.user,
                pr,
                unit=unit,
                deadline_wd=p.get("deadline_wd"),
                note=p.get("note", ""),
                version=v,
            )
        elif action == "start":
            services.start_problem(request.user, pr, note=p.get("note", ""), version=v)
        elif action == "resolve":
            services.resolve_problem(
                request.user,
                pr,
                answer=p.get("answer", ""),
                files=request.FILES.getlist("files"),
                evidence_kind=p.get("evidence_kind", ""),
                evidence_note=p.get("evidence_note", ""),
                version=v,
            )
        elif action == "close":
            services.close_problem(
                request.user,
                pr,
                satisfaction=p.get("satisfaction") or None,
                note=p.get("note", ""),
                version=v,
            )
        elif action == "return":
            services.return_problem(request.user, pr, reason=p.get("reason", ""), version=v)
        elif action == "send_back":
            services.send_back_problem(request.user, pr, reason=p.get("reason", ""), version=v)
        elif action == "request_extension":
            services.request_extension(
                request.user,
                pr,
                new_due=p.get("new_due", ""),
                reason=p.get("reason", ""),
                version=v,
            )
        elif action in ("approve_extension", "refuse_extension"):
            services.decide_extension(
                request.user,
                pr,
                approve=action == "approve_extension",
                reason=p.get("reason", ""),
                version=v,
            )
        elif action == "escalate":
            services.escalate_problem(request.user, pr, note=p.get("note", ""), version=v)
        elif action == "rate":
            services.rate_problem(
                request.user, pr, p.get("satisfaction"), p.get("note", ""), version=v
            )
        else:
            raise Http404("未知的操作。")
        return True

    def to(done):
        if done and not queries.problems(request.user).filter(pk=pr.pk).exists():
            return "supervision:problems"  # 退回交办: no longer this department's
        return ("supervision:problem", pr.pk)

    return run_action(
        request,
        act,
        success=lambda _: DONE.get(action) or f"已{services.ACTION_LABELS[action]}。",
        to=to,
    )


DONE = {
    "escalate": "已升级督办。",
    "rate": "感谢评价。",
    "send_back": "已退回交办，督查室将重新交办。",
    "request_extension": "延期申请已提交，等待督查室审批。",
    "approve_extension": "已批准延期，办结时限已更新。",
    "refuse_extension": "已不予延期。",
}


@login_required
def problem_file(request, pk: int):
    """An evidence file of a problem, for whoever may see the problem."""
    att = queries.get_problem_file(request.user, pk)
    try:
        fh = att.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已丢失。") from None
    inline = att.content_type in ("application/pdf", "image/jpeg", "image/png")
    return FileResponse(
        fh, as_attachment=not inline, filename=att.original_name, content_type=att.content_type
    )


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
