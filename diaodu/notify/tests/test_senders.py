"""Transports against local stand-ins: robot payloads, 钉钉 signing, replies that are failures,
SMTP through a local sink and a refused connection. Nothing here reaches the internet."""

import base64
import hashlib
import hmac
import urllib.parse
from types import SimpleNamespace

import pytest
from django.test import override_settings

from diaodu.notify import senders
from diaodu.notify.testing import closed_port


def _channel(kind, url="", secret="", email_to=()):
    return SimpleNamespace(kind=kind, webhook_url=url, secret=secret, email_to=list(email_to))


def _delivery(
    title="周报催报", body="物流园 3 个项目未报", link="/supervision/reports/", recipients=()
):
    return SimpleNamespace(title=title, body=body, link=link, recipients=list(recipients))


def test_dingtalk_signature_is_hmac_sha256_of_timestamp_and_secret():
    secret, ts = "SEC0123456789abcdef", 1718000000000
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert senders.dingtalk_sign(secret, ts) == expected
    url = senders.dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=abc", secret, ts)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert (
        query["access_token"] == ["abc"]
        and query["timestamp"] == [str(ts)]
        and query["sign"] == [expected]
    )
    assert "+" not in url.split("sign=")[1] and "/" not in url.split("sign=")[1]  # url-encoded
    assert senders.dingtalk_url("https://x.example/robot", "", ts) == "https://x.example/robot"


def test_wecom_and_dingtalk_payloads(robot_server):
    senders.send(_channel("wecom", robot_server.url()), _delivery())
    senders.send(
        _channel("dingtalk", robot_server.url("/robot/send?access_token=t"), "SECabc"), _delivery()
    )
    wecom, ding = robot_server.requests
    assert wecom["json"]["msgtype"] == "markdown"
    assert wecom["json"]["markdown"]["content"].startswith("### 周报催报\n\n物流园 3 个项目未报")
    assert wecom["query"] == {"key": "test-key"}
    assert ding["json"] == {
        "msgtype": "markdown",
        "markdown": {"title": "周报催报", "text": ding["json"]["markdown"]["text"]},
    }
    ts = int(ding["query"]["timestamp"])
    assert ding["query"]["sign"] == senders.dingtalk_sign(
        "SECabc", ts
    )  # the robot can verify the signature


def test_long_wecom_message_is_cut_to_4096_bytes():
    payload = senders.wecom_payload("标题", "很长的内容" * 2000, "")
    assert len(payload["markdown"]["content"].encode()) <= 4096


@override_settings(SITE_URL="https://diaodu.example.gov.cn")
def test_relative_link_made_absolute_when_site_url_known():
    assert "[查看详情](https://diaodu.example.gov.cn/notify/)" in senders.markdown(
        "t", "", "/notify/"
    )


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda s: s.fail(310000, "sign not match"), "errcode=310000 sign not match"),
        (lambda s: setattr(s, "status", 500), "HTTP 500"),
        (lambda s: setattr(s, "reply", "<html>gateway</html>"), "不是 JSON"),
        (lambda s: setattr(s, "reply", {"errmsg": "no errcode"}), "errcode=None"),
    ],
)
def test_robot_failures_raise_send_error(robot_server, setup, message):
    setup(robot_server)
    with pytest.raises(senders.SendError, match=message):
        senders.send(_channel("wecom", robot_server.url()), _delivery())


def test_robot_timeout_and_refused(robot_server, settings):
    settings.NOTIFY_TIMEOUT_SECONDS = 0.2
    robot_server.delay = 0.6
    with pytest.raises(senders.SendError, match="超时"):
        senders.send(_channel("wecom", robot_server.url()), _delivery())
    with pytest.raises(senders.SendError, match="无法连接"):
        senders.send(_channel("wecom", f"http://127.0.0.1:{closed_port()}/x"), _delivery())


def test_email_through_local_smtp(smtp_sink):
    with override_settings(**smtp_sink.settings(), DEFAULT_FROM_EMAIL="diaodu@qh.gov.cn"):
        senders.send(_channel("email", email_to=["dc@qh.gov.cn"]), _delivery())
        senders.send(_channel("email"), _delivery(recipients=["a@qh.gov.cn", "b@qh.gov.cn"]))
    fixed, own = smtp_sink.messages
    assert fixed["from"] == "diaodu@qh.gov.cn" and fixed["to"] == ["dc@qh.gov.cn"]
    assert b"Subject: =?utf-8?" in fixed["data"]
    assert own["to"] == ["a@qh.gov.cn", "b@qh.gov.cn"]
    assert b"a@qh.gov.cn" not in own["data"]  # blind copies: recipients do not see each other


def test_email_refused_connection_and_no_address():
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port(),
    ):
        with pytest.raises(senders.SendError, match="邮件发送失败"):
            senders.send(_channel("email", email_to=["dc@qh.gov.cn"]), _delivery())
    with pytest.raises(senders.SendError, match="未登记电子邮箱"):
        senders.send(_channel("email"), _delivery(recipients=[]))
