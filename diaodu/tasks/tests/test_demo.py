"""The demo's key tasks: both reference speeches extracted, reviewed and approved, with a month of
work (accepted, reported, escalated, a 督办单); running it again changes nothing."""

from diaodu.audit.context import acting_as
from diaodu.tasks import demo as tasks_demo
from diaodu.tasks.models import SourceDocument, Task, TaskEvent, TaskReport


def test_demo_tasks(demo, clock, media):
    with acting_as(None, channel="cli"):
        created = tasks_demo.build()
    assert created["documents"] == 2 and created["tasks"] >= 15 and created["reports"] >= 10
    assert SourceDocument.objects.filter(state="approved").count() == 2
    statuses = set(Task.objects.values_list("status", flat=True))
    assert {"pending", "in_progress"} <= statuses
    assert TaskReport.objects.count() == created["reports"]
    assert TaskEvent.objects.filter(action="sign").exists()
    with acting_as(None, channel="cli"):
        assert tasks_demo.build() == {"documents": 0, "tasks": 0, "reports": 0}
