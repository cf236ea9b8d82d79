"""Reads from a streaming replica, with read-your-writes (DIAODU_REPLICA_URL; without it every
query goes to the one database and this module does nothing).

A query goes to the replica only when all of these hold: the request is a read (GET/HEAD/
OPTIONS), the client has not written within DIAODU_REPLICA_PIN_SECONDS (a cookie set on every
write says when it did), no transaction is open on the primary, and the process is a web
process (the worker and the scheduler pin themselves to the primary at start). Everything else
— writes, reads inside a write, reads right after one — uses the primary, so a user never
misses their own change because the replica lags.
"""

from __future__ import annotations

import contextvars
import time

from django.conf import settings
from django.db import connections

PRIMARY, REPLICA = "default", "replica"
COOKIE = "diaodu_wrote"
SAFE = ("GET", "HEAD", "OPTIONS")

_replica_ok: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_ok", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _replica_ok.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def replica_allowed(request) -> bool:
    """Whether this request may read from the replica (see the module docstring)."""
    if not settings.READ_REPLICA or request.method not in SAFE:
        return False
    try:
        wrote = float(request.COOKIES.get(COOKIE, "0"))
    except ValueError:
        wrote = 0.0
    return time.time() - wrote > settings.REPLICA_PIN_SECONDS


class ReplicaPinMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _replica_ok.set(replica_allowed(request))
        try:
            response = self.get_response(request)
        finally:
            _replica_ok.reset(token)
        if settings.READ_REPLICA and request.method not in SAFE:
            response.set_cookie(
                COOKIE,
                f"{time.time():.0f}",
                max_age=settings.REPLICA_PIN_SECONDS or 1,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
