"""Monthly values (月度完成值): entry, template, import, missing list, reminders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu import clock, uploads
from diaodu.org.scope import require, scope_for
from diaodu.targets import exports, queries, services
from diaodu.targets.forms import (
    UploadForm,
)
from diaodu.targets.models import MonthlyValue
from diaodu.viewkit import error_list, error_text, run_action

from .common import XLSX, _download, _int, _unit_param, _year, _years


# ---------------------------------------------------------------- monthly values
def _entry_units(user, year):
    return [a for a in queries.effective_agreements(user, year) if queries.entered_items(a)]


@login_required
def monthly(request):
    require(request.user, "targets.enter")
    today = clock.today()
    year = _year(request)
    month = _int(
        request.GET.get("month") or request.POST.get("month"),
        today.month - 1 if today.month > 1 and year == today.year else 12,
    )
    month = min(max(month or 1, 1), 12)
    choices = _entry_units(request.user, year)
    unit_id = _int(request.GET.get("unit") or request.POST.get("unit"))
    agreement = next((a for a in choices if a.unit_id == unit_id), choices[0] if choices else None)
    if unit_id and (agreement is None or agreement.unit_id != unit_id):
        raise Http404("单位不存在、无权填报或没有需要填报的指标。")
    items = queries.entered_items(agreement) if agreement else []
    errors = []
    if request.method == "POST" and agreement is not None:
        values = {i.indicator: request.POST.get(f"value_{i.indicator_id}", "") for i in items}
        notes = {i.indicator_id: request.POST.get(f"note_{i.indicator_id}", "") for i in items}
        try:
            n = services.save_monthly(
                request.user,
                unit=agreement.unit,
                year=year,
                month=month,
                values=values,
                notes=notes,
            )
        except ValidationError as exc:
            errors = error_list(exc)
        else:
            messages.success(request, gettext("已保存 %(n)s 项数据。") % {"n": n})
            return redirect(
                f"{reverse('targets:monthly')}?unit={agreement.unit_id}&year={year}&month={month}"
            )
    grid = {}
    if agreement is not None:
        for mv in MonthlyValue.objects.filter(
            unit=agreement.unit, year=year, indicator_id__in=[i.indicator_id for i in items]
        ):
            grid[(mv.indicator_id, mv.month)] = mv
    rows = []
    for i in items:
        current = grid.get((i.indicator_id, month))
        rows.append(
            {
                "item": i,
                "current": current,
                "value": request.POST.get(f"value_{i.indicator_id}")
                if request.method == "POST"
                else (current.value.normalize() if current else ""),
                "months": [grid.get((i.indicator_id, m)) for m in range(1, 13)],
            }
        )
    return render(
        request,
        "targets/monthly.html",
        {
            "choices": choices,
            "agreement": agreement,
            "rows": rows,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "years": _years(),
            "errors": errors,
            "due": queries.due_date(year, month),
            "can_manage": scope_for(request.user).has("targets.manage"),
        },
    )


@login_required
def monthly_template(request):
    require(request.user, "targets.enter")
    today = clock.today()
    year = _year(request)
    month = min(max(_int(request.GET.get("month"), today.month), 1), 12)
    unit = _unit_param(request)
    rows = []
    for a in _entry_units(request.user, year):
        if unit is not None and not a.unit.path.startswith(unit.path):
            continue
        rows += [{"unit": a.unit, "indicator": i.indicator} for i in queries.entered_items(a)]
    existing = {
        (mv.unit_id, mv.indicator_id): mv
        for mv in queries.monthly_values(request.user, year=year, month=month, unit=unit)
    }
    data = exports.monthly_template(rows, year=year, month=month, existing=existing)
    return _download(data, f"月度指标填报模板_{year}年{month}月.xlsx", XLSX)


@login_required
def monthly_import(request):
    require(request.user, "targets.enter")
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if uploads.over_limit(upload):
            form.add_error("file", f"文件过大，上限 {uploads.limit_text()}。")
        elif not upload.name.lower().endswith((".xlsx", ".xlsm")):
            form.add_error("file", "请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
        else:
            try:
                report = services.import_monthly(request.user, upload)
            except ValidationError as exc:
                form.add_error("file", error_text(exc))
            else:
                if report.ok:
                    messages.success(
                        request,
                        gettext("导入成功：读取 %(report_rows)s 行，更新 %(report_saved)s 项。")
                        % {"report_rows": report.rows, "report_saved": report.saved},
                    )
                    return redirect("targets:monthly")
    return render(
        request,
        "targets/import.html",
        {
            "form": form,
            "report": report,
            "title": gettext("导入月度指标"),
            "template_url": reverse("targets:monthly_template"),
        },
    )


@login_required
def monthly_missing(request):
    require(request.user, "targets.view")
    today = clock.today()
    year = _year(request)
    default_month = today.month - 1 if year == today.year else 12
    month = min(max(_int(request.GET.get("month"), default_month) or 1, 1), 12)
    rows = queries.missing_reports(request.user, year, month)
    return render(
        request,
        "targets/missing.html",
        {
            "rows": rows,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "years": _years(),
            "due": queries.due_date(year, month),
            "can_manage": scope_for(request.user).has("targets.manage"),
        },
    )


@login_required
@require_POST
def monthly_remind(request):
    unit = queries.get_unit(request.user, request.POST.get("unit"))
    year, month = _int(request.POST.get("year")), _int(request.POST.get("month"))
    return run_action(
        request,
        lambda: services.remind(request.user, unit=unit, year=year, month=month),
        success=lambda _: f"已向“{unit.name}”催报{year}年{month}月数据。",
        to=f"{reverse('targets:missing')}?year={year}&month={month}",
    )
