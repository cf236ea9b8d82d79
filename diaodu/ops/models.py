"""Run-time state of the background processes. Infrastructure, not business data: nothing here
is audited, and every row may be deleted without losing a record of the zone's work."""

from django.db import models
from django.utils.translation import gettext_noop


class Heartbeat(models.Model):
    """The last sign of life of one worker or scheduler process (for `/healthz`)."""

    class Role(models.TextChoices):
        WORKER = "worker", gettext_noop("后台任务进程")
        SCHEDULER = "scheduler", gettext_noop("调度进程")

    process = models.CharField(max_length=200, unique=True)  # host:pid:start
    role = models.CharField(max_length=16, choices=Role.choices)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=40, blank=True)  # e.g. "waiting" for a second scheduler

    class Meta:
        verbose_name = verbose_name_plural = gettext_noop("进程心跳")


class Lease(models.Model):
    """A named lock held by one process until `expires_at`; the holder renews it. A holder that
    died stops renewing, and the lease passes to the next process that asks after it expires."""

    name = models.CharField(max_length=100, primary_key=True)
    holder = models.CharField(max_length=200)
    acquired_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = gettext_noop("租约")


class OutboxEntry(models.Model):
    """A task recorded in the same transaction as the data it works on, waiting to be pushed to
    the queue (Redis). Deleted once the queue has it."""

    task_id = models.CharField(max_length=64, unique=True)
    backend = models.CharField(max_length=100)
    task_path = models.CharField(max_length=300)
    queue_name = models.CharField(max_length=100)
    priority = models.IntegerField(default=0)
    run_after = models.DateTimeField(null=True, blank=True)
    args_kwargs = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = gettext_noop("待入队任务")
