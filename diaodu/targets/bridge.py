"""The optional link to the weekly loop (diaodu.supervision): problems and lights.

Targets work without supervision. When the supervision app is installed, its hooks module
``diaodu.supervision.targets_bridge`` is used if it exists; otherwise the built-in adapter
below reads supervision's models (Problem: status/due_date/resolved_at/escalation_level;
Light: color/override_color/period_end) through the app registry. Without supervision every
function returns ``None`` and the callers say "督查模块未启用" (or fall back to manually
entered counts). Nothing in targets imports supervision at module level, and any failure inside the
hooks is contained: a broken optional module must not take the cockpit down.

Hook contract (all take a *scoped* Project queryset already limited to one unit subtree):

* ``problems_closed_on_time(projects, start: date, end: date) -> dict[int, int]``:
  per project id, the number of problems closed (办结/销号) on or before their deadline
  with the closing date in [start, end];
* ``overdue_problems(projects, start, end, min_level: int) -> dict[int, int]``: per project id,
  the number of problems overdue within [start, end] at an escalation level ≥ min_level
  (2 = 督办);
* ``light_counts(projects) -> dict[str, int]``: current lights, keys ``red``/``yellow``/``green``.
"""

from __future__ import annotations

import importlib
import logging
from datetime import date

from django.apps import apps
from django.db import transaction

log = logging.getLogger(__name__)
DUBAN_LEVEL = 2


def _hooks():
    try:
        return importlib.import_module("diaodu.supervision.targets_bridge")
    except ImportError:
        return None


def available() -> bool:
    return apps.is_installed("diaodu.supervision")


def _call(name: str, *args):
    if not apps.is_installed("diaodu.supervision"):
        return None
    hooks = _hooks()
    fn = getattr(hooks, name, None) if hooks is not None else None
    if fn is None:
        fn = _ADAPTER.get(name)
    if fn is None:
        return None
    try:
        with (
            transaction.atomic()
        ):  # a savepoint: a failing optional query must not poison the transaction
            return fn(*args)
    except Exception:  # an optional module must not break the cockpit
        log.exception("supervision hook %s failed", name)
        return None


def problems_closed_on_time(projects, start: date, end: date) -> dict[int, int] | None:
    return _call("problems_closed_on_time", projects, start, end)


def overdue_duban(projects, start: date, end: date) -> dict[int, int] | None:
    return _call("overdue_problems", projects, start, end, DUBAN_LEVEL)


def light_counts(projects) -> dict[str, int] | None:
    return _call("light_counts", projects)


# ---------------------------------------------------------------- built-in adapter
def _model(name: str):
    return apps.get_model("supervision", name)


def _closed_on_time(projects, start: date, end: date) -> dict[int, int]:
    out: dict[int, int] = {}
    rows = (
        _model("Problem")
        .objects.filter(
            project__in=projects.values("pk"),
            status__in=("resolved", "closed"),
            due_date__isnull=False,
            resolved_at__isnull=False,
        )
        .values_list("project_id", "resolved_at", "due_date")
    )
    from django.utils import timezone

    for pid, resolved_at, due in rows:
        day = timezone.localdate(resolved_at)
        if start <= day <= end and day <= due:
            out[pid] = out.get(pid, 0) + 1
    return out


def _overdue(projects, start: date, end: date, min_level: int) -> dict[int, int]:
    out: dict[int, int] = {}
    rows = (
        _model("Problem")
        .objects.filter(
            project__in=projects.values("pk"),
            escalation_level__gte=min_level,
            due_date__gte=start,
            due_date__lte=end,
        )
        .values_list("project_id", flat=True)
    )
    for pid in rows:
        out[pid] = out.get(pid, 0) + 1
    return out


def _lights(projects) -> dict[str, int]:
    from django.db.models import OuterRef, Subquery

    Light = _model("Light")
    latest = (
        Light.objects.filter(project=OuterRef("project"))
        .order_by("-period_end", "-id")
        .values("pk")[:1]
    )
    counts = {"red": 0, "yellow": 0, "green": 0}
    for color, override in Light.objects.filter(
        project__in=projects.values("pk"), pk=Subquery(latest)
    ).values_list("color", "override_color"):
        c = override or color
        counts[c] = counts.get(c, 0) + 1
    return counts


_ADAPTER = {
    "problems_closed_on_time": _closed_on_time,
    "overdue_problems": _overdue,
    "light_counts": _lights,
}
