"""Screens: my inbox; the notification channels of units; the send log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from diaodu.notify import queries, services
from diaodu.notify.filters import DeliveryFilterSet, InboxFilterSet
from diaodu.notify.models import ChannelKind, DeliveryStatus, Kind
from diaodu.org import queries as org_queries
from diaodu.org.scope import require
from diaodu.viewkit import error_dict, run_action

PAGE_SIZE = 30


def _back(request, default: str):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


# ---------------------------------------------------------------- inbox
def badge(request):
    """The unread count in the top bar, fetched by HTMX once per page view, so that rendering a
    page costs no query for it. Empty for the signed-out (no redirect into the top bar)."""
    count = queries.unread_count(request.user) if request.user.is_authenticated else 0
    response = HttpResponse(
        render_to_string("notify/_badge.html", {"count": count})
    )  # no context processors
    response["Cache-Control"] = "no-store"
    return response


@login_required
def inbox(request):
    fs = InboxFilterSet(request.GET, queryset=queries.inbox(request.user), request=request)
    page = Paginator(fs.qs, PAGE_SIZE).get_page(request.GET.get("page"))  # bad values ignored
    unread = bool(fs.form.cleaned_data.get("unread"))
    kind = fs.form.cleaned_data.get("kind") or ""
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "unread": unread, "kind": kind, "kinds": Kind.choices},
    )


@login_required
@require_POST
def message_read(request, pk: int):
    services.mark_read(request.user, queries.get_message(request.user, pk))
    return _back(request, "notify:inbox")


@login_required
@require_POST
def message_open(request, pk: int):
    message = services.mark_read(request.user, queries.get_message(request.user, pk))
    if message.link and url_has_allowed_host_and_scheme(
        message.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(message.link)
    return redirect("notify:inbox")


@login_required
@require_POST
def read_all(request):
    count = services.mark_all_read(request.user)
    messages.success(request, f"已将 {count} 条消息标为已读。" if count else "没有未读消息。")
    return _back(request, "notify:inbox")


# ---------------------------------------------------------------- channels
@login_required
def channels(request):
    require(request.user, "notify.channels")
    unit = (
        org_queries.get_unit(request.user, request.GET["unit"]) if request.GET.get("unit") else None
    )
    rows = list(queries.channels(request.user, unit=unit))
    return render(
        request,
        "notify/channels.html",
        {
            "rows": rows,
            "unit": unit,
            "unit_choices": list(queries.channel_units(request.user)),
        },
    )


def _form_data(request) -> dict:
    return {
        "kind": request.POST.get("kind", ""),
        "name": request.POST.get("name", ""),
        "webhook_url": request.POST.get("webhook_url", ""),
        "secret": request.POST.get("secret", ""),
        "email_to": request.POST.get("email_to", ""),
        "enabled": request.POST.get("enabled") == "on",
    }


@login_required
def channel_form(request, pk: int | None = None):
    require(request.user, "notify.channels")
    channel = queries.get_channel(request.user, pk) if pk else None
    unit_choices = list(queries.channel_units(request.user))
    errors: dict = {}
    if channel:
        data = {
            "kind": channel.kind,
            "name": channel.name,
            "webhook_url": channel.webhook_url,
            "secret": "",
            "email_to": "\n".join(channel.email_to),
            "enabled": channel.enabled,
            "unit": channel.unit_id,
        }
    else:
        data = {"kind": ChannelKind.WECOM, "enabled": True, "unit": request.GET.get("unit", "")}
    if request.method == "POST":
        data = _form_data(request)
        try:
            if channel is None:
                data["unit"] = request.POST.get("unit", "")
                if not data["unit"]:
                    raise ValidationError({"unit": "请选择单位。"})
                unit = org_queries.get_unit(
                    request.user, data["unit"]
                )  # 404 for a forged or unseen unit
                channel = services.create_channel(
                    request.user, unit=unit, **{k: v for k, v in data.items() if k != "unit"}
                )
            else:
                data["unit"] = channel.unit_id
                channel = services.update_channel(
                    request.user,
                    channel,
                    clear_secret=request.POST.get("clear_secret") == "on",
                    **{k: v for k, v in data.items() if k != "unit"},
                )
        except ValidationError as exc:
            errors = error_dict(exc)
            if channel is not None and channel.pk is None:
                channel = None
        else:
            messages.success(
                request,
                gettext("通知渠道“%(channel_name)s”已保存。") % {"channel_name": channel.name},
            )
            return redirect("notify:channels")
        data["secret"] = ""
    return render(
        request,
        "notify/channel_form.html",
        {
            "channel": channel,
            "data": data,
            "errors": errors,
            "kinds": ChannelKind.choices,
            "unit_choices": unit_choices,
        },
    )


@login_required
@require_POST
def channel_toggle(request, pk: int):
    channel = queries.get_channel(request.user, pk)
    services.set_channel_enabled(request.user, channel, not channel.enabled)
    messages.success(
        request, f"通知渠道“{channel.name}”已{'停用' if channel.enabled else '启用'}。"
    )
    return redirect("notify:channels")


@login_required
@require_POST
def channel_delete(request, pk: int):
    channel = queries.get_channel(request.user, pk)
    return run_action(
        request,
        lambda: services.delete_channel(request.user, channel),
        success=lambda _: f"通知渠道“{channel.name}”已删除。",
        to="notify:channels",
    )


@login_required
@require_POST
def channel_test(request, pk: int):
    channel = queries.get_channel(request.user, pk)
    delivery = services.test_send(request.user, channel)
    if delivery.status == DeliveryStatus.FAILED:
        messages.error(
            request,
            gettext("测试发送未能提交：%(last_error)s") % {"last_error": delivery.last_error},
        )
    else:
        messages.success(
            request,
            gettext("已提交“%(channel_name)s”的测试发送，后台发送后可在发送记录中查看结果。")
            % {"channel_name": channel.name},
        )
    return redirect(f"{reverse('notify:log')}?channel={channel.pk}")


# ---------------------------------------------------------------- send log
@login_required
def log(request):
    require(request.user, "notify.channels")
    fs = DeliveryFilterSet(request.GET, queryset=queries.deliveries(request.user), request=request)
    channel, unit = fs.channel_chosen, fs.unit_chosen  # 404 outside the scope
    status = request.GET.get("status", "")
    text = (fs.form.cleaned_data.get("q") or "").strip()
    page = Paginator(fs.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/log.html",
        {
            "page": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "channel": channel,
            "unit": unit,
            "q": text,
            "unit_choices": list(queries.channel_units(request.user)),
        },
    )


@login_required
@require_POST
def delivery_retry(request, pk: int):
    delivery = queries.get_delivery(request.user, pk)
    return run_action(
        request,
        lambda: services.retry_delivery(request.user, delivery),
        success="已重新提交发送。",
        to=lambda _: _back(request, "notify:log"),
    )
