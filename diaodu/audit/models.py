"""Keyed, hash-chained audit log (全程留痕) and the login log. Design: docs/audit.md.

An entry is written in the business transaction with its own keyed MAC (`mac`, under the key
named by `mac_tag`) and no place in the chain yet. Right after commit, a short sealing
transaction (chain.py) gives committed entries, in order, a gap-free `seq`, the previous
entry's hash (`prev_hash`) and a keyed `hash` over seq, prev_hash and mac (`chain_tag`), and
moves the head (AuditHead) along. The login log is a second chain sealed the same way.
Nothing in the application updates or deletes an entry: the model and its queryset refuse, and
on PostgreSQL triggers refuse as well (the only update allowed is sealing a pending entry,
content unchanged).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_noop

from diaodu.audit.crypto import canonical


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
AUDIT_CHAIN, LOGIN_CHAIN = 1, 2  # AuditHead ids


class Sealed(models.Model):
    """The fields every chained log carries. Empty `hash` = written, not yet sealed."""

    seq = models.PositiveBigIntegerField(gettext_noop("序号"), null=True, blank=True, unique=True)
    mac_tag = models.CharField(max_length=40, blank=True, default="")
    mac = models.CharField(max_length=64, blank=True, default="")
    chain_tag = models.CharField(max_length=40, blank=True, default="")
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def sealed(self) -> bool:
        return bool(self.hash)

    def save(self, *args, **kwargs):  # noqa: DJ012
        if not self._state.adding:
            raise AuditProtectedError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditProtectedError("审计日志不可删除")


class AuditEntry(Sealed):
    created_at = models.DateTimeField(gettext_noop("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=gettext_noop("操作人"),
    )
    actor_name = models.CharField(gettext_noop("操作人账号"), max_length=150, db_index=True)
    request_id = models.CharField(gettext_noop("请求号"), max_length=64, db_index=True)
    channel = models.CharField(gettext_noop("渠道"), max_length=16)
    ip = models.CharField("IP", max_length=64, blank=True)
    action = models.CharField(gettext_noop("操作"), max_length=64, db_index=True)
    object_type = models.CharField(gettext_noop("对象类型"), max_length=64, db_index=True)
    object_id = models.CharField(gettext_noop("对象ID"), max_length=64, db_index=True)
    object_repr = models.CharField(gettext_noop("对象"), max_length=300)
    before = models.JSONField(gettext_noop("修改前"), null=True, blank=True)
    after = models.JSONField(gettext_noop("修改后"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = gettext_noop("审计日志")
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx"),
            models.Index(fields=["id"], condition=models.Q(hash=""), name="audit_pending_idx"),
        ]

    def __str__(self):
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_repr}"

    def body(self) -> dict:
        """What the entry's own MAC covers: everything it says (not its place in the chain)."""
        return {
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
            "mac_tag": self.mac_tag,
        }

    def legacy_content(self) -> dict:
        """What version 1 hashed (unkeyed SHA-256); entries sealed before the upgrade keep it."""
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

    def legacy_hash(self) -> str:
        data = (self.prev_hash + canonical(self.legacy_content())).encode("utf-8")
        return hashlib.sha256(data).hexdigest()


class AuditHead(models.Model):
    """One row per chain (1 audit log, 2 login log): the newest sealed entry's seq and hash.
    Locked only by the short sealing transaction, never by a business transaction."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)


class LoginLog(Sealed):
    class Result(models.TextChoices):
        SUCCESS = "success", gettext_noop("成功")
        FAILED = "failed", gettext_noop("密码错误")
        UNKNOWN_USER = "unknown_user", gettext_noop("账号不存在")
        LOCKED = "locked", gettext_noop("账号已锁定")
        DISABLED = "disabled", gettext_noop("账号已停用")
        LOGOUT = "logout", gettext_noop("退出")
        TIMEOUT = "timeout", gettext_noop("超时退出")

    created_at = models.DateTimeField(gettext_noop("时间"), db_index=True)
    username = models.CharField(gettext_noop("账号"), max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=gettext_noop("用户"),
    )
    ip = models.CharField("IP", max_length=64, blank=True)
    user_agent = models.CharField(gettext_noop("浏览器"), max_length=400, blank=True)
    result = models.CharField(
        gettext_noop("结果"), max_length=16, choices=Result.choices, db_index=True
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = gettext_noop("登录日志")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(hash=""), name="login_pending_idx")
        ]

    def body(self) -> dict:
        return {
            "created_at": self.created_at.isoformat(),
            "username": self.username,
            "user_id": self.user_id,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "result": self.result,
            "mac_tag": self.mac_tag,
        }
