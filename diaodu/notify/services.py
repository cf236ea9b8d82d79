"""Every write of the notify app: sending notifications, reading them, configuring channels,
test sends and manual retries.

`notify()` and `notify_unit()` are the interface other apps call. They create the in-app
messages in the caller's transaction and hand the external deliveries to the task backend after
the transaction commits. A channel problem (a bad configuration, an unreachable robot, a task
backend that is down) is written to the send log and never raised into the caller.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone

from diaodu import clock
from diaodu.audit.services import ObjectRef, record, ref, snapshot
from diaodu.notify.models import Channel, ChannelKind, Delivery, DeliveryStatus, Kind, Message
from diaodu.org.models import Membership, Unit, User
from diaodu.org.scope import require, scope_for

log = logging.getLogger("diaodu.notify")

MAX_ATTEMPTS = 3
CHANNEL_FIELDS = ("kind", "name", "webhook_url", "secret", "email_to", "enabled")
AUDIT_EXCLUDE = (
    "secret",
    "created_at",
    "updated_at",
)  # a signing secret never goes into the audit log
_EMAIL_SPLIT = re.compile(r"[\s,;，；、]+")


# ---------------------------------------------------------------- sending
def notify(
    recipients,
    *,
    title: str,
    body: str = "",
    link: str = "",
    kind: str = "info",
    unit=None,
    source=None,
) -> list[Message]:
    """Create one in-app Message per recipient (User) now, in the caller's transaction, and
    enqueue external deliveries (after commit) for the channels of `unit` — by default each
    recipient's primary unit — walking up the unit tree to the nearest unit with enabled
    channels. Never raises because of a channel; returns the inbox messages.

    kind: info | reminder | escalation | assignment | meeting.
    source: optional model instance named in the audit entry (and kept on the messages)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    title = (title or "").strip()[:200] or "（无标题）"
    link = (link or "")[:500]
    people = _people(recipients)
    if not people:
        return []
    source_ref = ref(source) if source is not None else None
    with transaction.atomic():  # the messages and their audit entry land together
        primary = _primary_units(people) if unit is None else {}
        messages = Message.objects.bulk_create(
            [
                Message(
                    recipient=p,
                    title=title,
                    body=body,
                    link=link,
                    kind=kind,
                    unit=unit if unit is not None else primary.get(p.pk),
                    source_type=source_ref.type if source_ref else "",
                    source_id=source_ref.id if source_ref else "",
                )
                for p in people
            ]
        )
        deliveries: list[Delivery] = []
        try:
            with (
                transaction.atomic()
            ):  # a savepoint: whatever goes wrong here leaves the messages alone
                deliveries = _plan_deliveries(
                    people, primary, unit, title=title, body=body, link=link, kind=kind
                )
        except Exception:
            log.exception("notify: planning external deliveries failed for %r", title)
            deliveries = []
        record(
            "notify.send",
            source_ref or ObjectRef("notify.message", str(messages[0].pk), title),
            after={
                "title": title,
                "kind": kind,
                "recipients": [p.pk for p in people],
                "unit": unit.pk if unit is not None else None,
                "deliveries": [d.pk for d in deliveries],
            },
            only_changes=False,
        )
        ids = [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]
        if ids:
            transaction.on_commit(lambda: enqueue_deliveries(ids), robust=True)
    return messages


def notify_unit(
    unit, *, title, body="", link="", kind="info", roles: list[str] | None = None, source=None
) -> list[Message]:
    """Notify the (active) members of a unit, optionally only those holding one of the role codes."""
    people = User.objects.filter(memberships__unit=unit, is_active=True)
    if roles:
        people = people.filter(roles__code__in=list(roles))
    return notify(
        list(people.distinct().order_by("pk")),
        title=title,
        body=body,
        link=link,
        kind=kind,
        unit=unit,
        source=source,
    )


def _people(recipients) -> list[User]:
    if recipients is None:
        return []
    if isinstance(recipients, User):
        recipients = [recipients]
    seen, out, ids = set(), [], []
    for r in recipients:
        if isinstance(r, int):
            ids.append(r)
        elif r is not None and r.pk not in seen:
            seen.add(r.pk)
            out.append(r)
    if ids:
        out.extend(u for u in User.objects.filter(pk__in=ids).exclude(pk__in=seen))
    return [u for u in out if u.is_active]


def _primary_units(people: list[User]) -> dict[int, Unit]:
    """Each person's primary unit (or first membership): one query."""
    result: dict[int, Unit] = {}
    rows = (
        Membership.objects.filter(user__in=[p.pk for p in people], unit__is_active=True)
        .select_related("unit")
        .order_by("user_id", "-is_primary", "id")
    )
    for m in rows:
        result.setdefault(m.user_id, m.unit)
    return result


def channels_for_units(units: Iterable[Unit]) -> dict[int, list[Channel]]:
    """For each unit: the enabled channels of the nearest unit (itself or an ancestor) that has any."""
    units = [u for u in units if u is not None]
    chain = {u.pk: [u.pk, *reversed(u.ancestor_ids())] if u.path else [u.pk] for u in units}
    wanted = {pk for ids in chain.values() for pk in ids}
    by_unit: dict[int, list[Channel]] = {}
    for ch in Channel.objects.filter(unit_id__in=wanted, enabled=True).order_by("id"):
        by_unit.setdefault(ch.unit_id, []).append(ch)
    out: dict[int, list[Channel]] = {}
    for unit_pk, ids in chain.items():
        out[unit_pk] = next((by_unit[i] for i in ids if i in by_unit), [])
    return out


def _plan_deliveries(people, primary, unit, *, title, body, link, kind) -> list[Delivery]:
    if unit is not None:
        groups = {unit.pk: (unit, list(people))}
    else:
        groups = {}
        for p in people:
            u = primary.get(p.pk)
            if u is not None:
                groups.setdefault(u.pk, (u, []))[1].append(p)
    resolved = channels_for_units(u for u, _ in groups.values())
    per_channel: dict[int, tuple[Channel, list[User]]] = {}
    for unit_pk, (_, members) in groups.items():
        for ch in resolved.get(unit_pk, []):
            per_channel.setdefault(ch.pk, (ch, []))[1].extend(members)
    now = clock.wall_now()
    plans = []
    for ch, members in per_channel.values():
        addresses = []
        if ch.kind == ChannelKind.EMAIL and not ch.email_to:
            addresses = sorted({m.email for m in members if m.email})
        d = Delivery(
            channel=ch,
            kind=kind,
            title=title,
            body=body,
            link=link,
            recipients=addresses,
            status=DeliveryStatus.PENDING,
            next_attempt_at=now,
        )
        if ch.kind == ChannelKind.EMAIL and not ch.email_to and not addresses:
            d.status, d.next_attempt_at, d.last_error = (
                DeliveryStatus.FAILED,
                None,
                "收件人均未登记电子邮箱，未发送。",
            )
        plans.append(d)
    return Delivery.objects.bulk_create(plans)


def enqueue_deliveries(ids: list[int], *, run_after=None) -> int:
    """Hand deliveries to the task backend. A backend that is down is logged, not raised: the
    deliveries stay due and `notify.retry_due` picks them up."""
    from diaodu.notify import tasks

    done = 0
    for pk in ids:
        try:
            tasks.enqueue_send(pk, run_after=run_after)
            done += 1
        except Exception:
            log.exception("notify: could not enqueue delivery %s", pk)
    return done


# ---------------------------------------------------------------- attempts (called by the task)
def retry_delays() -> tuple[int, ...]:
    """Seconds to wait after the 1st and 2nd failed attempt."""
    return tuple(getattr(settings, "NOTIFY_RETRY_DELAYS", (60, 300)))


LEASE = timedelta(minutes=2)


def claim_attempt(delivery_id: int) -> Delivery | None:
    """Take the next attempt of a due delivery, or None when it is not due (sent, failed, not yet
    time, or another worker holds it). The conditional UPDATE is the lock: two copies of the same
    task (a deferred retry and `retry_due`) never send twice."""
    now = clock.wall_now()
    from django.db.models import F

    taken = Delivery.objects.filter(
        pk=delivery_id,
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
        next_attempt_at__lte=now,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE, updated_at=now)
    if not taken:
        return None
    return Delivery.objects.select_related("channel").get(pk=delivery_id)


def finish_attempt(
    delivery: Delivery, error: str | None, *, final: bool = False
) -> tuple[str, int | None]:
    """Record the outcome of an attempt. Returns (status, seconds until the next attempt or None).
    `final`: an error that no retry can fix (e.g. the channel was disabled)."""
    now = clock.wall_now()
    if error is None:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SENT,
            sent_at=now,
            next_attempt_at=None,
            last_error="",
            updated_at=now,
        )
        return DeliveryStatus.SENT, None
    note = f"第 {delivery.attempts} 次：{error}"
    if final or delivery.attempts >= MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            last_error=_append(delivery.last_error, note),
            updated_at=now,
        )
        log.warning(
            "notify: delivery %s failed after %s attempts: %s",
            delivery.pk,
            delivery.attempts,
            error,
        )
        return DeliveryStatus.FAILED, None
    delays = retry_delays()
    delay = delays[min(delivery.attempts - 1, len(delays) - 1)] if delays else 0
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.RETRYING,
        next_attempt_at=now + timedelta(seconds=delay),
        last_error=_append(delivery.last_error, note),
        updated_at=now,
    )
    return DeliveryStatus.RETRYING, delay


def _append(log_text: str, line: str) -> str:
    return (f"{log_text}\n{line}" if log_text else line)[-4000:]


# ---------------------------------------------------------------- reading
@transaction.atomic
def mark_read(by, message: Message) -> Message:
    if message.recipient_id != getattr(by, "pk", None):
        raise ValidationError("只能标记自己的消息。")
    if message.read_at is None:
        now = clock.wall_now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.read_at = now
        record("message.read", message, after={"read_at": now}, only_changes=False)
    return message


@transaction.atomic
def mark_all_read(by) -> int:
    now = clock.wall_now()
    count = Message.objects.filter(recipient_id=by.pk, read_at__isnull=True).update(read_at=now)
    if count:
        record("message.read_all", by, after={"count": count, "read_at": now}, only_changes=False)
    return count


# ---------------------------------------------------------------- channels
def _clean_channel(data: dict, instance: Channel | None) -> dict:
    errors: dict[str, str] = {}
    clean = {k: data[k] for k in CHANNEL_FIELDS if k in data}
    for k in ("name", "webhook_url", "secret"):
        if isinstance(clean.get(k), str):
            clean[k] = clean[k].strip()
    kind = clean.get("kind", instance.kind if instance else "")
    if kind not in ChannelKind.values:
        errors["kind"] = "请选择渠道类型。"
    if "name" in clean or instance is None:
        if not clean.get("name"):
            errors["name"] = "请填写渠道名称。"
        elif len(clean["name"]) > 60:
            errors["name"] = "名称最长 60 个字。"
    url = clean.get("webhook_url", instance.webhook_url if instance else "")
    if kind in (ChannelKind.WECOM, ChannelKind.DINGTALK):
        if not url:
            errors["webhook_url"] = "请填写机器人的 Webhook 地址。"
        else:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                errors["webhook_url"] = "Webhook 地址须为 http:// 或 https:// 开头的网址。"
            if len(url) > 500:
                errors["webhook_url"] = "Webhook 地址过长。"
    elif kind == ChannelKind.EMAIL:
        clean["webhook_url"] = ""
        clean["secret"] = ""
    if kind == ChannelKind.WECOM:
        clean["secret"] = ""
    if "secret" in clean and len(clean["secret"]) > 200:
        errors["secret"] = "加签密钥过长。"
    if "email_to" in clean or instance is None:
        raw = clean.get("email_to") or []
        if isinstance(raw, str):
            raw = [a for a in _EMAIL_SPLIT.split(raw) if a]
        addresses, bad = [], []
        for a in raw:
            a = str(a).strip()
            try:
                validate_email(a)
            except ValidationError:
                bad.append(a)
            else:
                if a not in addresses:
                    addresses.append(a)
        if bad:
            errors["email_to"] = f"电子邮箱地址无效：{'、'.join(bad[:5])}"
        elif len(addresses) > 50:
            errors["email_to"] = "收件地址最多 50 个。"
        clean["email_to"] = addresses if kind == ChannelKind.EMAIL else []
    if "enabled" in clean:
        clean["enabled"] = bool(clean["enabled"])
    if errors:
        raise ValidationError(errors)
    return clean


def _check_unit(by, unit: Unit) -> None:
    s = require(by, "notify.channels")
    if not (s.sees_unit(unit.pk) or (s.self_only and unit.pk in s.member_unit_ids)):
        raise ValidationError({"unit": "无权为该单位配置通知渠道。"})


def _channel_snapshot(ch: Channel) -> dict:
    data = snapshot(ch, exclude=AUDIT_EXCLUDE)
    data["has_secret"] = bool(ch.secret)
    return data


@transaction.atomic
def create_channel(by, *, unit: Unit, **data) -> Channel:
    _check_unit(by, unit)
    clean = _clean_channel(data, None)
    ch = Channel.objects.create(unit=unit, **clean)
    record("channel.create", ch, after=_channel_snapshot(ch), only_changes=False)
    return ch


@transaction.atomic
def update_channel(by, channel: Channel, *, clear_secret: bool = False, **data) -> Channel:
    """Change a channel. An empty `secret` keeps the stored one (the form never shows it);
    `clear_secret=True` removes it."""
    ch = Channel.objects.select_for_update().get(pk=channel.pk)
    _check_unit(by, ch.unit)
    if clear_secret:
        data["secret"] = ""
    elif not data.get("secret"):
        data.pop("secret", None)
    before = _channel_snapshot(ch)
    clean = _clean_channel({**data, "kind": data.get("kind", ch.kind)}, ch)
    for k, v in clean.items():
        setattr(ch, k, v)
    ch.save()
    record("channel.update", ch, before=before, after=_channel_snapshot(ch))
    return ch


@transaction.atomic
def set_channel_enabled(by, channel: Channel, enabled: bool) -> Channel:
    ch = Channel.objects.select_for_update().get(pk=channel.pk)
    _check_unit(by, ch.unit)
    before = _channel_snapshot(ch)
    ch.enabled = enabled
    ch.save(update_fields=["enabled", "updated_at"])
    record(
        "channel.enable" if enabled else "channel.disable",
        ch,
        before=before,
        after=_channel_snapshot(ch),
    )
    return ch


@transaction.atomic
def delete_channel(by, channel: Channel) -> None:
    ch = Channel.objects.select_for_update().get(pk=channel.pk)
    _check_unit(by, ch.unit)
    if ch.deliveries.exists():
        raise ValidationError("该渠道已有发送记录，不能删除，请改为停用。")
    record("channel.delete", ch, before=_channel_snapshot(ch), only_changes=False)
    ch.delete()


@transaction.atomic
def test_send(by, channel: Channel) -> Delivery:
    """Queue a test message through one channel (the result appears in the send log)."""
    ch = Channel.objects.get(pk=channel.pk)
    _check_unit(by, ch.unit)
    now = clock.wall_now()
    addresses = [by.email] if ch.kind == ChannelKind.EMAIL and not ch.email_to and by.email else []
    d = Delivery.objects.create(
        channel=ch,
        kind=Kind.INFO,
        is_test=True,
        title="调度平台测试消息",
        body=f"这是{getattr(by, 'name', '') or by.username}于 {timezone.localtime(now):%Y-%m-%d %H:%M} 发出的测试消息。"
        f"收到即表示“{ch.name}”配置正确。",
        recipients=addresses,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
    )
    if ch.kind == ChannelKind.EMAIL and not ch.email_to and not addresses:
        Delivery.objects.filter(pk=d.pk).update(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            last_error="本渠道发往收件人本人的邮箱，但您未登记电子邮箱。",
        )
        d.refresh_from_db()
    record("channel.test", ch, after={"delivery": d.pk}, only_changes=False)
    if d.status == DeliveryStatus.PENDING:
        transaction.on_commit(lambda: enqueue_deliveries([d.pk]), robust=True)
    return d


@transaction.atomic
def retry_delivery(by, delivery: Delivery) -> Delivery:
    """Send a failed delivery again (three more attempts)."""
    d = Delivery.objects.select_for_update().select_related("channel").get(pk=delivery.pk)
    _check_unit(by, d.channel.unit)
    if d.status != DeliveryStatus.FAILED:
        raise ValidationError("只有失败的发送记录可以重试。")
    before = snapshot(d, ["status", "attempts"])
    d.status, d.attempts, d.next_attempt_at = DeliveryStatus.PENDING, 0, clock.wall_now()
    d.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    record("delivery.retry", d, before=before, after=snapshot(d, ["status", "attempts"]))
    transaction.on_commit(lambda: enqueue_deliveries([d.pk]), robust=True)
    return d


def can_manage_channels(user) -> bool:
    return scope_for(user).has("notify.channels")
