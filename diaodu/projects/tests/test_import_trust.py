"""Imports that never erase and counts that cannot be inflated: a re-import with blank cells
changes nothing, “（清空）” clears exactly what it says, the dry run lists exactly the changed
fields, title rows stay out of the headers, stage wordings map to stages, amounts are reported
in their column's unit, and stage dates come from the ledger's own columns — never from the
import or edit date — so this year's 新开工 count is what the ledgers say."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from openpyxl import Workbook

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.org.scope import SYSTEM
from diaodu.projects import services
from diaodu.projects.models import ImportJob, Project
from diaodu.projects.tests.test_import import _edit, messy_workbook, run

CAR = "2026-220199-36-03-000123"
THIS_YEAR = timezone.localdate().year


def state():
    return [
        (
            p.name,
            p.national_code,
            p.total_investment,
            p.completed_this_year,
            p.completed_since_start,
            p.planned_start_date,
            p.progress_text,
            sorted(p.lead_officials.values_list("name", flat=True)),
            p.responsible_unit_id,
            p.stage,
            p.version,
        )
        for p in Project.objects.order_by("pk")
    ]


@pytest.fixture
def imported(demo):
    report = run(SYSTEM, demo["QHKFQ"], messy_workbook(), dry_run=False, year=2026)
    assert report.errors == 0, report.messages
    return report


def test_reimport_with_blank_cells_changes_nothing(demo, imported):
    before, audit = state(), AuditEntry.objects.count()
    blanks = messy_workbook()
    for cell in ("C6", "G6", "I6", "J6", "L6", "E7", "H10", "K10"):
        blanks = _edit(blanks, cell, None)  # code, 自开工累计, 包保领导, 责任单位, 形象进度 …
    blanks = _edit(blanks, "D6", "—")  # an "empty" marker is blank too
    report = run(SYSTEM, demo["QHKFQ"], blanks, dry_run=False, year=2026)
    assert report.errors == 0, report.messages
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert [r["action"] for r in report.rows] == ["unchanged"] * 3
    assert state() == before
    car = Project.objects.get(national_code=CAR)
    assert car.completed_since_start == Decimal("12500")
    assert sorted(car.lead_officials.values_list("name", flat=True)) == ["孙彦鹏", "赵立新"]
    assert AuditEntry.objects.count() == audit + 1  # the import itself, nothing else


def test_clear_marker_clears_exactly_what_it_says(demo, imported):
    content = _edit(messy_workbook(), "C6", "（清空）")
    content = _edit(content, "G6", "(清空)")
    report = run(SYSTEM, demo["QHKFQ"], content, dry_run=False, year=2026)
    assert (report.updated, report.unchanged) == (1, 2), report.messages
    car = Project.objects.get(name="年产20万吨新能源汽车零部件项目")
    assert car.national_code is None and car.completed_since_start is None
    assert car.completed_this_year == Decimal("12500")  # untouched
    (row,) = [r for r in report.rows if r["action"] == "update"]
    assert sorted((c["field"], c["old"], c["new"]) for c in row["changes"]) == [
        ("completed_since_start", "12500", ""),
        ("national_code", CAR, ""),
    ]


def test_dry_run_lists_exactly_the_changed_fields_and_writes_nothing(demo, imported):
    content = _edit(messy_workbook(), "E6", "8")  # 总投资 7 → 8 亿元
    content = _edit(content, "I6", "孙彦鹏")  # one 包保领导 fewer: shown, not silent
    content = _edit(content, "L7", "主体封顶")  # 形象进度 of the second project
    before, audit = state(), AuditEntry.objects.count()
    report = run(SYSTEM, demo["QHKFQ"], content, dry_run=True, year=2026)
    assert not report.applied and (report.updated, report.unchanged) == (2, 1)
    assert state() == before and AuditEntry.objects.count() == audit
    rows = {r["row"]: r for r in report.rows}
    assert [rows[n]["action"] for n in (6, 7, 10)] == ["update", "update", "unchanged"]
    assert rows[6]["action_label"] == "更新" and rows[10]["changes"] == []
    assert sorted((c["label"], c["old"], c["new"]) for c in rows[6]["changes"]) == [
        ("包保领导", "孙彦鹏、赵立新", "孙彦鹏"),
        ("总投资（万元）", "70000", "80000"),
    ]
    assert [(c["label"], c["old"], c["new"]) for c in rows[7]["changes"]] == [
        ("形象进度", "完成场地平整", "主体封顶")
    ]


def test_command_json_has_the_rows(demo, imported, tmp_path, capsys):
    f = tmp_path / "ledger.xlsx"
    f.write_bytes(_edit(messy_workbook(), "E6", "8"))
    capsys.readouterr()
    call_command(
        "import-ledger", str(f), "--unit", "QHKFQ", "--dry-run", "--json", "--year", "2026"
    )
    out = json.loads(capsys.readouterr().out)
    assert {"dry_run", "applied", "created", "updated", "unchanged", "skipped", "errors"} <= set(
        out
    )
    assert out["updated"] == 1 and out["unchanged"] == 2
    (changed,) = [r for r in out["rows"] if r["action"] == "update"]
    assert changed["row"] == 6 and changed["changes"] == [
        {"field": "total_investment", "label": "总投资（万元）", "old": "70000", "new": "80000"}
    ]
    call_command("import-ledger", str(f), "--unit", "QHKFQ", "--dry-run", "--year", "2026")
    text = capsys.readouterr().out
    assert "第6行" in text and "总投资（万元）：70000 → 80000" in text


def ledger_with(
    rows, header, *, above=(("2026年重点项目台账",), ("填报单位：清河经济开发区  单位：万元",))
):
    wb = Workbook()
    ws = wb.active
    for line in above:
        ws.append(list(line))
    ws.append(header)
    for r in rows:
        ws.append(r)
    if above:
        ws.merge_cells(f"A1:{chr(64 + len(header))}1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_title_rows_stay_out_of_headers_and_stage_wordings_map(demo):
    header = ["序号", "项目名称", "总投资（亿元）", "建设阶段", "开工日期", "所属园区"]
    content = ledger_with(
        [
            [1, "甲项目", 2, "施工中", "2026-03-02", "现代物流产业园"],
            [2, "乙项目", 1, "在施", "2025-05-06", "现代物流产业园"],
            [3, "丙项目", 1, "已开工", None, "现代物流产业园"],
            [4, "丁项目", -1.5, "前期", None, "现代物流产业园"],
            [5, "戊项目", 1, "看情况", None, "现代物流产业园"],
        ],
        header,
    )
    report = run(SYSTEM, demo["QHKFQ"], content, dry_run=True, year=2026)
    texts = [m["message"] for m in report.messages]
    assert not any("未能识别" in t or "填报单位" in t for t in texts), texts
    assert "第7行“总投资（亿元）”列：金额“-1.5亿元”为负数，金额不能为负" in texts
    assert any("第8行：项目阶段“看情况”无法识别" in t for t in texts)
    assert report.errors == 1 and report.rows[3]["action"] == "skip"
    report = run(SYSTEM, demo["QHKFQ"], content, dry_run=False, skip_errors=True, year=2026)
    stages = dict(Project.objects.values_list("name", "stage"))
    assert stages == {
        "甲项目": "under_construction",
        "乙项目": "under_construction",
        "丙项目": "under_construction",
        "戊项目": "lead",
    }
    assert Project.objects.get(name="甲项目").total_investment == Decimal("20000")


def test_ledger_stage_move_dated_by_its_column_and_checked(demo):
    header = ["序号", "项目名称", "建设阶段", "开工日期", "竣工日期", "所属园区"]
    run(
        SYSTEM,
        demo["QHKFQ"],
        ledger_with([[1, "甲", "在建", f"{THIS_YEAR}-03-02", None, "现代物流产业园"]], header),
        dry_run=False,
    )
    p = Project.objects.get(name="甲")
    # 竣工 before 开工: refused, naming the row and the dates; nothing changes
    bad = ledger_with(
        [[1, "甲", "已竣工", f"{THIS_YEAR}-03-02", f"{THIS_YEAR}-01-10", "现代物流产业园"]], header
    )
    report = run(SYSTEM, demo["QHKFQ"], bad, dry_run=False)
    assert report.errors == 1 and not report.applied
    assert any("第4行" in m["message"] and "竣工日期" in m["message"] for m in report.messages)
    p.refresh_from_db()
    assert p.stage == "under_construction"
    good = ledger_with(
        [[1, "甲", "已竣工", f"{THIS_YEAR}-03-02", f"{THIS_YEAR}-06-30", "现代物流产业园"]], header
    )
    report = run(SYSTEM, demo["QHKFQ"], good, dry_run=False)
    assert report.updated == 1, report.messages
    last = p.stage_changes.order_by("-id").first()
    assert (last.to_stage, last.on, last.date_unknown) == (
        "completed",
        date(THIS_YEAR, 6, 30),
        False,
    )


def test_stage_move_takes_the_event_date_checked(demo, client_for):
    today = timezone.localdate()
    with acting_as(None):
        p = services.create_project(
            SYSTEM,
            unit=demo["QHKFQ-WL"],
            data={"name": "推进项目"},
            stage="preparing",
            stage_date=date(today.year, 1, 10),
        )
        with pytest.raises(ValidationError, match="晚于今天"):
            services.transition(SYSTEM, p, "under_construction", date(today.year + 1, 1, 1))
        with pytest.raises(ValidationError, match="早于上一次阶段变更"):
            services.transition(SYSTEM, p, "under_construction", date(today.year - 1, 12, 1))
        p = services.transition(SYSTEM, p, "under_construction", date(today.year, 2, 1))
    assert p.actual_start_date == date(today.year, 2, 1)
    # the project page asks for the date: it is not filled in with today
    c = client_for("duchashi")
    q = Project.objects.get(name="推进项目")
    with acting_as(None):
        fresh = services.create_project(
            SYSTEM, unit=demo["QHKFQ-WL"], data={"name": "新项目"}, stage="preparing"
        )
    page = c.get(f"/projects/{fresh.pk}/").content.decode()
    assert 'name="on"' in page and f'value="{today.isoformat()}"' not in page
    assert "发生日期" in page
    r = c.post(f"/projects/{fresh.pk}/stage/", {"to_stage": "under_construction", "on": ""})
    assert r.status_code == 302
    fresh.refresh_from_db()
    assert fresh.stage == "preparing" and q.stage == "under_construction"


@override_settings(
    TASKS={
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "ENQUEUE_ON_COMMIT": False,
        }
    }
)
def test_web_import_can_skip_rows_with_errors(demo, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = _edit(messy_workbook(), "C6", "2026-22019-36-03-000123")  # a wrong 项目代码
    c = client_for("duchashi")
    page = c.get("/projects/import/").content.decode()
    assert "跳过有错误的行" in page and "（清空）" in page and "空白单元格不会清除" in page
    upload = SimpleUploadedFile("台账.xlsx", bad)
    r = c.post("/projects/import/", {"unit": demo["QHKFQ"].pk, "file": upload, "skip_errors": "on"})
    assert r.status_code == 302
    job = ImportJob.objects.get()
    assert job.skip_errors and job.dry_run and job.status == "done"
    assert job.result["errors"] == 1 and job.result["created"] == 2
    page = c.get(f"/projects/import/{job.pk}/").content.decode()
    assert "跳过错误行，导入其余行" in page and 'data-testid="import-diff"' in page
    assert Project.objects.count() == 0
    c.post(f"/projects/import/{job.pk}/confirm/")
    real = ImportJob.objects.exclude(pk=job.pk).get()
    assert not real.dry_run and real.skip_errors
    assert real.result["applied"] and Project.objects.count() == 2
