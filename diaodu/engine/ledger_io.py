"""Read and write Excel project ledgers (重点项目台账) as zone offices keep them.

Pure Python (openpyxl + zhconv), no Django.  The Django side calls:

* :func:`read_ledger` – reads an ``.xlsx`` ledger *without a template*: it finds the
  header by scoring rows against a vocabulary of known column names (one- or two-row
  headers, merged cells, full-width brackets, Traditional characters…), follows section
  rows (“一、新开工项目”), skips and checks 小计/合计 rows, skips footnotes, and turns
  every project row into a dict of canonical fields (amounts as ``Decimal`` 万元, dates as
  ``datetime.date``).  Problems are reported as Chinese messages naming the row (第N行)
  and the column; the read never stops on a bad cell.
* :func:`write_ledger` – writes the same office layout back (title, 填报单位 line, a
  two-level header, sections with 小计, a final 合计).  ``read_ledger(write_ledger(rows))``
  gives back the same data.

Data dicts only carry the keys whose cells are non-empty; ``LedgerReadResult.columns``
tells which columns the sheet has (so an empty cell can be told from a missing column).
A date known only to the month (or year) is stored as the 1st of that month (January 1st)
with ``data[f"{key}_precision"] = "month"`` (``"year"``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from .textnorm import collapse_spaces, compact, normalise_dashes, to_halfwidth

__all__ = [
    "FIELD_LABELS",
    "LedgerFormatError",
    "LedgerReadResult",
    "LedgerRow",
    "NATIONAL_CODE_RE",
    "RowMessage",
    "read_ledger",
    "validate_national_code",
    "write_ledger",
]

# --------------------------------------------------------------------------------------
# Public vocabulary
# --------------------------------------------------------------------------------------

#: Canonical field -> the Chinese column label written by :func:`write_ledger`.
#: The order of this dict is the default column order of the written ledger.
FIELD_LABELS: dict[str, str] = {
    "name": "项目名称",
    "national_code": "项目代码",
    "investor": "建设单位",
    "content_scale": "建设内容及规模",
    "industry": "所属行业",
    "unit_name": "所属园区",
    "address": "建设地点",
    "longitude": "经度",
    "latitude": "纬度",
    "land_area_mu": "用地面积（亩）",
    "total_investment": "总投资（万元）",
    "annual_plan_investment": "年度计划投资（万元）",
    "completed_this_year": "本年完成",
    "completed_since_start": "自开工累计",
    "plan_category": "项目类别",
    "level": "项目级别",
    "stage": "项目阶段",
    "planned_signing_date": "计划签约时间",
    "actual_signing_date": "签约时间",
    "planned_start_date": "计划开工时间",
    "actual_start_date": "实际开工时间",
    "planned_completion_date": "计划竣工时间",
    "actual_completion_date": "实际竣工时间",
    "planned_production_date": "计划投产时间",
    "actual_production_date": "实际投产时间",
    "expected_output": "预计年产值（万元）",
    "expected_tax": "预计年税收（万元）",
    "expected_jobs": "带动就业（人）",
    "lead_officials": "包保领导",
    "secretary": "项目秘书",
    "responsible_unit": "责任单位",
    "progress_text": "形象进度",
    "issues_text": "存在问题",
    "remarks": "备注",
}

#: plan_category value -> Chinese label (also the section title stem).
PLAN_CATEGORY_LABELS: dict[str, str] = {
    "new_start": "新开工",
    "continuing": "续建",
    "completing": "竣工投产",
    "reserve": "前期储备",
}

#: level value -> Chinese label.
LEVEL_LABELS: dict[str, str] = {"province": "省重点", "city": "市重点", "district": "区重点"}

#: GB/T 40058-2021 project code: YYYY-RRRRRR-DD-TT-NNNNNN (24 characters).
NATIONAL_CODE_RE = re.compile(r"^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$")

MONEY_FIELDS = (
    "total_investment",
    "annual_plan_investment",
    "completed_this_year",
    "completed_since_start",
    "expected_output",
    "expected_tax",
)
DATE_FIELDS = (
    "planned_signing_date",
    "planned_start_date",
    "planned_completion_date",
    "planned_production_date",
    "actual_signing_date",
    "actual_start_date",
    "actual_completion_date",
    "actual_production_date",
)
TEXT_FIELDS = (
    "name",
    "investor",
    "content_scale",
    "industry",
    "unit_name",
    "address",
    "stage",
    "secretary",
    "responsible_unit",
    "progress_text",
    "issues_text",
    "remarks",
)
#: Amount columns whose 小计/合计 rows are checked against the rows they cover.
CHECKED_SUM_FIELDS = ("total_investment", "annual_plan_investment")
#: Amount columns that write_ledger sums in 小计/合计 rows.
WRITTEN_SUM_FIELDS = (
    "total_investment",
    "annual_plan_investment",
    "completed_this_year",
    "completed_since_start",
)

# Limits (module level so that a deployment or a test can tune them).
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECK_MIN_BYTES = 5 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
HEADER_SCAN_ROWS = 15
MAX_HEADER_ROWS = 3
PROGRESS_EVERY = 200
SUM_TOLERANCE = Decimal("0.01")  # 万元

_SEQ = "_seq"
_WAN = Decimal(1)
_YI = Decimal(10000)
_YUAN = Decimal("0.0001")
_HECTARE = Decimal(15)
_SQUARE_METRE = Decimal("0.0015")
_CN_NUMERALS = "一二三四五六七八九十"
_EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#VALUE!",
        "#REF!",
        "#DIV/0!",
        "#NUM!",
        "#NAME?",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
_EMPTY_MARKERS = frozenset(
    {
        "-",
        "--",
        "---",
        "----",
        "/",
        "//",
        "\\",
        "无",
        "無",
        "暂无",
        "暫無",
        "空",
        "null",
        "none",
        "n/a",
        "na",
    }
)


# --------------------------------------------------------------------------------------
# Result types
# --------------------------------------------------------------------------------------


class LedgerFormatError(Exception):
    """The file as a whole cannot be read; ``str(e)`` is a Chinese message for the user."""


@dataclass
class RowMessage:
    """One message about the ledger: ``row`` is the Excel row (1-based), 0 for the file."""

    row: int
    level: str  # 'error' | 'warning' | 'info'
    message: str
    field: str | None = None


@dataclass
class LedgerRow:
    """A project row: its Excel row number, the section it sits in, data and messages."""

    row: int
    section: str | None
    data: dict[str, Any] = field(default_factory=dict)
    messages: list[RowMessage] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(m.level == "error" for m in self.messages)


@dataclass
class LedgerReadResult:
    """Everything :func:`read_ledger` found."""

    rows: list[LedgerRow]
    messages: list[RowMessage]
    columns: dict[str, str]
    unit_label: str | None = None
    title: str | None = None
    sheet_name: str | None = None

    @property
    def has_errors(self) -> bool:
        return any(r.has_errors for r in self.rows) or any(
            m.level == "error" for m in self.messages
        )


# --------------------------------------------------------------------------------------
# Small value helpers
# --------------------------------------------------------------------------------------


class _CellProblem(Exception):
    """A cell value that cannot be used; ``level`` is 'error' or 'warning'.

    ``names_column`` is False when the message already says which column it is about.
    """

    def __init__(self, message: str, level: str = "error", *, names_column: bool = True):
        super().__init__(message)
        self.message = message
        self.level = level
        self.names_column = names_column


def _clean_decimal(value: Decimal) -> Decimal:
    """Return *value* without exponent or trailing zeros (10000, not 1E+4)."""
    if value == 0:
        return Decimal(0)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _float_to_decimal(value: float) -> Decimal:
    """Excel float → Decimal without binary noise (0.1+0.2 → 0.3), 15 significant digits."""
    return Decimal(format(value, ".15g"))


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_empty_marker(text: str) -> bool:
    """“—”, “-”, “/”, “／”, “无”… (and blank) mean an empty cell."""
    text = text.strip()
    if len(text) > 6:
        return False
    t = collapse_spaces(normalise_dashes(to_halfwidth(text))).lower()
    return t == "" or t in _EMPTY_MARKERS


def _show(value: Any) -> str:
    """A cell value as it should appear inside a message."""
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    text = str(value).strip()
    return text if len(text) <= 60 else text[:57] + "…"


def _odd_value(value: Any) -> str | None:
    """Describe cell values that are never data (bool, time, Excel errors); else None."""
    if isinstance(value, bool):
        return "逻辑值"
    if isinstance(value, (dt.time, dt.timedelta)):
        return "时间值"
    if isinstance(value, str) and value.strip().upper() in _EXCEL_ERRORS:
        return "Excel 错误值"
    return None


def _number_text(text: str) -> str:
    """Prepare a text number: half-width, no thousands separators or spaces."""
    text = normalise_dashes(unicodedata.normalize("NFKC", to_halfwidth(text)))
    text = collapse_spaces(text).replace(",", "").replace("'", "")
    for word in ("大约", "约", "近", "≈", "~"):
        if text.startswith(word):
            text = text[len(word) :]
    for word in ("左右", "以上", "余"):
        if text.endswith(word):
            text = text[: -len(word)]
    return text


_MONEY_TEXT_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(亿元|亿|万元|万|元)?$")
_MONEY_SUFFIX = {"亿元": _YI, "亿": _YI, "万元": _WAN, "万": _WAN, "元": _YUAN}
_AREA_TEXT_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(亩|公顷|平方米|m2|㎡)?$", re.I)
_AREA_SUFFIX = {
    "亩": _WAN,
    "公顷": _HECTARE,
    "平方米": _SQUARE_METRE,
    "m2": _SQUARE_METRE,
    "㎡": _SQUARE_METRE,
}
_PLAIN_NUMBER_RE = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(人|个|°)?$")


def _parse_scaled(
    value: Any, regex: re.Pattern, suffixes: dict[str, Decimal], default_factor: Decimal, what: str
) -> Decimal:
    """Parse a number (cell number or text, with an optional unit suffix) and scale it."""
    factor = default_factor
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float):
        number = _float_to_decimal(value)
    elif isinstance(value, str):
        match = regex.match(_number_text(value))
        if not match:
            raise _CellProblem(f"“{_show(value)}”不是有效的{what}")
        number = Decimal(match.group(1))
        if match.group(2):
            factor = suffixes[
                match.group(2).lower() if match.group(2).isascii() else match.group(2)
            ]
    else:
        raise _CellProblem(f"“{_show(value)}”不是有效的{what}")
    try:
        result = _clean_decimal(number * factor)
    except InvalidOperation:
        raise _CellProblem(f"“{_show(value)}”数值超出范围") from None
    if not result.is_finite() or abs(result) >= Decimal("1e15"):
        raise _CellProblem(f"“{_show(value)}”数值超出范围")
    return result


def parse_amount(value: Any, factor: Decimal = _WAN) -> Decimal:
    """Parse an amount into Decimal 万元.

    *factor* converts a bare number to 万元 (1 for 万元, 10000 for 亿元); a unit written
    in the text (“7亿元”, “1.5亿”, “3000万”) wins over it.  Raises ``ValueError``.
    """
    try:
        return _parse_scaled(value, _MONEY_TEXT_RE, _MONEY_SUFFIX, factor, "金额")
    except _CellProblem as exc:
        raise ValueError(exc.message) from None


def validate_national_code(text: Any) -> str:
    """Return the normalised GB/T 40058-2021 project code or raise ``ValueError``.

    Full-width digits and hyphens, other dash characters and surrounding spaces are
    accepted; 20 digits without separators are given their hyphens.
    """
    raw = "" if text is None else str(text)
    code = normalise_dashes(unicodedata.normalize("NFKC", to_halfwidth(raw))).strip()
    code = re.sub(r"\s*-\s*", "-", code)
    if re.fullmatch(r"\d{20}", code):
        code = f"{code[:4]}-{code[4:10]}-{code[10:12]}-{code[12:14]}-{code[14:]}"
    if not NATIONAL_CODE_RE.match(code):
        raise ValueError(
            f"项目代码“{raw.strip()}”格式不正确，应为 YYYY-RRRRRR-DD-TT-NNNNNN（24位）"
        )
    return code


_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:年|[./-])\s*(?P<m>\d{1,2})\s*(?:(?:月|[./-])\s*(?:(?P<d>\d{1,2})\s*[日号]?)?)?"
)
_DATE8_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR_RE = re.compile(r"^(?P<y>\d{4})\s*年?")
_TIME_REST_RE = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _make_date(year: int, month: int, day: int, value: Any) -> dt.date:
    if not 1900 <= year <= 2200:
        raise _CellProblem(f"“{_show(value)}”不是有效的日期（年份超出范围）")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise _CellProblem(f"“{_show(value)}”不是有效的日期") from None


def parse_date(
    value: Any, *, number_format: str = "General", epoch: dt.datetime = dt.datetime(1899, 12, 30)
) -> tuple[dt.date, str]:
    """Parse a ledger date; returns ``(date, precision)`` with precision day|month|year.

    Accepts real dates, Excel serial numbers, numbers typed as 2026.3, and text such as
    “2026.03.15”, “2026年5月”, “2026/6/15”, “2026年9月开工” (trailing words dropped).
    Raises ``_CellProblem``.
    """
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = float(value)
        if 1900 <= number < 2201:
            if number == int(number):
                return _make_date(int(number), 1, 1, value), "year"
            # 2026.3 typed into a number cell: year.month (2026.10 only if formatted 0.00).
            text = f"{number:.2f}" if "0.00" in (number_format or "") else format(number, ".6g")
            year, _, month = text.partition(".")
            if not month.isdigit() or not 1 <= int(month) <= 12:
                raise _CellProblem(f"“{_show(value)}”不是有效的日期")
            return _make_date(int(year), int(month), 1, value), "month"
        if 19000101 <= number <= 22001231 and number == int(number):
            text = str(int(number))
            return _make_date(int(text[:4]), int(text[4:6]), int(text[6:]), value), "day"
        if 2200 <= number <= 2958465:
            return from_excel(number, epoch).date(), "day"
        raise _CellProblem(f"“{_show(value)}”不是有效的日期")
    if not isinstance(value, str):
        raise _CellProblem(f"“{_show(value)}”不是有效的日期")
    text = normalise_dashes(unicodedata.normalize("NFKC", to_halfwidth(value))).strip()
    match = _DATE8_RE.match(text)
    if match:
        y, m, d = (int(g) for g in match.groups())
        return _make_date(y, m, d, value), "day"
    match = _DATE_RE.match(text)
    if match:
        rest = text[match.end() :].strip()
        if rest and rest[0].isdigit() and not _TIME_REST_RE.match(rest):
            raise _CellProblem(f"“{_show(value)}”不是有效的日期")
        y, m = int(match.group("y")), int(match.group("m"))
        if match.group("d"):
            return _make_date(y, m, int(match.group("d")), value), "day"
        if not 1 <= m <= 12:
            raise _CellProblem(f"“{_show(value)}”不是有效的日期")
        return _make_date(y, m, 1, value), "month"
    match = _YEAR_RE.match(text)
    if match and not text[match.end() :].strip()[:1].isdigit():
        return _make_date(int(match.group("y")), 1, 1, value), "year"
    raise _CellProblem(f"“{_show(value)}”不是有效的日期")


_PEOPLE_SPLIT_RE = re.compile(r"[、,，;；/／|\n\r]+")


def split_people(text: str) -> list[str]:
    """Split “王建国、赵立新” (also , ; / newline or spaces) into a list of names.

    Spaces only split when every piece has at least two characters, so a name padded
    for alignment (“王  军”) stays one name.
    """
    people: list[str] = []
    for chunk in _PEOPLE_SPLIT_RE.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        pieces = chunk.replace("\u3000", " ").split()
        if len(pieces) > 1 and all(len(p) >= 2 for p in pieces):
            people.extend(pieces)
        else:
            people.append(chunk)
    return people


def _parse_category(text: str) -> str | None:
    t = compact(text).lower()
    if t in PLAN_CATEGORY_LABELS:
        return t
    if any(k in t for k in ("储备", "前期", "谋划")):
        return "reserve"
    if any(k in t for k in ("竣工", "投产", "建成", "完工")):
        return "completing"
    if any(k in t for k in ("续建", "在建")):
        return "continuing"
    if any(k in t for k in ("新开工", "新建", "开工")):
        return "new_start"
    return None


def _parse_level(text: str) -> str | None:
    t = compact(text).lower()
    if t in LEVEL_LABELS:
        return t
    if "省" in t:
        return "province"
    if "市" in t:
        return "city"
    if "区" in t or "县" in t:
        return "district"
    return None


def _to_text(value: Any) -> str | None:
    """A cell as text for a text field; empty markers (—, /, 无) give None."""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, float):
        text = str(int(value)) if value == int(value) else format(value, ".15g")
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value).strip()
    return None if _is_empty_marker(text) else text


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


# --------------------------------------------------------------------------------------
# Row patterns (applied to the compact Simplified form)
# --------------------------------------------------------------------------------------

_NUM = _CN_NUMERALS
_SECTION_RE = re.compile(
    rf"^(?:[{_NUM}]+[、.]?|\([{_NUM}\d]+\)[、.]?|\d+[、.]|第[{_NUM}\d]+(?:部分|类|批)?[、.:]?)?"
    r"(?P<lvl>(?:省|市|区|县)级?(?:重点)?)?"
    r"(?P<cat>新开工|拟新开工|计划新开工|新建|续建|在建|竣工投产|建成投产|竣工|投产|前期储备|谋划储备|"
    r"前期谋划|储备|前期|谋划|其他|其它)?"
    r"类?(?:项目)?(?:\((?P<paren>.*)\))?[:：]?$"
)
_SECTION_CATEGORY = {
    "新开工": "new_start",
    "拟新开工": "new_start",
    "计划新开工": "new_start",
    "新建": "new_start",
    "续建": "continuing",
    "在建": "continuing",
    "竣工投产": "completing",
    "建成投产": "completing",
    "竣工": "completing",
    "投产": "completing",
    "前期储备": "reserve",
    "谋划储备": "reserve",
    "前期谋划": "reserve",
    "储备": "reserve",
    "前期": "reserve",
    "谋划": "reserve",
}
_NUMERAL_RE = re.compile(rf"^([(（]?[{_NUM}]+[)）]?)([、.．]?)$")
_FOOTNOTE_RE = re.compile(
    r"^(?:(?:注\d*|说明|附注|备注|填报人|填表人|审核人|审核|制表人|制表|负责人|单位负责人|分管领导|"
    r"主要领导|联系人|联系电话|统计人|数据来源|资料来源|填报日期|报送日期|填报时间)[:：、.]|注$|说明$|"
    r"\(?(?:单位)?盖章\)?)"
)
_UNIT_LABEL_RE = re.compile(
    r"(?:填[报報]|[报報]送)(?:[单單]位|部[门門])(?:\s*[(（][^)）]*[)）])?\s*[:：]\s*(.*)$"
)
_UNIT_LABEL_CUT_RE = re.compile(
    r"\s{2,}|(?:金[额額]|[计計]量)?[单單]位\s*[:：]|\d{4}\s*年|\d{4}[-./]\d"
)
_MONEY_UNIT_RE = re.compile(r"单位\s*[:：]\s*(亿元|万元|元)")


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------

_INVALID_XLSX = "文件不是有效的 Excel（.xlsx）文件"


def _read_source(source: Any) -> bytes:
    """Return the bytes of *source* (path, bytes or binary file-like)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise LedgerFormatError(
                f"无法读取文件“{os.fspath(source)}”：{exc.strerror or exc}"
            ) from exc
    elif hasattr(source, "read"):
        data = source.read(MAX_FILE_BYTES + 1)
        if isinstance(data, str):
            raise LedgerFormatError(_INVALID_XLSX + "（应以二进制方式打开）")
        data = bytes(data)
    else:
        raise TypeError("source 应为文件路径、bytes 或二进制文件对象")
    if len(data) > MAX_FILE_BYTES:
        raise LedgerFormatError(f"文件过大（超过 {MAX_FILE_BYTES // (1024 * 1024)} MB）")
    return data


def _check_container(data: bytes) -> None:
    """Reject non-xlsx files and zip bombs before openpyxl sees them."""
    if not data:
        raise LedgerFormatError("文件为空")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerFormatError(
            _INVALID_XLSX
            + "：这是旧版 Excel（.xls）或其他 Office 97-2003 文件，请在 Excel 中另存为 .xlsx 后再导入"
        )
    if not data.startswith(b"PK"):
        raise LedgerFormatError(_INVALID_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise LedgerFormatError(_INVALID_XLSX + "（文件已损坏）") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise LedgerFormatError(_INVALID_XLSX + "：压缩包内文件数量异常，已拒绝")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise LedgerFormatError(
            f"文件解压后过大（超过 {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB），疑似压缩炸弹，已拒绝"
        )
    for info in infos:
        if info.file_size >= RATIO_CHECK_MIN_BYTES:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise LedgerFormatError(
                    f"文件压缩比异常（{info.filename} 约 {ratio:.0f} 倍），疑似压缩炸弹，已拒绝"
                )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise LedgerFormatError(_INVALID_XLSX + "（不是 Excel 工作簿）")


def _load_workbook(data: bytes):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except LedgerFormatError:
        raise
    except Exception as exc:  # openpyxl raises many types for broken files
        raise LedgerFormatError(_INVALID_XLSX + "（文件已损坏或格式不受支持）") from exc


# --------------------------------------------------------------------------------------
# Sheet model: values grid + merged-cell maps built once
# --------------------------------------------------------------------------------------


class _Sheet:
    """Cell values of one worksheet as a 0-based grid, with merged ranges indexed once."""

    def __init__(self, ws):
        self.ws = ws
        self.name = ws.title
        cells = getattr(ws, "_cells", None)
        values: dict[tuple[int, int], Any] = {}
        if isinstance(cells, dict):
            for (r, c), cell in cells.items():
                v = cell.value
                if not _is_blank(v):
                    values[(r - 1, c - 1)] = v
        else:  # pragma: no cover - other openpyxl internals
            for r, row in enumerate(ws.iter_rows(values_only=True)):
                for c, v in enumerate(row):
                    if not _is_blank(v):
                        values[(r, c)] = v
        self.nrows = max((r for r, _ in values), default=-1) + 1
        self.ncols = max((c for _, c in values), default=-1) + 1
        self.grid: list[list[Any]] = [[None] * self.ncols for _ in range(self.nrows)]
        for (r, c), v in values.items():
            self.grid[r][c] = v
        # (r, c) of a covered cell -> (r0, c0) of its merge anchor; clamped to the grid.
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        # r0 -> list of (c0, c1, r1) for every merge anchored in row r0.
        self.spans: dict[int, list[tuple[int, int, int]]] = {}
        for rng in ws.merged_cells.ranges:
            r0, c0 = rng.min_row - 1, rng.min_col - 1
            if r0 >= self.nrows or c0 >= self.ncols:
                continue
            r1 = min(rng.max_row, self.nrows) - 1
            c1 = min(rng.max_col, self.ncols) - 1
            self.spans.setdefault(r0, []).append((c0, c1, r1))
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if r != r0 or c != c0:
                        self.anchor[(r, c)] = (r0, c0)

    def raw(self, r: int, c: int) -> Any:
        if r < self.nrows and c < self.ncols:
            return self.grid[r][c]
        return None

    def number_format(self, r: int, c: int) -> str:
        cell = getattr(self.ws, "_cells", {}).get((r + 1, c + 1))
        return getattr(cell, "number_format", "General") or "General"

    def header_value(self, r: int, c: int, top: int) -> Any:
        """Value with merges filled in both directions (merges anchored in the header)."""
        v = self.raw(r, c)
        if v is None and (r, c) in self.anchor:
            r0, c0 = self.anchor[(r, c)]
            if r0 >= top:
                return self.raw(r0, c0)
        return v

    def data_value(self, r: int, c: int, first_data_row: int) -> tuple[Any, tuple[int, int]]:
        """Value with vertical merges filled (same column, anchored in the data area)."""
        v = self.raw(r, c)
        if _is_blank(v) and (r, c) in self.anchor:
            r0, c0 = self.anchor[(r, c)]
            if c0 == c and r0 >= first_data_row:
                return self.raw(r0, c0), (r0, c0)
        return v, (r, c)

    def row_is_blank(self, r: int) -> bool:
        return all(_is_blank(v) for v in self.grid[r])


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


def _find_header(sheet: _Sheet) -> _Header | None:
    best: _Header | None = None
    for r in range(min(HEADER_SCAN_ROWS, sheet.nrows)):
        if _row_header_score(sheet, r) == 0:
            continue
        header = _build_header(sheet, r)
        if header is not None and (best is None or header.score > best.score):
            best = header
    return best


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


@dataclass
class _SumCheck:
    row: int
    label: str  # "小计" / "合计" / section text
    values: dict[str, Decimal]
    count: int | None = None


class _LedgerReader:
    """Walks the data rows of one sheet once, keeping section and subtotal state."""

    def __init__(
        self,
        sheet: _Sheet,
        header: _Header,
        *,
        epoch: dt.datetime,
        money_factor: Decimal,
        progress: Callable[[int, int], Any] | None,
    ):
        self.sheet = sheet
        self.header = header
        self.epoch = epoch
        self.default_money_factor = money_factor
        self.progress = progress
        self.first_data_row = header.bottom + 1
        self.name_col = header.column("name")
        self.field_cols = {col.index: col for col in header.columns}
        self.rows: list[LedgerRow] = []
        self.messages: list[RowMessage] = []
        # section state
        self.section_text: str | None = None
        self.section_category: str | None = None
        self.section_level: str | None = None
        self.section_rows: list[LedgerRow] = []  # since the last section row
        self.segment_rows: list[LedgerRow] = []  # since the last section row or 小计
        self.pending_section: list[_SumCheck] = []  # checked when the section closes
        self.pending_total: list[_SumCheck] = []  # checked at the end of the sheet
        self.in_section = False

    # -- driver ---------------------------------------------------------------------

    def run(self) -> list[LedgerRow]:
        sheet = self.sheet
        total = max(sheet.nrows - self.first_data_row, 0)
        done = 0
        for r in range(self.first_data_row, sheet.nrows):
            if not sheet.row_is_blank(r):
                self._row(r)
            done += 1
            if self.progress is not None and done % PROGRESS_EVERY == 0 and done < total:
                self.progress(done, total)
        self._close_section()
        for check in self.pending_total:
            self._compare(check, self.rows)
        if self.progress is not None:
            self.progress(total, total)
        return self.rows

    # -- one row ----------------------------------------------------------------------

    def _row(self, r: int) -> None:
        sheet = self.sheet
        excel_row = r + 1
        cells = [(c, v) for c, v in enumerate(sheet.grid[r]) if not _is_blank(v)]
        lead_col, lead = cells[0]
        name_raw = sheet.raw(r, self.name_col.index)
        name_key = compact(name_raw) if isinstance(name_raw, str) and len(name_raw) <= 40 else ""
        lead_text = lead if isinstance(lead, str) else ""
        lead_cols = {lead_col}
        numeral = _NUMERAL_RE.match(lead_text.strip())
        if numeral and len(cells) > 1 and isinstance(cells[1][1], str):
            # "一" in the 序号 column, "新开工项目" in the name column
            sep = "" if numeral.group(2) or numeral.group(1).endswith(("）", ")")) else "、"
            lead_text = lead.strip() + sep + cells[1][1].strip()
            lead_cols.add(cells[1][0])
        lead_key = compact(lead_text[:40])
        if r <= self.first_data_row + 1 and _is_column_number_row(cells):
            self.messages.append(
                RowMessage(excel_row, "info", f"第{excel_row}行：列序号行，已跳过")
            )
            return

        if name_key and _PARENS_RE.sub("", name_key) == "项目名称":
            self.messages.append(
                RowMessage(excel_row, "info", f"第{excel_row}行：重复的表头行，已跳过")
            )
            return
        if lead_key and _FOOTNOTE_RE.match(lead_key):
            self.messages.append(
                RowMessage(
                    excel_row, "info", f"第{excel_row}行：说明/落款行“{_show(lead_text)}”，已跳过"
                )
            )
            return
        for key, text in ((name_key, name_raw), (lead_key, lead_text)):
            kind = self._subtotal_kind(key)
            if kind:
                self._subtotal(r, kind, str(text).strip())
                return
        if lead_key and self._try_section(r, lead_key, lead_text.strip(), lead_cols, cells):
            return
        self._project(r, cells)

    @staticmethod
    def _subtotal_kind(key: str) -> str | None:
        if not key or len(key) > 24:
            return None
        bare = _PARENS_RE.sub("", key).strip(":：")
        for word in ("小计", "合计", "总计"):
            if bare.startswith(word) or bare.endswith(word) or bare.startswith("其中" + word):  # noqa: PIE810
                if word == "小计":
                    return "section"
                if any(k in bare for k in _SECTION_CATEGORY):
                    return "section_named"
                return "total"
        return None

    # -- sections -----------------------------------------------------------------------

    def _try_section(
        self, r: int, key: str, text: str, lead_cols: set[int], cells: list[tuple[int, Any]]
    ) -> bool:
        match = _SECTION_RE.match(key)
        if not match or not (match.group("lvl") or match.group("cat")):
            return False
        # Other cells may only hold numbers in amount columns (the section's own totals).
        values: dict[str, Decimal] = {}
        excel_row = r + 1
        for c, v in cells:
            if c in lead_cols:
                continue
            col = self.field_cols.get(c)
            if col is None or col.field not in MONEY_FIELDS + (
                "expected_jobs",
                "land_area_mu",
                _SEQ,
            ):
                return False
            if col.field in CHECKED_SUM_FIELDS:
                try:
                    values[col.field] = self._money(v, col)
                except _CellProblem:
                    return False
        self._close_section()
        cat = match.group("cat")
        lvl = match.group("lvl")
        if lvl:
            self.section_level = _parse_level(lvl)
            self.section_category = None
        if cat:
            self.section_category = _SECTION_CATEGORY.get(cat)  # None for 其他
        self.section_text = text
        self.in_section = True
        self.section_rows = []
        self.segment_rows = []
        count = None
        paren = match.group("paren") or ""
        count_match = re.match(r"(?:共|计)?(\d+)个", paren)
        if count_match:
            count = int(count_match.group(1))
        if values or count is not None:
            self.pending_section.append(_SumCheck(excel_row, f"分组行“{text}”", values, count))
        what = []
        if cat:
            what.append(
                f"项目类别“{PLAN_CATEGORY_LABELS.get(self.section_category, cat)}”"
                if self.section_category
                else "未分类"
            )
        if lvl and self.section_level:
            what.append(f"级别“{LEVEL_LABELS[self.section_level]}”")
        self.messages.append(
            RowMessage(
                excel_row,
                "info",
                f"第{excel_row}行：分组行“{text}”（{'，'.join(what) or '分组'}），不作为项目导入",
            )
        )
        return True

    def _close_section(self) -> None:
        for check in self.pending_section:
            self._compare(check, self.section_rows)
        self.pending_section = []

    # -- subtotals ----------------------------------------------------------------------

    def _subtotal(self, r: int, kind: str, text: str) -> None:
        excel_row = r + 1
        values: dict[str, Decimal] = {}
        for fld in CHECKED_SUM_FIELDS:
            col = self.header.column(fld)
            if col is None:
                continue
            v, _ = self.sheet.data_value(r, col.index, self.first_data_row)
            if _is_blank(v) or _odd_value(v) or (isinstance(v, str) and _is_empty_marker(v)):
                continue
            try:
                values[fld] = self._money(v, col)
            except _CellProblem as exc:
                self.messages.append(
                    RowMessage(
                        excel_row,
                        "warning",
                        f"第{excel_row}行“{col.label}”列：{exc.message}，无法核对{text}",
                        fld,
                    )
                )
        label = "合计" if kind == "total" else "小计"
        checked = "，已核对金额" if values else ""
        self.messages.append(
            RowMessage(
                excel_row,
                "info",
                f"第{excel_row}行：{label}行“{_show(text)}”，不作为项目导入{checked}",
            )
        )
        check = _SumCheck(excel_row, f"{label}行“{_show(text)}”", values)
        if kind == "total":
            if self.rows:
                self._compare(check, self.rows)
            else:
                self.pending_total.append(check)
        elif kind == "section_named":
            self._compare(check, self.section_rows)
        elif self.segment_rows or not self.in_section:
            self._compare(check, self.segment_rows)
            self.segment_rows = []
        else:  # 小计 right under the section row: covers the rows that follow
            self.pending_section.append(check)

    def _compare(self, check: _SumCheck, covered: list[LedgerRow]) -> None:
        """Warn when a 小计/合计 (or a section row's totals or count) disagrees with its rows."""
        n = len(covered)
        for fld, value in check.values.items():
            total = sum((row.data.get(fld, Decimal(0)) for row in covered), Decimal(0))
            if abs(total - value) > SUM_TOLERANCE:
                label = self.header.column(fld).label
                self.messages.append(
                    RowMessage(
                        check.row,
                        "warning",
                        f"第{check.row}行：{check.label}的“{label}”为{_fmt(value)}万元，"
                        f"与所含{n}个项目之和{_fmt(total)}万元不一致",
                        fld,
                    )
                )
        if check.count is not None and check.count != n:
            self.messages.append(
                RowMessage(
                    check.row,
                    "warning",
                    f"第{check.row}行：{check.label}写明{check.count}个项目，实际读到{n}个",
                )
            )

    # -- project rows ---------------------------------------------------------------------

    def _money(self, value: Any, col: _Column) -> Decimal:
        factor = col.money_factor if col.money_factor is not None else self.default_money_factor
        return _parse_scaled(value, _MONEY_TEXT_RE, _MONEY_SUFFIX, factor, "金额")

    def _project(self, r: int, cells: list[tuple[int, Any]]) -> None:
        excel_row = r + 1
        row = LedgerRow(excel_row, self.section_text)
        data = row.data
        has_other = False
        for col in self.header.columns:
            if col.field == _SEQ:
                continue
            value, (vr, vc) = self.sheet.data_value(r, col.index, self.first_data_row)
            if _is_blank(value):
                continue
            odd = _odd_value(value)
            if odd:
                has_other = has_other or col.field != "name"
                row.messages.append(
                    RowMessage(
                        excel_row,
                        "warning",
                        f"第{excel_row}行“{col.label}”列：{odd}“{_show(value)}”无法识别，已按空值处理",
                        col.field,
                    )
                )
                continue
            if isinstance(value, str) and _is_empty_marker(value):
                continue
            if col.field != "name":
                has_other = True
            try:
                self._set_field(data, col, value, vr, vc, row)
            except _CellProblem as exc:
                where = (
                    f"第{excel_row}行“{col.label}”列："
                    if exc.names_column
                    else f"第{excel_row}行："
                )
                row.messages.append(
                    RowMessage(excel_row, exc.level, where + exc.message, col.field)
                )
        if "plan_category" not in data and self.section_category:
            data["plan_category"] = self.section_category
        if "level" not in data and self.section_level:
            data["level"] = self.section_level
        if "name" not in data:
            if not has_other:
                if any(self.field_cols.get(c) is None for c, _ in cells):
                    self.messages.append(
                        RowMessage(
                            excel_row, "info", f"第{excel_row}行：没有可识别的项目数据，已跳过"
                        )
                    )
                return
            row.messages.insert(
                0,
                RowMessage(
                    excel_row, "error", f"第{excel_row}行：缺少项目名称（该行有其他数据）", "name"
                ),
            )
        self.rows.append(row)
        self.section_rows.append(row)
        self.segment_rows.append(row)

    def _set_field(
        self, data: dict[str, Any], col: _Column, value: Any, vr: int, vc: int, row: LedgerRow
    ) -> None:
        fld = col.field
        if fld in MONEY_FIELDS:
            data[fld] = self._money(value, col)
        elif fld in DATE_FIELDS:
            fmt = self.sheet.number_format(vr, vc) if isinstance(value, float) else "General"
            day, precision = parse_date(value, number_format=fmt, epoch=self.epoch)
            data[fld] = day
            if precision != "day":
                data[f"{fld}_precision"] = precision
            if (
                precision == "month"
                and isinstance(value, float)
                and day.month == 1
                and "0.00" not in fmt
            ):
                row.messages.append(
                    RowMessage(
                        row.row,
                        "warning",
                        f"第{row.row}行“{col.label}”列：数字“{_show(value)}”按{day.year}年1月处理；"
                        f"如为10月，请以文本“{day.year}.10”填写",
                        fld,
                    )
                )
        elif fld == "land_area_mu":
            data[fld] = _parse_scaled(value, _AREA_TEXT_RE, _AREA_SUFFIX, col.area_factor, "面积")
        elif fld in ("latitude", "longitude"):
            number = _parse_scaled(value, _PLAIN_NUMBER_RE, {"°": _WAN}, _WAN, "坐标")
            limit = 90 if fld == "latitude" else 180
            if abs(number) > limit:
                raise _CellProblem(f"“{_show(value)}”超出{'纬度' if limit == 90 else '经度'}范围")
            data[fld] = number
        elif fld == "expected_jobs":
            number = _parse_scaled(value, _PLAIN_NUMBER_RE, {"人": _WAN, "个": _WAN}, _WAN, "人数")
            if number != number.to_integral_value():
                raise _CellProblem(f"“{_show(value)}”不是整数人数")
            data[fld] = int(number)
        elif fld == "national_code":
            try:
                data[fld] = validate_national_code(value)
            except ValueError:
                raise _CellProblem(
                    f"项目代码“{_show(value)}”格式不正确，应为 YYYY-RRRRRR-DD-TT-NNNNNN（24位）",
                    names_column=False,
                ) from None
        elif fld == "lead_officials":
            text = _to_text(value)
            if text:
                people = split_people(text)
                if people:
                    data[fld] = people
        elif fld == "plan_category":
            text = _to_text(value)
            if text:
                category = _parse_category(text)
                if category is None:
                    raise _CellProblem(
                        f"无法识别项目类别“{_show(text)}”（应为 新开工/续建/竣工投产/前期储备），已忽略",
                        "warning",
                    )
                data[fld] = category
        elif fld == "level":
            text = _to_text(value)
            if text:
                level = _parse_level(text)
                if level is None:
                    raise _CellProblem(
                        f"无法识别项目级别“{_show(text)}”（应为 省重点/市重点/区重点），已忽略",
                        "warning",
                    )
                data[fld] = level
        else:  # text fields
            text = _to_text(value)
            if text:
                data[fld] = text


def _is_column_number_row(cells: list[tuple[int, Any]]) -> bool:
    """A row of column numbers under the header (“甲 乙 1 2 3 …”)."""
    stems = "甲乙丙丁戊己庚"
    numbers: list[int] = []
    n_stems = 0
    for _, v in cells:
        if isinstance(v, bool):
            return False
        if isinstance(v, (int, float)) and v == int(v):
            numbers.append(int(v))
        elif isinstance(v, str) and v.strip().isdigit():
            numbers.append(int(v.strip()))
        elif (
            isinstance(v, str)
            and not numbers
            and n_stems < len(stems)
            and v.strip() == stems[n_stems]
        ):
            n_stems += 1
        else:
            return False
    if not numbers or numbers[0] != 1 or (n_stems < 2 and len(numbers) < 3):
        return False
    return all(b == a + 1 for a, b in zip(numbers, numbers[1:]))


def _fmt(value: Decimal) -> str:
    return format(_clean_decimal(value), "f")


def _pre_table_info(sheet: _Sheet, header_top: int) -> tuple[str | None, str | None, Decimal]:
    """Title, 填报单位 and the sheet-wide money unit from the rows above the header."""
    title = None
    unit_label = None
    factor = _WAN
    for r in range(header_top):
        texts = [
            str(v).strip() for v in sheet.grid[r] if not _is_blank(v) and not isinstance(v, bool)
        ]
        if not texts:
            continue
        line = "  ".join(texts)
        simple = compact(line)
        unit_match = _MONEY_UNIT_RE.search(simple)
        if unit_match:
            factor = {"亿元": _YI, "万元": _WAN, "元": _YUAN}[unit_match.group(1)]
        label_match = _UNIT_LABEL_RE.search(line)
        if label_match:
            rest = label_match.group(1).lstrip()
            rest = _UNIT_LABEL_CUT_RE.split(rest)[0]
            unit_label = rest.strip() or unit_label
            continue
        remainder = _MONEY_UNIT_RE.sub("", simple)
        if title is None and re.search(r"[\u4e00-\u9fff]{4,}|[A-Za-z]{4,}", remainder):
            title = line
    return title, unit_label, factor


def read_ledger(
    source: Any, *, progress: Callable[[int, int], Any] | None = None, max_rows: int = 200_000
) -> LedgerReadResult:
    """Read an Excel project ledger.

    *source* is a path, bytes or a binary file-like object.  *progress*, if given, is
    called as ``progress(done, total)`` every ~200 rows and once at the end with
    ``done == total``.  Raises :class:`LedgerFormatError` for file-level problems; every
    row-level problem is a :class:`RowMessage` in the result.
    """
    data = _read_source(source)
    _check_container(data)
    wb = _load_workbook(data)
    try:
        sheets = sorted(wb.worksheets, key=lambda ws: ws.sheet_state != "visible")
        found = None
        any_content = False
        for ws in sheets:
            sheet = _Sheet(ws)
            if sheet.nrows == 0:
                continue
            any_content = True
            header = _find_header(sheet)
            if header is not None:
                found = (sheet, header)
                break
        if not any_content:
            raise LedgerFormatError("工作表为空：文件中没有任何数据")
        if found is None:
            raise LedgerFormatError(
                f"未找到表头：至少需要“项目名称”列，表头应位于前{HEADER_SCAN_ROWS}行内"
                "（可识别的列名如：项目名称、项目代码、建设单位、总投资、年度计划投资、包保领导、责任单位）"
            )
        sheet, header = found
        data_rows = sheet.nrows - header.bottom - 1
        if data_rows > max_rows:
            raise LedgerFormatError(
                f"数据行过多：工作表“{sheet.name}”表头以下有{data_rows}行，超过上限{max_rows}行，请拆分后导入"
            )
        title, unit_label, factor = _pre_table_info(sheet, header.top)
        reader = _LedgerReader(
            sheet, header, epoch=wb.epoch, money_factor=factor, progress=progress
        )
        rows = reader.run()
        columns = {col.field: col.label for col in header.columns if col.field != _SEQ}
        messages = header.messages + reader.messages
        messages.sort(key=lambda m: m.row)
        return LedgerReadResult(
            rows=rows,
            messages=messages,
            columns=columns,
            unit_label=unit_label,
            title=title,
            sheet_name=sheet.name,
        )
    finally:
        wb.close()


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

_SECTION_ORDER = ("new_start", "continuing", "completing", "reserve", None)
_SECTION_TITLES = {
    "new_start": "新开工项目",
    "continuing": "续建项目",
    "completing": "竣工投产项目",
    "reserve": "前期储备项目",
    None: "其他项目",
}
_CORE_FIELDS = (
    "name",
    "total_investment",
    "annual_plan_investment",
    "completed_this_year",
    "completed_since_start",
)
_COMPLETED_GROUP = ("completed_this_year", "completed_since_start")
_COMPLETED_GROUP_LABEL = "投资完成情况（万元）"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_COLUMN_WIDTHS = {
    _SEQ: 6,
    "name": 30,
    "national_code": 27,
    "investor": 24,
    "content_scale": 40,
    "industry": 14,
    "unit_name": 14,
    "address": 20,
    "progress_text": 40,
    "issues_text": 36,
    "remarks": 20,
    "lead_officials": 16,
    "secretary": 10,
    "responsible_unit": 16,
}
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _resolve_fields(rows: list[dict], fields: Iterable[str] | None) -> list[str]:
    if fields is not None:
        chosen = list(dict.fromkeys(fields))
        unknown = [f for f in chosen if f not in FIELD_LABELS]
        if unknown:
            raise ValueError(f"未知字段：{'、'.join(unknown)}")
        if "name" not in chosen:
            chosen.insert(0, "name")
        return chosen
    present = set(_CORE_FIELDS)
    for row in rows:
        present.update(k for k, v in row.items() if v not in (None, "", []))
    return [f for f in FIELD_LABELS if f in present and f != "plan_category"]


def _safe_text(text: str) -> str:
    """Drop characters XML cannot carry; cut at Excel's 32,767-character cell limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:32767]


def _put(cell, value: Any) -> None:
    """Write *value* into *cell*; strings are always text, never a formula."""
    if isinstance(value, str):
        text = _safe_text(value)
        cell.value = text
        cell.data_type = "s"
        if text.startswith(_FORMULA_PREFIXES):
            cell.quotePrefix = True
    else:
        cell.value = value


def _cell_value(fld: str, row: dict) -> tuple[Any, str | None]:
    """The value to write for *fld* of *row* and its number format (None = default)."""
    value = row.get(fld)
    if value is None or value == "" or value == []:
        return None, None
    if fld == "plan_category":
        return PLAN_CATEGORY_LABELS.get(value, str(value)), None
    if fld == "level":
        return LEVEL_LABELS.get(value, str(value)), None
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value if v not in (None, "")), None
    if fld in DATE_FIELDS and isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        precision = row.get(f"{fld}_precision") or "day"
        if precision == "month":
            return f"{day.year}年{day.month}月", None
        if precision == "year":
            return f"{day.year}年", None
        return day, "yyyy-mm-dd"
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, Decimal):
        value = _clean_decimal(value)
    if isinstance(value, (int, float, Decimal)):
        if fld in MONEY_FIELDS:
            return value, "#,##0.00"
        return value, None
    return str(value), None


def write_ledger(
    rows: list[dict],
    *,
    title: str,
    unit_label: str = "",
    date_label: str = "",
    fields: list[str] | None = None,
) -> bytes:
    """Write *rows* (dicts with canonical keys) as an office-style ledger; returns .xlsx bytes.

    Layout: title (row 1), “填报单位：… 单位：万元 日期” (row 2), a two-level header
    (rows 3–4), then one section per plan_category (新开工, 续建, 竣工投产, 前期储备, then
    rows without a category as 其他项目), each followed by a 小计 row, and a final 合计 row.
    *fields* chooses and orders the columns (default: the core columns plus every field
    used by some row; plan_category is carried by the section rows).
    """
    field_list = _resolve_fields(rows, fields)
    columns = [_SEQ] + field_list
    ncol = len(columns)
    last = get_column_letter(ncol)
    col_of = {f: i + 1 for i, f in enumerate(columns)}

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目台账"
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="center", wrap_text=True)

    # Row 1: title.  Row 2: 填报单位 / 单位 / 日期.
    _put(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    line = "    ".join(p for p in (f"填报单位：{unit_label}", "单位：万元", date_label) if p)
    _put(ws.cell(2, 1), line)
    ws.cell(2, 1).alignment = Alignment(horizontal="left", vertical="center")
    if ncol > 1:
        ws.merge_cells(f"A1:{last}1")
        ws.merge_cells(f"A2:{last}2")

    # Rows 3–4: header.  Adjacent completed_* columns share the group cell.
    i = 0
    while i < ncol:
        fld = columns[i]
        c = i + 1
        if fld in _COMPLETED_GROUP:
            j = i
            while j + 1 < ncol and columns[j + 1] in _COMPLETED_GROUP:
                j += 1
            _put(ws.cell(3, c), _COMPLETED_GROUP_LABEL)
            if j > i:
                ws.merge_cells(start_row=3, start_column=c, end_row=3, end_column=j + 1)
            for k in range(i, j + 1):
                _put(ws.cell(4, k + 1), FIELD_LABELS[columns[k]])
            i = j + 1
            continue
        _put(ws.cell(3, c), "序号" if fld == _SEQ else FIELD_LABELS[fld])
        ws.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
        i += 1
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    for r in (3, 4):
        ws.row_dimensions[r].height = 24
        for c in range(1, ncol + 1):
            cell = ws.cell(r, c)
            cell.font = bold
            cell.alignment = center
            cell.border = _BORDER
            cell.fill = header_fill

    # Sections.
    groups: dict[str | None, list[dict]] = {key: [] for key in _SECTION_ORDER}
    for row in rows:
        if not isinstance(row, dict):
            raise TypeError("rows 的每一项应为 dict")
        category = row.get("plan_category")
        groups[category if category in PLAN_CATEGORY_LABELS else None].append(row)

    r = 5
    number = 0
    grand = {f: Decimal(0) for f in WRITTEN_SUM_FIELDS}

    def sum_row(label: str, sums: dict[str, Decimal]) -> None:
        nonlocal r
        _put(ws.cell(r, col_of["name"]), label)
        for f in WRITTEN_SUM_FIELDS:
            if f in col_of:
                cell = ws.cell(r, col_of[f])
                cell.value = _clean_decimal(sums[f])
                cell.number_format = "#,##0.00"
        for c in range(1, ncol + 1):
            ws.cell(r, c).font = bold
            ws.cell(r, c).border = _BORDER
        ws.cell(r, col_of["name"]).alignment = center
        r += 1

    for key in _SECTION_ORDER:
        members = groups[key]
        if not members:
            continue
        numeral = _CN_NUMERALS[number] if number < 10 else str(number + 1)
        number += 1
        _put(ws.cell(r, 1), f"{numeral}、{_SECTION_TITLES[key]}（{len(members)}个）")
        ws.cell(r, 1).font = bold
        ws.cell(r, 1).alignment = Alignment(horizontal="left", vertical="center")
        if ncol > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        r += 1
        sums = {f: Decimal(0) for f in WRITTEN_SUM_FIELDS}
        for seq, row in enumerate(members, start=1):
            ws.cell(r, 1).value = seq
            ws.cell(r, 1).alignment = center
            ws.cell(r, 1).border = _BORDER
            for fld in field_list:
                cell = ws.cell(r, col_of[fld])
                value, number_format = _cell_value(fld, row)
                if value is not None:
                    _put(cell, value)
                    if number_format:
                        cell.number_format = number_format
                cell.alignment = wrap
                cell.border = _BORDER
            for f in WRITTEN_SUM_FIELDS:
                value = row.get(f)
                if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    amount = (
                        value
                        if isinstance(value, Decimal)
                        else (
                            _float_to_decimal(value) if isinstance(value, float) else Decimal(value)
                        )
                    )
                    sums[f] += amount
                    grand[f] += amount
            r += 1
        sum_row("小计", sums)
    sum_row("合计", grand)

    # Widths, freeze panes, printing.
    for idx, fld in enumerate(columns, start=1):
        if fld in _COLUMN_WIDTHS:
            width = _COLUMN_WIDTHS[fld]
        elif fld in DATE_FIELDS:
            width = 13
        elif fld in MONEY_FIELDS:
            width = 14
        else:
            width = 12
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "C5" if ncol >= 2 else "A5"
    ws.print_title_rows = "3:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
