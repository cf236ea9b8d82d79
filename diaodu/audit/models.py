"""Hash-chained audit log (全程留痕) and the login log.

Each AuditEntry stores `seq` (gap-free, 1, 2, 3 …), the SHA-256 of the previous entry
(`prev_hash`) and the SHA-256 of its own content plus `prev_hash` (`hash`). AuditHead holds the
sequence number and hash of the newest entry, updated in the same transaction, so removing the
newest entries is detected too. Nothing in the application updates or deletes an entry: the
model and its queryset refuse, and on PostgreSQL a trigger refuses as well.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models


class AuditProtectedError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditProtectedError("审计日志不可修改")

    def delete(self):
        raise AuditProtectedError("审计日志不可删除")

    def search(
        self,
        *,
        person: str = "",
        object_type: str = "",
        object_id: str = "",
        action: str = "",
        since=None,
        until=None,
        text: str = "",
    ):
        qs = self
        if person:
            qs = qs.filter(actor_name__icontains=person)
        if object_type:
            qs = qs.filter(object_type=object_type)
        if object_id:
            qs = qs.filter(object_id=str(object_id))
        if action:
            qs = qs.filter(action__icontains=action)
        if since:
            qs = qs.filter(created_at__gte=since)
        if until:
            qs = qs.filter(created_at__lt=until)
        if text:
            qs = qs.filter(object_repr__icontains=text)
        return qs


GENESIS = "0" * 64


def canonical(payload: dict) -> str:
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人账号", max_length=150, db_index=True)
    request_id = models.CharField("请求号", max_length=64, db_index=True)
    channel = models.CharField("渠道", max_length=16)
    ip = models.CharField("IP", max_length=64, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, db_index=True)
    object_id = models.CharField("对象ID", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=300)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = verbose_name_plural = "审计日志"
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx")
        ]

    def __str__(self):
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_repr}"

    def content(self) -> dict:
        """The fields the hash covers (everything but the hashes themselves)."""
        return {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "request_id": self.request_id,
            "channel": self.channel,
            "ip": self.ip,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
        }

    def compute_hash(self) -> str:
        data = (self.prev_hash + canonical(self.content())).encode("utf-8")
        return hashlib.sha256(data).hexdigest()

    def save(self, *args, **kwargs):  # noqa: DJ012
        if not self._state.adding:
            raise AuditProtectedError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditProtectedError("审计日志不可删除")


class AuditHead(models.Model):
    """One row: the newest entry's seq and hash. Locked while appending (serialises the chain)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)


class LoginLog(models.Model):
    class Result(models.TextChoices):
        SUCCESS = "success", "成功"
        FAILED = "failed", "密码错误"
        UNKNOWN_USER = "unknown_user", "账号不存在"
        LOCKED = "locked", "账号已锁定"
        DISABLED = "disabled", "账号已停用"
        LOGOUT = "logout", "退出"
        TIMEOUT = "timeout", "超时退出"

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    username = models.CharField("账号", max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="用户",
    )
    ip = models.CharField("IP", max_length=64, blank=True)
    user_agent = models.CharField("浏览器", max_length=400, blank=True)
    result = models.CharField("结果", max_length=16, choices=Result.choices, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = "登录日志"
