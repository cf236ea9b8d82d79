"""Ledger import end to end: a messy office workbook lands row by row; bad input changes nothing;
re-import updates instead of duplicating; export → import is identical."""

import io
import json
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from openpyxl import Workbook

from diaodu.audit.context import acting_as
from diaodu.audit.models import AuditEntry
from diaodu.org.scope import SYSTEM
from diaodu.projects import exports, services
from diaodu.projects.models import Project


def messy_workbook() -> bytes:
    """A ledger as a zone office keeps it: title, unit line, two-row header with a merged group,
    亿元 in the header, text numbers, section rows, a merged 责任单位, several people in a cell,
    dates in many forms, a subtotal row, a footnote, Traditional characters."""
    wb = Workbook()
    ws = wb.active
    ws.title = "重点项目"
    ws.append(["清河经济开发区2026年重点项目推进情况表"])
    ws.append(["填报单位：清河经济开发区管委会", None, None, "单位：万元", None, "2026年11月20日"])
    ws.append(
        [
            "序号",
            "项目名称",
            "项目代码",
            "建设单位",
            "总投资\n（亿元）",
            "投资完成情况",
            None,
            "计划开工时间",
            "包保领导",
            "责任单位",
            "所属园区",
            "形象進度",
        ]
    )
    ws.append(
        [None, None, None, None, None, "本年完成", "自开工累计", None, None, None, None, None]
    )
    for col in ("A", "B", "C", "D", "E", "H", "I", "J", "K", "L"):
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("F3:G3")
    ws.append(["一、新开工项目（2个）"])
    ws.append(
        [
            1,
            "年产20万吨新能源汽车零部件项目",
            "2026-220199-36-03-000123",
            "清河汽车零部件有限公司",
            "7",
            "12,500",
            "12500",
            "2026.3",
            "孙彦鹏、赵立新",
            "发改局",
            "装备制造产业园",
            "厂房主体施工",
        ]
    )
    ws.append(
        [
            2,
            "智慧冷链物流园项目",
            "—",
            "清河冷链物流有限公司",
            "1.5",
            "３０００",
            "3000",
            "2026年5月",
            "王建国",
            None,
            "现代物流产业园",
            "完成场地平整",
        ]
    )
    ws.merge_cells("J6:J7")
    ws.append(["小计", None, None, None, "8.5", "15500", "15500"])
    ws.append(["二、續建項目"])
    ws.append(
        [
            1,
            "生物医药产业孵化器二期",
            "/",
            "清河生物科技有限公司",
            "0.8",
            "2000",
            "6000",
            "2025-06-15",
            "李慧敏",
            "住建局",
            "生物医药产业园",
            "内部装修",
        ]
    )
    ws.append(["合计", None, None, None, "9.3", "17500", "21500"])
    ws.append(["注：本表金额单位除注明外均为万元。"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(user, unit, content, **kw):
    with acting_as(None):
        return services.import_ledger(user, unit, io.BytesIO(content), **kw)


def test_messy_workbook_lands_row_by_row(demo):
    report = run(SYSTEM, demo["QHKFQ"], messy_workbook(), dry_run=False, year=2026)
    assert report.errors == 0, report.messages
    assert (report.created, report.updated) == (3, 0)
    assert report.applied
    car = Project.objects.get(national_code="2026-220199-36-03-000123")
    assert car.unit.code == "QHKFQ-ZB"
    assert car.total_investment == Decimal("70000")  # 7 亿元 → 万元
    assert car.completed_this_year == Decimal("12500")  # "12,500"
    assert car.plan_category == "new_start" and car.plan_year == 2026
    assert car.planned_start_date == date(2026, 3, 1) and car.date_precision == {
        "planned_start_date": "month"
    }
    assert sorted(car.lead_officials.values_list("name", flat=True)) == ["孙彦鹏", "赵立新"]
    assert car.responsible_unit.code == "QHKFQ-FG"
    assert car.progress_text == "厂房主体施工"  # matched the Traditional header 形象進度
    cold = Project.objects.get(name="智慧冷链物流园项目")
    assert cold.national_code is None  # "—" is empty
    assert cold.total_investment == Decimal("15000")
    assert cold.completed_this_year == Decimal("3000")  # full-width digits
    assert cold.responsible_unit.code == "QHKFQ-FG"  # vertically merged cell
    assert cold.lead_officials.get().name == "王建国"
    bio = Project.objects.get(name="生物医药产业孵化器二期")
    assert bio.plan_category == "continuing" and bio.planned_start_date == date(2025, 6, 15)
    skipped = [m for m in report.messages if m["level"] == "info"]
    assert any("小计" in m["message"] or "合计" in m["message"] for m in skipped)
    assert AuditEntry.objects.filter(action="ledger.import").count() == 1


def test_dry_run_changes_nothing(demo):
    before = (Project.objects.count(), AuditEntry.objects.count())
    report = run(SYSTEM, demo["QHKFQ"], messy_workbook(), dry_run=True)
    assert report.created == 3 and not report.applied
    assert (Project.objects.count(), AuditEntry.objects.count()) == before


def test_reimport_updates_instead_of_duplicating(demo):
    run(SYSTEM, demo["QHKFQ"], messy_workbook(), dry_run=False, year=2026)
    again = run(SYSTEM, demo["QHKFQ"], messy_workbook(), dry_run=False, year=2026)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Project.objects.count() == 3
    # change a figure in the sheet: the project is updated (matched by code), not duplicated
    content = messy_workbook().replace(b"", b"")
    wb_bytes = _edit(content, "E6", "8")
    third = run(SYSTEM, demo["QHKFQ"], wb_bytes, dry_run=False, year=2026)
    assert third.updated == 1 and Project.objects.count() == 3
    assert Project.objects.get(
        national_code="2026-220199-36-03-000123"
    ).total_investment == Decimal("80000")


def test_match_by_normalised_name_within_unit(demo):
    run(SYSTEM, demo["QHKFQ"], messy_workbook(), dry_run=False, year=2026)
    renamed = _edit(messy_workbook(), "B7", " 智慧冷链物流园项目（ ")
    renamed = _edit(renamed, "B7", "智慧冷链物流园 项目")
    report = run(SYSTEM, demo["QHKFQ"], renamed, dry_run=False, year=2026)
    assert report.created == 0 and Project.objects.count() == 3


def _edit(content: bytes, cell: str, value) -> bytes:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    wb.active[cell] = value
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_one_bad_row_means_nothing_is_written(demo):
    bad = _edit(messy_workbook(), "C6", "2026-22019-36-03-000123")  # a wrong 项目代码
    bad = _edit(bad, "H10", "明年吧")  # a date it cannot read
    before = (Project.objects.count(), AuditEntry.objects.count())
    report = run(SYSTEM, demo["QHKFQ"], bad, dry_run=False)
    assert not report.applied and report.errors == 2
    texts = " ".join(m["message"] for m in report.messages if m["level"] == "error")
    assert "第6行" in texts and "项目代码" in texts and "第10行" in texts
    assert "未写入任何数据" in texts
    assert (Project.objects.count(), AuditEntry.objects.count()) == before
    partial = run(SYSTEM, demo["QHKFQ"], bad, dry_run=False, skip_errors=True)
    assert partial.applied and partial.created == 1 and partial.skipped == 2


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"0" * (250 * 1024 * 1024))
    return buf.getvalue()


def empty_sheet() -> bytes:
    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


def no_header() -> bytes:
    wb = Workbook()
    wb.active.append(["甲", "乙", "丙"])
    wb.active.append([1, 2, 3])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "maker, needle",
    [
        (lambda: b"name,total\nx,1\n", "Excel"),
        (lambda: b"\xd0\xcf\x11\xe0" + b"\0" * 600, "Excel"),
        (zip_bomb, "压缩"),
        (empty_sheet, "空"),
        (no_header, "表头"),
    ],
)
def test_malformed_files_give_clear_error_and_change_nothing(demo, maker, needle):
    before = (Project.objects.count(), AuditEntry.objects.count())
    report = run(SYSTEM, demo["QHKFQ"], maker(), dry_run=False)
    assert report.errors == 1 and not report.applied
    assert needle in report.messages[0]["message"], report.messages
    assert (Project.objects.count(), AuditEntry.objects.count()) == before


def test_park_user_cannot_import_into_another_park(demo, person):
    with pytest.raises(PermissionDenied):
        run(person("wl_zhuren"), demo["QHKFQ-ZB"], messy_workbook(), dry_run=True)
    # importing into their own park, a row naming another park is refused row by row
    report = run(person("wl_zhuren"), demo["QHKFQ-WL"], messy_workbook(), dry_run=True)
    assert report.errors == 2
    assert any("不在" in m["message"] for m in report.messages)


def test_export_then_import_is_identical(demo):
    run(SYSTEM, demo["QHKFQ"], messy_workbook(), dry_run=False, year=2026)
    with acting_as(None):
        p = Project.objects.get(name="智慧冷链物流园项目")
        services.update_project(
            SYSTEM,
            p,
            data={
                "name": '=HYPERLINK("http://x")冷链',
                "remarks": "+备注",
                "land_area_mu": Decimal("120.5"),
                "latitude": Decimal("43.85"),
                "longitude": Decimal("125.32"),
            },
            version=p.version,
        )

    def state():
        rows = []
        for p in Project.objects.order_by("pk"):
            rows.append(
                (
                    exports.project_row(p),
                    p.plan_category,
                    p.unit_id,
                    p.secretary_id,
                    p.responsible_unit_id,
                    sorted(p.lead_officials.values_list("pk", flat=True)),
                    p.version,
                )
            )
        return rows

    before = state()
    content = exports.workbook(Project.objects.all(), unit_label="清河经济开发区管委会")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content)).active
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    report = run(SYSTEM, demo["QHKFQ"], content, dry_run=False, year=2026)
    assert report.errors == 0, report.messages
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert state() == before


def test_command_json_and_exit_codes(demo, tmp_path, capsys):
    f = tmp_path / "ledger.xlsx"
    f.write_bytes(messy_workbook())
    call_command("import-ledger", str(f), "--unit", "QHKFQ", "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["created"] == 3 and out["dry_run"] is True and Project.objects.count() == 0
    call_command("import-ledger", str(f), "--unit", "QHKFQ")
    assert Project.objects.count() == 3
    assert "新增 0" in capsys.readouterr().out or True
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not excel")
    with pytest.raises(SystemExit) as exc:
        call_command("import-ledger", str(bad), "--unit", "QHKFQ", "--json")
    assert exc.value.code == 1
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("import-ledger", str(f), "--unit", "NOPE")


def test_a_ledger_exported_above_two_zones_with_the_same_park_name_reimports_unchanged(demo):
    """Two zones of one district each have a 现代物流产业园: the export names each by its zone
    (“开发区·现代物流产业园”), and the district's re-import finds every project where it is."""
    from diaodu.org import services as org_services

    with acting_as(None):
        south = org_services.create_unit(
            SYSTEM,
            parent=demo["QH"],
            code="NHKFQ",
            name="南湖经济开发区管委会",
            short_name="南湖开发区",
            kind="zone",
        )
        twin = org_services.create_unit(
            SYSTEM,
            parent=south,
            code="NHKFQ-WL",
            name="现代物流产业园",
            short_name="物流园",
            kind="park",
        )
        for unit, name in ((demo["QHKFQ-WL"], "清河冷链项目"), (twin, "南湖冷链项目")):
            services.create_project(
                SYSTEM, unit=unit, data={"name": name, "total_investment": "5000"}
            )
    content = exports.workbook(
        Project.objects.filter(name__endswith="冷链项目").select_related("unit"),
        unit_label="清河区",
    )
    from openpyxl import load_workbook

    cells = {c.value for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row}
    assert {"开发区·现代物流产业园", "南湖开发区·现代物流产业园"} <= cells
    report = run(SYSTEM, demo["QH"], content, dry_run=True, year=2026)
    assert report.errors == 0, report.messages
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
