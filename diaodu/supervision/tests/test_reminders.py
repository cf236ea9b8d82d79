"""催报: the missing list per unit and person, reminders by hand and on schedule, run for real with
both task backends (database and Redis/RQ); lights at the deadline from the same periodic job."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.engine import periods as P
from diaodu.notify import periodic
from diaodu.notify.models import Message
from diaodu.notify.testing import task_backend  # noqa: F401  (fixture)
from diaodu.supervision import queries, services, tasks
from diaodu.supervision.models import Light, Reminder
from diaodu.supervision.tests.conftest import REPORT, aware

W47 = P.parse("2026-W47")


@pytest.fixture
def three(cycle, make_project, person, clock):
    a = make_project("甲项目")
    b = make_project("乙项目")
    c = make_project("装备园项目", unit="QHKFQ-ZB", secretary="mishu_zb")
    make_project("无秘书项目", secretary=None)
    services.file_report(person("mishu_wl"), a, REPORT)
    return a, b, c


def test_missing_list_per_unit_and_person(three, person, demo):
    office = person("duchashi")
    rows = queries.missing(office, demo["QHKFQ"], W47)
    assert [r.project.name for r in rows] == ["乙项目", "无秘书项目", "装备园项目"]
    by_unit, by_person = queries.group_missing(rows)
    assert [(u.code, len(rs)) for u, rs in by_unit] == [("QHKFQ-WL", 2), ("QHKFQ-ZB", 1)]
    assert [(name, len(rs)) for name, rs in by_person] == [
        ("未指定项目秘书", 1),
        ("林晓燕", 1),
        ("高明", 1),
    ]
    # a park sees only its own missing reports
    assert [r.project.name for r in queries.missing(person("wl_zhuren"), demo["QHKFQ"], W47)] == [
        "乙项目",
        "无秘书项目",
    ]


def test_remind_by_hand(three, person, demo):
    office = person("duchashi")
    with pytest.raises(PermissionDenied):
        services.remind(person("mishu_wl"), demo["QHKFQ"], W47)
    with pytest.raises(ValidationError, match="不在未报送名单"):
        services.remind(office, demo["QHKFQ"], W47, [three[0].pk])  # already filed
    sent = services.remind(office, demo["QHKFQ"], W47, [three[1].pk])
    assert [r.recipient_name for r in sent] == ["高明"]
    msg = Message.objects.get(recipient=person("mishu_wl"), kind="reminder")
    assert "乙项目" in msg.title and msg.link.endswith(
        f"/supervision/reports/new/{three[1].pk}/?period=2026-W47"
    )
    services.remind(
        office, demo["QHKFQ"], W47
    )  # everyone missing; the project without a secretary → park staff
    assert Reminder.objects.count() == 4
    assert Message.objects.filter(
        recipient=person("wl_zhuren"), kind="reminder", title__contains="无秘书项目"
    ).exists()
    assert [r.reminders for r in queries.missing(office, demo["QHKFQ"], W47)] == [2, 1, 1]


def test_reminders_as_background_tasks(task_backend, three, person, demo, clock):  # noqa: F811
    office = person("duchashi")
    tasks.send_reminders.enqueue("QHKFQ", "2026-W47", None, office.pk)
    assert task_backend.run() >= 1
    assert Reminder.objects.filter(period="2026-W47", automatic=False, sent_by=office).count() == 3
    assert Message.objects.filter(recipient=person("mishu_zb"), kind="reminder").count() == 1


def test_deadline_job_on_schedule(task_backend, three, person, clock):  # noqa: F811
    """At Thursday 17:00 the scheduler's slot of `supervision.deadline` reminds and lights, once."""
    assert (
        periodic.get("supervision.deadline") is not None
        and periodic.get("supervision.escalate") is not None
    )
    clock.set(2026, 11, 19, 16, 45)
    runs = periodic.run_due(now=aware(2026, 11, 19, 16, 45))
    assert "supervision.deadline" in [r.job for r in runs]
    task_backend.run()
    assert (
        Reminder.objects.count() == 0 and Light.objects.count() == 0
    )  # before the deadline: nothing
    clock.set(2026, 11, 19, 17, 0)
    periodic.run_due(now=aware(2026, 11, 19, 17, 0))
    task_backend.run()
    assert Reminder.objects.filter(automatic=True).count() == 3
    assert Message.objects.filter(recipient=person("mishu_wl"), kind="reminder").count() == 1
    assert Light.objects.filter(period="2026-W47").count() == 4
    clock.set(2026, 11, 19, 17, 15)
    periodic.run_due(now=aware(2026, 11, 19, 17, 15))
    task_backend.run()
    assert Reminder.objects.count() == 3  # once per period
