"""Notifications: the in-app inbox (Message), the external channels of a unit (Channel: e-mail,
企业微信 and 钉钉 group robots), the send log (Delivery) and the claims of periodic jobs
(PeriodicRun)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    INFO = "info", "通知"
    REMINDER = "reminder", "提醒"
    ESCALATION = "escalation", "督办"
    ASSIGNMENT = "assignment", "交办"
    MEETING = "meeting", "会议"


class MessageQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Message(models.Model):
    """One entry of one person's inbox. Created in the caller's transaction, never by a worker."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notify_messages",
        verbose_name="接收人",
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.INFO)
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="单位",
    )
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "站内消息"
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
    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"


class Channel(models.Model):
    """An external channel of a unit. Notifications for people of the unit (or of units below it
    that have no channel of their own) are also sent here."""

    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="notify_channels", verbose_name="单位"
    )
    kind = models.CharField("渠道类型", max_length=16, choices=ChannelKind.choices)
    name = models.CharField("名称", max_length=60)
    webhook_url = models.CharField("Webhook 地址", max_length=500, blank=True)
    secret = models.CharField("加签密钥", max_length=200, blank=True)
    email_to = models.JSONField(
        "收件地址", default=list, blank=True
    )  # empty: the recipients' own addresses
    enabled = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["unit__path", "kind", "id"]
        verbose_name = verbose_name_plural = "通知渠道"

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
    PENDING = "pending", "待发送"
    RETRYING = "retrying", "等待重试"
    SENT = "sent", "已发送"
    FAILED = "failed", "失败"


class Delivery(models.Model):
    """One send to one channel (the send log). Title and body are a snapshot of what was sent."""

    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="deliveries", verbose_name="渠道"
    )
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.INFO)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    recipients = models.JSONField("收件地址", default=list, blank=True)  # e-mail only
    is_test = models.BooleanField("测试发送", default=False)
    status = models.CharField(
        "状态", max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = verbose_name_plural = "发送记录"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due_idx")
        ]

    def __str__(self):
        return f"{self.title} → {self.channel_id}"


class PeriodicRun(models.Model):
    """The claim of one run (slot) of a periodic job. The unique constraint is the lock: of several
    scheduler processes, only the one whose INSERT succeeds enqueues the job."""

    class Status(models.TextChoices):
        QUEUED = "queued", "已排队"
        RUNNING = "running", "运行中"
        DONE = "done", "完成"
        FAILED = "failed", "失败"

    job = models.CharField("任务", max_length=100)
    slot = models.DateTimeField("计划时间")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(auto_now_add=True)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-slot", "job"]
        verbose_name = verbose_name_plural = "定时任务运行"
        constraints = [
            models.UniqueConstraint(fields=["job", "slot"], name="notify_periodic_run_once")
        ]

    def __str__(self):
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
