"""The transports: SMTP e-mail and the group robots of 企业微信 and 钉钉.

Each sender takes a channel and a delivery and either returns or raises `SendError` with a short
Chinese explanation (stored in the send log). No retry logic here: see tasks.send_delivery.
HTTP goes through urllib with a timeout; no other HTTP dependency.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

WECOM_MAX_BYTES = 4096
DINGTALK_MAX_CHARS = 5000


class SendError(Exception):
    """A channel refused or could not be reached; the message says why (in Chinese)."""


def timeout() -> float:
    return float(getattr(settings, "NOTIFY_TIMEOUT_SECONDS", 10))


def absolute_link(link: str) -> str:
    base = getattr(settings, "SITE_URL", "") or ""
    if link.startswith("/") and base:
        return base.rstrip("/") + link
    return link


def markdown(title: str, body: str, link: str) -> str:
    parts = [f"### {title}"]
    if body:
        parts.append(body)
    full = absolute_link(link)
    if full.startswith(("http://", "https://")):
        parts.append(f"[查看详情]({full})")
    elif full:
        parts.append(f"链接：{full}")
    return "\n\n".join(parts)


def _truncate_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def wecom_payload(title: str, body: str, link: str) -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {"content": _truncate_bytes(markdown(title, body, link), WECOM_MAX_BYTES)},
    }


def dingtalk_payload(title: str, body: str, link: str) -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {
            "title": title[:100],
            "text": markdown(title, body, link)[:DINGTALK_MAX_CHARS],
        },
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉加签: HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, base64 (not yet url-encoded)."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


def dingtalk_url(webhook_url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return webhook_url
    ts = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    query = urllib.parse.urlencode({"timestamp": ts, "sign": dingtalk_sign(secret, ts)})
    return f"{webhook_url}{'&' if '?' in webhook_url else '?'}{query}"


def post_json(url: str, payload: dict) -> dict:
    """POST a JSON payload to a robot; return the JSON reply when errcode is 0, else raise."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout()) as response:
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        raise SendError(f"机器人接口返回 HTTP {exc.code}。") from None
    except TimeoutError:
        raise SendError(f"机器人接口超时（{timeout():g} 秒无响应）。") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"无法连接机器人接口：{reason}") from None
    try:
        reply = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise SendError("机器人接口的回复不是 JSON。") from None
    if not isinstance(reply, dict) or reply.get("errcode") != 0:
        code = reply.get("errcode") if isinstance(reply, dict) else None
        msg = str(reply.get("errmsg", ""))[:200] if isinstance(reply, dict) else ""
        raise SendError(f"机器人接口拒绝：errcode={code} {msg}".strip())
    return reply


def send_email(subject: str, body: str, to: list[str], bcc: list[str]) -> None:
    if not to and not bcc:
        raise SendError("没有收件地址：收件人均未登记电子邮箱。")
    try:
        connection = get_connection(fail_silently=False, timeout=timeout())
        EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            bcc=bcc,
            connection=connection,
        ).send()
    except TimeoutError:
        raise SendError(f"邮件服务器超时（{timeout():g} 秒无响应）。") from None
    except Exception as exc:  # smtplib errors, refused connections, bad addresses
        raise SendError(f"邮件发送失败：{type(exc).__name__}: {str(exc)[:200]}") from None


def send(channel, delivery) -> None:
    """Send one delivery through its channel; raise SendError on any failure."""
    from diaodu.notify.models import ChannelKind

    if channel.kind == ChannelKind.WECOM:
        post_json(channel.webhook_url, wecom_payload(delivery.title, delivery.body, delivery.link))
    elif channel.kind == ChannelKind.DINGTALK:
        post_json(
            dingtalk_url(channel.webhook_url, channel.secret),
            dingtalk_payload(delivery.title, delivery.body, delivery.link),
        )
    elif channel.kind == ChannelKind.EMAIL:
        text = delivery.body
        full = absolute_link(delivery.link)
        if full:
            text = f"{text}\n\n{full}" if text else full
        if channel.email_to:
            send_email(f"【调度】{delivery.title}", text, list(channel.email_to), [])
        else:  # the recipients' own addresses, blind-copied so they do not see each other's
            send_email(f"【调度】{delivery.title}", text, [], list(delivery.recipients))
    else:
        raise SendError(f"未知的渠道类型：{channel.kind}")
