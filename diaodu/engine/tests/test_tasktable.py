"""An office's 任务分解表 read from its cells: one- and two-row headers in the offices' wordings,
repeated headers and blank rows skipped, row numbers kept for the messages."""

import pytest

from diaodu.engine.tasktable import TableError, read_table


def test_one_row_header_with_a_title_above():
    rows = [
        ["2026年重点工作任务分解表", None, None, None],
        ["序号", "重点任务", "牵头单位", "完成时限"],
        [1, "完成征供地400公顷", "征收办", "年底前"],
        [None, None, None, None],
        [2, "引进项目19个", "招商局", "2026-12-31"],
    ]
    out, cols = read_table(rows)
    assert cols == {"number": 0, "task": 1, "lead_units": 2, "deadline": 3}
    assert [(r.line, r.values["task"], r.values["lead_units"]) for r in out] == [
        (3, "完成征供地400公顷", "征收办"),
        (5, "引进项目19个", "招商局"),
    ]


def test_merged_group_heading_over_two_columns():
    rows = [
        ["序号", "任务", "具体措施", "责任单位", "责任单位", "责任领导", "完成时限"],
        ["序号", "任务", "具体措施", "牵头单位", "配合单位", "责任领导", "完成时限"],
        ["1", "科学制定发展规划", "聘请专业机构", "自然资源局", "发改局、住建局", "刘成斌", "2026年12月31日"],
        ["序号", "任务", "具体措施", "牵头单位", "配合单位", "责任领导", "完成时限"],
    ]  # fmt: skip
    out, cols = read_table(rows)
    assert cols["lead_units"] == 3 and cols["support_units"] == 4 and cols["leader"] == 5
    assert len(out) == 1 and out[0].values["support_units"] == "发改局、住建局"


def test_no_header_is_a_chinese_error():
    with pytest.raises(TableError) as exc:
        read_table([["项目名称", "总投资"], ["甲", 1]])
    assert "表头" in str(exc.value)
