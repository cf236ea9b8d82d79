"""This year's 新开工 count uses the dates in the ledgers' own columns: importing projects
already 在建 leaves it unchanged (a missing 开工日期 is 日期未知, never the import date), and a
date entered later counts once, in its own year."""

from datetime import date

from django.utils import timezone

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.org.scope import SYSTEM
from diaodu.projects import services
from diaodu.projects.models import Project
from diaodu.projects.tests.test_import import run
from diaodu.projects.tests.test_import_trust import ledger_with

THIS_YEAR = timezone.localdate().year


def new_starts(demo, year=THIS_YEAR, on=None):
    from diaodu.targets import derived
    from diaodu.targets.defaults import seed_indicators
    from diaodu.targets.models import Indicator

    seed_indicators()
    ind = Indicator.objects.get(code="new_starts")
    unit = demo["QHKFQ"]
    fig = derived.compute(SYSTEM, [(unit, ind)], year, on or timezone.localdate())[
        (unit.pk, ind.pk)
    ]
    return int(fig.value), set(
        Project.objects.filter(pk__in=fig.projects).values_list("name", flat=True)
    )


def test_importing_projects_under_construction_leaves_new_start_count_unchanged(demo, client_for):
    before = new_starts(demo)
    header = ["序号", "项目名称", "建设阶段", "签约日期", "开工日期", "所属园区"]
    rows = [
        [1, "老厂扩建项目", "在建", None, None, "现代物流产业园"],  # 开工日期未知
        [2, "去年开工项目", "施工中", "2024-11-01", f"{THIS_YEAR - 1}-05-06", "现代物流产业园"],
        [3, "已竣工项目", "已竣工", None, f"{THIS_YEAR - 1}-04-01", "现代物流产业园"],
    ]
    report = run(SYSTEM, demo["QHKFQ"], ledger_with(rows, header), dry_run=False)
    assert report.created == 3, report.messages
    assert new_starts(demo) == before  # nothing started this year by the ledgers' own dates

    old = Project.objects.get(name="老厂扩建项目")
    assert old.actual_start_date is None and old.start_date_unknown
    assert old.stage == "under_construction" and old.stage_date is None
    (move,) = old.stage_changes.all()
    assert move.date_unknown and move.to_stage == "under_construction"
    page = client_for("duchashi").get(f"/projects/{old.pk}/").content.decode()
    assert 'data-testid="start-unknown"' in page and "开工日期未知" in page

    last_year = Project.objects.get(name="去年开工项目")
    assert list(last_year.stage_changes.values_list("to_stage", "on", "date_unknown")) == [
        ("signed", date(2024, 11, 1), False),
        ("under_construction", date(THIS_YEAR - 1, 5, 6), False),
    ]
    assert new_starts(demo, THIS_YEAR - 1)[0] >= 2  # counted in the year it really started

    # the office later enters the real 开工日期: the move takes it and the count follows
    with acting_as(None):
        services.update_project(
            SYSTEM,
            old,
            data={"actual_start_date": date(THIS_YEAR, 1, 5)},
            version=old.version,
        )
    move.refresh_from_db()
    assert (move.on, move.date_unknown) == (date(THIS_YEAR, 1, 5), False)
    count, names = new_starts(demo)
    assert count == before[0] + 1 and "老厂扩建项目" in names
    assert AuditEntry.objects.filter(action="project.stage_date").count() == 1


def test_reimport_with_the_date_dates_the_move_and_counts_once(demo):
    header = ["序号", "项目名称", "建设阶段", "开工日期", "所属园区"]
    first = ledger_with([[1, "新厂房项目", "在建", None, "现代物流产业园"]], header)
    run(SYSTEM, demo["QHKFQ"], first, dry_run=False)
    count0 = new_starts(demo)[0]
    dated = ledger_with([[1, "新厂房项目", "在建", f"{THIS_YEAR}-02-03", "现代物流产业园"]], header)
    report = run(SYSTEM, demo["QHKFQ"], dated, dry_run=True)
    (row,) = report.rows
    assert row["action"] == "update"
    assert [(c["label"], c["old"], c["new"]) for c in row["changes"]] == [
        ("开工日期", "", f"{THIS_YEAR}-02-03")
    ]
    run(SYSTEM, demo["QHKFQ"], dated, dry_run=False)
    assert new_starts(demo)[0] == count0 + 1
    again = run(SYSTEM, demo["QHKFQ"], dated, dry_run=False)
    assert again.unchanged == 1 and new_starts(demo)[0] == count0 + 1
