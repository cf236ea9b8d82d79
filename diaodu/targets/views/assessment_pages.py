"""Assessment pages (考核): schemes, their criteria, score sets and documents."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from diaodu import clock
from diaodu.org.scope import require, scope_for
from diaodu.targets import documents, queries, services
from diaodu.targets.forms import (
    AdjustmentForm,
    CriterionForm,
    RunForm,
    SchemeForm,
    parse_bands,
)
from diaodu.viewkit import attach_errors, error_list

from .common import DOCX, XLSX, _download, _int


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
    form = SchemeForm(request.POST or None, units=units, initial={"year": clock.today().year})
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
            attach_errors(form, exc)
        else:
            return redirect("targets:scheme", sch.pk)
    return render(
        request,
        "targets/form.html",
        {"form": form, "title": gettext("新建考核方案"), "back": reverse("targets:assessment")},
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
                    messages.success(request, gettext("考核指标已保存。"))
                    return redirect("targets:scheme", sch.pk)
            elif action == "adjustment":
                adj_form = AdjustmentForm(request.POST)
                if adj_form.is_valid():
                    services.set_adjustment(request.user, sch, **adj_form.cleaned_data)
                    messages.success(request, gettext("加减分项已保存。"))
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
                messages.success(request, gettext("次数已保存。"))
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
                    messages.success(
                        request, gettext("已生成“%(ss_title)s”。") % {"ss_title": ss.title}
                    )
                    return redirect("targets:score_set", ss.pk)
                errors.append("请选择类型和月份。")
        except (ValidationError, ValueError) as exc:
            errors += error_list(exc) if isinstance(exc, ValidationError) else [str(exc)]
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
                initial={"kind": "monthly", "month": max(clock.today().month - 1, 1)}
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
