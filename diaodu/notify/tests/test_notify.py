"""notify()/notify_unit(): inbox messages, which channels get a delivery (walking up the unit
tree), audit, channel validation, and that nothing about a channel ever raises into the caller."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.notify import services
from diaodu.notify.models import Channel, Delivery, DeliveryStatus, Message
from diaodu.notify.testing import run_on_commit
from diaodu.org.models import Role, User
from diaodu.org.scope import SYSTEM


def test_notify_creates_one_message_per_recipient_and_audits(demo, person):
    wl, zb = person("mishu_wl"), person("mishu_zb")
    with acting_as(person("duchashi")):
        msgs = services.notify(
            [wl, zb, wl],
            title="请于周四 17:00 前填报周报",
            body="本周尚未填报",
            link="/projects/",
            kind="reminder",
            source=demo["QHKFQ-WL"],
        )
    assert [m.recipient for m in msgs] == [wl, zb]
    assert all(m.pk and m.kind == "reminder" and m.read_at is None for m in msgs)
    assert msgs[0].unit == demo["QHKFQ-WL"] and msgs[1].unit == demo["QHKFQ-ZB"]  # primary units
    entry = AuditEntry.objects.get(action="notify.send")
    assert entry.object_type == "org.unit" and entry.object_id == str(demo["QHKFQ-WL"].pk)
    assert entry.after["recipients"] == [wl.pk, zb.pk] and entry.actor_name == "duchashi"
    assert services.notify([], title="x") == []
    with pytest.raises(ValueError):
        services.notify([wl], title="x", kind="spam")


def test_inactive_people_get_nothing(demo, person):
    u = person("mishu_sy")
    User.objects.filter(pk=u.pk).update(is_active=False)
    assert (
        services.notify([person("mishu_sy"), person("mishu_gx").pk], title="x")[
            0
        ].recipient.username
        == "mishu_gx"
    )


def test_deliveries_go_to_nearest_unit_with_channels(demo, person, make_channel):
    zone = make_channel("QHKFQ", name="开发区工作群")
    services.notify([person("mishu_wl"), person("mishu_gx")], title="a")
    assert list(Delivery.objects.values_list("channel", flat=True)) == [
        zone.pk
    ]  # one post for both parks
    park = make_channel(
        "QHKFQ-WL",
        kind="dingtalk",
        name="物流园群",
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=x",
        secret="SECx",
    )
    Delivery.objects.all().delete()
    services.notify([person("mishu_wl"), person("mishu_gx")], title="b")
    assert set(Delivery.objects.values_list("channel", flat=True)) == {zone.pk, park.pk}
    Delivery.objects.all().delete()
    services.notify([person("mishu_gx")], title="c", unit=demo["QHKFQ-WL"])  # explicit unit
    assert list(Delivery.objects.values_list("channel", flat=True)) == [park.pk]
    services.set_channel_enabled(SYSTEM, park, False)  # disabled: the next unit up serves
    Delivery.objects.all().delete()
    services.notify([person("mishu_wl")], title="d")
    assert list(Delivery.objects.values_list("channel", flat=True)) == [zone.pk]
    Delivery.objects.all().delete()
    services.notify([person("sysadmin")], title="e")  # 党政办公室 is under the zone too
    assert Delivery.objects.count() == 1
    Delivery.objects.all().delete()
    services.notify([person("quzhang")], title="f")  # 清河区 (district) has no channel above it
    assert Delivery.objects.count() == 0


def test_email_to_the_recipients_own_addresses(demo, person, make_channel):
    make_channel("QHKFQ-WL", kind="email", name="物流园邮件")
    User.objects.filter(username="mishu_wl").update(email="gaoming@qh.gov.cn")
    services.notify([person("mishu_wl"), person("wl_zhuren")], title="a")
    d = Delivery.objects.get()
    assert d.recipients == ["gaoming@qh.gov.cn"] and d.status == DeliveryStatus.PENDING
    User.objects.update(email="")
    services.notify([person("mishu_wl")], title="b")
    d = Delivery.objects.get(title="b")
    assert (
        d.status == DeliveryStatus.FAILED and "未登记电子邮箱" in d.last_error
    )  # visible in the send log


def test_notify_unit_with_roles(demo, person):
    msgs = services.notify_unit(demo["QHKFQ-ZB"], title="装备园调度会", kind="meeting")
    assert {m.recipient.username for m in msgs} == {"zb_zhuren", "mishu_zb"}
    msgs = services.notify_unit(demo["QHKFQ-ZB"], title="装备园周报", roles=["secretary"])
    assert [m.recipient.username for m in msgs] == ["mishu_zb"]
    assert all(m.unit == demo["QHKFQ-ZB"] for m in msgs)


def test_a_broken_channel_never_raises_into_the_caller(demo, person, make_channel, monkeypatch):
    """Planning the deliveries fails, then the task backend fails: the caller's work and the
    inbox message survive both (a failing robot: see test_tasks)."""
    make_channel("QHKFQ")

    def boom(*a, **k):
        raise RuntimeError("broken")

    monkeypatch.setattr(services, "channels_for_units", boom)
    with transaction.atomic():
        msgs = services.notify([person("mishu_wl")], title="规划失败")
        Role.objects.filter(code="secretary").update(
            description="调用方的工作"
        )  # the caller's transaction goes on
    assert Message.objects.filter(title="规划失败").count() == 1 and Delivery.objects.count() == 0
    assert Role.objects.get(code="secretary").description == "调用方的工作"
    monkeypatch.undo()

    from diaodu.notify import tasks

    monkeypatch.setattr(tasks, "enqueue_send", boom)  # e.g. Redis is down
    msgs = services.notify([person("mishu_wl")], title="队列失败")
    run_on_commit()
    d = Delivery.objects.get(title="队列失败")
    assert (
        msgs[0].pk and d.status == DeliveryStatus.PENDING and d.attempts == 0
    )  # still due: retry_due will send it
    monkeypatch.undo()


def test_channel_validation(demo, person, make_channel):
    for data, field in [
        (
            {"kind": "wecom", "name": "x", "webhook_url": "ftp://qyapi.weixin.qq.com/x"},
            "webhook_url",
        ),
        ({"kind": "wecom", "name": "x", "webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"kind": "dingtalk", "name": "x", "webhook_url": ""}, "webhook_url"),
        ({"kind": "wecom", "name": "", "webhook_url": "https://a.example/x"}, "name"),
        ({"kind": "sms", "name": "x"}, "kind"),
        ({"kind": "email", "name": "x", "email_to": "a@qh.gov.cn, 不是邮箱"}, "email_to"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.create_channel(SYSTEM, unit=demo["QHKFQ"], **data)
        assert field in exc.value.message_dict, data
    ch = services.create_channel(
        SYSTEM,
        unit=demo["QHKFQ"],
        kind="email",
        name="邮件",
        email_to="a@qh.gov.cn；b@qh.gov.cn\na@qh.gov.cn",
        webhook_url="https://x.example",
    )
    assert ch.email_to == ["a@qh.gov.cn", "b@qh.gov.cn"] and ch.webhook_url == ""
    assert Channel.objects.count() == 1


def test_secret_kept_out_of_audit_and_kept_on_edit(demo, make_channel):
    ch = make_channel(
        "QHKFQ",
        kind="dingtalk",
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t",
        secret="SECtopsecret",
    )
    ch = services.update_channel(SYSTEM, ch, name="新名称", secret="")
    assert ch.secret == "SECtopsecret" and ch.name == "新名称"
    ch = services.update_channel(SYSTEM, ch, secret="SECnew")
    assert ch.secret == "SECnew"
    ch = services.update_channel(SYSTEM, ch, clear_secret=True)
    assert ch.secret == ""
    dump = str(
        list(AuditEntry.objects.filter(object_type="notify.channel").values("before", "after"))
    )
    assert "SECtopsecret" not in dump and "SECnew" not in dump and "has_secret" in dump


def test_channel_writes_need_permission_and_scope(demo, person, make_channel):
    with pytest.raises(PermissionDenied):
        services.create_channel(
            person("wl_zhuren"),
            unit=demo["QHKFQ-WL"],
            kind="wecom",
            name="x",
            webhook_url="https://a.example/x",
        )
    role = Role.objects.create(
        code="park_notify", name="园区通知管理", permissions=["notify.channels"], data_scope=4
    )
    person("wl_zhuren").roles.add(role)
    boss = person("wl_zhuren")
    services.create_channel(
        boss, unit=demo["QHKFQ-WL"], kind="wecom", name="x", webhook_url="https://a.example/x"
    )
    with pytest.raises(ValidationError):
        services.create_channel(
            boss, unit=demo["QHKFQ"], kind="wecom", name="x", webhook_url="https://a.example/x"
        )
    zone = make_channel("QHKFQ")
    with pytest.raises(ValidationError):
        services.set_channel_enabled(boss, zone, False)


def test_delete_only_without_deliveries(demo, person, make_channel):
    ch = make_channel("QHKFQ")
    services.notify([person("mishu_wl")], title="x")
    with pytest.raises(ValidationError, match="停用"):
        services.delete_channel(SYSTEM, ch)
    spare = make_channel("QHKFQ-ZB")
    services.delete_channel(SYSTEM, spare)
    assert not Channel.objects.filter(pk=spare.pk).exists()


def test_data_migration_grants_supervisor(demo):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("diaodu.notify.migrations.0002_grant_supervisor")
    role = Role.objects.get(code="supervisor")
    role.permissions = [k for k in role.permissions if k != "notify.channels"]
    role.save()
    migration.forward(apps, None)
    migration.forward(apps, None)
    assert Role.objects.get(code="supervisor").permissions.count("notify.channels") == 1
