"""Who is acting and under which request id, carried in context variables (not globals).

The middleware sets them for a web request; commands and tasks use `acting_as`.
"""

from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    request_id: str
    ip: str = ""
    channel: str = "web"  # web, api, cli, task


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar(
    "diaodu_actor", default=None
)


def current() -> Actor:
    actor = _current.get()
    if actor is None:
        return Actor(user_id=None, username="system", request_id=new_request_id(), channel="system")
    return actor


def new_request_id() -> str:
    return uuid.uuid4().hex


def set_actor(actor: Actor | None):
    return _current.set(actor)


def reset(token) -> None:
    _current.reset(token)


@contextmanager
def acting_as(user=None, *, channel: str = "cli", request_id: str | None = None, ip: str = ""):
    actor = Actor(
        user_id=getattr(user, "pk", None),
        username=getattr(user, "username", None) or "system",
        request_id=request_id or new_request_id(),
        ip=ip,
        channel=channel,
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)
