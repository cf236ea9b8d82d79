"""The one clock of the platform: "now" and "today" for every business rule.

Every service, query, view, job and demo builder asks this module, never
``timezone.now()``/``timezone.localdate()`` directly, so that a test or a demo replay that sets
the clock sees one consistent day everywhere (a report filed "last Thursday" is late against last
Thursday's deadline, the cockpit's 序时进度 is computed for that day, and so on).

* :func:`frozen` — the clock stands still at a moment for the code inside the ``with`` block.
  It is a context variable: the demo builder replays past weeks through the services with it,
  and concurrent requests in other threads are not affected.
* :func:`pinned` — the same for the whole process (every thread, e.g. a live test server). Tests
  only; the ``clock`` pytest fixture uses it.
* :func:`wall_now` — the real time, for what must never be replayed or faked: the audit and
  login logs, security timers (lockout, token expiry, password age) and the task queue's
  scheduling between processes.

A date given to :func:`frozen`/:func:`pinned` means local noon of that day.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

__all__ = ["frozen", "localtime", "now", "pinned", "today", "wall_now"]

_frozen: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "diaodu_clock_frozen", default=None
)
_pinned: list[dt.datetime] = []  # a stack; tests only (see pinned)


def wall_now() -> dt.datetime:
    """The real time (aware), whatever the clock is set to."""
    return timezone.now()


def now() -> dt.datetime:
    """The business "now" (aware): frozen, else pinned, else the real time."""
    at = _frozen.get()
    if at is not None:
        return at
    if _pinned:
        return _pinned[-1]
    return timezone.now()


def today() -> dt.date:
    """The business "today" in the installation's time zone."""
    return timezone.localdate(now())


def localtime() -> dt.datetime:
    """The business "now" in the installation's time zone."""
    return timezone.localtime(now())


def _aware(at: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time(12, 0))
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at


@contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[dt.datetime]:
    """Stop the clock at *at* for the code inside the block (this context only)."""
    at = _aware(at)
    token = _frozen.set(at)
    try:
        yield at
    finally:
        _frozen.reset(token)


@contextmanager
def pinned(at: dt.datetime | dt.date) -> Iterator[dt.datetime]:
    """Stop the clock at *at* for the whole process until the block ends (tests only)."""
    _pinned.append(_aware(at))
    try:
        yield _pinned[-1]
    finally:
        _pinned.pop()


def set_pinned(at: dt.datetime | dt.date) -> dt.datetime:
    """Move a pin made with :func:`pinned` (tests that walk through several days)."""
    if not _pinned:
        raise RuntimeError("clock.set_pinned() needs an enclosing clock.pinned()")
    _pinned[-1] = _aware(at)
    return _pinned[-1]
