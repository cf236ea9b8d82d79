""" "Now" and "today" for the supervision loop, in one place: tests pin them, and the demo builder
replays past weeks through the services with `frozen(at)` (a context variable, not a global)."""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from datetime import date, datetime

from django.utils import timezone

_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "diaodu_supervision_now", default=None
)


def now() -> datetime:
    return _frozen.get() or timezone.now()


def today() -> date:
    return timezone.localdate(now())


@contextmanager
def frozen(at: datetime):
    token = _frozen.set(at)
    try:
        yield at
    finally:
        _frozen.reset(token)


def calendar():
    """The installation's working-day calendar (administrators' holiday years included, when the
    procedures app provides them), fresh for each computation."""
    try:
        from diaodu.procedures.workcal import load
    except ImportError:  # pragma: no cover - the procedures app is part of the platform
        from diaodu.engine.calendar import WorkCalendar

        return WorkCalendar.from_chinesecalendar()
    return load()
