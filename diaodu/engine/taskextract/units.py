"""Units named in a sentence: from a gazetteer (the unit tree with short names and aliases,
longest match first) and unit-like names that are not in it ("征收办", "聚丰、广汇等公司",
"各园区"), returned as text for the clerk to map."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from diaodu.engine.taskextract.normalize import for_matching

__all__ = ["Gazetteer", "UnitMention", "project_names", "unit_like_names"]


@dataclass(frozen=True)
class UnitMention:
    """``name`` is the canonical name (the gazetteer's) or the text as found (Simplified);
    ``code`` is None for a name that is not in the gazetteer."""

    start: int
    end: int
    text: str
    name: str
    code: str | None = None


class Gazetteer:
    """Names → units.  ``entries`` are mappings with ``code``, ``name`` and optional
    ``short_name`` and ``aliases``; every name is matched Simplified and half-width."""

    def __init__(self, entries: Iterable[Mapping] = ()):
        self._by_name: dict[str, tuple[str, str]] = {}
        for e in entries:
            names = [e["name"], e.get("short_name") or "", *(e.get("aliases") or ())]
            for n in names:
                key = for_matching(str(n).strip())
                if len(key) >= 2:
                    self._by_name.setdefault(key, (e["code"], e["name"]))
        keys = sorted(self._by_name, key=len, reverse=True)
        self._re = re.compile("|".join(re.escape(k) for k in keys)) if keys else None

    def __len__(self) -> int:
        return len(self._by_name)

    def find(self, text: str, offset: int = 0) -> list[UnitMention]:
        """Every gazetteer name in *text* (already Simplified), longest first at each place."""
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            code, name = self._by_name[m[0]]
            out.append(UnitMention(m.start() + offset, m.end() + offset, m[0], name, code))
        return out


_SUFFIX = (
    r"(?:管委会|委员会|办公室|指挥部|工作专班|专班|领导小组|分局|局|办|委|公司|集团|中心|"
    r"园区|产业园|街道|镇|乡|所|站|院|厅|室|部门|部|处|科|队)"
)
# Words that begin a clause but are not part of a unit's name.
_LEAD_IN = re.compile(
    r"^(?:如|比如|例如|同时|另外|此外|其中|特别是|尤其是|下步|下一步|今后|对此|为此|在此基础上|并且?|而且|还|请|由)+"
)
_TAIL = re.compile(r"(?:也都|都也|也|都|一定|务必|必须|要|还|均|分别|同时|共同|负责|牵头)+$")
_GROUP = re.compile(
    r"^(?:各|相关|有关|其他|其它|全体|各级|各有关|各相关)(?P<kind>[\u4e00-\u9fff]{0,6}?"
    + _SUFFIX
    + r")$"
)
_NAME = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9*()]{1,14}?" + _SUFFIX + r"$")
_ETC = re.compile(
    r"^(?P<list>.+?)等(?:[一二两三四五六七八九十\d]+(?:个|家))?(?P<suffix>" + _SUFFIX + r")$"
)
# Subjects that look like units but are people or the zone speaking of itself.
_NOT_UNITS = {"我们", "大家", "同志们", "开发区", "我区", "全区", "区里", "各位", "项目", "企业"}
# Words that end like a unit but name people or parts: 干部, 全部, 内部, 场所 …
_NOT_SUFFIXES = (
    "干部",
    "全部",
    "内部",
    "局部",
    "外部",
    "本部",
    "场所",
    "会议室",
    "好处",
    "到处",
    "之处",
    "举办",
    "创办",
    "主办",
    "承办",
    "合办",
)
_PROJECTS = re.compile(r"^[^的,]{2,24}?(?:项目|工程)$")
# "年内新开工项目", "各类项目", "重点项目" are kinds of projects, not named ones.
_PROJECT_KINDS = re.compile(
    r"^(?:年内|今年|明年|全年|本年|年度|当年|上半年|下半年|所有|全部|各类?|这些|相关|重点|新开工|续建|在建|储备|一批)"
)
_SPLIT = re.compile(r"[、,和及与]|以及")


def project_names(subject: str) -> list[str]:
    """Project names that are the subject of a directive ("如东北亚物流园项目、污水处理厂项目")."""
    s = _TAIL.sub("", _LEAD_IN.sub("", subject.strip()))
    parts = [p for p in _SPLIT.split(s) if p]
    named = parts and all(_PROJECTS.match(p) and not _PROJECT_KINDS.match(p) for p in parts)
    return parts if named else []


def unit_like_names(subject: str) -> list[str]:
    """Unit names in the subject of a directive (the words before 要/必须 …), Simplified:
    "自然资源局" → [自然资源局]; "各办公室、各局" → [各办公室, 各局]; "聚丰、广汇等公司" →
    [聚丰公司, 广汇公司]; "相关部门" → [相关部门]; "我们" → []."""
    s = _TAIL.sub("", _LEAD_IN.sub("", subject.strip()))
    if not s or s in _NOT_UNITS:
        return []
    m = _ETC.match(s)
    if m:
        items = [p for p in _SPLIT.split(m["list"]) if p]
        suffix = m["suffix"]
        names = [p if re.search(_SUFFIX + "$", p) else p + suffix for p in items]
        return names if all(len(n) <= 16 for n in names) else []
    parts = [p for p in _SPLIT.split(s) if p]
    names = []
    for p in parts:
        if p.endswith(_NOT_SUFFIXES):
            return []
        if _GROUP.match(p) or (_NAME.match(p) and p not in _NOT_UNITS):
            names.append(p)
        else:
            return []
    return names
