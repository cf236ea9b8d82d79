"""Find and classify the header of a ledger sheet (one to three rows, merged cells)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl.utils import get_column_letter

from ..textnorm import collapse_spaces, compact
from .results import RowMessage
from .sheet import _Sheet
from .values import _is_blank
from .vocabulary import (
    _HECTARE,
    _SEQ,
    _SQUARE_METRE,
    _WAN,
    _YI,
    _YUAN,
    DATE_FIELDS,
    FIELD_LABELS,
    MONEY_FIELDS,
)

HEADER_SCAN_ROWS = 15
MAX_HEADER_ROWS = 3
# --------------------------------------------------------------------------------------
# Header vocabulary
# --------------------------------------------------------------------------------------

_PARENS_RE = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")
_THIS_YEAR_RE = re.compile(r"本年|今年|当年|年度|\d{4}年|\d+月")
_INVESTOR_RE = re.compile(
    r"建设单位|投资主体|业主单位|项目单位|投资方|项目业主|建设主体|实施主体|投资单位|项目法人|企业名称|承建单位|投资企业"
)
_CONTENT_RE = re.compile(r"建设内容|建设规模|主要内容|项目内容|主要建设")
_ADDRESS_RE = re.compile(r"建设地点|项目地址|地址|项目地点|建设地址|选址|坐落")
_LAND_RE = re.compile(r"(用地|占地|土地)面积|^用地$|^占地$|^面积$|新增用地|用地规模|^用地亩")
_DATE_EVENTS = (
    ("签约", "signing"),
    ("开工", "start"),
    ("竣工", "completion"),
    ("完工", "completion"),
    ("投产", "production"),
    ("达产", "production"),
)
_GROUP_WORDS = frozenset(
    {
        "投资完成情况",
        "完成投资",
        "完成情况",
        "时间节点",
        "计划时间",
        "实际时间",
        "包保责任",
        "责任分工",
        "投资情况",
        "项目基本情况",
        "基本情况",
        "进度安排",
        "包保情况",
        "项目投资",
    }
)
_SUB_WORDS = frozenset(
    {
        "本年",
        "累计",
        "计划",
        "实际",
        "姓名",
        "职务",
        "本年完成",
        "自开工累计",
        "开工",
        "竣工",
        "投产",
        "签约",
        "金额",
        "预计",
        "当年",
        "年度",
        "万元",
        "亿元",
        "元",
        "亩",
        "公顷",
        "人",
        "个",
        "日期",
        "年月",
    }
)


def _header_key(text: str) -> str:
    """Header text in the form used for matching: compact, lower-case, no (units)."""
    t = compact(text).lower()
    t = _PARENS_RE.sub("", t)
    return t.strip("*※★▲:：.、")


def classify_header(text: str) -> str | None:
    """Map a header text (or group+sub text) to a canonical field, ``_seq`` or None."""
    t = _header_key(text)
    if not t or len(t) > 30:
        return None
    if re.fullmatch(r"序号|编号|序|no\.?|#|排序", t):
        return _SEQ
    if "项目名称" in t or t in {"名称", "项目", "项目名", "工程名称", "工程项目名称"}:
        return "name"
    if "累计" in t and ("开工" in t or "以来" in t):
        return "completed_since_start"
    if "累计" in t and ("完成" in t or "投资" in t) and not _THIS_YEAR_RE.search(t):
        return "completed_since_start"
    if "完成" in t and "计划" not in t and _THIS_YEAR_RE.search(t):
        return "completed_this_year"
    if "总投资" in t or t in {"投资总额", "总投资额", "投资额", "项目投资额", "投资规模"}:
        return "total_investment"
    if "投资" in t and ("计划" in t or "目标" in t):
        return "annual_plan_investment"
    if "领导" in t:
        return "lead_officials"
    if any(k in t for k in ("秘书", "包保干部", "专员", "联络员", "帮办员", "代办员")):
        return "secretary"
    if any(
        k in t for k in ("责任单位", "牵头单位", "责任部门", "牵头部门", "包保单位", "主责单位")
    ):
        return "responsible_unit"
    if "行业" in t or t in {"产业", "产业类别", "产业类型", "产业分类", "所属产业"}:
        return "industry"
    if any(k in t for k in ("园区", "产业园", "所在园", "所属开发区", "片区")):
        return "unit_name"
    if any(k in t for k in ("代码", "赋码", "编码")):
        return "national_code"
    if _INVESTOR_RE.search(t):
        return "investor"
    if _CONTENT_RE.search(t):
        return "content_scale"
    if _ADDRESS_RE.search(t):
        return "address"
    if "纬度" in t:
        return "latitude"
    if "经度" in t:
        return "longitude"
    if _LAND_RE.search(t):
        return "land_area_mu"
    if any(k in t for k in ("产值", "营业收入", "营收", "销售收入")):
        return "expected_output"
    if any(k in t for k in ("税收", "税金", "利税", "纳税")):
        return "expected_tax"
    if any(k in t for k in ("就业", "用工", "岗位", "从业人员")):
        return "expected_jobs"
    if re.fullmatch(r"(项目|年度|建设)?类别|项目年度类别", t):
        return "plan_category"
    if any(k in t for k in ("级别", "层级", "重点类别", "项目等级")):
        return "level"
    if "阶段" in t:
        return "stage"
    for word, event in _DATE_EVENTS:
        if word in t and (t == word or re.search(r"时间|日期|年月|计划|实际|预计|拟|目标|节点", t)):
            planned = re.search(r"计划|预计|拟|目标", t) is not None
            return f"{'planned' if planned else 'actual'}_{event}_date"
    if any(k in t for k in ("形象进度", "进展", "进度")) or ("完成情况" in t and "投资" not in t):
        return "progress_text"
    if any(k in t for k in ("问题", "困难", "诉求", "需协调", "协调事项")):
        return "issues_text"
    if t.startswith("备注"):
        return "remarks"
    return None


def _classify_parts(parts: list[str]) -> str | None:
    """Classify a column from its header parts (group first, sub last)."""
    last = classify_header(parts[-1])
    if len(parts) == 1:
        return last
    combined = classify_header("".join(parts))
    if last is None:
        return combined
    if last in DATE_FIELDS and combined in DATE_FIELDS:
        return combined  # the group says 计划/实际
    return last


def _money_factor(header_text: str) -> Decimal | None:
    t = compact(header_text)
    if "亿" in t:
        return _YI
    if "万" in t:
        return _WAN
    if re.search(r"[(（]元[)）]|单位[:：]?元|^元$", t):
        return _YUAN
    return None


def _area_factor(header_text: str) -> Decimal:
    t = compact(header_text).lower()
    if "公顷" in t:
        return _HECTARE
    if "平方米" in t or "㎡" in t or "m2" in t:
        return _SQUARE_METRE
    return _WAN


@dataclass
class _Column:
    index: int
    field: str
    label: str  # header text as typed (whitespace removed, parts joined with "/")
    money_factor: Decimal | None = None
    area_factor: Decimal = _WAN


@dataclass
class _Header:
    top: int
    bottom: int
    columns: list[_Column]
    score: int
    messages: list[RowMessage]

    def column(self, name: str) -> _Column | None:
        for col in self.columns:
            if col.field == name:
                return col
        return None


def _cell_header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return collapse_spaces(str(value))


def _row_header_score(sheet: _Sheet, r: int) -> int:
    score = 0
    for v in sheet.grid[r]:
        if isinstance(v, str):
            if classify_header(v) is not None or _header_key(v) in _GROUP_WORDS:
                score += 1
    return score


def _is_continuation(sheet: _Sheet, top: int, r: int, name_col: int | None) -> bool:
    """Is row *r* a further header row of the header that starts at *top*?"""
    for rr in range(top, r):
        for _c0, _c1, r1 in sheet.spans.get(rr, ()):
            if r1 >= r:
                return True
    if name_col is not None and not _is_blank(sheet.raw(r, name_col)):
        return False
    cells = [v for v in sheet.grid[r] if not _is_blank(v)]
    if not cells or not all(isinstance(v, str) for v in cells):
        return False
    known = sum(
        1
        for v in cells
        if classify_header(v) is not None
        or _header_key(v) in _SUB_WORDS
        or _header_key(v) in _GROUP_WORDS
    )
    return known * 2 >= len(cells)


def _build_header(sheet: _Sheet, top: int) -> _Header | None:
    """Try a header starting at row *top*; None if it has no 项目名称 column."""
    name_col = None
    for c, v in enumerate(sheet.grid[top]):
        if isinstance(v, str) and classify_header(v) == "name":
            name_col = c
            break
    bottom = top
    while (
        bottom + 1 < sheet.nrows
        and bottom - top + 1 < MAX_HEADER_ROWS
        and _is_continuation(sheet, top, bottom + 1, name_col)
    ):
        bottom += 1
    columns: list[_Column] = []
    seen: dict[str, _Column] = {}
    messages: list[RowMessage] = []
    unknown: list[str] = []
    texts = [
        [_cell_header_text(sheet.header_value(r, c, top)) for c in range(sheet.ncols)]
        for r in range(top, bottom + 1)
    ]
    # An unmerged group cell ("完成投资" above "本年", blank above "累计") spans to the right
    # while the columns below it have sub-headers.
    for i in range(len(texts) - 1):
        carried = ""
        for c in range(sheet.ncols):
            has_sub = any(texts[j][c] for j in range(i + 1, len(texts)))
            if texts[i][c]:
                carried = texts[i][c] if has_sub else ""
            elif has_sub and carried:
                texts[i][c] = carried
            else:
                carried = ""
    for c in range(sheet.ncols):
        parts: list[str] = []
        for i in range(len(texts)):
            text = texts[i][c]
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        if not parts:
            continue
        label = "/".join(parts)
        fld = _classify_parts(parts)
        if fld is None:
            unknown.append(f"{get_column_letter(c + 1)}列“{label}”")
            continue
        if fld in seen:
            if fld != _SEQ:
                messages.append(
                    RowMessage(
                        0,
                        "warning",
                        f"{get_column_letter(c + 1)}列“{label}”与{get_column_letter(seen[fld].index + 1)}列"
                        f"“{seen[fld].label}”同为“{FIELD_LABELS.get(fld, fld)}”，已忽略该列",
                        fld,
                    )
                )
            continue
        col = _Column(c, fld, label)
        if fld in MONEY_FIELDS:
            col.money_factor = _money_factor(label)
        elif fld == "land_area_mu":
            col.area_factor = _area_factor(label)
        seen[fld] = col
        columns.append(col)
    if "name" not in seen:
        return None
    if unknown:
        messages.append(RowMessage(0, "info", "以下列未能识别，已忽略：" + "、".join(unknown)))
    score = sum(1 for col in columns if col.field != _SEQ)
    return _Header(top, bottom, columns, score, messages)


# A line above the table: 填报单位、单位：万元、填报日期、截至…、(盖章)
_META_LINE_RE = re.compile(
    r"填[报報]|[报報]送|[单單]位\s*[:：]|盖章|蓋章|制表|日期\s*[:：]|截[至止]"
)


def _is_title_row(sheet: _Sheet, r: int) -> bool:
    """A title (a single cell, merged across the table or not) or a 填报单位/单位/日期 line:
    such a row never starts a header, so its text is never glued into the column names."""
    cells = [v for v in sheet.grid[r] if not _is_blank(v)]
    if len(cells) == 1:  # a title, unless it is the 项目名称 of a one-column table
        return not (isinstance(cells[0], str) and classify_header(cells[0]) == "name")
    return any(isinstance(v, str) and _META_LINE_RE.search(compact(v)) for v in cells)


def _find_header(sheet: _Sheet) -> _Header | None:
    best: _Header | None = None
    for r in range(min(HEADER_SCAN_ROWS, sheet.nrows)):
        if _row_header_score(sheet, r) == 0 or _is_title_row(sheet, r):
            continue
        header = _build_header(sheet, r)
        if header is not None and (best is None or header.score > best.score):
            best = header
    return best
