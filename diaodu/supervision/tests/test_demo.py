"""The demo builder: a month of the weekly loop on top of the demo ledger, idempotent."""

from diaodu.audit.context import acting_as
from diaodu.supervision.models import (
    ActionItem,
    DispatchMeeting,
    Light,
    Problem,
    ProgressReport,
    Reminder,
)


def test_demo_builds_a_month_once(demo):
    from diaodu.audit.services import verify
    from diaodu.projects import demo as projects_demo
    from diaodu.supervision import demo as supervision_demo

    with acting_as(None):
        projects_demo.build()
        created = supervision_demo.build()
    assert created["周报"] > 40 and created["问题"] == 5 and created["调度会"] == 1
    assert ProgressReport.objects.filter(is_late=True).count() >= 1
    assert Reminder.objects.exists() and Light.objects.filter(color="red").exists()
    assert set(Problem.objects.values_list("status", flat=True)) == {
        "raised",
        "assigned",
        "in_progress",
        "resolved",
        "closed",
    }
    assert (
        Problem.objects.get(escalation_level=2).title == "项目红线内2户征收补偿未达成一致"
    )  # 督办
    assert DispatchMeeting.objects.get().agenda.exists()
    assert set(ActionItem.objects.values_list("status", flat=True)) == {"open", "done"}
    assert Problem.objects.get(status="closed").satisfaction == 4
    with acting_as(None):
        assert supervision_demo.build() == {"周报": 0, "问题": 0, "调度会": 0}
    assert verify().ok
