"""Shared parts of the supervision pages: paging, the unit/period context, redirects."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect

from diaodu.org.scope import scope_for
from diaodu.supervision import queries

PAGE = 50


def _page(request, qs, size=PAGE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _ctx(request, unit=None, period=None, cycle=None, **extra) -> dict:
    s = scope_for(request.user)
    ctx = {
        "s": s,
        "unit": unit,
        "period": period,
        "cycle": cycle,
        "units": queries.unit_choices(request.user),
    }
    if period is not None:
        ctx["prev"], ctx["next"] = period.previous(), period.next()
        ctx["q"] = urlencode({"unit": unit.pk if unit else "", "period": period.code})
    ctx.update(extra)
    return ctx


def _resolve(request):
    try:
        return queries.resolve(
            request.user,
            request.GET.get("unit") or request.POST.get("unit"),
            request.GET.get("period") or request.POST.get("period"),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return queries.resolve(
            request.user, request.GET.get("unit") or request.POST.get("unit"), None
        )


def _back(request, default: str):
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/supervision/") else default)
