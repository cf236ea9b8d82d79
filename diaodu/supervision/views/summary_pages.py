"""The period summary and the bulletin downloads (Word bulletin, Excel ledger)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from diaodu.audit.services import record
from diaodu.org.scope import require
from diaodu.supervision import bulletin, figures, queries

from .common import _ctx, _resolve


# ================================================================ summary
@login_required
def summary(request):
    require(request.user, "projects.view")
    unit, cycle, period = _resolve(request)
    if unit is None:
        raise Http404("没有可查看的单位。")
    sm = queries.summary(request.user, unit, period)
    return render(
        request,
        "supervision/summary.html",
        _ctx(
            request,
            unit,
            period,
            cycle,
            sm=sm,
            figures_on=figures.as_of_for(period),
            overview=bulletin.overview_text(sm),
            lights_text=bulletin.lights_text(sm),
            problems_text=bulletin.problems_text(sm),
            reminders_text=bulletin.reminders_text(sm),
            next_text=bulletin.next_text(sm),
        ),
    )


# ================================================================ bulletin
def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


@login_required
def bulletin_docx(request):
    require(request.user, "bulletins.export")
    unit, _cycle, period = _resolve(request)
    data = bulletin.build_docx(request.user, unit, period)
    record(
        "bulletin.export", unit, after={"period": period.code, "format": "docx"}, only_changes=False
    )
    return _download(
        data,
        bulletin.filenames(unit, period)[0],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@login_required
def ledger_xlsx(request):
    require(request.user, "bulletins.export")
    unit, _cycle, period = _resolve(request)
    data = bulletin.build_xlsx(request.user, unit, period)
    record(
        "bulletin.export", unit, after={"period": period.code, "format": "xlsx"}, only_changes=False
    )
    return _download(
        data,
        bulletin.filenames(unit, period)[1],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
