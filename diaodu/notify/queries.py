"""Every read of the notify app, scoped: a person reads only their own inbox; channels and the
send log only of units they see (diaodu.org.scope.restrict_units) and with `notify.channels`."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from diaodu.notify.models import Channel, Delivery, DeliveryStatus, Message
from diaodu.org.models import Unit
from diaodu.org.scope import require, restrict_units


def inbox(user, *, unread: bool = False, kind: str = ""):
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    qs = Message.objects.filter(recipient_id=user.pk)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def get_message(user, pk) -> Message:
    try:
        return inbox(user).get(pk=int(pk))
    except (Message.DoesNotExist, ValueError, TypeError):
        raise Http404("消息不存在或无权查看。") from None


def channel_units(user):
    """Units whose channels the person may configure."""
    require(user, "notify.channels")
    return restrict_units(Unit.objects.filter(is_active=True), user).order_by("path")


def channels(user, *, unit: Unit | None = None):
    require(user, "notify.channels")
    qs = Channel.objects.filter(unit__in=restrict_units(Unit.objects.all(), user))
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.select_related("unit").order_by("unit__path", "kind", "id")


def get_channel(user, pk) -> Channel:
    try:
        return channels(user).get(pk=int(pk))
    except (Channel.DoesNotExist, ValueError, TypeError):
        raise Http404("通知渠道不存在或无权查看。") from None


def deliveries(
    user,
    *,
    status: str = "",
    channel: Channel | None = None,
    unit: Unit | None = None,
    text: str = "",
):
    require(user, "notify.channels")
    qs = Delivery.objects.filter(channel__unit__in=restrict_units(Unit.objects.all(), user))
    if status in DeliveryStatus.values:
        qs = qs.filter(status=status)
    if channel is not None:
        qs = qs.filter(channel=channel)
    if unit is not None:
        qs = qs.filter(channel__unit__path__startswith=unit.path)
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(last_error__icontains=text))
    return qs.select_related("channel", "channel__unit").order_by("-created_at", "-id")


def get_delivery(user, pk) -> Delivery:
    try:
        return deliveries(user).get(pk=int(pk))
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise Http404("发送记录不存在或无权查看。") from None
