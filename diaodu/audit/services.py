"""The only way to write the audit log: `record()` appends a hash-chained entry.

Call it inside the service's transaction so the business change and its audit entry land
together or not at all.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from diaodu.audit import context
from diaodu.audit.models import GENESIS, AuditEntry, AuditHead, LoginLog


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


def record(
    action: str,
    obj,
    *,
    before: dict | None = None,
    after: dict | None = None,
    only_changes: bool = True,
) -> AuditEntry:
    """Append one entry. `obj` is a model instance or an ObjectRef."""
    actor = context.current()
    target = ref(obj)
    if only_changes:
        before, after = diff(_jsonable(before), _jsonable(after))
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            id=1, defaults={"seq": 0, "hash": GENESIS}
        )
        entry = AuditEntry(
            seq=head.seq + 1,
            created_at=timezone.now(),
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
            prev_hash=head.hash,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        AuditHead.objects.filter(id=1).update(seq=entry.seq, hash=entry.hash)
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    message: str
    bad_seq: int | None = None


def verify(batch_size: int = 2000) -> VerifyResult:
    """Walk the chain in order; report the first entry that was altered, removed or inserted."""
    prev_hash = GENESIS
    expected_seq = 1
    checked = 0
    while True:
        batch = list(AuditEntry.objects.filter(seq__gte=expected_seq).order_by("seq")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return VerifyResult(
                    False,
                    checked,
                    f"第 {expected_seq} 条审计记录缺失（下一条为第 {entry.seq} 条）：记录被删除。",
                    expected_seq,
                )
            if entry.prev_hash != prev_hash:
                return VerifyResult(
                    False,
                    checked,
                    f"第 {entry.seq} 条审计记录的前序哈希不符：其前的记录被删除、替换或插入。",
                    entry.seq,
                )
            if entry.compute_hash() != entry.hash:
                return VerifyResult(
                    False,
                    checked,
                    f"第 {entry.seq} 条审计记录的内容与哈希不符：记录被篡改。",
                    entry.seq,
                )
            prev_hash = entry.hash
            expected_seq += 1
            checked += 1
    extra = AuditEntry.objects.filter(seq__lt=1).order_by("seq").first()
    if extra is not None:
        return VerifyResult(
            False, checked, f"发现序号异常的审计记录（序号 {extra.seq}）：记录被插入。", extra.seq
        )
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev_hash:
        if head_seq > checked:
            return VerifyResult(
                False,
                checked,
                f"链尾记录缺失：应有 {head_seq} 条，实有 {checked} 条（最新记录被删除）。",
                checked + 1,
            )
        return VerifyResult(
            False,
            checked,
            f"链尾与记录不符：链头记载 {head_seq} 条，实有 {checked} 条（记录被插入或链头被改动）。",
            head_seq + 1,
        )
    return VerifyResult(True, checked, f"审计日志完整：共 {checked} 条，哈希链校验通过。")


def log_login(request, username: str, result: str, user=None) -> LoginLog:
    return LoginLog.objects.create(
        username=username[:150],
        user=user,
        ip=request.META.get("REMOTE_ADDR", "") if request else "",
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:400],
        result=result,
    )
