"""Indicator pages (指标): the list and the edit form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from diaodu.org.scope import require, scope_for
from diaodu.targets import queries, services
from diaodu.targets.forms import (
    IndicatorForm,
)
from diaodu.viewkit import attach_errors


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
                attach_errors(form, exc)
            else:
                messages.success(
                    request, gettext("指标“%(ind_name)s”已保存。") % {"ind_name": ind.name}
                )
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
            "title": gettext("编辑指标") if instance else gettext("新建指标"),
            "back": reverse("targets:indicators"),
        },
    )
