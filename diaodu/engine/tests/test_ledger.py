"""Tests for diaodu.engine.ledger (pure Python; every workbook is built in memory)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal as D

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.cell_range import CellRange

from diaodu.engine import ledger, xlsx
from diaodu.engine.ledger import (
    FIELD_LABELS,
    NATIONAL_CODE_RE,
    LedgerFormatError,
    LedgerReadResult,
    parse_amount,
    read_ledger,
    split_people,
    validate_national_code,
    write_ledger,
)
from diaodu.engine.textnorm import normalise_name, to_halfwidth, to_simplified

CODE = "2026-320102-04-01-123456"


# ----------------------------------------------------------------------------- helpers


def make_xlsx(rows, merges=(), *, title="Sheet1", before=None, number_formats=None) -> bytes:
    """Build an .xlsx in memory: *rows* is a list of lists (None = empty cell)."""
    wb = openpyxl.Workbook()
    if before:
        first = wb.active
        first.title = "说明"
        for r in before:
            first.append(r)
        ws = wb.create_sheet(title)
    else:
        ws = wb.active
        ws.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(r, c).value = value
    for rng in merges:
        ws.merge_cells(rng)
    for coord, fmt in (number_formats or {}).items():
        ws[coord].number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def texts(result: LedgerReadResult, level=None) -> list[str]:
    msgs = list(result.messages)
    for row in result.rows:
        msgs.extend(row.messages)
    return [m.message for m in msgs if level is None or m.level == level]


def by_name(result: LedgerReadResult) -> dict:
    return {row.data.get("name"): row for row in result.rows}


SIMPLE_HEADER = [
    "序号",
    "项目名称",
    "建设单位",
    "总投资（万元）",
    "年度计划投资（万元）",
    "包保领导",
    "责任单位",
]


# ----------------------------------------------------------------- 1. title and unit line


def test_title_and_unit_line_above_header():
    data = make_xlsx(
        [
            ["2026年XX经济开发区重点项目台账"],
            ["填报单位：XX经济开发区  单位：万元  2026年11月20日"],
            [],
            SIMPLE_HEADER,
            [1, "新材料产业园项目", "甲公司", 12500, 3000, "王建国", "招商局"],
            [2, "智能装备项目", "乙公司", 8000.5, 2000, "赵立新", "发改局"],
        ],
        merges=["A1:G1", "A2:G2"],
    )
    result = read_ledger(data)
    assert result.title == "2026年XX经济开发区重点项目台账"
    assert result.unit_label == "XX经济开发区"
    assert result.columns["name"] == "项目名称"
    assert "_seq" not in result.columns
    assert [r.row for r in result.rows] == [5, 6]
    first = result.rows[0].data
    assert first == {
        "name": "新材料产业园项目",
        "investor": "甲公司",
        "total_investment": D("12500"),
        "annual_plan_investment": D("3000"),
        "lead_officials": ["王建国"],
        "responsible_unit": "招商局",
    }
    assert result.rows[1].data["total_investment"] == D("8000.5")
    assert not result.has_errors


def test_unit_label_in_separate_cells_and_traditional():
    data = make_xlsx(
        [["填報單位：", "ＸＸ高新區", None, "單位：萬元"], SIMPLE_HEADER, [1, "甲", None, 1]]
    )
    result = read_ledger(data)
    assert result.unit_label == "ＸＸ高新區"
    assert result.title is None


# --------------------------------------------------------------- 2. two-row merged header


def test_two_row_header_with_group_and_vertical_merges():
    header1 = ["序号", "项目名称", "总投资（万元）", "投资完成情况（万元）", None, "包保领导"]
    header2 = [None, None, None, "本年完成", "自开工累计", None]
    data = make_xlsx(
        [["重点项目推进表"], header1, header2, [1, "甲项目", 1000, 200, 600, "王建国"]],
        merges=["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:F3"],
    )
    result = read_ledger(data)
    assert result.columns["completed_this_year"] == "投资完成情况（万元）/本年完成"
    assert result.columns["completed_since_start"] == "投资完成情况（万元）/自开工累计"
    assert result.columns["total_investment"] == "总投资（万元）"
    (row,) = result.rows
    assert row.row == 4
    assert row.data["completed_this_year"] == D(200)
    assert row.data["completed_since_start"] == D(600)
    assert row.data["lead_officials"] == ["王建国"]


def test_two_row_header_without_merges_group_sub_words():
    # group text only above the first sub-column; subs "本年"/"累计" need the group.
    header1 = ["项目名称", "完成投资", None, "开工时间", None]
    header2 = [None, "本年", "累计", "计划", "实际"]
    data = make_xlsx([header1, header2, ["甲项目", 10, 30, "2026.3", "2026-04-01"]])
    result = read_ledger(data)
    assert result.columns["completed_this_year"] == "完成投资/本年"
    assert result.columns["completed_since_start"] == "完成投资/累计"
    assert result.columns["planned_start_date"] == "开工时间/计划"
    assert result.columns["actual_start_date"] == "开工时间/实际"
    data_row = result.rows[0].data
    assert data_row["planned_start_date"] == dt.date(2026, 3, 1)
    assert data_row["actual_start_date"] == dt.date(2026, 4, 1)


def test_group_row_above_name_row_and_column_number_row():
    header1 = ["基本情况", None, "计划", None]
    header2 = ["项目名称", "建设单位", "开工时间", "竣工时间"]
    data = make_xlsx(
        [header1, header2, ["甲", "乙", 1, 2], ["甲项目", "甲公司", "2026年5月", "2027年5月"]],
        merges=["A1:B1", "C1:D1"],
    )
    result = read_ledger(data)
    assert result.columns["planned_start_date"] == "计划/开工时间"
    assert result.columns["planned_completion_date"] == "计划/竣工时间"
    assert "列序号行" in " ".join(texts(result, "info"))
    (row,) = result.rows
    assert row.data["name"] == "甲项目" and row.data["investor"] == "甲公司"


# ------------------------------------------------------------- 3. header wording variants


@pytest.mark.parametrize(
    "header, field, factor",
    [
        ("总投资（万元）", "total_investment", 1),
        ("总投资(亿元)", "total_investment", 10000),
        ("总投资", "total_investment", 1),
        ("总 投 资\n（万元）", "total_investment", 1),
        ("总投资（亿元）", "total_investment", 10000),
        ("本年计划投资\n(万元)", "annual_plan_investment", 1),
        ("年度计划投资", "annual_plan_investment", 1),
        ("本年完成投资", "completed_this_year", 1),
        ("累计完成投资（亿元）", "completed_since_start", 10000),
        ("用地面积（公顷）", "land_area_mu", 15),
        ("用地面积\n（亩）", "land_area_mu", 1),
    ],
)
def test_header_variants(header, field, factor):
    data = make_xlsx([["项目名称", header], ["甲项目", 2]])
    result = read_ledger(data)
    assert field in result.columns
    assert result.rows[0].data[field] == D(2) * factor


@pytest.mark.parametrize(
    "header, field",
    [
        ("项目代码", "national_code"),
        ("投资主体", "investor"),
        ("业主单位", "investor"),
        ("建设内容及规模", "content_scale"),
        ("国民经济行业分类", "industry"),
        ("产业类别", "industry"),
        ("所属园区", "unit_name"),
        ("所在园区", "unit_name"),
        ("项目地址", "address"),
        ("纬度", "latitude"),
        ("经度", "longitude"),
        ("项目类别", "plan_category"),
        ("项目级别", "level"),
        ("进展阶段", "stage"),
        ("包保区领导", "lead_officials"),
        ("责任领导", "lead_officials"),
        ("项目秘书", "secretary"),
        ("包保干部", "secretary"),
        ("项目专员", "secretary"),
        ("牵头单位", "responsible_unit"),
        ("计划签约时间", "planned_signing_date"),
        ("计划开工", "planned_start_date"),
        ("计划竣工", "planned_completion_date"),
        ("计划投产", "planned_production_date"),
        ("签约时间", "actual_signing_date"),
        ("开工时间", "actual_start_date"),
        ("实际开工", "actual_start_date"),
        ("预计年产值（万元）", "expected_output"),
        ("预计年税收", "expected_tax"),
        ("带动就业（人）", "expected_jobs"),
        ("新增就业", "expected_jobs"),
        ("形象进度", "progress_text"),
        ("项目进展情况", "progress_text"),
        ("存在的问题", "issues_text"),
        ("需协调解决的问题", "issues_text"),
        ("备注", "remarks"),
        ("序号", "_seq"),
        ("＊项目名称", "name"),
        ("项目（工程）名称", "name"),
    ],
)
def test_header_vocabulary(header, field):
    assert ledger.classify_header(header) == field


# ------------------------------------------------------------------------ 4. amount units


def test_amount_units_header_line_and_cell_text():
    data = make_xlsx(
        [
            ["单位：亿元"],
            ["项目名称", "总投资", "年度计划投资（万元）", "本年完成投资（亿元）"],
            ["甲", 1.5, 3000, 0.25],
            ["乙", "7亿元", "3000万元", "1.5亿"],
            ["丙", "3000万", "1.2", "0.1"],
            ["丁", 0.1 + 0.2, 12345.678, 1.23456789],
        ]
    )
    result = read_ledger(data)
    rows = by_name(result)
    assert rows["甲"].data["total_investment"] == D("15000")  # 单位：亿元 line
    assert rows["甲"].data["annual_plan_investment"] == D("3000")  # own header unit wins
    assert rows["甲"].data["completed_this_year"] == D("2500")
    assert rows["乙"].data["total_investment"] == D("70000")  # cell text wins
    assert rows["乙"].data["annual_plan_investment"] == D("3000")
    assert rows["乙"].data["completed_this_year"] == D("15000")
    assert rows["丙"].data["total_investment"] == D("3000")
    assert rows["丙"].data["annual_plan_investment"] == D("1.2")
    assert rows["丁"].data["total_investment"] == D("3000")  # no float drift
    assert rows["丁"].data["annual_plan_investment"] == D("12345.678")
    assert rows["丁"].data["completed_this_year"] == D("12345.6789")
    for row in result.rows:
        for value in row.data.values():
            if isinstance(value, D):
                assert "E" not in str(value)


def test_parse_amount_helper():
    assert parse_amount("7亿元") == D(70000)
    assert parse_amount("１２，５００．５") == D("12500.5")
    assert parse_amount(2.5, D(10000)) == D(25000)
    assert parse_amount("约3000万元") == D(3000)
    with pytest.raises(ValueError, match="不是有效的金额"):
        parse_amount("三千万")


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_amount_text_round_trips(value):
    assert parse_amount(f"{value:,}") == value
    assert parse_amount(f"{value}亿元") == value * 10000
    assert parse_amount(float(value)) == value


# ------------------------------------------------------------ 5. text numbers, empty markers


def test_numbers_as_text_and_empty_markers():
    data = make_xlsx(
        [
            ["项目名称", "总投资", "年度计划投资", "备注", "存在问题", "带动就业"],
            ["甲", "12,500.5", "１２５００", "—", "/", "1,200人"],
            ["乙", "-", "／", "无", None, "  "],
            ["丙", " ", "－", "正常", "缺电", 30.0],
        ]
    )
    rows = by_name(read_ledger(data))
    assert rows["甲"].data == {
        "name": "甲",
        "total_investment": D("12500.5"),
        "annual_plan_investment": D(12500),
        "expected_jobs": 1200,
    }
    assert rows["乙"].data == {"name": "乙"}
    assert rows["丙"].data == {
        "name": "丙",
        "remarks": "正常",
        "issues_text": "缺电",
        "expected_jobs": 30,
    }
    assert not any(r.messages for r in rows.values())


def test_bad_number_is_row_error_naming_row_and_column():
    data = make_xlsx([["项目名称", "总投资（万元）"], ["甲", "三千万"]])
    (row,) = read_ledger(data).rows
    assert row.has_errors
    assert row.messages[0].message == "第2行“总投资（万元）”列：“三千万”不是有效的金额"
    assert row.messages[0].field == "total_investment"
    assert "total_investment" not in row.data


# ------------------------------------------------------------------------ 6. section rows


def test_section_rows_set_plan_category():
    header = ["序号", "项目名称", "总投资", "项目类别"]
    data = make_xlsx(
        [
            header,
            ["一、新开工项目（2个）"],
            [1, "甲", 100, None],
            [2, "乙", 200, None],
            [None, "二、续建项目"],
            [1, "丙", 300, "竣工投产"],  # the column wins over the section
            ["（三）竣工投产项目"],
            [1, "丁", 400, None],
            ["一", "前期储备项目", None, None],
            [1, "戊", 500, None],
        ],
        merges=["A2:D2", "A7:D7"],
    )
    result = read_ledger(data)
    rows = by_name(result)
    assert rows["甲"].data["plan_category"] == "new_start"
    assert rows["甲"].section == "一、新开工项目（2个）"
    assert rows["乙"].data["plan_category"] == "new_start"
    assert rows["丙"].data["plan_category"] == "completing"
    assert rows["丙"].section == "二、续建项目"
    assert rows["丁"].data["plan_category"] == "completing"
    assert rows["戊"].data["plan_category"] == "reserve"
    assert len(result.rows) == 5
    infos = texts(result, "info")
    assert any("第2行：分组行“一、新开工项目（2个）”" in m for m in infos)
    assert any(m.startswith("第9行：分组行") for m in infos)
    assert not texts(result, "warning")


def test_section_count_mismatch_warns():
    data = make_xlsx([["项目名称", "总投资"], ["一、新开工项目（3个）"], ["甲", 1]])
    assert any("写明3个项目，实际读到1个" in m for m in texts(read_ledger(data), "warning"))


def test_section_row_totals_and_subtotal_under_section_row():
    data = make_xlsx(
        [
            ["序号", "项目名称", "总投资", "年度计划投资"],
            ["一", "新开工项目", 300, 60],  # totals on the section row itself
            [1, "甲", 100, 20],
            [2, "乙", 200, 40],
            ["二", "续建项目"],
            [None, "小计", 999, None],  # subtotal placed above its rows
            [1, "丙", 500, 10],
        ]
    )
    result = read_ledger(data)
    assert by_name(result)["甲"].section == "一、新开工项目"
    assert texts(result, "warning") == [
        "第6行：小计行“小计”的“总投资”为999万元，与所含1个项目之和500万元不一致"
    ]


def test_level_sections():
    data = make_xlsx(
        [["项目名称"], ["一、省重点项目"], ["（一）续建项目"], ["甲"], ["二、市级重点项目"], ["乙"]]
    )
    rows = by_name(read_ledger(data))
    assert rows["甲"].data == {"name": "甲", "plan_category": "continuing", "level": "province"}
    assert rows["乙"].data == {"name": "乙", "level": "city"}


# --------------------------------------------------------------- 7. subtotals, footnotes


def test_subtotal_total_and_footnote_rows():
    header = ["序号", "项目名称", "总投资", "年度计划投资"]
    data = make_xlsx(
        [
            header,
            ["合计", None, 1000, 400],  # grand total at the top: checked at the end
            ["一、新开工项目"],
            [1, "甲", 100, 50],
            [2, "乙", 200, 50],
            [None, "小计", 300, 100],
            ["二、续建项目"],
            [1, "丙", 700, 300],
            ["小 计", None, 650, 300],  # wrong
            [None, "总计", 1000, 400],
            ["注：1.本表金额单位为万元。"],
            ["说明：续建项目含跨年项目"],
            ["填报人：张三", None, "审核人：李四"],
            ["审核人：王五"],
        ]
    )
    result = read_ledger(data)
    assert [r.data["name"] for r in result.rows] == ["甲", "乙", "丙"]
    warnings = texts(result, "warning")
    assert len(warnings) == 1
    assert warnings[0] == "第9行：小计行“小 计”的“总投资”为650万元，与所含1个项目之和700万元不一致"
    infos = texts(result, "info")
    for row in (2, 6, 9, 10, 11, 12, 13, 14):
        assert any(m.startswith(f"第{row}行：") for m in infos), row
    assert all(m.level != "error" for m in result.messages)


def test_total_mismatch_names_both_figures():
    data = make_xlsx(
        [
            ["项目名称", "总投资（亿元）", "年度计划投资"],
            ["甲", 1, 10],
            ["乙", 2, 20],
            ["合计", 3.5, 30],
        ]
    )
    warnings = texts(read_ledger(data), "warning")
    assert warnings == [
        "第4行：合计行“合计”的“总投资（亿元）”为35000万元，与所含2个项目之和30000万元不一致"
    ]


# ------------------------------------------------------------ 8. vertically merged cells


def test_vertically_merged_cells_fill_every_row():
    data = make_xlsx(
        [
            ["序号", "项目名称", "包保领导", "责任单位"],
            [1, "甲", "王建国、赵立新", "招商局"],
            [2, "乙", None, None],
            [3, "丙", None, None],
            [4, "丁", "李四", "发改局"],
        ],
        merges=["C2:C4", "D2:D4"],
    )
    rows = read_ledger(data).rows
    assert [r.data["responsible_unit"] for r in rows] == ["招商局", "招商局", "招商局", "发改局"]
    assert [r.data["lead_officials"] for r in rows][:3] == [["王建国", "赵立新"]] * 3


# --------------------------------------------------------------- 9. several people


@pytest.mark.parametrize(
    "cell",
    [
        "王建国、赵立新",
        "王建国,赵立新",
        "王建国，赵立新",
        "王建国 赵立新",
        "王建国/赵立新",
        "王建国\n赵立新",
        "王建国；赵立新",
        " 王建国 、 赵立新 ",
    ],
)
def test_several_people_in_one_cell(cell):
    data = make_xlsx([["项目名称", "包保领导"], ["甲", cell]])
    assert read_ledger(data).rows[0].data["lead_officials"] == ["王建国", "赵立新"]


def test_split_people_keeps_padded_two_character_name():
    assert split_people("王  军") == ["王  军"]
    assert split_people("王军 李强") == ["王军", "李强"]


# ------------------------------------------------------------------------------ 10. dates


def test_dates_in_every_form():
    values = [
        (dt.datetime(2026, 3, 15, 0, 0), dt.date(2026, 3, 15), None),
        (dt.date(2026, 3, 16), dt.date(2026, 3, 16), None),
        ("2026.3", dt.date(2026, 3, 1), "month"),
        ("2026.03.15", dt.date(2026, 3, 15), None),
        ("2026年5月", dt.date(2026, 5, 1), "month"),
        ("2026年5月20日", dt.date(2026, 5, 20), None),
        ("2026-06-15", dt.date(2026, 6, 15), None),
        ("2026/6/15", dt.date(2026, 6, 15), None),
        ("2026年9月开工", dt.date(2026, 9, 1), "month"),
        ("２０２６年１０月", dt.date(2026, 10, 1), "month"),
        (46096, dt.date(2026, 3, 15), None),  # Excel serial number
        (46096.0, dt.date(2026, 3, 15), None),
        (2026.3, dt.date(2026, 3, 1), "month"),  # a number typed as 2026.3
        ("20260615", dt.date(2026, 6, 15), None),
        ("2027年", dt.date(2027, 1, 1), "year"),
    ]
    rows = [["项目名称", "计划开工时间"]] + [[f"项目{i}", v] for i, (v, _, _) in enumerate(values)]
    result = read_ledger(make_xlsx(rows))
    assert len(result.rows) == len(values)
    for row, (raw, expected, precision) in zip(result.rows, values):
        assert row.data["planned_start_date"] == expected, raw
        assert type(row.data["planned_start_date"]) is dt.date
        assert row.data.get("planned_start_date_precision") == precision, raw
        assert not row.messages, raw


def test_number_formatted_month_and_ambiguous_october():
    data = make_xlsx(
        [["项目名称", "计划竣工"], ["甲", 2026.1], ["乙", 2026.1]], number_formats={"B3": "0.00"}
    )
    rows = read_ledger(data).rows
    assert rows[0].data["planned_completion_date"] == dt.date(2026, 1, 1)
    assert rows[0].messages and rows[0].messages[0].level == "warning"
    assert rows[1].data["planned_completion_date"] == dt.date(2026, 10, 1)


@pytest.mark.parametrize("bad", ["下半年", "2026.13", "2026年2月30日", "明年", 12.5])
def test_unparseable_date_is_row_error(bad):
    data = make_xlsx([["项目名称", "计划开工时间"], ["甲", bad]])
    (row,) = read_ledger(data).rows
    assert row.has_errors
    msg = row.messages[0].message
    assert msg.startswith("第2行“计划开工时间”列：") and "不是有效的日期" in msg
    assert "planned_start_date" not in row.data


# --------------------------------------------------------------------- 11. Traditional


def test_traditional_headers_sections_and_subtotals():
    data = make_xlsx(
        [
            ["序號", "項目名稱", "總投資（萬元）", "投資完成情況", None, "包保區領導", "責任單位"],
            [None, None, None, "本年完成", "自開工累計", None, None],
            ["一、新開工項目"],
            [1, "臺灣電子產業園項目", 100, 10, 20, "陳國華", "招商局"],
            ["二、續建項目"],
            [1, "廣東製造項目", 50, 5, 5, "黃志強、劉德華", "發改局"],
            ["三、竣工投產項目"],
            [1, "竣工項目", 10, 1, 1, None, None],
            ["四、前期儲備項目"],
            [1, "儲備項目", 1, None, None, None, None],
            [None, "總計", 161, None, None, None, None],
            ["註：單位萬元"],
        ],
        merges=["A1:A2", "B1:B2", "C1:C2", "D1:E1", "F1:F2", "G1:G2"],
    )
    result = read_ledger(data)
    assert set(result.columns) == {
        "name",
        "total_investment",
        "completed_this_year",
        "completed_since_start",
        "lead_officials",
        "responsible_unit",
    }
    names = by_name(result)
    assert list(names) == [
        "臺灣電子產業園項目",
        "廣東製造項目",
        "竣工項目",
        "儲備項目",
    ]  # kept as typed
    assert names["臺灣電子產業園項目"].data["plan_category"] == "new_start"
    assert names["臺灣電子產業園項目"].data["responsible_unit"] == "招商局"
    assert names["廣東製造項目"].data["plan_category"] == "continuing"
    assert names["廣東製造項目"].data["lead_officials"] == ["黃志強", "劉德華"]
    assert names["竣工項目"].data["plan_category"] == "completing"
    assert names["儲備項目"].data["plan_category"] == "reserve"
    assert not texts(result, "warning") and not result.has_errors


# ------------------------------------------------------------------------ 12. 项目代码


@pytest.mark.parametrize(
    "raw",
    [
        CODE,
        f"  {CODE} ",
        "２０２６－３２０１０２－０４－０１－１２３４５６",
        "2026—320102—04—01—123456",
        "20263201020401123456",
    ],
)
def test_validate_national_code_accepts_and_normalises(raw):
    assert validate_national_code(raw) == CODE
    assert NATIONAL_CODE_RE.match(validate_national_code(raw))


@pytest.mark.parametrize(
    "raw",
    ["2026-32010-04-01-123456", "2026-320102-04-01-12345X", "abc", "", "2026-320102-04-01-1234567"],
)
def test_validate_national_code_rejects(raw):
    with pytest.raises(ValueError, match="格式不正确，应为 YYYY-RRRRRR-DD-TT-NNNNNN（24位）"):
        validate_national_code(raw)


def test_national_code_column():
    data = make_xlsx(
        [["项目名称", "项目代码"], ["甲", f" {CODE.replace('-', '－')} "], ["乙", "2026-3201-04"]]
    )
    good, bad = read_ledger(data).rows
    assert good.data["national_code"] == CODE and not good.messages
    assert bad.has_errors
    assert bad.messages[0].message == (
        "第3行：项目代码“2026-3201-04”格式不正确，应为 YYYY-RRRRRR-DD-TT-NNNNNN（24位）"
    )


# ------------------------------------------------------------- 13. rows without a name


def test_row_without_name_is_error_and_empty_rows_are_ignored():
    data = make_xlsx(
        [
            ["序号", "项目名称", "总投资"],
            [1, "甲", 100],
            [None, None, None],
            ["  ", None, "   "],
            [2, None, 300],
            [3, None, None],  # only a 序号: a blank template row
            [4, "乙", 1],
        ]
    )
    result = read_ledger(data)
    assert [r.row for r in result.rows] == [2, 5, 7]
    nameless = result.rows[1]
    assert nameless.has_errors
    assert nameless.messages[0].message == "第5行：缺少项目名称（该行有其他数据）"
    assert nameless.data == {"total_investment": D(300)}


# --------------------------------------------------------------------- odd cell types


def test_odd_cell_types_become_empty_with_warning():
    data = make_xlsx(
        [
            ["项目名称", "总投资", "计划开工时间", "备注"],
            ["甲", True, dt.time(9, 30), "#N/A"],
            ["#N/A", 5, None, None],
        ]
    )
    first, second = read_ledger(data).rows
    assert first.data == {"name": "甲"}
    assert [m.level for m in first.messages] == ["warning"] * 3
    assert "第2行“总投资”列：逻辑值" in first.messages[0].message
    assert "时间值" in first.messages[1].message and "Excel 错误值" in first.messages[2].message
    assert second.has_errors  # #N/A as name → no name, but other data


# ---------------------------------------------------------------------- file level


def test_not_an_xlsx():
    with pytest.raises(LedgerFormatError, match=r"文件不是有效的 Excel（\.xlsx）文件"):
        read_ledger(bytes(range(256)) * 10)
    with pytest.raises(LedgerFormatError, match=r"文件不是有效的 Excel（\.xlsx）文件"):
        read_ledger("项目名称,总投资\n甲,100\n".encode())
    with pytest.raises(LedgerFormatError, match=r"\.xls"):
        read_ledger(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(LedgerFormatError, match="不是有效的 Excel"):
        read_ledger(buf.getvalue())
    broken = make_xlsx([["项目名称"], ["甲"]])[:-200]
    with pytest.raises(LedgerFormatError, match="不是有效的 Excel"):
        read_ledger(broken)


def _zip_with_member(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return buf.getvalue()


def test_zip_bomb_ratio_rejected_before_openpyxl(monkeypatch):
    def boom(*a, **k):  # openpyxl must never see the file
        raise AssertionError("openpyxl was called")

    monkeypatch.setattr(xlsx.openpyxl, "load_workbook", boom)
    with pytest.raises(LedgerFormatError, match="压缩炸弹"):
        read_ledger(_zip_with_member(16 * 1024 * 1024))


def test_zip_bomb_total_size_rejected(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_UNCOMPRESSED_BYTES", 2 * 1024 * 1024)
    monkeypatch.setattr(xlsx, "RATIO_CHECK_MIN_BYTES", 10**12)
    with pytest.raises(LedgerFormatError, match="解压后过大"):
        read_ledger(_zip_with_member(3 * 1024 * 1024))


def test_empty_workbook():
    with pytest.raises(LedgerFormatError, match="工作表为空"):
        read_ledger(make_xlsx([]))


def test_header_not_found():
    data = make_xlsx([["名单"], ["张三", "李四"], ["王五", 3]])
    with pytest.raises(LedgerFormatError, match="未找到表头：至少需要“项目名称”列"):
        read_ledger(data)


def test_header_below_row_15_not_found():
    data = make_xlsx(
        [[f"第{i}行说明文字"] for i in range(16)] + [["项目名称", "总投资"], ["甲", 1]]
    )
    with pytest.raises(LedgerFormatError, match="未找到表头"):
        read_ledger(data)


def test_too_many_rows():
    rows = [["项目名称"]] + [[f"项目{i}"] for i in range(30)]
    with pytest.raises(LedgerFormatError, match="超过上限20行"):
        read_ledger(make_xlsx(rows), max_rows=20)
    assert len(read_ledger(make_xlsx(rows), max_rows=30).rows) == 30


def test_first_sheet_with_a_header_is_used_and_sources(tmp_path):
    data = make_xlsx(
        [["项目名称", "总投资"], ["甲", 1]], title="台账", before=[["填表说明"], ["请按要求填写"]]
    )
    result = read_ledger(data)
    assert result.sheet_name == "台账" and result.rows[0].data["name"] == "甲"
    path = tmp_path / "台账.xlsx"
    path.write_bytes(data)
    assert read_ledger(path).rows[0].data == read_ledger(str(path)).rows[0].data
    assert read_ledger(io.BytesIO(data)).rows[0].data["total_investment"] == D(1)
    with pytest.raises(LedgerFormatError, match="无法读取文件"):
        read_ledger(tmp_path / "missing.xlsx")


def test_unrecognised_and_duplicate_columns_reported():
    data = make_xlsx(
        [["项目名称", "总投资", "总投资（亿元）", "联系电话号码"], ["甲", 1, 2, "138"]]
    )
    result = read_ledger(data)
    assert result.rows[0].data == {"name": "甲", "total_investment": D(1)}
    msgs = texts(result)
    assert any("C列“总投资（亿元）”与B列“总投资”" in m for m in msgs)
    assert any("D列“联系电话号码”" in m for m in msgs)


# ------------------------------------------------------------------------------ writing


def rich_rows() -> list[dict]:
    return [
        {
            "name": '=HYPERLINK("http://evil","点击")',
            "national_code": CODE,
            "investor": "+甲公司",
            "content_scale": "年产10万吨新材料，建筑面积5万平方米",
            "industry": "C2651 初级形态塑料",
            "unit_name": "新材料产业园",
            "address": "XX路18号",
            "latitude": D("31.2345678"),
            "longitude": D("118.765432"),
            "land_area_mu": D("120.55"),
            "total_investment": D("125000.55"),
            "annual_plan_investment": D("30000"),
            "completed_this_year": D("12345.67"),
            "completed_since_start": D("40000.25"),
            "plan_category": "new_start",
            "level": "province",
            "stage": "在建",
            "planned_signing_date": dt.date(2025, 12, 1),
            "planned_signing_date_precision": "month",
            "planned_start_date": dt.date(2026, 3, 15),
            "actual_start_date": dt.date(2026, 3, 20),
            "planned_completion_date": dt.date(2027, 6, 1),
            "planned_completion_date_precision": "month",
            "planned_production_date": dt.date(2027, 9, 30),
            "expected_output": D("200000"),
            "expected_tax": D("8000.5"),
            "expected_jobs": 600,
            "lead_officials": ["王建国", "赵立新"],
            "secretary": "李明",
            "responsible_unit": "招商局",
            "progress_text": "-主体结构封顶\n正在安装设备",
            "issues_text": "@需协调用电增容",
            "remarks": "\t备注",
        },
        {
            "name": "续建项目甲",
            "total_investment": D("0.01"),
            "annual_plan_investment": D("0.5"),
            "plan_category": "continuing",
            "level": "city",
            "lead_officials": ["陈刚"],
            "actual_signing_date": dt.date(2024, 5, 6),
            "actual_completion_date": dt.date(2026, 10, 1),
            "actual_production_date": dt.date(2026, 11, 1),
            "actual_production_date_precision": "month",
        },
        {
            "name": "续建项目乙",
            "total_investment": D("99999.99"),
            "plan_category": "continuing",
            "level": "district",
            "completed_since_start": D("1.5"),
        },
        {
            "name": "竣工项目",
            "total_investment": D("3000"),
            "annual_plan_investment": D("100.1"),
            "plan_category": "completing",
            "lead_officials": ["张三", "李四", "王五"],
        },
        {
            "name": "储备项目",
            "plan_category": "reserve",
            "planned_start_date": dt.date(2027, 1, 1),
            "planned_start_date_precision": "year",
        },
        {"name": "未分类项目", "total_investment": D("12.34"), "secretary": "周八"},
    ]


def _strip_text(rows):
    # Leading/trailing whitespace of text cells is not data (the reader strips it).
    return [{k: v.strip() if isinstance(v, str) else v for k, v in r.items()} for r in rows]


def test_round_trip_identical_data():
    rows = rich_rows()
    blob = write_ledger(
        rows, title="2026年重点项目台账", unit_label="XX经济开发区", date_label="2026年11月20日"
    )
    result = read_ledger(blob)
    assert result.title == "2026年重点项目台账" and result.unit_label == "XX经济开发区"
    assert not texts(result, "warning") and not texts(result, "error")
    got = {r.data["name"]: r.data for r in result.rows}
    for expected in _strip_text(rows):
        assert got[expected["name"]] == expected
    assert [r.data["name"] for r in result.rows] == [
        rows[0]["name"],
        "续建项目甲",
        "续建项目乙",
        "竣工项目",
        "储备项目",
        "未分类项目",
    ]
    assert result.rows[0].section == "一、新开工项目（1个）"
    assert result.rows[-1].section == "五、其他项目（1个）"


def test_round_trip_with_chosen_fields_and_category_column():
    rows = [r for r in rich_rows() if r.get("plan_category")]
    fields = [
        "name",
        "plan_category",
        "total_investment",
        "completed_since_start",
        "lead_officials",
    ]
    result = read_ledger(write_ledger(rows, title="表", fields=fields))
    assert list(result.columns) == fields
    for got, expected in zip(result.rows, rows):
        assert got.data == {k: expected[k] for k in fields if k in expected}
    assert not texts(result, "warning")


def test_write_layout():
    blob = write_ledger(
        rich_rows(), title="台账", unit_label="XX开发区", date_label="2026年11月20日"
    )
    ws = openpyxl.load_workbook(io.BytesIO(blob)).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    ncol = ws.max_column
    last = openpyxl.utils.get_column_letter(ncol)
    assert f"A1:{last}1" in merged and f"A2:{last}2" in merged
    assert (
        ws["A1"].value == "台账"
        and ws["A1"].font.bold
        and ws["A1"].alignment.horizontal == "center"
    )
    assert ws["A2"].value == "填报单位：XX开发区    单位：万元    2026年11月20日"
    headers = {ws.cell(3, c).value: c for c in range(1, ncol + 1) if ws.cell(3, c).value}
    group = headers["投资完成情况（万元）"]
    assert ws.cell(4, group).value == "本年完成" and ws.cell(4, group + 1).value == "自开工累计"
    letter = openpyxl.utils.get_column_letter(group)
    assert f"{letter}3:{openpyxl.utils.get_column_letter(group + 1)}3" in merged
    assert "A3:A4" in merged and "B3:B4" in merged and ws["A3"].value == "序号"
    assert ws["B3"].value == "项目名称" and ws["B3"].alignment.wrap_text
    assert ws.freeze_panes == "C5"
    assert ws.column_dimensions["B"].width >= 20
    assert ws["A5"].value == "一、新开工项目（1个）" and f"A5:{last}5" in merged
    assert ws["A6"].value == 1 and ws["B7"].value == "小计"
    names = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert names[-1] == "合计"
    sections = [
        ws.cell(r, 1).value
        for r in range(5, ws.max_row + 1)
        if isinstance(ws.cell(r, 1).value, str)
    ]
    assert sections == [
        "一、新开工项目（1个）",
        "二、续建项目（2个）",
        "三、竣工投产项目（1个）",
        "四、前期储备项目（1个）",
        "五、其他项目（1个）",
    ]
    # 序号 restarts per section; dates are real dates or month text; amounts are numbers.
    row_b = names.index("续建项目乙") + 5
    assert ws.cell(row_b, 1).value == 2
    col = {ws.cell(3, c).value: c for c in range(1, ncol + 1)}
    assert ws.cell(6, col["实际开工时间"]).value == dt.datetime(2026, 3, 20)
    assert ws.cell(6, col["实际开工时间"]).number_format == "yyyy-mm-dd"
    assert ws.cell(6, col["计划竣工时间"]).value == "2027年6月"
    assert ws.cell(6, col["总投资（万元）"]).value == pytest.approx(125000.55)
    assert ws.cell(6, col["包保领导"]).value == "王建国、赵立新"
    total_row = ws.max_row
    assert ws.cell(total_row, col["总投资（万元）"]).value == pytest.approx(
        float(sum(r.get("total_investment", 0) for r in rich_rows()))
    )


def test_written_file_contains_no_formula():
    blob = write_ledger(rich_rows(), title="=1+1", unit_label="@evil", date_label="-2")
    wb = openpyxl.load_workbook(io.BytesIO(blob))
    ws = wb.active
    dangerous = []
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@\t":
                dangerous.append(cell.value)
    assert '=HYPERLINK("http://evil","点击")' in dangerous and "+甲公司" in dangerous
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                xml = zf.read(name).decode("utf-8")
                assert not re.search(r"<(\w+:)?f[ >/]", xml), name
    # and the reader keeps the text exactly
    names = [r.data["name"] for r in read_ledger(blob).rows]
    assert '=HYPERLINK("http://evil","点击")' in names


def test_write_rejects_unknown_field():
    with pytest.raises(ValueError, match="未知字段"):
        write_ledger([], title="t", fields=["name", "colour"])


def test_write_empty_and_read_back():
    result = read_ledger(write_ledger([], title="空表"))
    assert result.rows == [] and not texts(result, "warning")


def test_field_labels_cover_all_canonical_keys():
    assert set(FIELD_LABELS) >= {
        "name",
        "national_code",
        "investor",
        "content_scale",
        "industry",
        "unit_name",
        "address",
        "latitude",
        "longitude",
        "land_area_mu",
        "total_investment",
        "annual_plan_investment",
        "completed_this_year",
        "completed_since_start",
        "plan_category",
        "level",
        "stage",
        "lead_officials",
        "secretary",
        "responsible_unit",
        "expected_output",
        "expected_tax",
        "expected_jobs",
        "progress_text",
        "issues_text",
        "remarks",
        *ledger.DATE_FIELDS,
    }
    for key, label in FIELD_LABELS.items():
        assert ledger.classify_header(label) == key, key


# ------------------------------------------------------------------------- large ledger


def test_ten_thousand_rows_with_progress():
    n = 10_000
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年重点项目台账"])
    ws.append(["填报单位：XX经济开发区  单位：万元"])
    ws.append(
        [
            "序号",
            "项目名称",
            "项目代码",
            "建设单位",
            "总投资（万元）",
            "年度计划投资（万元）",
            "投资完成情况",
            None,
            "计划开工时间",
            "包保领导",
            "责任单位",
            "形象进度",
        ]
    )
    ws.append([None, None, None, None, None, None, "本年完成", "自开工累计"])
    for c in "ABCDEFIJKL":
        ws.merge_cells(f"{c}3:{c}4")
    ws.merge_cells("G3:H3")
    r = 5
    expected_total = D(0)
    categories = ["新开工", "续建", "竣工投产", "前期储备"]
    per_section = n // 4
    for s, cat in enumerate(categories):
        ws.cell(r, 1).value = f"{'一二三四'[s]}、{cat}项目（{per_section}个）"
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=12)
        r += 1
        section_sum = D(0)
        for i in range(per_section):
            k = s * per_section + i
            amount = D(k) + D("0.25")
            section_sum += amount
            ws.append(
                [
                    i + 1,
                    f"项目{k:05d}",
                    f"2026-320102-04-01-{k:06d}",
                    f"企业{k}",
                    float(amount),
                    100,
                    10.5,
                    20,
                    dt.datetime(2026, 1 + k % 12, 1),
                    "王建国" if i % 5 == 0 else None,
                    "招商局" if i % 5 == 0 else None,
                    "进展顺利",
                ]
            )
            if i % 5 == 0:  # ws.merge_cells is O(n) per call in openpyxl: add ranges directly
                ws.merged_cells.ranges.add(
                    CellRange(min_row=r, min_col=10, max_row=r + 4, max_col=10)
                )
                ws.merged_cells.ranges.add(
                    CellRange(min_row=r, min_col=11, max_row=r + 4, max_col=11)
                )
            r += 1
        ws.append([None, "小计", float(section_sum), per_section * 100])
        r += 1
        expected_total += section_sum
    ws.append([None, "合计", float(expected_total), n * 100])
    buf = io.BytesIO()
    wb.save(buf)

    calls = []
    result = read_ledger(buf.getvalue(), progress=lambda done, total: calls.append((done, total)))
    assert len(result.rows) == n
    assert not texts(result, "warning") and not result.has_errors
    assert all(row.data["lead_officials"] == ["王建国"] for row in result.rows)
    assert all(row.data["responsible_unit"] == "招商局" for row in result.rows)
    assert result.rows[-1].data["national_code"] == f"2026-320102-04-01-{n - 1:06d}"
    assert [row.data["plan_category"] for row in result.rows[::per_section]] == [
        "new_start",
        "continuing",
        "completing",
        "reserve",
    ]
    assert sum(row.data["total_investment"] for row in result.rows) == expected_total
    total = calls[-1][1]
    assert calls[-1] == (total, total) and total >= n
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and len(set(dones)) == len(dones) and len(calls) >= n // 200
    assert all(t == total for _, t in calls)


# ----------------------------------------------------------------------------- textnorm


def test_textnorm_helpers():
    assert to_simplified("新開工項目投資") == "新开工项目投资"
    assert to_halfwidth("（１２，５００．５）\u3000ＡＢ") == "(12,500.5) AB"
    assert (
        normalise_name("ＸＸ 科技（一期）項目")
        == normalise_name("xx科技(一期)项目")
        == "xx科技一期项目"
    )
    assert normalise_name(None) == ""


# ------------------------------------------------------------------ robustness (property)

_ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.times(),
    st.sampled_from(
        [
            "#N/A",
            "#DIV/0!",
            "—",
            "/",
            "无",
            "小计",
            "合计",
            "注：说明",
            "一、新开工项目",
            "（二）續建項目",
            "2026.13",
            "2026年5月",
            "7亿元",
            "１２，５００",
            "=1+1",
            "王建国、赵立新",
            CODE,
            "2026-3201",
            "   ",
            "填报人：张三",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(_ODD_VALUES, min_size=8, max_size=8), min_size=1, max_size=8))
def test_reader_never_crashes_on_odd_cells(grid):
    header = [
        "项目名称",
        "总投资（亿元）",
        "计划开工时间",
        "包保领导",
        "项目代码",
        "带动就业",
        "纬度",
        "项目类别",
    ]
    result = read_ledger(make_xlsx([header] + grid))
    for row in result.rows:
        for msg in row.messages:
            assert msg.message.startswith(f"第{row.row}行")
            assert msg.level in ("error", "warning", "info")


# ------------------------------------------------------- title rows, clear marker, negatives
HEADER7 = ["序号", "项目名称", "建设单位", "总投资（亿元）", "年度计划投资", "建设阶段", "开工日期"]


@pytest.mark.parametrize(
    "above, merges",
    [
        # a merged title and a merged 填报单位 line, no blank row before the header
        ([["2026年重点项目台账"], ["填报单位：XX园区  单位：万元"]], ["A1:G1", "A2:G2"]),
        # the same lines unmerged, the money unit in its own cell
        ([["2026年重点项目台账"], ["填报单位：XX园区", None, None, "单位：万元"]], []),
        # 填报单位 and 填报日期 spread over cells
        (
            [
                ["2026年重点项目台账"],
                ["填报单位（盖章）：", "XX园区", None, "填报日期：", "2026-11-20"],
            ],
            ["A1:G1"],
        ),
    ],
)
def test_title_and_unit_rows_never_glued_into_column_names(above, merges):
    data = make_xlsx([*above, HEADER7, [1, "甲", "甲公司", 2, 100, "在施", "2026-03-01"]], merges)
    result = read_ledger(data)
    assert result.columns == {
        "name": "项目名称",
        "investor": "建设单位",
        "total_investment": "总投资（亿元）",
        "annual_plan_investment": "年度计划投资",
        "stage": "建设阶段",
        "actual_start_date": "开工日期",
    }
    assert result.title == "2026年重点项目台账" and result.unit_label == "XX园区"
    (row,) = result.rows
    assert row.row == 4 and row.data["total_investment"] == D("20000")


def test_a_title_alone_above_the_header_is_the_title():
    data = make_xlsx([["XX开发区2026年市级重点项目建设进度表"], HEADER7, [1, "甲"]], ["A1:G1"])
    result = read_ledger(data)
    assert result.title == "XX开发区2026年市级重点项目建设进度表"
    assert result.columns["name"] == "项目名称"


def test_clear_marker_is_kept_apart_from_blank_cells():
    data = make_xlsx(
        [
            ["项目名称", "项目代码", "包保领导", "自开工累计完成投资", "备注"],
            ["甲", "（清空）", None, "(清空)", "—"],
            ["（清空）", "2026-220199-36-03-000123"],
        ]
    )
    result = read_ledger(data)
    first, second = result.rows
    assert first.data == {"name": "甲"}  # blank, "—": left out (no change)
    assert first.cleared == ["national_code", "completed_since_start"]
    assert not first.has_errors
    assert texts(result, "error") == ["第3行：项目名称不能清空"]
    assert ledger.CLEAR_MARKER == "（清空）"


def test_negative_amount_reported_in_the_columns_own_unit():
    data = make_xlsx(
        [
            ["填报单位：XX园区  单位：万元"],
            ["项目名称", "总投资（亿元）", "年度计划投资", "本年完成投资（元）"],
            ["甲", -1.5, 100, None],
            ["乙", 2, "-300", None],
            ["丙", 2, 100, "-5000元"],
        ]
    )
    result = read_ledger(data)
    assert texts(result, "error") == [
        "第3行“总投资（亿元）”列：金额“-1.5亿元”为负数，金额不能为负",
        "第4行“年度计划投资”列：金额“-300万元”为负数，金额不能为负",
        "第5行“本年完成投资（元）”列：金额“-5000元”为负数，金额不能为负",
    ]
    assert "total_investment" not in result.rows[0].data


def test_footnote_below_the_total_is_skipped_on_reading():
    rows = [{"name": "甲", "total_investment": D("100")}]
    blob = write_ledger(rows, title="台账", footnote="注：空白单元格不会清除已有内容。")
    ws = openpyxl.load_workbook(io.BytesIO(blob)).active
    assert ws.cell(ws.max_row, 1).value == "注：空白单元格不会清除已有内容。"
    result = read_ledger(blob)
    assert [r.data["name"] for r in result.rows] == ["甲"] and not result.has_errors
