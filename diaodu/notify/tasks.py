"""Background work of notifications (django-tasks): sending one delivery with retries, running
one slot of a periodic job, and re-enqueueing deliveries that are due (the `notify.retry_due`
periodic job, for backends that cannot defer a task and for workers that died mid-send)."""

from __future__ import annotations

import logging
import traceback
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.module_loading import import_string
from django_tasks import Task, task

from diaodu import clock
from diaodu.audit.context import acting_as

log = logging.getLogger("diaodu.notify")


def enqueue_send(delivery_id: int, *, run_after: datetime | None = None):
    """Enqueue one send. A retry in the future is deferred with `run_after` when the backend
    supports it; otherwise nothing is enqueued now and `retry_due` sends it when it is due."""
    t = send_delivery
    if run_after is not None and run_after > clock.wall_now():
        if not t.get_backend().supports_defer:
            return None
        t = t.using(run_after=run_after)
    return t.enqueue(delivery_id)


@task()
def send_delivery(delivery_id: int) -> str:
    """One attempt of one delivery. Never raises for a channel problem: the outcome goes to the
    send log, and a retry is scheduled until the third attempt."""
    from diaodu.notify import senders, services
    from diaodu.notify.models import DeliveryStatus

    delivery = services.claim_attempt(delivery_id)
    if delivery is None:
        return "skipped"  # sent, failed for good, not due yet, or another worker has it
    channel = delivery.channel
    if not channel.enabled and not delivery.is_test:
        status, _ = services.finish_attempt(delivery, "渠道已停用，未发送。", final=True)
        return status
    try:
        senders.send(channel, delivery)
        error = None
    except senders.SendError as exc:
        error = str(exc)
    except Exception as exc:
        log.exception("notify: unexpected error sending delivery %s", delivery_id)
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
    status, delay = services.finish_attempt(delivery, error)
    if status == DeliveryStatus.RETRYING:
        run_after = clock.wall_now() + timedelta(seconds=delay) if delay else None
        services.enqueue_deliveries([delivery.pk], run_after=run_after)
    return status


def retry_due(limit: int = 500) -> int:
    """Periodic job `notify.retry_due`: enqueue deliveries whose next attempt is overdue."""
    from diaodu.notify import services
    from diaodu.notify.models import Delivery, DeliveryStatus

    grace = timedelta(seconds=int(getattr(settings, "NOTIFY_RETRY_GRACE_SECONDS", 60)))
    ids = list(
        Delivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
            next_attempt_at__lte=clock.wall_now() - grace,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return services.enqueue_deliveries(ids)


@task()
def run_periodic(job: str, func_path: str, slot: str, run_id: int):
    """Run one claimed slot of a periodic job (enqueued by the scheduler, run by a worker)."""
    from diaodu.notify.models import PeriodicRun

    PeriodicRun.objects.filter(pk=run_id).update(
        status=PeriodicRun.Status.RUNNING, started_at=clock.wall_now()
    )
    try:
        func = import_string(func_path)
        with acting_as(None, channel="task"):
            if isinstance(func, Task):
                func = func.func
            from diaodu.notify.periodic import call_job

            result = call_job(func, datetime.fromisoformat(slot))
    except Exception:
        PeriodicRun.objects.filter(pk=run_id).update(
            status=PeriodicRun.Status.FAILED,
            finished_at=clock.wall_now(),
            error=traceback.format_exc()[-4000:],
        )
        raise
    PeriodicRun.objects.filter(pk=run_id).update(
        status=PeriodicRun.Status.DONE, finished_at=clock.wall_now()
    )
    return (
        result
        if isinstance(result, (int, float, str, bool, type(None), dict, list))
        else str(result)
    )
