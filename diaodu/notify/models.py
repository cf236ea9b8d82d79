"""Notifications: the in-app inbox (Message), the external channels of a unit (Channel: e-mail,
企业微信 and 钉钉 group robots), the send log (Delivery) and the claims of periodic jobs
(PeriodicRun)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop


class Kind(models.TextChoices):
    INFO = "info", gettext_noop("通知")
    REMINDER = "reminder", gettext_noop("提醒")
    ESCALATION = "escalation", gettext_noop("督办")
    ASSIGNMENT = "assignment", gettext_noop("交办")
    MEETING = "meeting", gettext_noop("会议")


class MessageQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Message(models.Model):
    """One entry of one person's inbox. Created in the caller's transaction, never by a worker."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notify_messages",
        verbose_name=gettext_noop("接收人"),
    )
    title = models.CharField(gettext_noop("标题"), max_length=200)
    body = models.TextField(gettext_noop("内容"), blank=True)
    link = models.CharField(gettext_noop("链接"), max_length=500, blank=True)
    kind = models.CharField(
        gettext_noop("类别"), max_length=16, choices=Kind.choices, default=Kind.INFO
    )
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_noop("单位"),
    )
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(gettext_noop("时间"), auto_now_add=True)
    read_at = models.DateTimeField(gettext_noop("阅读时间"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = gettext_noop("站内消息")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notify_msg_unread_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notify_msg_inbox_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ChannelKind(models.TextChoices):
    EMAIL = "email", gettext_noop("电子邮件")
    WECOM = "wecom", gettext_noop("企业微信群机器人")
    DINGTALK = "dingtalk", gettext_noop("钉钉群机器人")


class Channel(models.Model):
    """An external channel of a unit. Notifications for people of the unit (or of units below it
    that have no channel of their own) are also sent here."""

    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="notify_channels",
        verbose_name=gettext_noop("单位"),
    )
    kind = models.CharField(gettext_noop("渠道类型"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(gettext_noop("名称"), max_length=60)
    webhook_url = models.CharField(gettext_noop("Webhook 地址"), max_length=500, blank=True)
    secret = models.CharField(gettext_noop("加签密钥"), max_length=200, blank=True)
    email_to = models.JSONField(
        gettext_noop("收件地址"), default=list, blank=True
    )  # empty: the recipients' own addresses
    enabled = models.BooleanField(gettext_noop("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__path", "kind", "id"]
        verbose_name = verbose_name_plural = gettext_noop("通知渠道")

    def __str__(self):
        return f"{self.name}（{self.get_kind_display()}）"

    @property
    def is_robot(self) -> bool:
        return self.kind in (ChannelKind.WECOM, ChannelKind.DINGTALK)

    @property
    def masked_webhook(self) -> str:
        """The webhook without its token (the key= / access_token= part is a credential)."""
        url = self.webhook_url
        for marker in ("key=", "access_token="):
            if marker in url:
                head, _, tail = url.partition(marker)
                return f"{head}{marker}{tail[:4]}…" if tail else url
        return url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", gettext_noop("待发送")
    RETRYING = "retrying", gettext_noop("等待重试")
    SENT = "sent", gettext_noop("已发送")
    FAILED = "failed", gettext_noop("失败")


class Delivery(models.Model):
    """One send to one channel (the send log). Title and body are a snapshot of what was sent."""

    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=gettext_noop("渠道"),
    )
    kind = models.CharField(
        gettext_noop("类别"), max_length=16, choices=Kind.choices, default=Kind.INFO
    )
    title = models.CharField(gettext_noop("标题"), max_length=200)
    body = models.TextField(gettext_noop("内容"), blank=True)
    link = models.CharField(gettext_noop("链接"), max_length=500, blank=True)
    recipients = models.JSONField(gettext_noop("收件地址"), default=list, blank=True)  # e-mail only
    is_test = models.BooleanField(gettext_noop("测试发送"), default=False)
    status = models.CharField(
        gettext_noop("状态"),
        max_length=16,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(gettext_noop("已尝试次数"), default=0)
    last_error = models.TextField(gettext_noop("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(gettext_noop("下次尝试"), null=True, blank=True)
    sent_at = models.DateTimeField(gettext_noop("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(gettext_noop("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = gettext_noop("发送记录")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due_idx")
        ]

    def __str__(self):
        return f"{self.title} → {self.channel_id}"


class PeriodicRun(models.Model):
    """The claim of one run (slot) of a periodic job. The unique constraint is the lock: of several
    scheduler processes, only the one whose INSERT succeeds enqueues the job."""

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_noop("已排队")
        RUNNING = "running", gettext_noop("运行中")
        DONE = "done", gettext_noop("完成")
        FAILED = "failed", gettext_noop("失败")

    job = models.CharField(gettext_noop("任务"), max_length=100)
    slot = models.DateTimeField(gettext_noop("计划时间"))
    status = models.CharField(
        gettext_noop("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-slot", "job"]
        verbose_name = verbose_name_plural = gettext_noop("定时任务运行")
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="notify_periodic_run_once")
        ]

    def __str__(self):
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
