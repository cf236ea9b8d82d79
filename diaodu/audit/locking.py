"""Optimistic locking for services: a change is made only on the version the request saw.

A page's form carries the record's ``version`` in a hidden field and an API body sends it; the
service locks the row (``select_for_update``) and calls :func:`require_version`. A missing or
non-numeric version is a ValidationError on ``version`` (a 422 in the API); a stale one is a
:class:`StaleVersion` naming who saved last, from the audit log (a 409 in the API). Internal
callers (scheduled jobs, imports, the demo) that act on the row they just locked pass
:data:`UNCHECKED`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from diaodu.audit.models import AuditEntry
from diaodu.audit.services import ref
from diaodu.engine import locking
from diaodu.engine.cleaning import CleaningError

UNCHECKED: Any = object()  # a caller inside the server, not a request built on a page or a body


class StaleVersion(ValidationError):
    """Someone else saved the record after the version this request was built on."""


def last_writer(obj) -> tuple[str, str]:
    """(name, local time) of the last audited change of *obj*, or ("", "")."""
    target = ref(obj)
    entry = (
        AuditEntry.objects.filter(object_type=target.type, object_id=target.id)
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    if entry is None:
        return "", ""
    if entry.actor is not None:
        name = entry.actor.name or entry.actor.username
    else:
        name = "系统" if entry.actor_name in ("", "system") else entry.actor_name
    return name, f"{timezone.localtime(entry.created_at):%Y-%m-%d %H:%M}"


def require_version(seen: Any, obj, what: str) -> None:
    """Refuse unless *seen* (the request's ``version``) is *obj*'s version now (obj locked)."""
    if seen is UNCHECKED:
        return
    try:
        n = locking.version_given(seen, what)
    except CleaningError as exc:
        raise ValidationError(exc.as_dict()) from None
    if n != obj.version:
        who, when = last_writer(obj)
        raise StaleVersion({"version": locking.stale_message(what, obj.version, n, who, when)})
