"""`diaodu gen` makes benchmark data of full size: besides the ledger, every generated zone's
report cycle, weeks of reports, the latest week's lights and problems whose history ends in
their status — read by the same figure functions as real data; a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diaodu.audit.models import AuditEntry
from diaodu.engine.stages import ACTIVE
from diaodu.org.models import Unit
from diaodu.org.scope import SYSTEM
from diaodu.projects.models import Project
from diaodu.supervision import figures
from diaodu.supervision.models import Light, Problem, ProgressReport, ReportCycle


def test_gen_writes_the_weekly_loop_of_every_zone_once(db):
    call_command("gen", "--projects", "300", "--seed", "5", "--weeks", "3", stdout=StringIO())
    root = Unit.objects.get(code="GEN-S5")
    zones = Unit.objects.filter(path__startswith=root.path, kind="zone")
    assert ReportCycle.objects.filter(unit__in=zones).count() == zones.count() > 0
    reports = ProgressReport.objects.filter(project__unit__path__startswith=root.path)
    periods = set(reports.values_list("period", flat=True))
    assert len(periods) == 3
    active = Project.objects.filter(unit__path__startswith=root.path, stage__in=ACTIVE)
    # most active projects filed each week, some did not
    assert 0.8 * 3 * active.count() < reports.count() < 3 * active.count()
    for r in reports[:200]:
        assert r.since_start >= r.ytd >= r.invested >= 0
        assert r.period_start <= r.deadline.date() <= r.period_end
    latest = max(periods)
    assert Light.objects.filter(period=latest, project__in=active).count() == active.count()
    problems = Problem.objects.filter(project__unit__path__startswith=root.path)
    assert problems.exists()
    for pb in problems.prefetch_related("events"):
        events = list(pb.events.all())
        assert events[0].action == "raise" and events[-1].to_status == pb.status
        assert (pb.due_date is None) == (pb.assigned_on is None)
    # the figure functions read the generated loop like any other
    counts = figures.problem_counts(SYSTEM, root, figures.clock.today())
    assert counts["open"] == problems.exclude(status="closed").count()

    audit = AuditEntry.objects.count()
    before = (reports.count(), problems.count(), Light.objects.count())
    call_command("gen", "--projects", "300", "--seed", "5", "--weeks", "3", stdout=StringIO())
    assert (reports.count(), problems.count(), Light.objects.count()) == before
    assert AuditEntry.objects.count() == audit


def test_gen_refuses_a_bad_week_count(db):
    with pytest.raises(CommandError, match="--weeks"):
        call_command("gen", "--projects", "1", "--weeks", "200", stdout=StringIO())
