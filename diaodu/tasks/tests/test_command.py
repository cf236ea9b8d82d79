"""`diaodu tasks-extract FILE --date … [--unit CODE] [--json]`: the JSON contract, .docx and
.txt input, the gazetteer from the unit tree, and a Chinese error for every bad input."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from diaodu.audit.context import acting_as
from diaodu.org import services as org_services
from diaodu.org.scope import SYSTEM

DATA = Path(__file__).parent / "data"
SPEECH = DATA / "001_3211ec9d6ce1735f.txt"
CONTRACT = {
    "task",
    "measures",
    "lead_units",
    "support_units",
    "leader",
    "deadline",
    "recurrence",
    "quantities",
    "source_span",
}


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("tasks-extract", *args, stdout=out)
    return out.getvalue()


def test_json_rows_carry_the_contract_keys_and_spans_into_the_original():
    rows = json.loads(run(str(SPEECH), "--date", "2021-03-15", "--json"))
    text = SPEECH.read_text(encoding="utf-8")
    assert len(rows) >= 10
    for row in rows:
        assert CONTRACT <= set(row)
        start, end = row["source_span"]
        assert row["task"] in text[start:end]
        assert row["deadline"] is None or len(row["deadline"]) == 10
    land = next(r for r in rows if r["task"] == "强化土地征收")
    assert land["lead_units"] == ["征收办"]
    assert land["deadline"] == "2021-12-31"
    assert land["quantities"] == ["400公顷以上"]


def test_readable_table_without_json():
    out = run(str(SPEECH), "--date", "2021-03-15")
    assert "牵头单位" in out and "完成时限" in out
    assert "征收办" in out and "2021-12-31" in out
    assert "聚丰公司、广汇公司" in out


def test_docx_input(tmp_path):
    doc = Document()
    doc.add_paragraph("二、紧紧围绕既定目标,全面完成各项重点工作任务")
    doc.add_paragraph("(一)要强化土地征收。征收办要加大工作力度,11月15日前完成征供地400公顷。")
    doc.add_paragraph("(二)要加快项目建设。发改局牵头,财政局配合,每月调度一次。")
    path = tmp_path / "讲话.docx"
    doc.save(path)
    rows = json.loads(run(str(path), "--date", "2021-03-15", "--json"))
    by_task = {r["task"]: r for r in rows}
    assert by_task["强化土地征收"]["deadline"] == "2021-11-15"
    assert by_task["强化土地征收"]["quantities"] == ["400公顷"]
    assert by_task["加快项目建设"]["lead_units"] == ["发改局"]
    assert by_task["加快项目建设"]["support_units"] == ["财政局"]
    assert by_task["加快项目建设"]["recurrence"] == "monthly"


def test_gb18030_and_traditional_text(tmp_path):
    path = tmp_path / "講話.txt"
    path.write_bytes("二要強化土地徵收。徵收辦要加大工作力度,年底前完成。".encode("gb18030"))
    (row,) = json.loads(run(str(path), "--date", "2021-03-15", "--json"))
    assert row["task"] == "強化土地徵收"
    assert row["lead_units"] == ["征收办"]
    assert row["deadline"] == "2021-12-31"


@pytest.mark.django_db
def test_unit_builds_the_gazetteer_from_its_subtree():
    with acting_as(None, channel="cli"):
        zone = org_services.create_unit(
            SYSTEM, parent=None, code="KFQ", name="经济开发区管委会", kind="zone"
        )
        for code, name, short in [
            ("KFQ-ZR", "开发区自然资源局", "自然资源局"),
            ("KFQ-ZS", "开发区土地征收办公室", "征收办"),
            ("KFQ-JF", "聚丰城市建设投资有限公司", "聚丰公司"),
        ]:
            org_services.create_unit(
                SYSTEM, parent=zone, code=code, name=name, short_name=short, kind="department"
            )
        other = org_services.create_unit(
            SYSTEM, parent=None, code="QT", name="别的区", kind="district"
        )
        org_services.create_unit(
            SYSTEM, parent=other, code="QT-GH", name="广汇公司", kind="department"
        )
    rows = json.loads(run(str(SPEECH), "--date", "2021-03-15", "--unit", "KFQ", "--json"))
    land = next(r for r in rows if r["task"] == "强化土地征收")
    assert land["lead_units"] == ["开发区土地征收办公室"]
    assert land["lead_unit_codes"] == ["KFQ-ZS"]
    plan = next(r for r in rows if "发展规划" in r["task"])
    assert plan["lead_unit_codes"] == ["KFQ-ZR"]
    money = next(r for r in rows if "建设资金" in r["task"])
    # 广汇公司 is outside the zone's subtree: it stays text for the clerk to map.
    assert money["lead_units"] == ["聚丰城市建设投资有限公司", "广汇公司"]
    assert money["lead_unit_codes"] == ["KFQ-JF", None]
    assert money["unknown_units"] == ["广汇公司"]


@pytest.mark.django_db
def test_unknown_unit_code():
    with pytest.raises(CommandError, match="单位编码“NOPE”不存在"):
        run(str(SPEECH), "--date", "2021-03-15", "--unit", "NOPE")


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("nul.txt", "征收办要加快\x00征拆".encode(), "NUL 字节"),
        ("junk.txt", bytes(range(256)) * 8, "文件"),
        ("png.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(1, 200)) * 4, "文件"),
        ("empty.txt", b"  \n ", "没有文字内容"),
        ("bad.docx", b"PK\x03\x04 not a zip", "不是有效的 Word"),
        ("speech.pdf", b"%PDF-1.4", "只能读取 .txt 与 .docx"),
    ],
)
def test_bad_files_get_a_chinese_error(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(str(path), "--date", "2021-03-15")


def test_missing_file(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run(str(tmp_path / "nope.txt"), "--date", "2021-03-15")


@pytest.mark.parametrize("bad", ["2021-13-01", "昨天", "2021-02-30", ""])
def test_bad_date(bad):
    with pytest.raises(CommandError, match="文件日期"):
        run(str(SPEECH), "--date", bad)


def test_the_console_command_exits_non_zero_with_the_message(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "nul.txt"
    path.write_bytes(b"abc\x00def")
    proc = subprocess.run(
        [sys.executable, "-m", "diaodu.manage", "tasks-extract", str(path), "--date", "2021-03-15"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "NUL 字节" in proc.stderr
