"""Lights (亮灯): the list, computing them, overriding one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu.org.scope import require, scope_for
from diaodu.supervision import queries, services
from diaodu.supervision.filters import LightFilterSet
from diaodu.supervision.models import (
    LightColor,
)
from diaodu.viewkit import run_action

from .common import _back, _ctx, _resolve


# ================================================================ lights
@login_required
def lights(request):
    require(request.user, "projects.view")
    unit, cycle, period = _resolve(request)
    fs = LightFilterSet(request.GET, request=request)
    fs.form.is_valid()  # a bad colour is ignored
    color = fs.form.cleaned_data.get("color") or ""
    rows = (
        queries.sort_lights(fs.filter_queryset(queries.period_lights(request.user, unit, period)))
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
    back = f"{reverse('supervision:lights')}?{urlencode({'unit': unit.pk, 'period': period.code})}"
    if cycle is None:
        messages.error(request, gettext("该单位尚未设置报送周期。"))
        return redirect(back)
    return run_action(
        request,
        lambda: services.compute_lights(request.user, cycle, period, unit=unit),
        success=lambda run: (
            f"{period.name}亮灯已计算：红灯 {run.red} 个、黄灯 {run.yellow} 个、绿灯 {run.green} 个。"
        ),
        to=back,
    )


@login_required
@require_POST
def light_override(request, pk: int):
    light = queries.get_light(request.user, pk)
    return run_action(
        request,
        lambda: services.override_light(
            request.user, light, request.POST.get("color", ""), request.POST.get("reason", "")
        ),
        success=lambda _: f"《{light.project.name}》的亮灯已调整。",
        to=lambda _: _back(request, reverse("supervision:lights")),
    )
