"""Every periodic run ends: lost tasks, dead workers and endless runs become failed runs with a
reason (the scheduler's housekeeping)."""

from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from diaodu.notify import periodic
from diaodu.notify.models import PeriodicRun
from diaodu.notify.testing import DB_TASKS, run_on_commit
from diaodu.ops import housekeeping


@override_settings(TASKS=DB_TASKS)
def test_runs_whose_task_is_lost_or_whose_worker_died_end_failed(db):
    from diaodu.notify.tasks import run_periodic

    now = timezone.now()
    old = now - timedelta(minutes=30)
    lost = PeriodicRun.objects.create(
        job="a", slot=old, task_id="00000000-0000-0000-0000-000000000000"
    )
    endless = PeriodicRun.objects.create(
        job="b", slot=old, status="running", started_at=now - timedelta(hours=2)
    )
    result = run_periodic.enqueue("c", "diaodu.notify.tasks.retry_due", old.isoformat(), 0)
    run_on_commit()
    waiting = PeriodicRun.objects.create(job="c", slot=old, task_id=str(result.id))
    fresh = PeriodicRun.objects.create(job="d", slot=now, task_id="gone")
    PeriodicRun.objects.filter(pk__in=[lost.pk, endless.pk, waiting.pk]).update(claimed_at=old)

    assert "notify.periodic_runs" in housekeeping.registered()
    assert periodic.recover_runs() == 2
    (
        lost.refresh_from_db(),
        endless.refresh_from_db(),
        waiting.refresh_from_db(),
        fresh.refresh_from_db(),
    )
    assert lost.status == "failed" and "丢失" in lost.error and lost.finished_at
    assert endless.status == "failed" and "1 小时" in endless.error
    assert waiting.status == "queued"  # its task is still in the queue: a worker will run it
    assert fresh.status == "queued"  # too young to judge
    assert periodic.recover_runs() == 0
