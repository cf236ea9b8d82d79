"""Pages and API: the inbox and its badge, mark read; who may see channels and the send log
(scoped to visible units); forged ids answer 404; test send; fixed query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.notify import services
from diaodu.notify.models import Channel, Delivery, DeliveryStatus, Message
from diaodu.org.models import Role
from diaodu.org.scope import SYSTEM


def send(person, usernames, n=1, **kw):
    with acting_as(None):
        for i in range(n):
            services.notify(
                [person(u) for u in usernames],
                title=kw.get("title", f"消息{i}"),
                link=kw.get("link", ""),
                kind=kw.get("kind", "info"),
            )


@pytest.fixture
def park_admin(demo, person):
    """王建国 (物流园) gets `notify.channels` with scope 本部门及以下: only 物流园's channels."""
    role = Role.objects.create(
        code="park_notify", name="园区通知管理", permissions=["notify.channels"], data_scope=4
    )
    person("wl_zhuren").roles.add(role)
    return person("wl_zhuren")


# ---------------------------------------------------------------- inbox
def test_inbox_badge_and_mark_read(client_for, person):
    send(person, ["mishu_wl"], n=3)
    send(person, ["mishu_zb"], title="别人的消息")
    c = client_for("mishu_wl")
    html = c.get("/notify/").content.decode()
    assert html.count("data-message=") == 3 and "别人的消息" not in html
    assert 'hx-get="/notify/badge/"' in c.get("/").content.decode()  # the top bar of every page
    assert 'data-testid="unread">3<' in c.get("/notify/badge/").content.decode()
    first = Message.objects.filter(recipient=person("mishu_wl")).first()
    assert c.post(f"/notify/{first.pk}/read/").status_code == 302
    assert 'data-testid="unread">2<' in c.get("/notify/badge/").content.decode()
    assert c.get("/notify/", {"unread": "1"}).content.decode().count("data-message=") == 2
    assert c.post("/notify/read-all/").status_code == 302
    assert 'data-testid="unread"' not in c.get("/notify/badge/").content.decode()
    assert AuditEntry.objects.filter(action__in=["message.read", "message.read_all"]).count() == 2


def test_badge_costs_pages_no_query(client_for, person, django_assert_max_num_queries):
    """Pages render the badge's placeholder only; the count is one query of its own request."""
    send(person, ["mishu_wl"], n=2)
    c = client_for("mishu_wl")
    c.get("/")
    with CaptureQueriesContext(connection) as page:
        c.get("/")
    assert not any("notify_message" in q["sql"] for q in page.captured_queries)
    with django_assert_max_num_queries(6):  # session, user, the count, session save
        assert 'data-testid="unread">2<' in c.get("/notify/badge/").content.decode()
    from django.test import Client

    assert (
        Client().get("/notify/badge/").content.decode().strip() == '<span id="notify-badge"></span>'
    )


def test_others_messages_are_404(client_for, person):
    send(person, ["mishu_zb"])
    other = Message.objects.get()
    c = client_for("mishu_wl")
    assert c.post(f"/notify/{other.pk}/read/").status_code == 404
    assert c.post(f"/notify/{other.pk}/open/").status_code == 404
    assert c.post("/notify/999999/read/").status_code == 404
    assert Message.objects.get().read_at is None
    assert c.get(f"/notify/{other.pk}/read/").status_code == 405


def test_open_follows_only_local_links(client_for, person):
    send(person, ["mishu_wl"], link="/projects/")
    send(person, ["mishu_wl"], link="https://evil.example/phish", title="外链")
    c = client_for("mishu_wl")
    local, evil = Message.objects.get(link="/projects/"), Message.objects.get(title="外链")
    assert c.post(f"/notify/{local.pk}/open/")["Location"] == "/projects/"
    assert c.post(f"/notify/{evil.pk}/open/")["Location"] == "/notify/"
    assert not Message.objects.filter(read_at__isnull=True).exists()


def test_anonymous_is_sent_to_login(client):
    assert client.get("/notify/").status_code == 302
    assert client.get("/notify/log/").status_code == 302


def test_inbox_query_count_is_fixed(client_for, person, django_assert_max_num_queries):
    c = client_for("mishu_wl")
    for count in (1, 40):
        send(person, ["mishu_wl"], n=count)
        c.get("/notify/")
        with django_assert_max_num_queries(
            11
        ):  # the shell's 9 (session, scope, units), count, page
            assert c.get("/notify/").status_code == 200


# ---------------------------------------------------------------- channels and send log
MAY_MANAGE = {
    "duchashi": True,
    "mishu_wl": False,
    "wl_zhuren": False,
    "sysadmin": False,
    "auditor": False,
    "zhaoshang": False,
}


def test_who_sees_channels_and_send_log(client_for):
    for username, allowed in MAY_MANAGE.items():
        c = client_for(username)
        html = c.get("/").content.decode()
        assert 'data-menu="notify:inbox"' in html  # everyone has an inbox
        assert ('data-menu="notify:channels"' in html) is allowed, username
        assert ('data-menu="notify:log"' in html) is allowed, username
        for url in ("/notify/channels/", "/notify/channels/new/", "/notify/log/"):
            assert c.get(url).status_code == (200 if allowed else 403), (username, url)


def test_channel_pages_create_edit_toggle(client_for, demo):
    c = client_for("duchashi")
    r = c.post(
        "/notify/channels/new/",
        {
            "unit": demo["QHKFQ-WL"].pk,
            "kind": "dingtalk",
            "name": "物流园群",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abcdef123",
            "secret": "SECabc",
            "enabled": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:400]
    ch = Channel.objects.get()
    assert ch.secret == "SECabc" and ch.unit == demo["QHKFQ-WL"] and ch.enabled
    html = c.get("/notify/channels/").content.decode()
    assert (
        "物流园群" in html and "abcdef123" not in html and "SECabc" not in html
    )  # credentials not shown
    assert "SECabc" not in c.get(f"/notify/channels/{ch.pk}/").content.decode()
    r = c.post(
        f"/notify/channels/{ch.pk}/",
        {
            "kind": "dingtalk",
            "name": "物流园工作群",
            "webhook_url": ch.webhook_url,
            "secret": "",
            "enabled": "on",
        },
    )
    assert r.status_code == 302
    ch.refresh_from_db()
    assert ch.name == "物流园工作群" and ch.secret == "SECabc"
    r = c.post(
        "/notify/channels/new/",
        {
            "unit": demo["QHKFQ"].pk,
            "kind": "wecom",
            "name": "x",
            "webhook_url": "file:///etc/passwd",
        },
    )
    assert r.status_code == 200 and "http:// 或 https://" in r.content.decode()
    assert c.post(f"/notify/channels/{ch.pk}/toggle/").status_code == 302
    assert not Channel.objects.get(pk=ch.pk).enabled


def test_scoped_channel_admin_and_forged_ids(client_for, demo, park_admin, make_channel):
    zone = make_channel("QHKFQ", name="开发区群")
    park = make_channel("QHKFQ-WL", name="物流园群")
    with acting_as(None):
        services.test_send(SYSTEM, zone)
        services.test_send(SYSTEM, park)
    c = client_for("wl_zhuren")
    html = c.get("/notify/channels/").content.decode()
    assert "物流园群" in html and "开发区群" not in html
    log = c.get("/notify/log/").content.decode()
    assert log.count("data-delivery=") == 1
    for url in (f"/notify/channels/{zone.pk}/", f"/notify/log/?channel={zone.pk}"):
        assert c.get(url).status_code == 404, url
    for url in (
        f"/notify/channels/{zone.pk}/toggle/",
        f"/notify/channels/{zone.pk}/test/",
        f"/notify/channels/{zone.pk}/delete/",
    ):
        assert c.post(url).status_code == 404, url
    zone_delivery = Delivery.objects.get(channel=zone)
    Delivery.objects.filter(pk=zone_delivery.pk).update(status=DeliveryStatus.FAILED)
    assert c.post(f"/notify/log/{zone_delivery.pk}/retry/").status_code == 404
    r = c.post(
        "/notify/channels/new/",
        {
            "unit": demo["QHKFQ"].pk,
            "kind": "wecom",
            "name": "x",
            "webhook_url": "https://a.example/x",
        },
    )
    assert r.status_code == 404  # a unit outside the person's scope
    assert Channel.objects.count() == 2 and Channel.objects.get(pk=zone.pk).enabled


def test_test_send_button(client_for, make_channel, task_backend, robot_server):
    ch = make_channel("QHKFQ", webhook_url=robot_server.url())
    c = client_for("duchashi")
    r = c.post(f"/notify/channels/{ch.pk}/test/")
    assert r.status_code == 302 and r["Location"] == f"/notify/log/?channel={ch.pk}"
    task_backend.run()
    d = Delivery.objects.get()
    assert d.is_test and d.status == DeliveryStatus.SENT and len(robot_server.requests) == 1
    assert "测试" in c.get(r["Location"]).content.decode()
    assert AuditEntry.objects.filter(action="channel.test", object_id=str(ch.pk)).exists()


def test_log_and_channels_query_counts_are_fixed(
    client_for, person, make_channel, django_assert_max_num_queries, demo
):
    for code in ("QHKFQ", "QHKFQ-WL", "QHKFQ-ZB"):
        make_channel(code, name=f"{code} 群")
    c = client_for("duchashi")
    for count in (1, 13):
        send(person, ["mishu_wl", "mishu_zb", "mishu_gx"], n=count)  # 3 channels × count deliveries
        c.get("/notify/log/")
        with django_assert_max_num_queries(13):  # the shell's 10, count, rows, unit choices
            assert c.get("/notify/log/").status_code == 200
        with django_assert_max_num_queries(14):  # + the unit of the filter
            assert (
                c.get("/notify/log/", {"status": "pending", "unit": demo["QHKFQ"].pk}).status_code
                == 200
            )
        make_channel("QHKFQ-GX", name=f"高新园群{count}")
        with django_assert_max_num_queries(11):
            assert c.get("/notify/channels/").status_code == 200


# ---------------------------------------------------------------- API
def test_api_inbox_and_mark_read(client_for, person, client):
    send(person, ["mishu_wl"], n=3, kind="reminder")
    send(person, ["mishu_zb"], title="别人的消息")
    c = client_for("mishu_wl")
    data = c.get("/api/v1/notify/inbox").json()
    assert len(data["items"]) == 3 and data["count"] == 3 and not data["has_next"]
    assert c.get("/api/v1/notify/inbox/unread").json() == {"count": 3}
    assert data["items"][0]["kind_label"] == "提醒"
    first = data["items"][0]["id"]
    r = c.post(f"/api/v1/notify/inbox/{first}/read")
    assert r.status_code == 200 and r.json()["is_read"]
    assert c.get("/api/v1/notify/inbox", {"unread": True}).json()["count"] == 2
    assert c.get("/api/v1/notify/inbox/unread").json() == {"count": 2}
    other = Message.objects.get(title="别人的消息").pk
    assert c.post(f"/api/v1/notify/inbox/{other}/read").status_code == 404
    assert Message.objects.get(pk=other).read_at is None
    assert c.post("/api/v1/notify/inbox/read-all").json() == {"count": 2}
    assert client.get("/api/v1/notify/inbox").status_code == 401
