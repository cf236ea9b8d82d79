"""Chinese time expressions → deadline / recurrence, against the document's date (issue 14)."""

from datetime import date

import pytest

from diaodu.engine.taskextract import find_times, resolve
from diaodu.engine.taskextract.numerals import cn_to_int

MARCH = date(2021, 3, 15)
NOVEMBER = date(2021, 11, 20)
D = date.fromisoformat


@pytest.mark.parametrize(
    "sentence, doc, deadline",
    [
        # X月X日前, with and without a year; Chinese numerals
        ("各园区要在11月15日前报送整改方案", MARCH, D("2021-11-15")),
        ("请于十一月十五日之前完成", MARCH, D("2021-11-15")),
        ("2022年3月15日前完成土地报批", MARCH, D("2022-03-15")),
        ("二〇二二年三月十五日前完成", MARCH, D("2022-03-15")),
        ("6月30号前全部开工", MARCH, D("2021-06-30")),
        # a year-less date already past on the document's date: next year
        ("3月10日前完成", MARCH, D("2022-03-10")),
        ("3月底前完成可研编制", NOVEMBER, D("2022-03-31")),
        ("1月15日前上报", NOVEMBER, D("2022-01-15")),
        # X月底 / 月末 / 十二月月底 (not "this month's end")
        ("10月底前完成征拆", MARCH, D("2021-10-31")),
        ("9月末前全部签约", MARCH, D("2021-09-30")),
        ("十二月月底前完成验收", MARCH, D("2021-12-31")),
        ("十二月月末完成", MARCH, D("2021-12-31")),
        ("2月底前完成", MARCH, D("2022-02-28")),
        ("2024年2月底前", MARCH, D("2024-02-29")),
        ("6月份底完成", MARCH, D("2021-06-30")),
        ("5月中旬前完成", MARCH, D("2021-05-20")),
        ("5月上旬完成", MARCH, D("2021-05-10")),
        ("4月下旬完成", MARCH, D("2021-04-30")),
        ("6月前完成选址", MARCH, D("2021-05-31")),
        ("8月份完成主体封顶", MARCH, D("2021-08-31")),
        ("4月至6月完成", MARCH, D("2021-06-30")),
        # this month / next month
        ("月底前报送台账", MARCH, D("2021-03-31")),
        ("本月底前完成", NOVEMBER, D("2021-11-30")),
        ("月末前报送", MARCH, D("2021-03-31")),
        ("下月底前完成", MARCH, D("2021-04-30")),
        ("下个月末前", NOVEMBER, D("2021-12-31")),
        # the year
        ("年底前全部完成", MARCH, D("2021-12-31")),
        ("年内新开工项目一定要到位", MARCH, D("2021-12-31")),
        ("年末奖惩兑现", MARCH, D("2021-12-31")),
        ("今年底前完成", MARCH, D("2021-12-31")),
        ("确保全年完成固定资产投资", MARCH, D("2021-12-31")),
        ("今年,必保征供地400公顷以上", MARCH, D("2021-12-31")),
        ("明年底前建成", MARCH, D("2022-12-31")),
        ("力争明年投产", MARCH, D("2022-12-31")),
        ("2022年底前建成投用", MARCH, D("2022-12-31")),
        ("到2025年辖区人口规模要实现翻番", MARCH, D("2025-12-31")),
        ("2023年前完成", MARCH, D("2023-12-31")),
        # halves: 上半年 is the end of the range, not its start
        ("上半年完成", MARCH, D("2021-06-30")),
        ("力争上半年开工", NOVEMBER, D("2022-06-30")),
        ("今年上半年完成", MARCH, D("2021-06-30")),
        ("明年上半年投产", MARCH, D("2022-06-30")),
        ("一季度至上半年完成招标", MARCH, D("2021-06-30")),
        ("年中完成", MARCH, D("2021-06-30")),
        ("下半年开工", MARCH, D("2021-12-31")),
        ("2022年上半年", MARCH, D("2022-06-30")),
        # quarters
        ("一季度完成", date(2021, 1, 10), D("2021-03-31")),
        ("一季度完成", MARCH, D("2021-03-31")),
        ("一季度完成", NOVEMBER, D("2022-03-31")),
        ("三季度末前完工", MARCH, D("2021-09-30")),
        ("第四季度完成", MARCH, D("2021-12-31")),
        ("前三季度完成", MARCH, D("2021-09-30")),
        ("2022年第二季度", MARCH, D("2022-06-30")),
        ("明年一季度", MARCH, D("2022-03-31")),
        # durations from the document's date
        ("60天内完成整改", MARCH, D("2021-05-14")),
        ("十日内反馈意见", MARCH, D("2021-03-25")),
        ("三个月内完成", MARCH, D("2021-06-15")),
        ("两周内完成", MARCH, D("2021-03-29")),
        ("15个工作日内办结", MARCH, D("2021-04-06")),  # 清明 2021-04-03..05 not counted
        # five-year plans
        ("十四五期间建成", MARCH, D("2025-12-31")),
        ('"十三五"末实现', date(2016, 4, 20), D("2020-12-31")),
        ("十二五时期", MARCH, D("2015-12-31")),
    ],
)
def test_deadline(sentence, doc, deadline):
    assert resolve(sentence, doc).deadline == deadline


@pytest.mark.parametrize(
    "sentence, recurrence, deadline",
    [
        ("每周督查调度,明确包保责任", "weekly", None),
        ("每周五前报送周报", "weekly", None),
        ("每两周召开一次调度会", "biweekly", None),
        ("每月底前报送进展", "monthly", None),
        ("按月通报", "monthly", None),
        ("每季度开展一次评估", "quarterly", None),
        ("每半年考核一次", "semiannual", None),
        ("每年开展一次评比", "yearly", None),
        ("每天报送进度", "daily", None),
        ("持续推进营商环境建设", "ongoing", None),
        ("常态化开展走访", "ongoing", None),
        ("长期坚持", "ongoing", None),
        ("每周督查调度,年末奖惩兑现", "weekly", D("2021-12-31")),
    ],
)
def test_recurrence_and_no_date(sentence, recurrence, deadline):
    r = resolve(sentence, MARCH)
    assert r.recurrence == recurrence
    assert r.deadline == deadline


@pytest.mark.parametrize(
    "sentence",
    [
        "去年下半年,区委作出了整合决定",
        "前年完成投资26亿元",
        "去年底开工",
        "尽快发挥作用,争取尽早迁入",
        "今年是十四五规划的开局之年" and "十四五规划的开局",
        "按照区里的统一要求",
        "2020年开发区生产总值实现95.6亿元",
    ],
)
def test_no_deadline(sentence):
    assert resolve(sentence, MARCH).deadline is None


def test_the_latest_date_is_the_deadline_and_the_others_are_nodes():
    r = resolve("3月底前完成方案,6月底前完成招标,10月底前建成", MARCH)
    assert r.deadline == D("2021-10-31")
    assert [t.on for t in r.mentions] == [D("2021-03-31"), D("2021-06-30"), D("2021-10-31")]


def test_mentions_carry_their_span():
    text = "征收办要在年底前完成"
    (t,) = find_times(text, MARCH)
    assert text[t.start : t.end] == t.text == "年底前"


def test_a_bad_date_is_skipped_not_raised():
    assert resolve("2月30日前完成", MARCH).deadline is None
    assert resolve("13月底前", MARCH).deadline is None


@pytest.mark.parametrize(
    "text, value",
    [("十二", 12), ("二十", 20), ("三十一", 31), ("一百零五", 105), ("两千", 2000),
     ("二〇二一", 2021), ("六十", 60), ("廿五", 25), ("二十三万四千", 234000),
     ("一亿二千万", 120000000), ("2021", 2021), ("十几", None), ("", None)],
)  # fmt: skip
def test_chinese_numerals(text, value):
    assert cn_to_int(text) == value
