"""The problem list: every legal and illegal move, who may make it, escalation by working days
(holidays skipped), satisfaction, statistics per unit and type."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.audit.models import AuditEntry
from diaodu.supervision import queries, services
from diaodu.supervision.models import Problem, ProblemStatus

STATUSES = [s.value for s in ProblemStatus]
LEGAL = {
    ("raised", "assign"): "assigned",
    ("assigned", "assign"): "assigned",
    ("in_progress", "assign"): "assigned",
    ("assigned", "start"): "in_progress",
    ("returned", "start"): "in_progress",
    ("assigned", "resolve"): "resolved",
    ("in_progress", "resolve"): "resolved",
    ("returned", "resolve"): "resolved",
    ("resolved", "close"): "closed",
    ("resolved", "return"): "returned",
    # 退回交办: the department sends it back, the 督查室 assigns it again
    ("assigned", "send_back"): "sent_back",
    ("in_progress", "send_back"): "sent_back",
    ("returned", "send_back"): "sent_back",
    ("sent_back", "assign"): "assigned",
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", list(services.MOVES))
def test_transition_table(status, action):
    if (status, action) in LEGAL:
        assert services.check_move(status, action) == LEGAL[(status, action)]
    else:
        with pytest.raises(ValidationError) as exc:
            services.check_move(status, action)
        assert "不能" in exc.value.message_dict["action"][0]


@pytest.fixture
def problem(cycle, make_project, person, clock):
    p = make_project()
    return services.raise_problem(
        person("mishu_wl"),
        p,
        title="冷库用地需调整规划条件",
        type_code="land",
        description="2#冷库东侧地块规划条件与设计方案不符。",
    )


def _kw(action, demo):
    return {
        "assign": {"unit": demo["QHKFQ-ZR"], "deadline_wd": 5},
        "start": {},
        "resolve": {"answer": "已调整。"},
        "close": {},
        "return": {"reason": "未解决。"},
        "send_back": {"reason": "非本单位职责。"},
    }[action]


def _put(problem, status):
    Problem.objects.filter(pk=problem.pk).update(status=status)
    problem.refresh_from_db()
    return problem


ACTORS = {
    "assign": "duchashi",
    "start": "ziranziyuan",
    "resolve": "ziranziyuan",
    "close": "mishu_wl",
    "return": "mishu_wl",
    "send_back": "ziranziyuan",
}


@pytest.mark.parametrize("status", STATUSES)
def test_every_move_from_every_status_through_the_services(status, problem, person, demo):
    Problem.objects.filter(pk=problem.pk).update(responsible_unit=demo["QHKFQ-ZR"])
    for action in services.MOVES:
        _put(problem, status)
        before = AuditEntry.objects.count()
        if (status, action) in LEGAL:
            moved = services.move_problem(
                person(ACTORS[action]), problem, action, **_kw(action, demo)
            )
            assert moved.status == LEGAL[(status, action)]
            assert moved.events.last().action == action
            assert AuditEntry.objects.filter(
                action=f"problem.{action}", object_id=str(problem.pk)
            ).exists()
        else:
            with pytest.raises(ValidationError):
                services.move_problem(person(ACTORS[action]), problem, action, **_kw(action, demo))
            assert Problem.objects.get(pk=problem.pk).status == status
            assert AuditEntry.objects.count() == before


def test_full_lifecycle_who_may_do_what(problem, person, demo, clock):
    sec, office, land, fg = (
        person("mishu_wl"),
        person("duchashi"),
        person("ziranziyuan"),
        person("fagai"),
    )
    with pytest.raises(PermissionDenied):
        services.assign_problem(
            sec, problem, unit=demo["QHKFQ-ZR"], deadline_wd=5
        )  # no problems.assign
    with pytest.raises(ValidationError) as exc:
        services.assign_problem(office, problem, unit=None, deadline_wd="abc")
    assert set(exc.value.message_dict) == {"unit", "deadline_wd"}
    pr = services.assign_problem(office, problem, unit=demo["QHKFQ-ZR"], deadline_wd=5)
    assert pr.due_date == date(2026, 11, 25)  # Wed 18 Nov + 5 working days
    # the department sees it (it is assigned to it) although the project is not in its scope
    assert queries.get_problem(land, pr.pk) == pr
    with pytest.raises(Exception):
        queries.get_problem(fg, pr.pk)
    with pytest.raises(PermissionDenied):
        services.start_problem(fg, pr)  # another department
    pr = services.start_problem(land, pr)
    with pytest.raises(ValidationError, match="办理结果"):
        services.resolve_problem(land, pr, answer=" ")
    pr = services.resolve_problem(land, pr, answer="已按程序调整规划条件，出具新的规划设计条件。")
    with pytest.raises(PermissionDenied):
        services.close_problem(land, pr)  # the department cannot close its own problem
    pr = services.return_problem(sec, pr, reason="新的规划条件尚未送达企业。")
    assert pr.status == "returned" and pr.resolved_at is None
    pr = services.resolve_problem(land, pr, answer="规划条件已送达企业并签收。")
    with pytest.raises(PermissionDenied):
        services.rate_problem(office, pr, 5)  # only the raiser rates
    with pytest.raises(ValidationError, match="满意度"):
        services.close_problem(sec, pr, satisfaction=6)
    pr = services.close_problem(sec, pr, satisfaction=4, note="办理较快")
    assert (pr.status, pr.satisfaction) == ("closed", 4)
    pr = services.rate_problem(sec, pr, 5)
    assert pr.satisfaction == 5
    assert [e.action for e in pr.events.all()] == [
        "raise",
        "assign",
        "start",
        "resolve",
        "return",
        "resolve",
        "close",
        "rate",
    ]


def test_escalation_by_working_days(cycle, make_project, person, demo, clock):
    p = make_project()
    clock.set(2026, 9, 28, 9, 0)  # Monday before the National Day holiday
    pr = services.raise_problem(
        person("mishu_wl"), p, title="征收补偿款未到位", type_code="demolition"
    )
    pr = services.assign_problem(person("duchashi"), pr, unit=demo["QHKFQ-ZSB"], deadline_wd=3)
    assert pr.due_date == date(2026, 10, 8)  # 29, 30 September, then the holiday until 7 October
    assert services.escalate_overdue(today=date(2026, 10, 8)) == []
    assert services.escalate_overdue(today=date(2026, 10, 9)) == [
        (pr.pk, 1)
    ]  # 1 working day late: 催办
    assert services.escalate_overdue(today=date(2026, 10, 10)) == []  # Saturday make-up day: 2 wd
    assert services.escalate_overdue(today=date(2026, 10, 12)) == [(pr.pk, 2)]  # 3 wd: 督办
    assert services.escalate_overdue(today=date(2026, 10, 12)) == []  # idempotent
    pr.refresh_from_db()
    assert pr.escalation_level == 2 and pr.level_label == "督办"
    assert services.escalate_overdue(today=date(2026, 10, 20)) == [(pr.pk, 3)]  # 9 wd: 提级
    levels = [(e.action, e.level) for e in pr.events.filter(action="escalate")]
    assert levels == [("escalate", 1), ("escalate", 2), ("escalate", 3)]
    # jumping several levels at once still records every step
    q = services.raise_problem(person("mishu_wl"), p, title="施工用电未接入", type_code="utilities")
    q = services.assign_problem(person("duchashi"), q, unit=demo["QHKFQ-ZJ"], deadline_wd=1)
    assert services.escalate_overdue(today=date(2026, 11, 2)) == [(q.pk, 3)]
    assert [e.level for e in q.events.filter(action="escalate")] == [1, 2, 3]
    # the department receives the notifications (inbox)
    from diaodu.notify.models import Message

    assert Message.objects.filter(recipient=person("zhengshou"), kind="escalation").count() == 3
    assert Message.objects.filter(recipient=person("zhengshou"), kind="assignment").count() == 1
    # a resolved problem does not escalate further
    r = services.raise_problem(person("mishu_wl"), p, title="x", type_code="other")
    r = services.assign_problem(person("duchashi"), r, unit=demo["QHKFQ-ZR"], deadline_wd=1)
    services.resolve_problem(person("ziranziyuan"), r, answer="已办")
    assert r.pk not in [x for x, _ in services.escalate_overdue(today=date(2026, 12, 31))]


def test_manual_escalation(problem, person, demo):
    with pytest.raises(ValidationError, match="已交办"):
        services.escalate_problem(person("duchashi"), problem)
    pr = services.assign_problem(person("duchashi"), problem, unit=demo["QHKFQ-ZR"], deadline_wd=5)
    pr = services.escalate_problem(person("duchashi"), pr, note="企业多次反映")
    assert pr.escalation_level == 1
    with pytest.raises(PermissionDenied):
        services.escalate_problem(person("mishu_wl"), pr)


def test_statistics_per_unit_and_type(cycle, make_project, person, demo, clock):
    p = make_project()
    sec, office = person("mishu_wl"), person("duchashi")
    clock.set(2026, 11, 2, 9, 0)
    a = services.assign_problem(
        office,
        services.raise_problem(sec, p, title="a", type_code="land"),
        unit=demo["QHKFQ-ZR"],
        deadline_wd=5,
    )  # due 9 Nov
    b = services.assign_problem(
        office,
        services.raise_problem(sec, p, title="b", type_code="land"),
        unit=demo["QHKFQ-ZR"],
        deadline_wd=2,
    )  # due 4 Nov
    services.assign_problem(
        office,
        services.raise_problem(sec, p, title="c", type_code="funding"),
        unit=demo["QHKFQ-FG"],
        deadline_wd=10,
    )
    clock.set(2026, 11, 5, 9, 0)
    services.close_problem(
        sec, services.resolve_problem(person("ziranziyuan"), a, answer="ok"), satisfaction=5
    )
    services.close_problem(
        sec, services.resolve_problem(person("ziranziyuan"), b, answer="ok"), satisfaction=3
    )
    clock.set(2026, 11, 20, 9, 0)
    rows = {r.label: r for r in queries.problem_stats(office)}
    zr, fg = rows["自然资源局"], rows["发改局"]
    assert (zr.received, zr.resolved, zr.closed, zr.overdue, zr.avg_days, zr.satisfaction) == (
        2,
        2,
        2,
        1,
        3.0,
        4.0,
    )
    assert (fg.received, fg.resolved, fg.overdue, fg.avg_days, fg.satisfaction) == (
        1,
        0,
        1,
        None,
        None,
    )
    types = {r.key: r for r in queries.problem_stats(office, by="type")}
    assert (
        types["land"].received == 2
        and types["funding"].received == 1
        and types["land"].label == "土地"
    )
