"""What the targets app counts from the problem list (formerly targets/bridge.py): problems
closed on time, and problems that reached 督办 — per project, within the caller's projects."""

from datetime import date

from diaodu.projects.models import Project
from diaodu.supervision import queries
from diaodu.supervision.models import Problem, ProblemStatus

from .conftest import aware


def _problem(project, *, status, due, resolved=None, level=0):
    return Problem.objects.create(
        project=project,
        title="缺电",
        type_code="power",
        raised_at=aware(2026, 3, 1, 9, 0),
        status=status,
        due_date=due,
        resolved_at=resolved,
        escalation_level=level,
    )


def test_counts_per_project_within_the_given_projects(make_project):
    a = make_project(name="甲项目")
    b = make_project(name="乙项目", unit="QHKFQ-GX", secretary="mishu_gx")
    R, C, A = ProblemStatus.RESOLVED, ProblemStatus.CLOSED, ProblemStatus.ASSIGNED
    _problem(a, status=R, due=date(2026, 3, 10), resolved=aware(2026, 3, 9, 16, 0))  # on time
    _problem(a, status=C, due=date(2026, 3, 10), resolved=aware(2026, 3, 10, 23, 0))  # same day
    _problem(a, status=R, due=date(2026, 3, 10), resolved=aware(2026, 3, 12, 9, 0))  # late
    _problem(a, status=A, due=date(2026, 3, 10))  # still open
    _problem(b, status=R, due=date(2026, 3, 10), resolved=aware(2026, 3, 2, 9, 0))
    _problem(a, status=R, due=date(2026, 1, 10), resolved=aware(2025, 12, 30, 9, 0))  # last year
    both = Project.objects.filter(pk__in=[a.pk, b.pk])
    year = (date(2026, 1, 1), date(2026, 12, 31))
    assert queries.problems_closed_on_time(both, *year) == {a.pk: 2, b.pk: 1}
    assert queries.problems_closed_on_time(Project.objects.filter(pk=b.pk), *year) == {b.pk: 1}

    _problem(a, status=A, due=date(2026, 4, 1), level=queries.DUBAN_LEVEL)
    _problem(a, status=A, due=date(2026, 4, 2), level=3)  # 提级 counts as at least 督办
    _problem(b, status=A, due=date(2026, 4, 1), level=1)  # 催办 only
    _problem(b, status=A, due=date(2027, 1, 5), level=2)  # outside the year
    assert queries.DUBAN_LEVEL == 2
    assert queries.overdue_problems(both, *year) == {a.pk: 2}
    assert queries.overdue_problems(both, *year, min_level=1) == {a.pk: 2, b.pk: 1}
