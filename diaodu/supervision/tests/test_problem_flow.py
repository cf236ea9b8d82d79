"""The problem runs on the shared engine: one machine (supervision.flows) decides who may move it,
from which state and with which fields; the services refuse what it forbids and change nothing;
escalation thresholds come from engine.escalation (a zone's cycle, else the defaults)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.audit.models import AuditEntry
from diaodu.engine import escalation
from diaodu.procedures import workcal
from diaodu.supervision import services
from diaodu.supervision.flows import PROBLEM, RUNNING_STATES
from diaodu.supervision.models import RUNNING, Problem, ProblemStatus, ReportCycle


def test_the_machine_names_the_statuses_of_the_model():
    assert dict(PROBLEM.states) == {s.value: s.label for s in ProblemStatus}
    assert RUNNING == RUNNING_STATES
    assert services.ACTION_LABELS == {m.name: m.label for m in PROBLEM.moves}


def test_thresholds_are_written_once():
    f = ReportCycle._meta.get_field
    assert (
        f("urge_after_wd").default,
        f("supervise_after_wd").default,
        f("elevate_after_wd").default,
    ) == escalation.DEFAULT.thresholds
    assert services.ladder_for(None) is escalation.DEFAULT
    assert services.TOP == escalation.DEFAULT.top


@pytest.fixture
def assigned(cycle, make_project, person, demo, clock):
    p = make_project()
    pr = services.raise_problem(person("mishu_wl"), p, title="用电报装滞后", type_code="land")
    return services.assign_problem(person("duchashi"), pr, unit=demo["QHKFQ-ZR"], deadline_wd=5)


def _unchanged(pr, before_audit):
    fresh = Problem.objects.get(pk=pr.pk)
    assert (fresh.status, fresh.version) == (pr.status, pr.version)
    assert AuditEntry.objects.count() == before_audit


@pytest.mark.parametrize(
    ("username", "action", "kw", "error"),
    [
        # who: a secretary may not assign, another department may not handle
        ("mishu_wl", "assign", {"unit": None, "deadline_wd": 5}, PermissionDenied),
        ("fagai", "start", {}, PermissionDenied),
        ("fagai", "resolve", {"answer": "已办"}, PermissionDenied),
        # the department may not close or return its own work
        ("ziranziyuan", "close", {}, PermissionDenied),  # who comes before the state
        # from which state: nothing to close or return before 办结
        ("duchashi", "close", {}, ValidationError),
        ("mishu_wl", "return", {"reason": "x"}, ValidationError),
        # which fields: 办结 needs its result
        ("ziranziyuan", "resolve", {"answer": "  "}, ValidationError),
    ],
)
def test_services_refuse_what_the_machine_forbids(assigned, person, username, action, kw, error):
    before = AuditEntry.objects.count()
    with pytest.raises(error):
        services.move_problem(person(username), assigned, action, **kw)
    _unchanged(assigned, before)


def test_the_page_offers_exactly_the_machine_moves(assigned, person):
    names = lambda u: [m.name for m in services.allowed_moves(person(u), assigned)]  # noqa: E731
    assert names("duchashi") == ["assign", "start", "resolve", "send_back"]  # all units
    assert names("ziranziyuan") == ["start", "resolve", "send_back"]
    assert names("fagai") == []
    assert names("mishu_wl") == []


def test_a_zone_ladder_changes_escalation(assigned, cycle, person, clock):
    ReportCycle.objects.filter(pk=cycle.pk).update(
        urge_after_wd=2, supervise_after_wd=4, elevate_after_wd=6
    )
    due = assigned.due_date
    # 1 working day late: below this zone's 2-day threshold for 催办
    assert services.escalate_overdue(today=date.fromordinal(due.toordinal() + 1)) == []
    late2 = workcal.load().add_workdays(due, 2)
    assert services.escalate_overdue(today=late2) == [(assigned.pk, 1)]
