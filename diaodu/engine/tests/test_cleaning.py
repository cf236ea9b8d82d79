"""cleaning: every kind of raw input → value or a Chinese error naming the field."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diaodu.engine import cleaning as C
from diaodu.engine.cleaning import CleaningError, Errors


def err(fn, *args, **kw) -> CleaningError:
    with pytest.raises(CleaningError) as info:
        fn(*args, **kw)
    return info.value


# ---------------------------------------------------------------- text
def test_text_strips_and_keeps_inner_text():
    assert C.text("  长春新区 光电产业园\n", "项目名称") == "长春新区 光电产业园"
    assert C.text(None, "项目名称") == ""
    assert C.text(12, "项目名称") == "12"


def test_text_required_and_lengths_name_the_field():
    e = err(C.text, "   ", "项目名称", field="name", required=True)
    assert (e.field, e.message) == ("name", "请填写项目名称。")
    e = err(C.text, "甲" * 201, "项目名称", field="name", max_length=200)
    assert (e.field, e.message) == ("name", "项目名称不能超过 200 字。")
    assert C.text("甲" * 200, "项目名称", max_length=200) == "甲" * 200
    assert err(C.text, "甲", "简称", min_length=2).message == "简称不能少于 2 字。"
    assert err(C.text, "一\n二", "标题", single_line=True).message == "标题不能换行。"


def test_text_refuses_nul_controls_and_lone_surrogates():
    e = err(C.text, "光电\x00产业园", "项目名称", field="name")
    assert e.field == "name"
    assert e.message == "「项目名称」含有不可见的控制字符（NUL），请删除后重试。"
    assert "U+0007" in err(C.text, "a\x07b", "备注").message
    assert "U+0085" in err(C.text, "a\x85b", "备注").message
    e = err(C.text, "坏\ud800字", "备注")
    assert "U+D800" in e.message and "「备注」" in e.message
    # tab, line feed and carriage return are ordinary text
    assert C.text("一\t二\r\n三", "备注") == "一\t二\r\n三"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs"))))
def test_text_without_controls_is_the_stripped_input(s):
    assert C.text(s, "备注", max_length=None) == s.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(), st.sampled_from(["\x00", "\x01", "\x1f", "\x7f", "\ud83d"]), st.text())
def test_text_with_a_bad_character_is_always_refused(a, bad, b):
    with pytest.raises(CleaningError):
        C.text(a + bad + b, "备注", max_length=None)


# ---------------------------------------------------------------- amounts
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("350", D("350.00")),
        (" 1,234.5 ", D("1234.50")),
        ("1，234.5", D("1234.50")),
        ("１２３４．５", D("1234.50")),
        (12, D("12.00")),
        (0.1 + 0.2, D("0.30")),
        (D("7.125"), D("7.13")),  # 四舍五入, not banker's rounding
        ("1.5亿", D("15000.00")),
        ("1.5亿元", D("15000.00")),
        ("3000万", D("3000.00")),
        ("50000元", D("5.00")),
        ("+8", D("8.00")),
        ("0", D("0.00")),
    ],
)
def test_amount_in_wan(raw, expected):
    assert C.amount(raw, "总投资") == expected


def test_amount_in_yi():
    assert C.amount("3000万", "总投资", unit="亿元") == D("0.30")
    assert C.amount("12.5", "总投资", unit="亿元") == D("12.50")
    assert C.amount("50亿元", "总投资", unit="亿元", places=4) == D("50.0000")


def test_amount_empty_required_and_errors():
    assert C.amount("", "总投资") is None
    assert C.amount(None, "总投资") is None
    e = err(C.amount, " ", "完成投资", field="invest", required=True)
    assert (e.field, e.message) == ("invest", "请填写完成投资。")
    e = err(C.amount, "三百万", "总投资", field="total")
    assert e.field == "total" and e.message.startswith("总投资应为数字（万元）")
    assert err(C.amount, "-5", "总投资").message == "总投资不能为负数。"
    assert err(C.amount, "(350)", "总投资").message == "总投资不能为负数。"
    assert C.amount("(350)", "差额", minimum=None) == D("-350.00")
    assert C.amount("-350", "差额", minimum=None) == D("-350.00")
    assert C.amount("－350", "差额", minimum=None) == D("-350.00")  # full-width minus
    assert err(C.amount, "1e12", "总投资").message == "总投资应为数字（万元）（收到“1e12”）。"
    assert err(C.amount, "2000000000", "总投资").message == "总投资数值过大。"
    assert err(C.amount, "200000", "总投资", unit="亿元").message == "总投资数值过大。"
    assert err(C.amount, "NaN", "总投资").field == "总投资"
    assert err(C.amount, D("Infinity"), "总投资").message == "总投资应为数字（万元）。"
    assert err(C.amount, True, "总投资").message == "总投资应为数字（万元）。"
    assert err(C.amount, "12", "总投资", maximum=10).message == "总投资不能大于 10万元。"
    assert err(C.amount, "亿", "总投资").message == "总投资应为数字（万元）。"
    with pytest.raises(ValueError):
        C.amount("1", "总投资", unit="元")


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=D("99999999"), places=2))
def test_amount_round_trips_through_text_with_separators(d):
    assert C.amount(f"{d:,}", "总投资") == d
    assert C.amount(str(d), "总投资") == d


def test_decimal_value_and_limits():
    assert C.decimal_value("12.3456", "用地面积", places=4) == D("12.3456")
    assert C.decimal_value("43.88", "纬度", minimum=-90, maximum=90, places=6) == D("43.880000")
    assert (
        err(C.decimal_value, "91", "纬度", minimum=-90, maximum=90).message == "纬度不能大于 90。"
    )
    assert err(C.decimal_value, "-91", "纬度", minimum=-90).message == "纬度不能小于 -90。"
    assert err(C.decimal_value, "1e13", "数值").message == "数值应为数字（收到“1e13”）。"
    assert err(C.decimal_value, D("1e13"), "数值").message == "数值数值过大。"
    assert C.decimal_value("1.23456789", "数值", places=None) == D("1.23456789")


# ---------------------------------------------------------------- integers
@pytest.mark.parametrize(
    ("raw", "n"), [("12", 12), (" 1,200 ", 1200), ("１２", 12), (12.0, 12), (7, 7)]
)
def test_integer(raw, n):
    assert C.integer(raw, "带动就业") == n


def test_integer_errors_and_bounds():
    assert err(C.integer, "12.5", "带动就业").message == "带动就业应为整数。"
    assert err(C.integer, "abc", "带动就业").message == "带动就业应为整数。"
    assert err(C.integer, True, "带动就业").message == "带动就业应为整数。"
    e = err(C.integer, "0", "办理时限（工作日）", field="deadline_wd", minimum=1, maximum=120)
    assert (e.field, e.message) == ("deadline_wd", "办理时限（工作日）应在 1 到 120 之间。")
    assert err(C.integer, "-1", "带动就业", minimum=0).message == "带动就业不能小于 0。"
    assert err(C.integer, "9", "星期", maximum=6).message == "星期不能大于 6。"
    assert err(C.integer, "", "满意度", required=True).message == "请填写满意度。"
    assert C.integer("", "满意度") is None


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_integer_round_trips(n):
    assert C.integer(str(n), "数") == n
    assert C.integer(f"{n:,}", "数") == n


# ---------------------------------------------------------------- percentages
@pytest.mark.parametrize(
    ("raw", "points"),
    [
        ("75%", D("75.00")),
        ("75％", D("75.00")),
        ("0.75", D("75.00")),
        ("75", D("75.00")),
        (0.75, D("75.00")),
        ("1", D("1.00")),
        ("100", D("100.00")),
        ("100%", D("100.00")),
        ("12.5 %", D("12.50")),
        ("5‰", D("0.50")),
        ("0", D("0.00")),
    ],
)
def test_percent(raw, points):
    assert C.percent(raw, "完成率") == points


def test_percent_bare_modes_and_bounds():
    assert C.percent(1, "完成率", bare="fraction") == D("100.00")
    assert C.percent("0.5", "完成率", bare="points") == D("0.50")
    assert C.percent("120%", "完成率", maximum=None) == D("120.00")
    assert err(C.percent, "120%", "完成率").message == "完成率不能大于 100%。"
    assert err(C.percent, "-5%", "增速").message == "增速不能为负数。"
    assert C.percent("-5%", "增速", minimum=-100) == D("-5.00")
    assert err(C.percent, "七成", "完成率").message.startswith("完成率应为数字（百分数）")
    with pytest.raises(ValueError):
        C.percent("1", "完成率", bare="odd")


# ---------------------------------------------------------------- dates
@pytest.mark.parametrize(
    "raw",
    [
        "2026-03-05",
        "2026-3-5",
        "2026/3/5",
        "2026/03/05",
        "2026.3.5",
        "2026年3月5日",
        "2026年03月05号",
        "2026 年 3 月 5 日",
        "20260305",
        "２０２６－０３－０５",
        "2026-03-05 14:30",
        "2026-03-05T14:30:00",
        "2026-03-05T14:30:00+08:00",
        20260305,
        46086,  # Excel serial
        46086.5,  # Excel serial with a time
        "46086",
        dt.date(2026, 3, 5),
        dt.datetime(2026, 3, 5, 23, 59),
    ],
)
def test_date_office_formats(raw):
    assert C.date_value(raw, "开工日期") == dt.date(2026, 3, 5)


@pytest.mark.parametrize(
    "raw", ["2026-02-30", "2026-13-01", "2026年3月", "2026", "明年三月", "3/5/2026", 2026, 12, True]
)
def test_date_refuses_what_is_not_a_day(raw):
    e = err(C.date_value, raw, "开工日期", field="start")
    assert e.field == "start" and "开工日期" in e.message


def test_date_messages_bounds_and_range():
    assert (
        err(C.date_value, "明年", "开工日期").message
        == "开工日期格式应为 YYYY-MM-DD（收到“明年”）。"
    )
    assert err(C.date_value, "2026-02-30", "开工日期").message == (
        "开工日期不是有效的日期（收到“2026-02-30”）。"
    )
    assert "年份超出范围" in err(C.date_value, "2301-01-01", "开工日期").message
    assert err(C.date_value, "", "开工日期", required=True).message == "请填写开工日期。"
    assert C.date_value("", "开工日期") is None
    e = err(C.date_value, "2026-03-05", "实际开工日期", maximum=dt.date(2026, 3, 1))
    assert e.message == "实际开工日期（2026-03-05）不能晚于 2026-03-01。"
    e = err(C.date_value, "2026-03-05", "日期", minimum=dt.date(2026, 3, 6))
    assert e.message == "日期（2026-03-05）不能早于 2026-03-06。"


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_every_format_of_a_day_gives_the_day(day):
    serial = (day - dt.date(1899, 12, 30)).days
    for raw in (
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}",
        serial,
    ):
        assert C.date_value(raw, "日期") == day


def test_date_order_names_both_fields():
    C.check_date_order(dt.date(2026, 3, 5), dt.date(2026, 3, 5), "计划开工", "计划竣工")
    C.check_date_order(None, dt.date(2026, 3, 5), "计划开工", "计划竣工")
    e = err(
        C.check_date_order,
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 4),
        "计划开工日期",
        "计划竣工日期",
        field="planned_completion_date",
    )
    assert e.field == "planned_completion_date"
    assert e.message == "计划竣工日期（2026-03-04）不能早于计划开工日期（2026-03-05）。"


# ---------------------------------------------------------------- 项目代码 GB/T 40058-2021
@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("2026-220104-36-01-000123", "2026-220104-36-01-000123"),
        (" 2026－220104－36－01－000123 ", "2026-220104-36-01-000123"),
        ("2026 - 220104 - 36 - 01 - 000123", "2026-220104-36-01-000123"),
        ("2026—220104—36—01—000123", "2026-220104-36-01-000123"),
        ("20262201043601000123", "2026-220104-36-01-000123"),
        ("２０２６２２０１０４３６０１０００１２３", "2026-220104-36-01-000123"),
    ],
)
def test_national_code_normalises(raw, code):
    assert C.national_code(raw) == code
    assert len(code) == 24


@pytest.mark.parametrize(
    "raw",
    [
        "2026-220104-36-01-00012",  # 23 characters
        "2026-22010-436-01-000123",
        "2026220104360100012X",
        "1989-220104-36-01-000123",  # before the platform
        "2026-990104-36-01-000123",  # no such province
        "项目代码",
    ],
)
def test_national_code_refuses(raw):
    e = err(C.national_code, raw, field="national_code")
    assert e.field == "national_code" and e.message.startswith("项目代码“")


def test_national_code_empty_and_message():
    assert C.national_code("  ") is None
    assert err(C.national_code, "", required=True).message == "请填写项目代码。"
    assert err(C.national_code, "2026-1").message == (
        "项目代码“2026-1”格式不正确，应为 YYYY-RRRRRR-DD-TT-NNNNNN（24位）。"
    )


# ---------------------------------------------------------------- 统一社会信用代码 GB 32100-2015
def test_credit_code_check_character_by_hand():
    # 914403001922038216: Σ value×weight over the first 17 characters
    #   9·1 + 1·3 + 4·9 + 4·27 + 0·19 + 3·26 + 0·16 + 0·17 + 1·20 + 9·29 + 2·25 + 2·13 + 0·8
    #   + 3·24 + 8·10 + 2·30 + 1·28 = 831;  831 mod 31 = 25;  31 − 25 = 6  → check "6"
    assert C.USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert C.credit_code_check_char("91440300192203821") == "6"
    # a letter among the first 17: M = 21, Y = 30 (I, O, S, V, Z are not used)
    assert C.credit_code_check_char("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038216",  # published on a business licence (Shenzhen)
        "91350100M000100Y43",  # the example printed in GB 32100-2015
        "9144030071526726XG",  # a check character that is a letter
        "91330100716105852F",
        "91110108551385082Q",
        "91310000775785552L",
    ],
)
def test_credit_code_real_examples(code):
    assert C.credit_code(code) == code
    assert C.credit_code(code.lower()) == code
    assert C.credit_code(f" {code[:6]} {code[6:]} ") == code


def test_credit_code_refuses():
    e = err(C.credit_code, "914403001922038217", field="uscc")
    assert e.field == "uscc" and "校验位不正确" in e.message
    assert "18 位" in err(C.credit_code, "91440300192203821").message
    assert "“O”" in err(C.credit_code, "91440300192203821O").message
    assert C.credit_code("") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=C.USCC_CHARS, min_size=17, max_size=17))
def test_credit_code_any_first17_with_its_check_is_valid_and_any_other_check_is_not(first17):
    check = C.credit_code_check_char(first17)
    assert C.credit_code(first17 + check) == first17 + check
    for other in C.USCC_CHARS:
        if other != check:
            with pytest.raises(CleaningError):
                C.credit_code(first17 + other)


# ---------------------------------------------------------------- GB/T 4754-2017
@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("C", "C"),
        ("c36", "C36"),
        ("C361", "C361"),
        ("C3611", "C3611"),
        ("3611", "C3611"),
        ("36", "C36"),
        ("01", "A01"),
        ("K70", "K70"),
        ("97", "T97"),
        ("Ｃ３６１１", "C3611"),
    ],
)
def test_industry_code(raw, code):
    assert C.industry_code(raw) == code


@pytest.mark.parametrize("raw", ["A36", "Z", "C3", "C36111", "98", "00", "制造业"])
def test_industry_code_refuses(raw):
    assert err(C.industry_code, raw, field="industry").field == "industry"


def test_industry_sections_cover_every_division_once():
    seen = [n for lo, hi in C.INDUSTRY_SECTIONS.values() for n in range(lo, hi + 1)]
    assert seen == list(range(1, 98))
    assert C.industry_section("44") == "D"


# ---------------------------------------------------------------- Errors
def test_errors_collect_every_field_once():
    errors = Errors()
    assert errors.take(C.text, "x", "名称", field="name") == "x"
    assert errors.take(C.amount, "abc", "总投资", field="total") is None
    assert errors.take(C.integer, "1.5", "就业", field="jobs") is None
    errors.add("total", "second message is ignored")
    assert errors and "total" in errors
    assert errors.messages == {
        "total": "总投资应为数字（万元）（收到“abc”）。",
        "jobs": "就业应为整数。",
    }
    with pytest.raises(ValueError) as info:
        errors.raise_if_any(lambda m: ValueError(m))
    assert info.value.args[0]["jobs"] == "就业应为整数。"
    assert not Errors()
    assert isinstance(CleaningError("f", "m"), ValueError)
    assert CleaningError("f", "m").as_dict() == {"f": "m"}
