"""Sending in the background with both task backends (database queue and Redis/RQ): success,
a channel that fails (three attempts, each logged, then `failed`), deferred retries, retries for
backends that cannot defer, and no double sends."""

from datetime import timedelta

from django.test import Client, override_settings
from django.utils import timezone

from diaodu.notify import services, tasks
from diaodu.notify.models import Delivery, DeliveryStatus, Message
from diaodu.notify.testing import run_on_commit
from diaodu.org.scope import SYSTEM


def test_sent_in_the_background(
    task_backend, demo, person, make_channel, robot_server, smtp_sink, settings
):
    for k, v in smtp_sink.settings().items():
        setattr(settings, k, v)
    make_channel("QHKFQ", kind="wecom", webhook_url=robot_server.url())
    make_channel("QHKFQ", kind="email", name="督查邮件", email_to="dc@qh.gov.cn")
    make_channel(
        "QHKFQ-WL",
        kind="dingtalk",
        webhook_url=robot_server.url("/robot/send?access_token=t"),
        secret="SECk",
    )
    services.notify(
        [person("mishu_wl"), person("mishu_zb")],
        title="周报催报",
        body="请尽快填报",
        link="/projects/",
    )
    assert (
        robot_server.requests == [] and smtp_sink.messages == []
    )  # nothing is sent in the caller's request
    assert task_backend.queued() == 3
    assert task_backend.run() == 3
    assert {d.status for d in Delivery.objects.all()} == {DeliveryStatus.SENT}
    assert all(d.attempts == 1 and d.sent_at for d in Delivery.objects.all())
    kinds = sorted("dingtalk" if "sign" in r["query"] else "wecom" for r in robot_server.requests)
    assert kinds == ["dingtalk", "wecom"]
    assert smtp_sink.messages[0]["to"] == ["dc@qh.gov.cn"]
    # the same delivery enqueued twice (a deferred retry and retry_due, say) is sent once
    Delivery.objects.update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())
    wecom = Delivery.objects.get(channel__kind="wecom")
    services.enqueue_deliveries([wecom.pk, wecom.pk])
    task_backend.run()
    assert len(robot_server.requests) == 3 and Delivery.objects.get(pk=wecom.pk).attempts == 2


def test_a_notification_channel_that_fails(task_backend, demo, person, make_channel, robot_server):
    """The robot answers errcode≠0 every time: three attempts, each logged; the delivery ends
    `failed` and shows in the send log; the inbox message is there; nothing raised."""
    robot_server.fail(93000, "invalid webhook url")
    ch = make_channel("QHKFQ", webhook_url=robot_server.url())
    msgs = services.notify([person("mishu_wl")], title="督办：问题逾期", kind="escalation")
    task_backend.run()
    d = Delivery.objects.get()
    assert d.status == DeliveryStatus.FAILED and d.attempts == 3 and d.next_attempt_at is None
    assert d.last_error.count("errcode=93000") == 3 and "第 3 次" in d.last_error
    assert len(robot_server.requests) == 3
    assert Message.objects.get(pk=msgs[0].pk).title == "督办：问题逾期"
    assert task_backend.failures() == []  # the task itself did not crash
    # the 督查室 sees it in the send log and can send it again
    html = Client()
    html.force_login(person("duchashi"))
    page = html.get("/notify/log/", {"status": "failed"}).content.decode()
    assert "督办：问题逾期" in page and "errcode=93000" in page
    robot_server.succeed()
    assert html.post(f"/notify/log/{d.pk}/retry/").status_code == 302
    task_backend.run()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 1 and ch.deliveries.count() == 1


def test_retry_succeeds_on_second_attempt(task_backend, demo, person, make_channel, robot_server):
    make_channel("QHKFQ", webhook_url=robot_server.url())
    robot_server.status = 502
    services.notify([person("mishu_wl")], title="a")
    run_on_commit()
    d = Delivery.objects.get()
    tasks.send_delivery.call(d.pk)  # first attempt, as a worker would run it
    d.refresh_from_db()
    assert d.status == DeliveryStatus.RETRYING and d.attempts == 1 and "HTTP 502" in d.last_error
    robot_server.succeed()
    task_backend.run()  # the queued first copy and the retry: one of them sends, the other finds nothing due
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 2 and len(robot_server.requests) == 2


def test_retry_is_deferred_with_run_after(
    task_backend, demo, person, make_channel, robot_server, settings
):
    settings.NOTIFY_RETRY_DELAYS = (60, 300)
    robot_server.fail()
    make_channel("QHKFQ", webhook_url=robot_server.url())
    services.notify([person("mishu_wl")], title="a")
    task_backend.run()
    d = Delivery.objects.get()
    assert d.status == DeliveryStatus.RETRYING and d.attempts == 1
    assert timedelta(seconds=50) < d.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    assert (
        task_backend.scheduled() == 1 and task_backend.queued() == 0
    )  # waiting in the backend, not polling
    # a minute later
    robot_server.succeed()
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now())
    assert task_backend.release_scheduled() == 1
    task_backend.run()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 2


def test_retry_due_for_backends_without_run_after(
    demo, person, make_channel, robot_server, settings
):
    """The immediate backend cannot defer: the retry waits for the periodic `notify.retry_due`."""
    settings.NOTIFY_RETRY_DELAYS = (60, 300)
    make_channel("QHKFQ", webhook_url=robot_server.url())
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        robot_server.fail()
        services.notify([person("mishu_wl")], title="a")
        run_on_commit()  # sent at once by the immediate backend: fails
        d = Delivery.objects.get()
        assert d.status == DeliveryStatus.RETRYING and d.attempts == 1
        assert tasks.retry_due() == 0  # not due yet
        robot_server.succeed()
        Delivery.objects.filter(pk=d.pk).update(
            next_attempt_at=timezone.now() - timedelta(minutes=2)
        )
        assert tasks.retry_due() == 1
        run_on_commit()
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 2


def test_disabled_channel_is_not_used_by_queued_sends(demo, person, make_channel, robot_server):
    ch = make_channel("QHKFQ", webhook_url=robot_server.url())
    services.notify([person("mishu_wl")], title="a")
    run_on_commit()
    services.set_channel_enabled(SYSTEM, ch, False)
    assert tasks.send_delivery.call(Delivery.objects.get().pk) == DeliveryStatus.FAILED
    assert robot_server.requests == [] and "已停用" in Delivery.objects.get().last_error
