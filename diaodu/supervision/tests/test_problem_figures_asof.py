"""Problem figures for a past date count each problem as its history had it at the end of that
day, not as it stands today (a problem closed since still counted open; one raised since not yet)."""

from datetime import date

from diaodu.supervision import figures, services


def test_problem_counts_on_a_past_date_follow_the_history(cycle, make_project, person, demo, clock):
    office, dept, raiser = person("duchashi"), person("ziranziyuan"), person("mishu_wl")
    zone = demo["QHKFQ"]
    clock.set(2026, 11, 18, 10, 0)  # Wednesday
    p1 = services.raise_problem(raiser, make_project(), title="冷库用地规划条件", type_code="land")
    p1 = services.assign_problem(office, p1, unit=demo["QHKFQ-ZR"], deadline_wd=2)
    assert p1.due_date == date(2026, 11, 20)
    clock.set(2026, 11, 25, 9, 0)
    p1 = services.resolve_problem(dept, p1, answer="已调整规划条件。")
    clock.set(2026, 11, 26, 9, 0)
    services.close_problem(raiser, p1)
    clock.set(2026, 11, 27, 9, 0)
    services.raise_problem(raiser, make_project(), title="施工用电未接入", type_code="land")
    clock.set(2026, 12, 1, 9, 0)

    # 24 November: p1 was on the department's desk, four days past its 20 November deadline.
    assert figures.problem_counts(office, zone, date(2026, 11, 24)) == {"open": 1, "overdue": 1}
    # 25 November: resolved that day, waiting for 销号 — open, no longer overdue.
    assert figures.problem_counts(office, zone, date(2026, 11, 25)) == {"open": 1, "overdue": 0}
    # 17 November: neither problem existed.
    assert figures.problem_counts(office, zone, date(2026, 11, 17)) == {"open": 0, "overdue": 0}
    # 30 November and today: p1 closed, the second problem raised and open.
    assert figures.problem_counts(office, zone, date(2026, 11, 30)) == {"open": 1, "overdue": 0}
    assert figures.problem_counts(office, zone, date(2026, 12, 1)) == {"open": 1, "overdue": 0}
