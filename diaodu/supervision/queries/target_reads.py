"""What the targets app counts from the weekly loop: problems per project, for the indicator
"problems closed on time" and the assessment adjustment "督办-level overdue problems".

The *projects* queryset is the caller's, already limited to the person's scope and one unit
subtree (targets' scoped project base); these functions add no scope of their own.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.utils import timezone

from diaodu.supervision.models import LEVELS, Problem, ProblemStatus

DUBAN_LEVEL = next(level for level, label in LEVELS.items() if label == "督办")


def problems_closed_on_time(projects, start: date, end: date) -> dict[int, int]:
    """Per project id: problems closed (办结/销号) on or before their deadline, with the closing
    day in [start, end]."""
    rows = Problem.objects.filter(
        project__in=projects.values("pk"),
        status__in=(ProblemStatus.RESOLVED, ProblemStatus.CLOSED),
        due_date__isnull=False,
        resolved_at__isnull=False,
    ).values_list("project_id", "resolved_at", "due_date")
    out: Counter[int] = Counter()
    for pid, resolved_at, due in rows:
        day = timezone.localdate(resolved_at)
        if start <= day <= end and day <= due:
            out[pid] += 1
    return dict(out)


def overdue_problems(
    projects, start: date, end: date, *, min_level: int = DUBAN_LEVEL
) -> dict[int, int]:
    """Per project id: problems due within [start, end] that reached *min_level* (2 = 督办)."""
    rows = Problem.objects.filter(
        project__in=projects.values("pk"),
        escalation_level__gte=min_level,
        due_date__gte=start,
        due_date__lte=end,
    ).values_list("project_id", flat=True)
    return dict(Counter(rows))
