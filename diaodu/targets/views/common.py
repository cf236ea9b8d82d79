"""Shared parts of the target pages: content types, request parameters, form errors."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.http import HttpResponse

from diaodu import clock
from diaodu.engine import cleaning
from diaodu.org.scope import require, scope_for
from diaodu.targets import queries

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# ---------------------------------------------------------------- helpers
def _int(value, default=None):
    return cleaning.integer_or(value, default)


def _year(request) -> int:
    today = clock.today()
    y = _int(request.GET.get("year"), today.year)
    return y if 2000 <= y <= 2100 else today.year


def _on(request, year: int) -> date:
    """The date progress is judged on: today in the current year, the year end for past years."""
    raw = request.GET.get("on")
    if raw:
        try:
            return cleaning.date_value(raw, "日期")
        except cleaning.CleaningError:
            pass
    today = clock.today()
    if year < today.year:
        return date(year, 12, 31)
    if year > today.year:
        return date(year, 1, 1)
    return today


def _unit_param(request, key="unit"):
    return queries.get_unit(request.user, request.GET[key]) if request.GET.get(key) else None


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _years():
    today = clock.today()
    return list(range(today.year + 1, today.year - 4, -1))


def _viewer(user):
    s = scope_for(user)
    if not (s.has("targets.view") or s.has("cockpit.view")):
        require(user, "targets.view")
    return s
