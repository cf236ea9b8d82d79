"""Bulk recompute (command and task) gives the same results as the per-chain recompute."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from diaodu.audit.models import AuditEntry
from diaodu.procedures import services
from diaodu.procedures.models import ProcedureChain, ProjectProcedure
from diaodu.procedures.tasks import recompute_schedules

COLS = ("id",) + services.RESULT_FIELDS
CHAIN_COLS = ("id",) + services.CHAIN_RESULT_FIELDS + ("computed_for",)


def snapshot_results():
    return (
        sorted(ProjectProcedure.objects.values_list(*COLS)),
        sorted(ProcedureChain.objects.values_list(*CHAIN_COLS)),
    )


def test_command_recomputes_all_and_matches_single(make_chain, person, pinned_clock):
    a = make_chain(name="甲")
    b = make_chain(name="乙", unit="QHKFQ-GX", secretary="mishu_gx", start=date(2027, 3, 1))
    services.update_item(
        person("mishu_wl"),
        a.items.get(code="B01"),
        {"status": "in_progress", "actual_start": "2026-05-20"},
    )
    later = date(2026, 7, 6)  # a month later: every date moves
    pinned_clock.set(later)
    out = StringIO()
    call_command("recompute-schedules", stdout=out)
    text = out.getvalue()
    assert "已重新计算 2 个项目、36 项手续" in text and "2027年节假日安排尚未录入" in text
    bulk = snapshot_results()
    assert ProcedureChain.objects.get(pk=a.pk).computed_for == later
    for chain in ProcedureChain.objects.all():  # the one-chain path must agree row for row
        services.recompute_chain(chain)
    assert snapshot_results() == bulk
    entry = AuditEntry.objects.filter(action="procedures.recompute_all").get()
    assert entry.after["chains"] == 2
    assert b.pk


def test_command_for_one_unit(make_chain, pinned_clock):
    a = make_chain(name="甲")
    b = make_chain(name="乙", unit="QHKFQ-GX", secretary="mishu_gx")
    pinned_clock.set(date(2026, 6, 8))
    out = StringIO()
    call_command("recompute-schedules", "--unit", "QHKFQ-GX", stdout=out)
    assert "已重新计算 1 个项目" in out.getvalue()
    assert ProcedureChain.objects.get(pk=b.pk).computed_for == date(2026, 6, 8)
    assert ProcedureChain.objects.get(pk=a.pk).computed_for == date(2026, 6, 1)
    with pytest.raises(CommandError, match="不存在"):
        call_command("recompute-schedules", "--unit", "NOPE")


def test_task_and_stale_chain_refresh(make_chain, pinned_clock, client_for):
    a = make_chain(name="甲")
    result = recompute_schedules.call("QHKFQ-WL")
    assert result["chains"] == 1 and result["items"] == 18
    pinned_clock.set(date(2026, 6, 2))
    client_for("mishu_wl").get(
        f"/procedures/project/{a.project_id}/"
    )  # a stale chain refreshes on view
    assert ProcedureChain.objects.get(pk=a.pk).computed_for == date(2026, 6, 2)


def test_new_target_start_recomputes_and_nightly_job_registered(make_chain, person):
    from diaodu.projects import services as project_services

    chain = make_chain(name="甲")
    project = chain.project
    late = ProcedureChain.objects.get(pk=chain.pk).days_late_wd
    assert late > 0
    project_services.update_project(
        person("mishu_wl"),
        project,
        data={"planned_start_date": "2027-12-01"},
        version=project.version,
    )
    chain = ProcedureChain.objects.get(pk=chain.pk)
    assert chain.target_start == date(2027, 12, 1) and chain.days_late_wd == 0
    from diaodu.notify import periodic

    job = periodic.get("procedures.recompute")
    assert job is not None and job.daily == "01:30"
