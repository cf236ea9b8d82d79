"""Target pages: progress against 序时进度, agreements, drill-down, monthly entry and import,
催报, economy ranking, assessment and documents, and the leaders' cockpit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from diaodu.engine import stages as S
from diaodu.org.scope import require, scope_for
from diaodu.projects import queries as pq
from diaodu.targets import bridge, documents, exports, queries, services
from diaodu.targets.forms import (
    AdjustmentForm,
    AgreementForm,
    AmendForm,
    CriterionForm,
    IndicatorForm,
    RunForm,
    ScanForm,
    SchemeForm,
    SignForm,
    UploadForm,
    parse_bands,
    split_weights,
)
from diaodu.targets.models import MonthlyValue, PaceKind, TargetAgreement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_UPLOAD = 10 * 1024 * 1024


# ---------------------------------------------------------------- helpers
def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _year(request) -> int:
    today = timezone.localdate()
    y = _int(request.GET.get("year"), today.year)
    return y if 2000 <= y <= 2100 else today.year


def _on(request, year: int) -> date:
    """The date progress is judged on: today in the current year, the year end for past years."""
    raw = request.GET.get("on")
    if raw:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    today = timezone.localdate()
    if year < today.year:
        return date(year, 12, 31)
    if year > today.year:
        return date(year, 1, 1)
    return today


def _unit_param(request, key="unit"):
    return queries.get_unit(request.user, request.GET[key]) if request.GET.get(key) else None


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return exc.messages


def _attach(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for f, msgs in exc.message_dict.items():
            for m in msgs:
                form.add_error(f if f in form.fields else None, m)
    else:
        for m in exc.messages:
            form.add_error(None, m)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _years():
    today = timezone.localdate()
    return list(range(today.year + 1, today.year - 4, -1))


def _viewer(user):
    s = scope_for(user)
    if not (s.has("targets.view") or s.has("cockpit.view")):
        require(user, "targets.view")
    return s


# ---------------------------------------------------------------- progress
@login_required
def progress(request):
    require(request.user, "targets.view")
    year = _year(request)
    on = _on(request, year)
    unit = _unit_param(request)
    light = request.GET.get("light", "")
    agreements = queries.effective_agreements(request.user, year, within=unit)
    rows = queries.agreement_rows(request.user, agreements, on)
    if light in ("red", "yellow", "green"):
        rows = [r for r in rows if r.light == light]
    groups = []
    for a in agreements:
        mine = [r for r in rows if r.agreement_id == a.pk]
        if mine:
            groups.append({"agreement": a, "rows": mine})
    return render(
        request,
        "targets/progress.html",
        {
            "groups": groups,
            "year": year,
            "on": on,
            "unit": unit,
            "years": _years(),
            "light": light,
            "units": queries.visible_units(request.user),
            "n_rows": len(rows),
        },
    )


# ---------------------------------------------------------------- indicators
@login_required
def indicators(request):
    require(request.user, "targets.view")
    return render(
        request,
        "targets/indicators.html",
        {
            "indicators": queries.indicators(),
            "can_manage": scope_for(request.user).has("targets.manage"),
        },
    )


@login_required
def indicator_edit(request, pk: int | None = None):
    require(request.user, "targets.manage")
    instance = queries.get_indicator(pk) if pk else None
    if request.method == "POST":
        form = IndicatorForm(request.POST)
        if form.is_valid():
            try:
                ind = services.save_indicator(request.user, form.cleaned_data, instance)
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, f"指标“{ind.name}”已保存。")
                return redirect("targets:indicators")
    else:
        initial = (
            {f: getattr(instance, f) for f in services.INDICATOR_FIELDS}
            if instance
            else {"is_active": True}
        )
        form = IndicatorForm(initial=initial)
    return render(
        request,
        "targets/form.html",
        {
            "form": form,
            "title": "编辑指标" if instance else "新建指标",
            "back": reverse("targets:indicators"),
        },
    )


# ---------------------------------------------------------------- agreements
@login_required
def agreements(request):
    require(request.user, "targets.view")
    year = _int(request.GET.get("year"))
    unit = _unit_param(request)
    status = request.GET.get("status", "")
    qs = queries.agreements(
        request.user,
        year=year,
        unit=unit,
        status=status if status in TargetAgreement.Status.values else "",
    )
    page = max(1, _int(request.GET.get("page"), 1))
    rows = list(qs[(page - 1) * queries.PAGE_SIZE : page * queries.PAGE_SIZE + 1])
    return render(
        request,
        "targets/agreements.html",
        {
            "rows": rows[: queries.PAGE_SIZE],
            "has_next": len(rows) > queries.PAGE_SIZE,
            "page": page,
            "year": year,
            "unit": unit,
            "status": status,
            "statuses": TargetAgreement.Status.choices,
            "years": _years(),
            "units": queries.visible_units(request.user),
            "can_manage": scope_for(request.user).has("targets.manage"),
        },
    )


def _item_rows(request, agreement=None):
    """The indicator grid of the agreement form: every active indicator, filled where chosen."""
    current = {i.indicator_id: i for i in agreement.items.all()} if agreement else {}
    rows = []
    for ind in queries.indicators(active_only=True):
        item = current.get(ind.pk)
        rows.append(
            {
                "indicator": ind,
                "target": request.POST.get(f"target_{ind.pk}", "")
                if request.method == "POST"
                else (item.target.normalize() if item else ""),
                "weight": request.POST.get(f"weight_{ind.pk}", "")
                if request.method == "POST"
                else (item.weight.normalize() if item else ""),
            }
        )
    return rows


def _items_from_post(request) -> list[dict]:
    items = []
    for ind in queries.indicators(active_only=True):
        target = (request.POST.get(f"target_{ind.pk}") or "").strip()
        if target:
            items.append(
                {
                    "indicator": ind,
                    "target": target,
                    "weight": request.POST.get(f"weight_{ind.pk}") or 0,
                }
            )
    return items


@login_required
def agreement_new(request):
    require(request.user, "targets.manage")
    units = [
        u
        for u in queries.visible_units(request.user)
        if u.kind in ("zone", "park", "department", "district")
    ]
    form = AgreementForm(
        request.POST or None,
        units=units,
        initial={"year": timezone.localdate().year, "pace_kind": PaceKind.LINEAR},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        unit = next((u for u in units if u.pk == cd["unit"]), None)
        if unit is None:
            raise Http404("单位不存在或无权使用。")
        try:
            a = services.create_agreement(
                request.user,
                unit=unit,
                year=cd["year"],
                items=_items_from_post(request),
                title=cd["title"],
                pace_kind=cd["pace_kind"],
                pace_weights=split_weights(cd["pace_weights"]),
                note=cd["note"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, "目标责任状已创建（草拟）。")
            return redirect("targets:agreement", a.pk)
    return render(
        request,
        "targets/agreement_form.html",
        {"form": form, "items": _item_rows(request), "agreement": None},
    )


@login_required
def agreement_edit(request, pk: int):
    require(request.user, "targets.manage")
    a = queries.get_agreement(request.user, pk)
    units = [a.unit]
    initial = {
        "unit": a.unit_id,
        "year": a.year,
        "title": a.title,
        "pace_kind": a.pace_kind,
        "pace_weights": ",".join(a.pace_weights or []),
        "note": a.note,
    }
    form = AgreementForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.update_agreement(
                request.user,
                a,
                items=_items_from_post(request),
                title=cd["title"],
                pace_kind=cd["pace_kind"],
                pace_weights=split_weights(cd["pace_weights"]),
                note=cd["note"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, "目标责任状已保存。")
            return redirect("targets:agreement", a.pk)
    form.fields["unit"].disabled = True
    form.fields["year"].disabled = True
    return render(
        request,
        "targets/agreement_form.html",
        {"form": form, "items": _item_rows(request, a), "agreement": a},
    )


@login_required
def agreement(request, pk: int):
    require(request.user, "targets.view")
    a = queries.get_agreement(request.user, pk)
    on = _on(request, a.year)
    rows = queries.agreement_rows(request.user, [a], on)
    s = scope_for(request.user)
    return render(
        request,
        "targets/agreement.html",
        {
            "a": a,
            "rows": rows,
            "on": on,
            "versions": queries.versions_of(a),
            "effective": queries.is_effective(a),
            "can_manage": s.has("targets.manage"),
            "sign_form": SignForm(initial={"signed_on": timezone.localdate()}),
            "scan_form": ScanForm(),
            "amend_form": AmendForm(),
        },
    )


@login_required
@require_POST
def agreement_sign(request, pk: int):
    a = queries.get_agreement(request.user, pk)
    form = SignForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request,
            "；".join(
                f"{form.fields[k].label}：{'，'.join(v)}" if k in form.fields else "，".join(v)
                for k, v in form.errors.items()
            ),
        )
        return redirect("targets:agreement", a.pk)
    try:
        services.sign_agreement(
            request.user,
            a,
            signed_on=form.cleaned_data["signed_on"],
            signatory=form.cleaned_data["signatory"],
            scan=form.cleaned_data.get("scan"),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
    else:
        messages.success(request, "目标责任状已签订。")
    return redirect("targets:agreement", a.pk)


@login_required
@require_POST
def agreement_scan(request, pk: int):
    a = queries.get_agreement(request.user, pk)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择扫描件（PDF/JPG/PNG）。")
        return redirect("targets:agreement", a.pk)
    try:
        services.attach_scan(request.user, a, form.cleaned_data["scan"])
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
    else:
        messages.success(request, "扫描件已上传。")
    return redirect("targets:agreement", a.pk)


@login_required
def agreement_scan_download(request, pk: int):
    require(request.user, "targets.view")
    a = queries.get_agreement(request.user, pk)
    if not a.scan:
        raise Http404("没有扫描件。")
    try:
        fh = a.scan.open("rb")
    except FileNotFoundError:
        raise Http404("扫描件文件不存在。") from None
    return FileResponse(
        fh, as_attachment=True, filename=a.scan_name or a.scan.name.rsplit("/", 1)[-1]
    )


@login_required
@require_POST
def agreement_amend(request, pk: int):
    a = queries.get_agreement(request.user, pk)
    try:
        new = services.amend_agreement(request.user, a, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
        return redirect("targets:agreement", a.pk)
    messages.success(request, f"已生成第{new.version}版（草拟），签订后生效。")
    return redirect("targets:agreement_edit", new.pk)


# ---------------------------------------------------------------- drill-down
@login_required
def drill(request):
    _viewer(request.user)
    unit = queries.get_unit(request.user, request.GET.get("unit"))
    indicator = queries.get_indicator(request.GET.get("indicator"))
    year = _year(request)
    on = _on(request, year)
    data = queries.drill(request.user, unit, indicator, year, on)
    return render(
        request,
        "targets/drill.html",
        {"unit": unit, "ind": indicator, "year": year, "on": on, **data, "S": S},
    )


# ---------------------------------------------------------------- monthly values
def _entry_units(user, year):
    return [a for a in queries.effective_agreements(user, year) if queries.entered_items(a)]


@login_required
def monthly(request):
    require(request.user, "targets.enter")
    today = timezone.localdate()
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
            errors = _errors(exc)
        else:
            messages.success(request, f"已保存 {n} 项数据。")
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
    today = timezone.localdate()
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
        if upload.size > MAX_UPLOAD:
            form.add_error("file", "文件过大，上限 10 MB。")
        elif not upload.name.lower().endswith((".xlsx", ".xlsm")):
            form.add_error("file", "请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请先另存为 .xlsx）。")
        else:
            try:
                report = services.import_monthly(request.user, upload)
            except ValidationError as exc:
                form.add_error("file", "；".join(_errors(exc)))
            else:
                if report.ok:
                    messages.success(
                        request, f"导入成功：读取 {report.rows} 行，更新 {report.saved} 项。"
                    )
                    return redirect("targets:monthly")
    return render(
        request,
        "targets/import.html",
        {
            "form": form,
            "report": report,
            "title": "导入月度指标",
            "template_url": reverse("targets:monthly_template"),
        },
    )


@login_required
def monthly_missing(request):
    require(request.user, "targets.view")
    today = timezone.localdate()
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
    try:
        services.remind(request.user, unit=unit, year=year, month=month)
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
    else:
        messages.success(request, f"已向“{unit.name}”催报{year}年{month}月数据。")
    return redirect(f"{reverse('targets:missing')}?year={year}&month={month}")


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
            "months": [f"{m}月" for m in range(1, 13)],
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
    today = timezone.localdate()
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
        if not upload.name.lower().endswith((".xlsx", ".xlsm")) or upload.size > MAX_UPLOAD:
            form.add_error("file", "请上传 10 MB 以内的 .xlsx 格式 Excel 文件。")
        else:
            try:
                report = services.import_economy(request.user, upload)
            except ValidationError as exc:
                form.add_error("file", "；".join(_errors(exc)))
            else:
                if report.ok:
                    messages.success(request, f"导入成功：{report.saved} 条经济指标数据。")
                    return redirect("targets:economy")
    groups = list(queries.peer_groups(request.user))
    tpl = f"{reverse('targets:economy_template')}?group={groups[0].pk}" if groups else ""
    return render(
        request,
        "targets/import.html",
        {"form": form, "report": report, "title": "导入经济指标", "template_url": tpl},
    )


# ---------------------------------------------------------------- assessment
@login_required
def assessment(request):
    require(request.user, "targets.view")
    s = scope_for(request.user)
    return render(
        request,
        "targets/assessment.html",
        {
            "schemes": queries.schemes(request.user),
            "score_sets": queries.score_sets(request.user)[:60],
            "can_manage": s.has("targets.manage"),
        },
    )


@login_required
def scheme_new(request):
    require(request.user, "targets.manage")
    units = [
        u
        for u in queries.visible_units(request.user)
        if u.kind in ("district", "zone", "city", "province")
    ]
    form = SchemeForm(
        request.POST or None, units=units, initial={"year": timezone.localdate().year}
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        root = next((u for u in units if u.pk == cd["root"]), None)
        if root is None:
            raise Http404("单位不存在或无权使用。")
        try:
            sch = services.save_scheme(
                request.user, root=root, year=cd["year"], name=cd["name"], note=cd["note"]
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            return redirect("targets:scheme", sch.pk)
    return render(
        request,
        "targets/form.html",
        {"form": form, "title": "新建考核方案", "back": reverse("targets:assessment")},
    )


@login_required
def scheme(request, pk: int):
    require(request.user, "targets.view")
    sch = queries.get_scheme(request.user, pk)
    s = scope_for(request.user)
    can_manage = s.has("targets.manage") and queries.sees(request.user, sch.root)
    crit_form = CriterionForm(indicators=queries.indicators(active_only=True))
    adj_form = AdjustmentForm()
    errors = []
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("没有“管理目标责任状与考核方案”权限。")
        action = request.POST.get("action")
        try:
            if action == "criterion":
                crit_form = CriterionForm(
                    request.POST, indicators=queries.indicators(active_only=True)
                )
                if crit_form.is_valid():
                    cd = crit_form.cleaned_data
                    points = [
                        p
                        for p in (cd["rank_points"] or "").replace("，", ",").split(",")
                        if p.strip()
                    ]
                    services.set_criterion(
                        request.user,
                        sch,
                        indicator=queries.get_indicator(cd["indicator"]),
                        weight=cd["weight"],
                        rule_kind=cd["rule_kind"],
                        cap=cd["cap"] or "1.2",
                        bands=parse_bands(cd["bands"]),
                        rank_points=points,
                    )
                    messages.success(request, "考核指标已保存。")
                    return redirect("targets:scheme", sch.pk)
            elif action == "adjustment":
                adj_form = AdjustmentForm(request.POST)
                if adj_form.is_valid():
                    services.set_adjustment(request.user, sch, **adj_form.cleaned_data)
                    messages.success(request, "加减分项已保存。")
                    return redirect("targets:scheme", sch.pk)
            elif action == "count":
                adj = sch.adjustments.filter(pk=_int(request.POST.get("adjustment"))).first()
                if adj is None:
                    raise Http404("加减分项不存在。")
                services.set_adjustment_count(
                    request.user,
                    adj,
                    unit=queries.get_unit(request.user, request.POST.get("unit")),
                    count=request.POST.get("count"),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, "次数已保存。")
                return redirect("targets:scheme", sch.pk)
            elif action == "remove":
                c = sch.criteria.filter(pk=_int(request.POST.get("criterion"))).first()
                if c is None:
                    raise Http404("考核指标不存在。")
                services.remove_criterion(request.user, c)
                return redirect("targets:scheme", sch.pk)
            elif action == "run":
                rf = RunForm(request.POST)
                if rf.is_valid():
                    ss = services.run_assessment(
                        request.user,
                        sch,
                        kind=rf.cleaned_data["kind"],
                        month=rf.cleaned_data.get("month"),
                    )
                    messages.success(request, f"已生成“{ss.title}”。")
                    return redirect("targets:score_set", ss.pk)
                errors.append("请选择类型和月份。")
        except (ValidationError, ValueError) as exc:
            errors += _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
    units = [
        a.unit
        for a in queries.effective_agreements(request.user, sch.year, within=sch.root)
        if a.unit_id != sch.root_id
    ]
    adjustments = list(sch.adjustments.prefetch_related("entries__unit"))
    return render(
        request,
        "targets/scheme.html",
        {
            "sch": sch,
            "criteria": sch.criteria.select_related("indicator"),
            "adjustments": adjustments,
            "units": units,
            "can_manage": can_manage,
            "crit_form": crit_form,
            "adj_form": adj_form,
            "errors": errors,
            "run_form": RunForm(
                initial={"kind": "monthly", "month": max(timezone.localdate().month - 1, 1)}
            ),
            "score_sets": sch.score_sets.all()[:24],
            "total_weight": sum((c.weight for c in sch.criteria.all()), Decimal(0)),
        },
    )


@login_required
def score_set(request, pk: int):
    require(request.user, "targets.view")
    ss = queries.get_score_set(request.user, pk)
    scores = queries.unit_scores(ss)
    for s in scores:
        s.visible = queries.sees(request.user, s.unit)
        for line in s.lines:
            line["drill"] = documents.drill_path(ss, s.unit_id, line) if s.visible else ""
    return render(
        request,
        "targets/score_set.html",
        {
            "ss": ss,
            "scores": scores,
            "can_export": scope_for(request.user).has("assessment.export"),
        },
    )


@login_required
def score_set_document(request, pk: int, fmt: str):
    require(request.user, "assessment.export")
    ss = queries.get_score_set(request.user, pk)
    scores = queries.unit_scores(ss)
    for s in scores:  # details of units outside the person's scope stay out of the document
        if not queries.sees(request.user, s.unit):
            s.lines = []
    name = ss.title
    if fmt == "docx":
        return _download(documents.docx(ss, scores), f"{name}.docx", DOCX)
    return _download(documents.xlsx(ss, scores), f"{name}.xlsx", XLSX)


# ---------------------------------------------------------------- cockpit
def default_unit(user, year: int):
    """The unit a leader's cockpit opens on: the common ancestor (that they see) of the units
    with agreements in force, or their first visible unit."""
    effective = queries.effective_agreements(user, year)
    visible = {u.pk: u for u in queries.visible_units(user)}
    if effective:
        paths = [a.unit.path.strip("/").split("/") for a in effective]
        common = []
        for parts in zip(*paths):
            if len(set(parts)) != 1:
                break
            common.append(int(parts[0]))
        for uid in reversed(common):
            if uid in visible:
                return visible[uid]
        return effective[0].unit
    s = scope_for(user)
    for uid in s.member_unit_ids:
        if uid in visible:
            return visible[uid]
    return next(iter(visible.values()), None)


def cockpit_context(user, unit, year: int, on: date) -> dict:
    rows, mode, used = queries.unit_rows(user, unit, year, on, series=True)
    cards = []
    for r in rows:
        res = r.result
        cards.append(
            {
                "row": r,
                "name": r.indicator.name,
                "measure": r.indicator.measure,
                "target": r.target,
                "actual": r.actual,
                "expected": res.expected,
                "rate": res.completion_rate,
                "pace": res.pace_index,
                "light": r.light,
                "message": res.message,
                "forecast": res.forecast_year_end,
                "per_week": res.required_per_week,
                "drill": r.drill_url,
                "note": r.figure.note,
                "source": r.indicator.source,
            }
        )
    chart = {
        "months": [f"{m}月" for m in range(1, 13)],
        "indicators": [
            {"name": f"{r.indicator.name}（{r.indicator.measure}）", **r.series} for r in rows
        ],
    }
    funnel = pq.funnel(user, unit)
    projects = pq.visible(user).filter(unit__path__startswith=unit.path)
    lights = bridge.light_counts(projects)
    light_source = "supervision"
    if not lights or not sum(
        lights.values()
    ):  # no supervision (or no lights yet): the indicators' lights
        light_source = "indicators"
        lights = {"red": 0, "yellow": 0, "green": 0}
        for r in rows:
            if r.light in lights:
                lights[r.light] += 1
    light_url = ""
    if light_source == "supervision":
        try:
            light_url = reverse("supervision:lights")
        except NoReverseMatch:
            light_url = ""
    points = [
        {
            "id": p["pk"],
            "name": p["name"],
            "lat": float(p["latitude"]),
            "lon": float(p["longitude"]),
            "stage": S.label(p["stage"]),
            "url": reverse("projects:detail", args=[p["pk"]]),
        }
        for p in projects.filter(latitude__isnull=False, longitude__isnull=False).values(
            "pk", "name", "latitude", "longitude", "stage"
        )[:2000]
    ]
    ranking = None
    root = unit
    ss = queries.latest_ranking(user, unit, year)
    if ss is None and unit.parent_id:
        parent = unit.parent
        ss = queries.latest_ranking(user, parent, year)
        root = parent
    if ss is not None:
        ranking = {"ss": ss, "scores": queries.unit_scores(ss), "root": root}
    economy = []
    for g in queries.peer_groups(user).filter(owner__path__in=[unit.path] + _ancestor_paths(unit)):
        month = queries.latest_economy_month(g, year)
        if month:
            for ind in queries.economic_indicators()[:4]:
                rows_e = queries.economy_ranking(g, ind, year, month)
                for st in queries.statement(rows_e, g, ind):
                    economy.append(
                        {
                            "text": st,
                            "url": f"{reverse('targets:economy')}?group={g.pk}&indicator="
                            f"{ind.pk}&year={year}&month={month}",
                            "month": month,
                        }
                    )
    return {
        "unit": unit,
        "year": year,
        "on": on,
        "cards": cards,
        "mode": mode,
        "n_agreements": len(used),
        "chart": chart,
        "funnel": funnel,
        "funnel_chart": [
            {"name": f["label"], "value": f["count"], "stage": f["stage"]}
            for f in funnel
            if not f["side"]
        ],
        "lights": lights,
        "light_source": light_source,
        "light_url": light_url,
        "points": points,
        "ranking": ranking,
        "economy": economy,
        "tile_url": settings.MAP_TILE_URL,
        "ledger_url": reverse("projects:list"),
    }


def _ancestor_paths(unit) -> list[str]:
    parts = [p for p in unit.path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts))]


@login_required
def cockpit(request):
    require(request.user, "cockpit.view")
    year = _year(request)
    on = _on(request, year)
    unit = _unit_param(request) or default_unit(request.user, year)
    if unit is None:
        raise Http404("没有可查看的单位。")
    ctx = cockpit_context(request.user, unit, year, on)
    ctx.update(
        {
            "years": _years(),
            "units": [
                u
                for u in queries.visible_units(request.user)
                if u.kind in ("province", "city", "district", "zone", "park")
            ],
        }
    )
    template = (
        "targets/cockpit_screen.html"
        if request.GET.get("screen") == "1"
        else "targets/cockpit.html"
    )
    return render(request, template, ctx)
