"""The only way to write the audit log: `record()` appends an entry (sealed into the chain
right after commit, see chain.py).

Call it inside the service's transaction so the business change and its audit entry land
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass

from django.db import models
from django.db.models.fields.files import FieldFile

from diaodu import clock
from diaodu.audit import chain, context, crypto
from diaodu.audit.models import AuditEntry, LoginLog


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return str(value)


def snapshot(
    obj: models.Model,
    fields: list[str] | None = None,
    exclude: tuple[str, ...] = ("password", "updated_at", "created_at", "last_login"),
) -> dict:
    """Plain-data picture of a model instance's concrete fields, for before/after values."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude or (fields is not None and field.name not in fields):
            continue
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    return data


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys that changed (both sides), so entries stay readable."""
    if before is None or after is None:
        return before, after
    keys = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


@dataclass(frozen=True)
class ObjectRef:
    type: str
    id: str
    repr: str


def ref(obj) -> ObjectRef:
    if isinstance(obj, ObjectRef):
        return obj
    return ObjectRef(f"{obj._meta.app_label}.{obj._meta.model_name}", str(obj.pk), str(obj)[:300])


def _entry(action, obj, before, after, only_changes) -> AuditEntry:
    actor = context.current()
    target = ref(obj)
    if only_changes:
        before, after = diff(_jsonable(before), _jsonable(after))
    entry = AuditEntry(
        created_at=clock.wall_now(),
        actor_id=actor.user_id,
        actor_name=actor.username,
        request_id=actor.request_id,
        channel=actor.channel,
        ip=actor.ip,
        action=action,
        object_type=target.type,
        object_id=target.id,
        object_repr=target.repr,
        before=_jsonable(before),
        after=_jsonable(after),
        mac_tag=crypto.current_tag(),
    )
    entry.mac = chain.entry_mac(chain.AUDIT, entry)
    return entry


def record(
    action: str,
    obj,
    *,
    before: dict | None = None,
    after: dict | None = None,
    only_changes: bool = True,
) -> AuditEntry:
    """Append one entry. `obj` is a model instance or an ObjectRef.

    The entry is written in the caller's transaction with its keyed MAC; it takes its place in
    the chain right after commit (chain.seal), so no lock is held while the caller works.
    """
    entry = _entry(action, obj, before, after, only_changes)
    entry.save()
    chain.seal_after_commit(chain.AUDIT)
    return entry


@dataclass(frozen=True)
class Change:
    """One entry for `record_many`: the arguments of `record`."""

    action: str
    obj: object
    before: dict | None = None
    after: dict | None = None
    only_changes: bool = True


def record_many(changes: list[Change]) -> list[AuditEntry]:
    """Append several entries in one INSERT (a service that changes several objects at once)."""
    entries = [_entry(c.action, c.obj, c.before, c.after, c.only_changes) for c in changes]
    if entries:
        AuditEntry.objects.bulk_create(entries)
        chain.seal_after_commit(chain.AUDIT)
    return entries


def verify(anchor: dict | None = None) -> chain.VerifyResult:
    return chain.verify(anchor)


def log_login(request, username: str, result: str, user=None) -> LoginLog:
    entry = LoginLog(
        created_at=clock.wall_now(),
        username=username[:150],
        user_id=getattr(user, "pk", None),
        ip=request.META.get("REMOTE_ADDR", "") if request else "",
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:400],
        result=result,
        mac_tag=crypto.current_tag(),
    )
    entry.mac = chain.entry_mac(chain.LOGIN, entry)
    entry.save()
    chain.seal_after_commit(chain.LOGIN)
    return entry
