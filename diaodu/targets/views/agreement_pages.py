"""Agreement pages (目标责任书): list, new, edit, sign, scan, amend."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu import clock
from diaodu.org.scope import require, scope_for
from diaodu.targets import queries, services
from diaodu.targets.filters import AgreementFilterSet
from diaodu.targets.forms import (
    AgreementForm,
    AmendForm,
    ScanForm,
    SignForm,
    split_weights,
)
from diaodu.targets.models import PaceKind, TargetAgreement
from diaodu.viewkit import attach_errors, run_action

from .common import _int, _on, _years


# ---------------------------------------------------------------- agreements
@login_required
def agreements(request):
    require(request.user, "targets.view")
    fs = AgreementFilterSet(request.GET, queryset=queries.agreements(request.user), request=request)
    unit = fs.unit_chosen  # bad values are ignored
    year = fs.form.cleaned_data.get("year")
    year = None if year is None else int(year)
    status = request.GET.get("status", "")
    qs = fs.qs
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
        initial={"year": clock.today().year, "pace_kind": PaceKind.AUTO},
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
            attach_errors(form, exc)
        else:
            messages.success(request, gettext("目标责任状已创建（草拟）。"))
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
            attach_errors(form, exc)
        else:
            messages.success(request, gettext("目标责任状已保存。"))
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
            "sign_form": SignForm(initial={"signed_on": clock.today()}),
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
    return run_action(
        request,
        lambda: services.sign_agreement(
            request.user,
            a,
            signed_on=form.cleaned_data["signed_on"],
            signatory=form.cleaned_data["signatory"],
            scan=form.cleaned_data.get("scan"),
        ),
        success="目标责任状已签订。",
        to=("targets:agreement", a.pk),
    )


@login_required
@require_POST
def agreement_scan(request, pk: int):
    a = queries.get_agreement(request.user, pk)
    form = ScanForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("请选择扫描件（PDF/JPG/PNG）。"))
        return redirect("targets:agreement", a.pk)
    return run_action(
        request,
        lambda: services.attach_scan(request.user, a, form.cleaned_data["scan"]),
        success="扫描件已上传。",
        to=("targets:agreement", a.pk),
    )


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
    return run_action(
        request,
        lambda: services.amend_agreement(request.user, a, reason=request.POST.get("reason", "")),
        success=lambda new: (
            gettext("已生成第%(new_version)s版（草拟），签订后生效。")
            % {"new_version": new.version}
        ),
        to=lambda new: (
            ("targets:agreement", a.pk) if new is None else ("targets:agreement_edit", new.pk)
        ),
    )
