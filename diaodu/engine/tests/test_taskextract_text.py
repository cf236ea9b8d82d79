"""The extractor's structure, unit, quantity and 繁體 rules, each with real sentences."""

from datetime import date

import pytest
import zhconv
from hypothesis import given
from hypothesis import strategies as st

from diaodu.engine.taskextract import (
    Gazetteer,
    extract,
    find_quantities,
    for_matching,
    unit_like_names,
)
from diaodu.engine.taskextract.segment import segment
from diaodu.engine.taskextract.units import project_names

DOC = date(2021, 3, 15)
GAZ = Gazetteer(
    [
        {"code": "ZR", "name": "自然资源局"},
        {"code": "ZS", "name": "土地征收办公室", "short_name": "征收办", "aliases": ["征拆办"]},
        {"code": "FG", "name": "发展和改革局", "short_name": "发改局"},
        {"code": "CZ", "name": "财政局"},
        {
            "code": "JF",
            "name": "聚丰城市建设投资有限公司",
            "short_name": "聚丰公司",
            "aliases": ["聚丰"],
        },
        {"code": "GH", "name": "广汇公司"},
        {"code": "ZSJ", "name": "招商局"},
        {"code": "ZSJ2", "name": "招商局第二分局"},
    ]
)


def rows(text, gazetteer=GAZ, doc=DOC):
    return [r.as_dict(text) for r in extract(text, doc, gazetteer)]


# -- matching text ------------------------------------------------------------------------------


@given(
    st.text(
        alphabet=st.sampled_from("徵收辦發展與改革局後臺乾燥麵條，（１２）這裡abc、。\n 臺灣"),
        max_size=60,
    )
)
def test_matching_text_has_the_length_of_the_original(text):
    assert len(for_matching(text)) == len(text)


def test_matching_text_is_simplified_and_half_width():
    assert for_matching("徵收辦要在１２月底前完成（一）") == "征收办要在12月底前完成(一)"


# -- structure ----------------------------------------------------------------------------------


def _outline(text):
    norm = for_matching(text)
    _, items = segment(norm)
    return [(it.style, it.number, it.level, it.parent) for it in items]


def test_headings_nest_by_style():
    text = "一、抓项目\n(一)抓开工\n1.征收办要抓紧征拆。\n2.发改局要加快立项。\n(二)抓招商\n二、抓环境\n"
    assert _outline(text) == [
        ("cn、", 1, 0, None),
        ("(cn)", 1, 1, 0),
        ("d.", 1, 2, 1),
        ("d.", 2, 2, 1),
        ("(cn)", 2, 1, 0),
        ("cn、", 2, 0, None),
    ]


def test_inline_lists_count_one_two_three():
    text = "第一,要突出发展主线。一是确保开工项目19个。二是推进签约项目6个。三是跟踪在谈项目8个。"
    assert _outline(text) == [
        ("第cn", 1, 0, None),
        ("cn是", 1, 1, 0),
        ("cn是", 2, 1, 0),
        ("cn是", 3, 1, 0),
    ]


def test_an_open_list_goes_on_in_order():
    # "统一要求" is not item 一 (not at a sentence's start); 四是 after 二是 is not an item.
    assert _outline("按照区里的统一要求,先由班子成员发言。") == []
    assert [o[:2] for o in _outline("一是抓开工。二是抓签约。四是我们的意见。")] == [
        ("cn是", 1),
        ("cn是", 2),
    ]


def test_a_list_quoted_from_its_middle():
    assert [o[:2] for o in _outline("二要强化土地征收。三要加大招商力度。")] == [
        ("cn要", 2),
        ("cn要", 3),
    ]


def test_yi_ge_is_a_slip_for_di_yi():
    text = "一个,要正视存在的差距。第二,要变压力为动力。第三,要突出发展主线。"
    assert [o[:2] for o in _outline(text)] == [("第cn", 1), ("第cn", 2), ("第cn", 3)]


def test_first_second_last():
    text = "首先,要提高站位。其次,要压实责任。最后,要严明纪律。"
    assert [o[:2] for o in _outline(text)] == [("首先", 1), ("首先", 2), ("首先", 4)]


def test_yi_yao_items_and_parenthesised_digits():
    text = "(1)加快建设。一要优化项目服务。二要强化土地征收。\n(2)加快招商。"
    out = _outline(text)
    assert [o[:3] for o in out] == [("(d)", 1, 0), ("cn要", 1, 1), ("cn要", 2, 1), ("(d)", 2, 0)]


def test_clause_lists_after_a_comma():
    text = "要做到三点,一是压实责任,二是倒排工期,三是强化督查。"
    assert [o[:2] for o in _outline(text)] == [("cn是", 1), ("cn是", 2), ("cn是", 3)]


def test_a_narrative_paragraph_closes_the_inline_list():
    text = "一是抓开工。二是抓签约。\n会上大家进行了交流。\n一是要打破思维模式。"
    out = _outline(text)
    assert [o[:3] for o in out] == [("cn是", 1, 0), ("cn是", 2, 0), ("cn是", 1, 0)]


def test_short_directive_sentences_open_sub_items():
    text = "二是要统一思想。要破解资金难题。要想办法引入社会资本。要破解土地难题。要盘活闲置地。"
    got = rows(text)
    assert [r["task"] for r in got] == ["统一思想", "破解资金难题", "破解土地难题"]
    assert got[1]["measures"] == "要想办法引入社会资本。"
    assert got[1]["parent"] == 0


def test_decimal_numbers_are_not_headings():
    assert _outline("1.5亿元的投资要到位。") == []


# -- rows ---------------------------------------------------------------------------------------


def test_one_unit_sentence_leads_its_item():
    text = (
        "二要强化土地征收。今年必保征供地400公顷以上,征收办要加大工作力度,千方百计增加土地收储量。"
    )
    (row,) = rows(text)
    assert row["task"] == "强化土地征收"
    assert row["lead_units"] == ["土地征收办公室"]
    assert row["lead_unit_codes"] == ["ZS"]
    assert row["quantities"] == ["400公顷以上"]
    assert row["deadline"] == "2021-12-31"


def test_several_unit_sentences_become_one_row_each():
    text = (
        "(三)要在基础设施上加大投入。相关部门一定要全力以赴推进,力争尽早投入使用。"
        "在资金上,聚丰、广汇等公司要充分发挥平台作用,多方面协调建设资金。"
    )
    got = rows(text)
    money = ["聚丰城市建设投资有限公司", "广汇公司"]
    assert [r["lead_units"] for r in got] == [["相关部门", *money], ["相关部门"], money]
    assert got[1]["parent"] == got[2]["parent"] == 0
    assert got[2]["task"] == "充分发挥平台作用,多方面协调建设资金"
    assert got[1]["unknown_units"] == ["相关部门"]


def test_lead_and_support():
    text = "由发改局牵头,财政局、自然资源局配合,6月底前完成专项债项目申报。"
    (row,) = rows(text)
    assert row["lead_units"] == ["发展和改革局"]
    assert row["support_units"] == ["财政局", "自然资源局"]
    assert row["deadline"] == "2021-06-30"


def test_hui_tong_marks_support():
    (row,) = rows("招商局要会同财政局研究出台招商奖励办法,年底前印发。")
    assert row["lead_units"] == ["招商局"]
    assert row["support_units"] == ["财政局"]


def test_a_named_leader():
    (row,) = rows("由王明副主任牵头,征收办负责,3个月内完成征拆。")
    assert row["leader"] == "王明副主任"
    (row,) = rows("一是加快回迁楼建设,责任领导:李强,征收办要每月报送进度。")
    assert row["leader"] == "李强"
    assert row["recurrence"] == "monthly"


def test_sentences_outside_items_with_a_unit_subject_are_rows():
    text = "会议指出,形势严峻。自然资源局要主动联系专业机构,科学制定发展规划。大家要振奋精神。"
    got = rows(text)
    assert [r["lead_units"] for r in got] == [["自然资源局"]]
    assert got[0]["task"] == "主动联系专业机构,科学制定发展规划"


def test_projects_as_subjects_get_their_own_rows():
    text = "二是要统一思想。要破解资金难题。要引入社会资本。要破解项目建设难题。年内新开工项目一定要到位。如东北亚物流园项目、污水处理厂项目要加快进度,按期开工。长江路改造项目要加快建设步伐。"
    got = rows(text)
    assert [r["task"][:6] for r in got] == [
        "统一思想",
        "破解资金难题",
        "破解项目建设",
        "如东北亚物流",
        "长江路改造项",
    ]
    assert got[2]["deadline"] == "2021-12-31"
    assert got[3]["parent"] == got[4]["parent"] == 2


def test_nodes_are_the_earlier_dates():
    (row,) = rows("一是加快供水厂建设,3月底前完成招标,6月底前开工,年底前建成。")
    assert row["deadline"] == "2021-12-31"
    assert [n["date"] for n in row["nodes"]] == ["2021-03-31", "2021-06-30"]


def test_no_gazetteer_still_finds_unit_like_names():
    (row,) = rows("二要强化土地征收。征收办要加大工作力度。", gazetteer=None)
    assert row["lead_units"] == ["征收办"]
    assert row["lead_unit_codes"] == [None]
    assert row["unknown_units"] == ["征收办"]


# -- units --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "subject, names",
    [
        ("自然资源局", ["自然资源局"]),
        ("下步工作中,自然资源局".split(",")[1], ["自然资源局"]),
        ("各办公室、各局也都", ["各办公室", "各局"]),
        ("聚丰、广汇等公司", ["聚丰公司", "广汇公司"]),
        ("发改局和财政局", ["发改局", "财政局"]),
        ("相关部门一定", ["相关部门"]),
        ("各园区", ["各园区"]),
        ("开发区管委会", ["开发区管委会"]),
        ("区住建委", ["区住建委"]),
        ("综合服务中心", ["综合服务中心"]),
        ("由发改局牵头", ["发改局"]),
        ("我们", []),
        ("大家", []),
        ("开发区", []),
        ("开发区全体干部", []),
        ("在推进上", []),
        ("对同仁众合、**经贸等企业也", []),
    ],
)
def test_unit_like_names(subject, names):
    assert unit_like_names(subject) == names


def test_gazetteer_longest_match_and_aliases():
    found = GAZ.find(for_matching("招商局第二分局与徵收辦、征拆办、聚丰"))
    assert [(m.text, m.code) for m in found] == [
        ("招商局第二分局", "ZSJ2"),
        ("征收办", "ZS"),
        ("征拆办", "ZS"),
        ("聚丰", "JF"),
    ]


def test_project_subjects():
    assert project_names("如东北亚物流园项目、污水处理厂项目") == [
        "东北亚物流园项目",
        "污水处理厂项目",
    ]
    assert project_names("年内新开工和续建的项目") == []
    assert project_names("年内新开工项目") == []
    assert project_names("重点项目") == []


# -- quantities ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, texts",
    [
        ("确保年度开工项目19个,必保全面开复工", ["19个"]),
        ("必保征供地400公顷以上", ["400公顷以上"]),
        ("完成15个已竣工项目验收", ["15个已竣工项目"]),
        ("力争引进300亿元项目", ["300亿元项目"]),
        ("城镇化率要达到65%", ["65%"]),
        ("新增三十家企业", ["三十家企业"]),
        ("完成投资12.5亿元,新增用地1200亩", ["12.5亿元", "1200亩"]),
        ("强化四个意识", []),
        ("在两个方面下功夫", []),
        ("60天内完成", []),
        ("3个月内完成", []),
        ("十几道手续环环相扣", []),
        ("第3个项目", []),
    ],
)
def test_quantities(sentence, texts):
    assert [q.text for q in find_quantities(sentence)] == texts


def test_quantity_values():
    (q,) = find_quantities("征供地四百公顷")
    assert (q.value, q.unit) == (400, "公顷")
    (q,) = find_quantities("投资一点五亿元")
    assert str(q.value) == "1.5"


# -- 繁體 -----------------------------------------------------------------------------------------


def test_traditional_input_matches_as_simplified_and_keeps_its_text():
    text = "二要強化土地徵收。今年，徵收辦要加大工作力度，確保十二月月底前完成徵供地400公頃以上。"
    (row,) = rows(text)
    assert row["task"] == "強化土地徵收"
    assert row["lead_units"] == ["土地征收办公室"]
    assert row["deadline"] == "2021-12-31"
    assert row["quantities"] == ["400公頃以上"]
    s, e = row["source_span"]
    assert text[s:e] == row["source_text"] and row["source_text"].startswith("二要強化")


def test_the_same_speech_in_both_scripts_gives_the_same_table():
    text = (
        "一、抓項目建設\n(一)要優化項目服務。發改局要在6月底前完成立項,每週調度一次。\n"
        "(二)要強化土地徵收。由自然資源局牽頭,財政局配合,年底前完成土地報批15宗。"
    )
    simple = zhconv.convert(text, "zh-cn")
    assert [
        (r["lead_units"], r["support_units"], r["deadline"], r["recurrence"], r["source_span"])
        for r in rows(text)
    ] == [
        (r["lead_units"], r["support_units"], r["deadline"], r["recurrence"], r["source_span"])
        for r in rows(simple)
    ]


# -- any text -----------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["一、", "(一)", "1.", "一是", "二是", "一要", "第二,", "首先,", "要", "必须", "确保", "征收办",
     "各局", "聚丰、广汇等公司", "年底前", "十二月月底", "11月15日前", "上半年", "每周", "60天内",
     "19个", "400公顷以上", "2月30日", "13月底", "。", ",", "\n", "\x00", "，", "徵收辦", "a", " "]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_text_gives_rows_with_valid_spans(text):
    for row in extract(text, DOC, GAZ):
        d = row.as_dict(text)
        s, e = d["source_span"]
        assert 0 <= s <= e <= len(text)
        assert d["task"] in text[s:e]
        assert d["parent"] is None or 0 <= d["parent"] < len(text)


# -- rules found on a speech the extractor had not seen ------------------------------------------


def test_an_annual_plan_is_not_a_deadline_but_year_end_is():
    (row,) = rows("(一)全力推动项目开工。各园区要对照年度计划,确保10月底前全部开工。")
    assert row["deadline"] == "2021-10-31"
    (row,) = rows("第三,严格考核。区委组织部要把项目建设实绩作为考核内容,年终兑现奖惩。")
    assert row["deadline"] == "2021-12-31"
    assert row["lead_units"] == ["区委组织部"]


def test_a_service_standard_is_not_a_deadline():
    (row,) = rows("3.强化服务保障。区行政审批局要推行容缺受理,企业开办时间压缩到1个工作日以内。")
    assert row["deadline"] is None
    assert row["lead_units"] == ["区行政审批局"]


def test_hui_tong_after_the_lead_unit():
    (row,) = rows("2.强化资金保障。财政局会同发改局做好专项债券项目储备,每季度申报一次。")
    assert row["lead_units"] == ["财政局"]
    assert row["support_units"] == ["发展和改革局"]
    assert row["recurrence"] == "quarterly"


def test_offices_named_shi_and_idioms_with_yi():
    (row,) = rows("第二,强化督查。区委督查室要每月通报项目进展。")
    assert row["lead_units"] == ["区委督查室"]
    assert find_quantities("实行一个项目、一名领导、一套班子") == []


def test_an_item_with_several_unit_sentences_is_led_by_all_of_them():
    got = rows("(一)推动开工。各园区要倒排工期。发改局要每周汇总开工情况。")
    assert got[0]["lead_units"] == ["各园区", "发展和改革局"]
    assert [r["lead_units"] for r in got[1:]] == [["各园区"], ["发展和改革局"]]
