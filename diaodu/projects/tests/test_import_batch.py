"""The ledger import writes in bulk (import_batch): its queries do not grow with the rows, it
writes what create_project / update_project write one by one (audit entries, stage history,
包保领导, year plans), a project changed by someone else while the file is checked is refused for
its row only, a 仅本人 importer keeps seeing what they import, and a later row can name a
project an earlier row of the same file creates."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.engine import ledger
from diaodu.org.models import Role
from diaodu.org.scope import SYSTEM
from diaodu.projects import services
from diaodu.projects.models import Project, ProjectYearPlan, StageChange
from diaodu.projects.tests.test_import import run


def book(rows: list[dict]) -> bytes:
    return ledger.write_ledger(rows, title="批量导入测试台账", unit_label="清河经济开发区管委会")


def rows(demo, n: int, *, tag: str, **extra) -> list[dict]:
    park = demo["QHKFQ-WL"].name
    return [
        {
            "name": f"{tag}测试项目{i:03d}",
            "unit_name": park,
            "total_investment": Decimal(1000 + i),
            "annual_plan_investment": Decimal(100),
            "plan_category": "new_start",
            "stage": "在建",
            "actual_start_date": date(2026, 3, 1),
            "lead_officials": ["赵立新"],
            **extra,
        }
        for i in range(n)
    ]


def queries_of(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_rows(demo):
    small = queries_of(
        lambda: run(SYSTEM, demo["QHKFQ"], book(rows(demo, 5, tag="甲")), dry_run=False)
    )
    large = queries_of(
        lambda: run(SYSTEM, demo["QHKFQ"], book(rows(demo, 40, tag="乙")), dry_run=False)
    )
    assert Project.objects.filter(name__contains="测试项目").count() == 45
    assert large - small <= 2, (small, large)
    # updates too: every row's 本年完成投资 changed
    small = queries_of(
        lambda: run(
            SYSTEM,
            demo["QHKFQ"],
            book(rows(demo, 5, tag="甲", completed_this_year=Decimal(7))),
            dry_run=False,
        )
    )
    large = queries_of(
        lambda: run(
            SYSTEM,
            demo["QHKFQ"],
            book(rows(demo, 40, tag="乙", completed_this_year=Decimal(7))),
            dry_run=False,
        )
    )
    assert large - small <= 2, (small, large)
    assert set(
        Project.objects.filter(name__contains="测试项目").values_list(
            "completed_this_year", flat=True
        )
    ) == {Decimal(7)}


def test_bulk_writes_are_what_the_services_write(demo):
    report = run(SYSTEM, demo["QHKFQ"], book(rows(demo, 3, tag="丙")), dry_run=False, year=2026)
    assert (report.created, report.errors) == (3, 0), report.messages
    projects = list(Project.objects.filter(name__startswith="丙").order_by("name"))
    for p in projects:
        assert p.stage == "under_construction" and p.unit == demo["QHKFQ-WL"] and p.version == 1
        assert [u.name for u in p.lead_officials.all()] == ["赵立新"]
        assert ProjectYearPlan.objects.filter(project=p, year=2026, plan_category="new_start")
        moves = list(StageChange.objects.filter(project=p).values_list("to_stage", "on"))
        assert moves == [("under_construction", date(2026, 3, 1))]
        entry = AuditEntry.objects.get(object_type="projects.project", object_id=str(p.pk))
        assert entry.action == "project.create"
        assert entry.after["lead_officials"] == ["赵立新"] and entry.after["name"] == p.name
    # an update: new 包保领导 and amount; one project.update entry per project, with the diff
    changed = rows(demo, 3, tag="丙", lead_officials=["孙彦鹏"], total_investment=Decimal(5000))
    report = run(SYSTEM, demo["QHKFQ"], book(changed), dry_run=False, year=2026)
    assert (report.updated, report.errors) == (3, 0), report.messages
    labels = {c["label"] for c in report.rows[0]["changes"]}
    assert {"包保领导", "总投资（万元）"} <= labels
    for p in projects:
        p.refresh_from_db()
        assert p.version == 2 and p.total_investment == Decimal(5000)
        assert [u.name for u in p.lead_officials.all()] == ["孙彦鹏"]
        update = AuditEntry.objects.get(action="project.update", object_id=str(p.pk))
        assert update.before["lead_officials"] == ["赵立新"]
        assert update.after["lead_officials"] == ["孙彦鹏"]
        assert update.after["total_investment"] == "5000.00"


def test_a_project_changed_while_the_file_is_checked_is_refused_for_its_row(demo):
    run(SYSTEM, demo["QHKFQ"], book(rows(demo, 3, tag="丁")), dry_run=False)
    target = Project.objects.get(name="丁测试项目001")

    def meanwhile(phase, done, total):  # someone saves the project before the import writes
        if phase == "写入" and done == 1 and not getattr(meanwhile, "done", False):
            meanwhile.done = True
            fresh = Project.objects.get(pk=target.pk)
            services.update_project(
                SYSTEM, fresh, data={"remarks": "他人修改"}, version=fresh.version
            )

    content = book(rows(demo, 3, tag="丁", completed_this_year=Decimal(9)))
    with acting_as(None):
        import io

        report = services.import_ledger(
            SYSTEM,
            demo["QHKFQ"],
            io.BytesIO(content),
            dry_run=False,
            skip_errors=True,
            progress=meanwhile,
        )
    assert (report.updated, report.skipped, report.errors) == (2, 1, 1), report.messages
    assert any("他人修改" in m["message"] or "修改" in m["message"] for m in report.messages)
    assert [r["action"] for r in report.rows] == ["update", "skip", "update"]
    target.refresh_from_db()
    assert target.remarks == "他人修改" and target.completed_this_year is None


def test_a_self_scope_importer_keeps_what_they_import(demo, person):
    """A role that may import but sees only its own projects (仅本人): a row without 项目秘书
    becomes theirs; a row naming someone else is refused, since they would lose it."""
    me = person("mishu_wl")
    with acting_as(None):
        role = Role.objects.create(
            code="self_import", name="仅本人导入", permissions=["projects.import"], data_scope=5
        )
    me.roles.add(role)
    data = rows(demo, 3, tag="戊")
    data[0].pop("lead_officials")
    data[1]["secretary"] = "王秘书不存在"  # unmatched: text only, no person → becomes theirs too
    other = person("mishu_zb")
    data[2]["secretary"] = other.name
    report = run(me, demo["QHKFQ-WL"], book(data), dry_run=False, skip_errors=True)
    assert (report.created, report.errors) == (2, 1), report.messages
    assert any("本人包保" in m["message"] for m in report.messages)
    mine = Project.objects.filter(name__startswith="戊")
    assert mine.count() == 2 and set(mine.values_list("secretary", flat=True)) == {me.pk}
    assert (
        AuditEntry.objects.filter(action="project.create", object_repr__startswith="戊").count()
        == 2
    )


def test_a_later_row_can_name_what_an_earlier_row_creates(demo):
    first = rows(demo, 1, tag="己")[0]
    second = {"name": first["name"], "total_investment": Decimal(8888)}  # 所属园区 not said
    report = run(SYSTEM, demo["QHKFQ"], book([first, second]), dry_run=False)
    assert (report.created, report.updated, report.errors) == (1, 1, 0), report.messages
    p = Project.objects.get(name=first["name"])
    assert p.total_investment == Decimal(8888) and p.version == 2


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_refused_row_in_an_all_or_nothing_import_writes_nothing(demo, dry_run):
    data = rows(demo, 4, tag="庚")
    data[2]["actual_start_date"] = date(2099, 1, 1)  # in the future
    before = (Project.objects.count(), AuditEntry.objects.count(), StageChange.objects.count())
    report = run(SYSTEM, demo["QHKFQ"], book(data), dry_run=dry_run)
    assert report.errors == 1 and not report.applied
    assert any(
        m["message"].startswith("第") and "晚于今天" in m["message"] for m in report.messages
    )
    after = (Project.objects.count(), AuditEntry.objects.count(), StageChange.objects.count())
    assert after == before
