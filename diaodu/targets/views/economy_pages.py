"""Economy ranking pages: the table, the template and the import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from diaodu import clock, uploads
from diaodu.org.scope import require, scope_for
from diaodu.targets import exports, queries, services
from diaodu.targets.forms import (
    UploadForm,
)
from diaodu.viewkit import error_text

from .common import XLSX, _download, _int, _year, _years


# ---------------------------------------------------------------- economy
@login_required
def economy(request):
    require(request.user, "targets.view")
    groups = list(queries.peer_groups(request.user))
    group = (
        queries.get_group(request.user, request.GET["group"])
        if request.GET.get("group")
        else (groups[0] if groups else None)
    )
    inds = list(queries.economic_indicators())
    ind = next(
        (i for i in inds if str(i.pk) == request.GET.get("indicator")), inds[0] if inds else None
    )
    year = _year(request)
    rows, month, statements, chart = [], None, [], {}
    if group is not None and ind is not None:
        latest = queries.latest_economy_month(group, year)
        month = min(max(_int(request.GET.get("month"), latest or 1), 1), 12)
        rows = queries.economy_ranking(group, ind, year, month)
        statements = queries.statement(rows, group, ind)
        series = queries.economy_series(group, ind, year)
        chart = {
            "months": [gettext("%(m)s月") % {"m": m} for m in range(1, 13)],
            "regions": [
                {
                    "name": r["region"].name,
                    "ours": r["region"].is_ours,
                    "growth": [
                        float(series.get(r["region"].pk, {}).get(m, (None, None))[1])
                        if series.get(r["region"].pk, {}).get(m, (None, None))[1] is not None
                        else None
                        for m in range(1, 13)
                    ],
                }
                for r in rows
            ],
        }
    return render(
        request,
        "targets/economy.html",
        {
            "groups": groups,
            "group": group,
            "indicators": inds,
            "ind": ind,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "years": _years(),
            "rows": rows,
            "statements": statements,
            "chart": chart,
            "can_manage": scope_for(request.user).has("targets.manage"),
        },
    )


@login_required
def economy_template(request):
    require(request.user, "targets.manage")
    group = queries.get_group(request.user, request.GET.get("group"))
    today = clock.today()
    year = _year(request)
    month = min(max(_int(request.GET.get("month"), today.month), 1), 12)
    from diaodu.targets.models import EconomicValue

    regions = list(group.regions.all())
    inds = list(queries.economic_indicators())
    existing = {
        (v.region_id, v.indicator_id): v
        for v in EconomicValue.objects.filter(region__in=regions, year=year, month=month)
    }
    return _download(
        exports.economy_template(regions, inds, year=year, month=month, existing=existing),
        f"经济指标填报模板_{year}年{month}月.xlsx",
        XLSX,
    )


@login_required
def economy_import(request):
    require(request.user, "targets.manage")
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".xlsm")) or uploads.over_limit(upload):
            form.add_error("file", f"请上传 {uploads.limit_text()} 以内的 .xlsx 格式 Excel 文件。")
        else:
            try:
                report = services.import_economy(request.user, upload)
            except ValidationError as exc:
                form.add_error("file", error_text(exc))
            else:
                if report.ok:
                    messages.success(
                        request,
                        gettext("导入成功：%(report_saved)s 条经济指标数据。")
                        % {"report_saved": report.saved},
                    )
                    return redirect("targets:economy")
    groups = list(queries.peer_groups(request.user))
    tpl = f"{reverse('targets:economy_template')}?group={groups[0].pk}" if groups else ""
    return render(
        request,
        "targets/import.html",
        {"form": form, "report": report, "title": gettext("导入经济指标"), "template_url": tpl},
    )
