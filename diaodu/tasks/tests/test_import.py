"""An office's .xlsx 任务分解表: a dry run names each bad row by its sheet row and stores nothing;
confirming creates every task in one transaction; the list exports back as .xlsx and .docx."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from diaodu.tasks import services
from diaodu.tasks.models import SourceDocument, Task


def workbook(rows) -> SimpleUploadedFile:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["清河经济开发区2026年重点工作任务分解表"])
    ws.merge_cells("A1:G1")
    ws.append(["序号", "任务", "具体措施", "责任单位", None, "责任领导", "完成时限"])
    ws.merge_cells("D2:E2")
    ws.append(["序号", "任务", "具体措施", "牵头单位", "配合单位", "责任领导", "完成时限"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("任务分解表.xlsx", buf.getvalue())


GOOD = [
    [1, "确保征供地400公顷以上", "加大征收力度", "征收办", "自然资源局", "刘成斌", "年底前"],
    [2, "引进亿元以上项目19个", "", "招商局", "", "孙彦鹏同志", "2026-12-31"],
]


def test_dry_run_names_bad_rows_and_stores_nothing(demo, person, clock):
    bad = [*GOOD, [3, "协调建设资金", "", "聚丰公司", "", "", "2026-13-01"]]
    rows, errors, on = services.preview_table(
        person("duchashi"), demo["QHKFQ"], workbook(bad), "2026-11-18"
    )
    assert [r["line"] for r in rows] == [4, 5, 6]
    assert rows[0]["deadline"] == "2026-12-31"  # 年底前, from the document's date
    assert errors["rows-2-lead_units"].startswith("第6行：牵头单位“聚丰公司”")
    assert "第6行" in errors["rows-2-deadline"]
    assert not [k for k in errors if k.startswith(("rows-0", "rows-1"))]
    assert SourceDocument.objects.count() == 0 and Task.objects.count() == 0
    with pytest.raises(ValidationError):
        services.import_table(
            person("duchashi"), demo["QHKFQ"], rows, title="表", doc_date=on, approve=True
        )
    assert SourceDocument.objects.count() == 0 and Task.objects.count() == 0


def test_not_a_workbook_is_named(demo, person, clock):
    with pytest.raises(ValidationError) as exc:
        services.preview_table(
            person("duchashi"), demo["QHKFQ"], SimpleUploadedFile("a.xlsx", b"xx"), "2026-11-18"
        )
    assert "file" in exc.value.message_dict


def test_confirm_creates_all_and_exports(demo, person, clock, client_for):
    office = person("duchashi")
    rows, errors, on = services.preview_table(office, demo["QHKFQ"], workbook(GOOD), "2026-11-18")
    assert not errors
    doc, tasks = services.import_table(
        office, demo["QHKFQ"], rows, title="任务分解表", doc_date=on, approve=True
    )
    assert [t.lead_unit.code for t in tasks] == ["QHKFQ-ZSB", "QHKFQ-ZS"]
    assert tasks[1].leader == person("quzhang")
    c = client_for("duchashi")
    r = c.get(f"/tasks/export.xlsx?document={doc.pk}")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert [c.value for c in ws[2]] == [
        "序号",
        "任务",
        "具体措施",
        "牵头单位",
        "配合单位",
        "责任领导",
        "完成时限",
        "节点",
    ]
    assert ws["B3"].value == "确保征供地400公顷以上" and ws["E3"].value == "自然资源局"
    assert c.get(f"/tasks/export.docx?document={doc.pk}")["Content-Type"].endswith("document")
    # the exported table imports again
    again, errors, _ = services.preview_table(
        office, demo["QHKFQ"], SimpleUploadedFile("x.xlsx", r.content), "2026-11-18"
    )
    assert not errors and [x["task"] for x in again] == [t.title for t in tasks]


def test_import_pages_dry_run_then_confirm(demo, client_for, clock):
    c = client_for("duchashi")
    r = c.post(
        "/tasks/import/",
        {"zone": demo["QHKFQ"].pk, "doc_date": "2026-11-18", "file": workbook(GOOD)},
    )
    assert 'data-testid="import-confirm"' in r.content.decode()
    assert Task.objects.count() == 0
    r = c.post("/tasks/import/", {"step": "confirm"})
    assert r.status_code == 302 and Task.objects.count() == 2
