"""The rules page: cycles and light thresholds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from diaodu.engine import periods as P
from diaodu.engine.cleaning import CleaningError
from diaodu.engine.locking import version_given
from diaodu.org.scope import require
from diaodu.supervision import forms, queries, services
from diaodu.viewkit import error_texts


# ================================================================ rules
@login_required
def rules(request):
    require(request.user, "supervision.rules")
    unit = (
        queries.get_unit(request.user, request.GET.get("unit") or request.POST.get("unit"))
        if (request.GET.get("unit") or request.POST.get("unit"))
        else queries.default_unit(request.user)
    )
    cycle = queries.cycle_for_unit(unit, below=False) if unit else None
    if cycle is not None and cycle.unit_id != unit.pk:
        unit = cycle.unit
    errors = {}
    if request.method == "POST":
        data = forms.pick(request.POST, forms.CYCLE_FIELDS)
        data["light_rules"] = forms.rules_from(request.POST)
        data["is_active"] = request.POST.get("is_active") == "on"
        try:
            if cycle is not None:  # changing the cycle: say which version the form showed
                version_given(data.get("version"), "报送周期")
            cycle = services.save_cycle(request.user, unit, data)
        except CleaningError as exc:
            errors = exc.as_dict()
        except ValidationError as exc:
            errors = error_texts(exc)
        else:
            messages.success(
                request,
                gettext("%(unit_name)s的报送周期与亮灯规则已保存。") % {"unit_name": unit.name},
            )
            return redirect(f"{reverse('supervision:rules')}?unit={unit.pk}")
    from diaodu.engine.lights import LightRules

    return render(
        request,
        "supervision/rules.html",
        {
            "unit": unit,
            "cycle": cycle,
            "errors": errors,
            "units": queries.unit_choices(request.user),
            "lr": (queries.rules_of(cycle) if cycle else LightRules()).to_dict(),
            "weekdays": list(enumerate(P.WEEKDAYS)),
            "post": request.POST if request.method == "POST" else None,
        },
    )
