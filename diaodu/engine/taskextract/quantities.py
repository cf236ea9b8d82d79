"""Measurable targets in a task sentence: "19个", "400公顷以上", "300亿元", "15个已竣工项目"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from diaodu.engine.taskextract.numerals import cn_to_int

__all__ = ["Quantity", "find_quantities"]

# Longer units first: 万平方米 before 平方米, 亿元 before 元.
_UNITS = sorted(
    """个 家 项 户 人 名 套 栋 幢 座 所 台 辆 件 场 次 批 条 处 宗 块 间 张 份 篇 期 轮 批次 人次 个百分点
    公顷 亩 万亩 平方米 万平方米 平方公里 公里 千米 米 延米 立方米 万立方米 吨 万吨 千瓦 兆瓦 万千瓦
    元 万元 亿元 万美元 亿美元 % ％""".split(),
    key=len,
    reverse=True,
)
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS)
_CN = "〇零一二两三四五六七八九十百千万亿"
_NUMBER = rf"(?P<num>\d+(?:\.\d+)?|[{_CN}]+?(?:点[〇零一二三四五六七八九]+)?)"
_QTY = re.compile(
    rf"(?<![\d.{_CN}第])(?P<cmp>超过|不少于|不低于|不超过|达到|突破|完成)?{_NUMBER}"
    rf"(?P<more>余|多)?(?P<unit>{_UNIT_RE})(?P<bound>以上|以内|以下|左右)?"
    rf"(?P<what>[已未新在续]?[\u4e00-\u9fff]{{0,6}}?(?:项目|企业|工程|园区|厂房|地块|楼宇|道路|家企业))?"
)
# Chinese-numeral counts below ten ("四个意识", "两个方面", "三项措施") and any Chinese 一
# ("一套班子", "一名领导") are figures of speech, not targets; a number followed by a time word is a duration, not a target.
_SMALL_COUNT_UNITS = {"个", "项", "条", "批", "次", "轮", "场", "期", "处", "件", "份", "名", "人"}
_TIME_AFTER = re.compile(r"[天日月年周]|小时|分钟|季度|工作日|星期")


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: Decimal
    unit: str


def _value(num: str) -> Decimal | None:
    if num[0].isdigit():
        return Decimal(num)
    if "点" in num:
        whole, frac = num.split("点", 1)
        w = cn_to_int(whole)
        digits = [cn_to_int(ch) for ch in frac]
        if w is None or any(d is None or d > 9 for d in digits):
            return None
        return Decimal(f"{w}.{''.join(str(d) for d in digits)}")
    v = cn_to_int(num)
    return None if v is None else Decimal(v)


def find_quantities(text: str) -> list[Quantity]:
    """Every measurable quantity in *text* (Simplified, half-width), in order."""
    found = []
    for m in _QTY.finditer(text):
        num, unit = m["num"], m["unit"]
        if _TIME_AFTER.match(text, m.end("unit")) and unit in {"个", "多"}:
            continue
        value = _value(num)
        if value is None:
            continue
        if not num[0].isdigit() and (value == 1 or (value < 10 and unit in _SMALL_COUNT_UNITS)):
            continue
        unit = "%" if unit == "％" else unit
        start = m.start("num")
        found.append(Quantity(start, m.end(), text[start : m.end()], value, unit))
    return found
