"""Cell values to Python values: amounts, areas, dates, codes, people, categories."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.utils.datetime import from_excel

from .. import cleaning
from ..textnorm import collapse_spaces, compact, normalise_dashes, to_halfwidth
from .vocabulary import (
    _HECTARE,
    _SQUARE_METRE,
    _WAN,
    _YI,
    _YUAN,
    LEVEL_LABELS,
    PLAN_CATEGORY_LABELS,
)

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


CLEAR_MARKER = "（清空）"
_CLEAR_MARKERS = frozenset({"(清空)", "[清空]", "【清空】"})


def is_clear_marker(value: Any) -> bool:
    """“（清空）” in a cell: clear the stored value (a blank cell never does)."""
    if not isinstance(value, str) or len(value.strip()) > 8:
        return False
    return collapse_spaces(to_halfwidth(value)).replace(" ", "") in _CLEAR_MARKERS


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


_LEDGER_LIMIT = Decimal("1e15")


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
    try:  # the tolerant reading above; the final check is the one cleaning module's
        cleaning.decimal_value(result, what, minimum=None, places=None, limit=_LEDGER_LIMIT)
    except cleaning.CleaningError:
        raise _CellProblem(f"“{_show(value)}”数值超出范围") from None
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
    try:
        code = cleaning.national_code(raw, "项目代码", required=True)
    except cleaning.CleaningError as exc:
        if cleaning.is_blank(raw):
            exc.message = "项目代码“”格式不正确，应为 YYYY-RRRRRR-DD-TT-NNNNNN（24位）"
        raise ValueError(exc.message.rstrip("。")) from None
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
