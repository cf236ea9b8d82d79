"""Reports: the phone form, the lists, review (return, accept), photos, 催报."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu.engine import periods as P
from diaodu.engine.cleaning import CleaningError
from diaodu.engine.locking import version_given
from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as project_queries
from diaodu.supervision import figures, forms, queries, services
from diaodu.supervision.filters import ReportFilterSet
from diaodu.supervision.models import (
    ReportStatus,
)
from diaodu.viewkit import error_texts, run_action

from .common import _ctx, _page, _resolve


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
    qs = (
        queries.period_reports(request.user, unit, period)
        if unit
        else queries.reports(request.user, period=period)
    )
    fs = ReportFilterSet(request.GET, queryset=qs, request=request)  # a bad value is ignored
    qs = fs.qs
    status = fs.form.cleaned_data.get("status") or ""
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
    errors, data = {}, {}
    if request.method == "POST":
        data = forms.pick(request.POST, forms.REPORT_FIELDS + ("client_key",))
        try:
            report = services.file_report(
                request.user,
                project,
                data,
                photo_files=request.FILES.getlist("photos"),
                problems=forms.problem_drafts(request.POST),
                client_key=data.get("client_key", ""),
            )
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            name = f"《{project.name}》{report.period_obj.name}周报"
            if getattr(report, "replayed", False):
                messages.info(
                    request,
                    gettext("%(name)s此前已报送成功，本次重复提交未再保存。") % {"name": name},
                )
            else:
                messages.success(
                    request, name + ("已报送（逾期报送）。" if report.is_late else "已报送。")
                )
            return redirect("supervision:report", report.pk)
    cycle = queries.cycle_for_project(project)
    period = _period_for(request, cycle)
    if request.method == "GET":
        existing = queries.report_of(project, period) if cycle else None
        if existing is not None:
            return redirect("supervision:report", existing.pk)
    if not data.get("client_key") or "client_key" in errors:
        # one key per filled form: a retry of this very submission is recognised as such
        data["client_key"] = uuid.uuid4().hex
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
            "last": figures.last_counted_report(project, period),
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
        messages.error(request, gettext("只有被退回的周报才能修改后重新报送。"))
        return redirect("supervision:report", report.pk)
    errors = {}
    data = {
        "progress_text": report.progress_text,
        "invested": report.invested,
        "reduction_note": report.reduction_note,
        "next_plan": report.next_plan,
        "version": report.version,
    }
    if request.method == "POST":
        data = forms.pick(request.POST, forms.REPORT_FIELDS)
        try:
            version_given(data.get("version"), "周报")  # a resubmission is an update
            services.resubmit_report(
                request.user,
                report,
                data,
                photo_files=request.FILES.getlist("photos"),
                remove_photos=request.POST.getlist("remove_photo"),
                problems=forms.problem_drafts(request.POST),
            )
        except CleaningError as exc:
            errors = exc.as_dict()
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(request, gettext("周报已修改并重新报送。"))
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
            "last": figures.last_counted_report(report.project, report.period_obj),
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
    return run_action(
        request,
        lambda: services.return_report(
            request.user,
            report,
            request.POST.get("reason", ""),
            version=request.POST.get("version"),
        ),
        success="周报已退回，填报人将收到通知。",
        to=("supervision:report", report.pk),
    )


@login_required
@require_POST
def report_accept(request, pk: int):
    report = queries.get_report(request.user, pk)
    return run_action(
        request,
        lambda: services.accept_report(request.user, report, version=request.POST.get("version")),
        success="周报已审核通过。",
        to=("supervision:report", report.pk),
    )


@login_required
@require_POST
def report_correct(request, pk: int):
    """提交更正 of an accepted report (a reviewer other than the submitter accepts it)."""
    report = queries.get_report(request.user, pk)
    data = {k: request.POST[k] for k in ("invested", "progress_text") if request.POST.get(k)}
    return run_action(
        request,
        lambda: services.correct_report(
            request.user, report, data, reason=request.POST.get("reason", "")
        ),
        success="更正已提交，审核通过后生效。",
        to=("supervision:report", report.pk),
    )


@login_required
@require_POST
def correction_review(request, pk: int, number: int):
    report = queries.get_report(request.user, pk)
    correction = report.corrections.filter(number=number).first()
    if correction is None:
        raise Http404("更正不存在。")
    accept = request.POST.get("decision") == "accept"
    return run_action(
        request,
        lambda: services.review_correction(
            request.user, correction, accept=accept, note=request.POST.get("note", "")
        ),
        success="更正已审核通过，投资合计与亮灯已更新。" if accept else "更正未通过。",
        to=("supervision:report", report.pk),
    )


@login_required
@require_POST
def report_photos(request, pk: int):
    report = queries.get_report(request.user, pk)
    return run_action(
        request,
        lambda: services.add_photos(request.user, report, request.FILES.getlist("photos")),
        success=lambda added: f"已补充 {len(added)} 张照片。",
        to=("supervision:report", report.pk),
    )


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
    return run_action(
        request,
        lambda: services.remind(
            request.user, unit, period, [int(i) for i in ids if i.isdigit()] if ids else None
        ),
        success=lambda sent: (
            f"已向 {len(sent)} 个未报送项目发出催报。" if sent else "没有需要催报的项目。"
        ),
        to=lambda _: redirect(
            f"{reverse('supervision:missing')}?{urlencode({'unit': unit.pk, 'period': period.code})}"
        ),
    )
