"""Raw input → a clean value, or a Chinese error naming the field (pure Python, no Django).

This is the one place where typed, pasted, posted or imported values are turned into Python
values: services, forms (through a thin field adapter), API schemas and importers call these
functions instead of writing their own `_decimal`/`_date` helpers.

Every function takes the raw value and the field's Chinese *label* (used in the message); the
*field* key defaults to the label and is what :class:`CleaningError` carries, so a caller can put
the message next to the right form field. Empty input (``None``, ``""``, blanks) gives ``None``
(``""`` for text) unless ``required=True``.

Decisions, once for the whole project:

* **Invisible characters are refused, not stripped.** NUL, the other C0/C1 control characters
  (tab, line feed and carriage return excepted) and lone UTF-16 surrogates are what a broken
  copy-paste or a wrong encoding leaves behind; silently removing them would store a value the
  person never saw, so the person is asked to fix the text. (PostgreSQL cannot store NUL at all,
  and .xlsx/.docx files cannot hold the other control characters.)
* **Full-width digits and punctuation are accepted** in numbers, dates and codes (``１２３．５``,
  ``２０２６－０３－０５``), and so are thousands separators (``1,234.5`` / ``1，234.5``).
* **Amounts are Decimal**, rounded half-up (四舍五入) to the given places, never float arithmetic.
  A unit written in the text wins over the field's unit: ``1.5亿`` typed into a 万元 field is 15000.
  An accounting negative ``(350)`` is -350; negatives are refused unless ``minimum`` allows them.
* **Percentages** are returned in percentage points (``75%`` → 75). A bare number below 1 is a
  fraction as Excel stores percentage cells (``0.75`` → 75); 1 and above are points (``75`` → 75,
  ``1`` → 1). Importers reading a cell formatted as a percentage pass ``bare="fraction"``.
* **Dates** accept the office formats (ISO, ``2026/3/5``, ``2026.3.5``, ``2026年3月5日``,
  ``20260305``, a date-time, and Excel serial numbers for days from 1950 to 2200). A month or
  year alone is refused here: the ledger reader, which keeps date precision, has its own parser.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

__all__ = [
    "CleaningError",
    "Errors",
    "amount",
    "check_date_order",
    "credit_code",
    "credit_code_check_char",
    "date_value",
    "decimal_value",
    "industry_code",
    "industry_section",
    "integer",
    "integer_or",
    "is_blank",
    "national_code",
    "percent",
    "strict_decimal",
    "text",
    "time_value",
]

T = TypeVar("T")


class CleaningError(ValueError):
    """A value that cannot be used, with the field it belongs to and a Chinese message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message

    def as_dict(self) -> dict[str, str]:
        return {self.field: self.message}


class Errors:
    """Collects the errors of several fields so that a form reports all of them at once::

        errors = Errors()
        name = errors.take(text, data.get("name"), "项目名称", field="name", required=True)
        total = errors.take(amount, data.get("total"), "总投资", field="total")
        errors.raise_if_any(ValidationError)   # or: if errors: ...

    ``take`` returns the clean value, or ``None`` after recording the error (the first error of a
    field wins).
    """

    def __init__(self, initial: dict[str, str] | None = None):
        self.messages: dict[str, str] = dict(initial or {})

    def take(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return fn(*args, **kwargs)
        except CleaningError as exc:
            self.add(exc.field, exc.message)
            return None

    def add(self, field: str, message: str) -> None:
        self.messages.setdefault(field, message)

    def __contains__(self, field: str) -> bool:
        return field in self.messages

    def __bool__(self) -> bool:
        return bool(self.messages)

    def raise_if_any(self, exc_type: Callable[[dict[str, str]], Exception]) -> None:
        if self.messages:
            raise exc_type(dict(self.messages))


# ---------------------------------------------------------------- common helpers
_BLANKS = re.compile(r"\s+")
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASH_TABLE = {ord(ch): "-" for ch in _DASHES}
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}
_CONTROL_NAMES = {"\x00": "NUL", "\x7f": "DEL"}


def is_blank(value: Any) -> bool:
    """None, or a string of blanks (including the ideographic space)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _field(field: str | None, label: str) -> str:
    return field if field is not None else label


def _plain(value: str) -> str:
    """Full-width → half-width, NFKC, every dash → '-', no blanks: the form numbers are parsed in."""
    value = unicodedata.normalize("NFKC", value.translate(_HALFWIDTH)).translate(_DASH_TABLE)
    return _BLANKS.sub("", value)


def _shown(value: Any) -> str:
    s = str(value).strip()
    return s if len(s) <= 40 else s[:37] + "…"


def _empty(value: Any, label: str, field: str, required: bool, hint: str = "") -> bool:
    if not is_blank(value):
        return False
    if required:
        raise CleaningError(field, f"请填写{label}{hint}。")
    return True


# ---------------------------------------------------------------- text
def _bad_character(s: str) -> tuple[str, str] | None:
    """The first character that may not be stored, and how to name it."""
    for ch in s:
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF:
            return ch, f"孤立的代理字符 U+{cp:04X}"
        if (cp < 0x20 or 0x7F <= cp <= 0x9F) and ch not in _ALLOWED_CONTROLS:
            return ch, _CONTROL_NAMES.get(ch, f"U+{cp:04X}")
    return None


def text(
    value: Any,
    label: str,
    *,
    field: str | None = None,
    required: bool = False,
    max_length: int | None = 4000,
    min_length: int = 0,
    single_line: bool = False,
) -> str:
    """Strip and check a text. NUL, control characters and lone surrogates are refused (see the
    module's notes); ``single_line`` also refuses line breaks (names, titles, codes)."""
    key = _field(field, label)
    s = "" if value is None else str(value)
    bad = _bad_character(s)
    if bad is not None:
        ch, name = bad
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise CleaningError(key, f"「{label}」含有无法识别的字符（{name}），请检查后重新输入。")
        raise CleaningError(key, f"「{label}」含有不可见的控制字符（{name}），请删除后重试。")
    s = s.strip()
    if not s:
        if required:
            raise CleaningError(key, f"请填写{label}。")
        return ""
    if single_line and ("\n" in s or "\r" in s):
        raise CleaningError(key, f"{label}不能换行。")
    if max_length is not None and len(s) > max_length:
        raise CleaningError(key, f"{label}不能超过 {max_length} 字。")
    if len(s) < min_length:
        raise CleaningError(key, f"{label}不能少于 {min_length} 字。")
    return s


# ---------------------------------------------------------------- numbers
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_UNITS = {
    "元": Decimal("0.0001"),
    "万元": Decimal(1),
    "万": Decimal(1),
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
}
_UNIT_RE = re.compile(r"^(.*?)(亿元|万元|亿|万|元)$")


def _number(value: Any, key: str, label: str, hint: str) -> Decimal:
    """A finite Decimal from int/Decimal/float/text, or CleaningError. Text may carry full-width
    digits, separators, a leading + and an accounting negative (350)."""
    if isinstance(value, bool):
        raise CleaningError(key, f"{label}应为数字{hint}。")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, str):
        s = _plain(value).replace(",", "").replace("，", "")
        negative = False
        if len(s) > 2 and s[0] == "(" and s[-1] == ")":
            s, negative = s[1:-1], True
        if not _NUMBER_RE.match(s):
            raise CleaningError(key, f"{label}应为数字{hint}（收到“{_shown(value)}”）。")
        d = Decimal(s)
        if negative:
            d = -d
    else:
        raise CleaningError(key, f"{label}应为数字{hint}。")
    if not d.is_finite():
        raise CleaningError(key, f"{label}应为数字{hint}。")
    return d


def _bounded(
    d: Decimal,
    key: str,
    label: str,
    minimum: Decimal | int | None,
    maximum: Decimal | int | None,
    unit: str = "",
) -> Decimal:
    if minimum is not None and d < minimum:
        if minimum == 0:
            raise CleaningError(key, f"{label}不能为负数。")
        raise CleaningError(key, f"{label}不能小于 {minimum}{unit}。")
    if maximum is not None and d > maximum:
        raise CleaningError(key, f"{label}不能大于 {maximum}{unit}。")
    return d


def _round(d: Decimal, places: int | None, key: str, label: str) -> Decimal:
    if places is None:
        return d
    try:
        return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise CleaningError(key, f"{label}数值过大。") from None


def decimal_value(
    value: Any,
    label: str,
    *,
    field: str | None = None,
    required: bool = False,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = None,
    places: int | None = 2,
    limit: Decimal | int = Decimal("1e13"),
) -> Decimal | None:
    """A plain number (亩, 公里, 人 …). ``limit`` bounds the absolute value ("数值过大")."""
    key = _field(field, label)
    if _empty(value, label, key, required):
        return None
    d = _round(_number(value, key, label, ""), places, key, label)
    if abs(d) >= limit:
        raise CleaningError(key, f"{label}数值过大。")
    return _bounded(d, key, label, minimum, maximum)


def amount(
    value: Any,
    label: str,
    *,
    unit: str = "万元",
    field: str | None = None,
    required: bool = False,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = None,
    places: int = 2,
    limit: Decimal | int | None = None,
) -> Decimal | None:
    """An amount of money in *unit* (万元 or 亿元). A bare number is in *unit*; a unit written in
    the text converts (``1.5亿`` → 15000 万元, ``3000万`` → 0.3 亿元, ``50000元`` → 5 万元).
    ``limit`` bounds the absolute value (default 10 万亿元, i.e. 1e9 万元 or 1e5 亿元)."""
    if unit not in ("万元", "亿元"):
        raise ValueError(f"未知的金额单位：{unit}")
    key = _field(field, label)
    hint = f"（{unit}）"
    if _empty(value, label, key, required):
        return None
    factor = Decimal(1)
    if isinstance(value, str):
        match = _UNIT_RE.match(_plain(value))
        if match:
            value, written = match.group(1), match.group(2)
            factor = _UNITS[written] / _UNITS[unit]
            if not value:
                raise CleaningError(key, f"{label}应为数字{hint}。")
    d = _number(value, key, label, hint) * factor
    if limit is None:
        limit = Decimal("1e9") / _UNITS[unit]
    if abs(d) >= limit:
        raise CleaningError(key, f"{label}数值过大。")
    d = _round(d, places, key, label)
    return _bounded(d, key, label, minimum, maximum, unit)


def integer(
    value: Any,
    label: str,
    *,
    field: str | None = None,
    required: bool = False,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """A whole number ("12", "1,200", "１２", 12.0); 12.5 and True are refused."""
    key = _field(field, label)
    if _empty(value, label, key, required):
        return None
    try:
        d = _number(value, key, label, "")
    except CleaningError:
        raise CleaningError(key, f"{label}应为整数。") from None
    if d != d.to_integral_value():
        raise CleaningError(key, f"{label}应为整数。")
    n = int(d)
    if minimum is not None and maximum is not None and not minimum <= n <= maximum:
        raise CleaningError(key, f"{label}应在 {minimum} 到 {maximum} 之间。")
    if minimum is not None and n < minimum:
        raise CleaningError(key, f"{label}不能小于 {minimum}。")
    if maximum is not None and n > maximum:
        raise CleaningError(key, f"{label}不能大于 {maximum}。")
    return n


def integer_or(value: Any, default: T | None = None) -> int | T | None:
    """The lenient reading of a query-string parameter or an id: a whole number by the rules of
    :func:`integer`, or *default* for anything else (a list filter ignores what it cannot use)."""
    try:
        n = integer(value, "数值")
    except CleaningError:
        return default
    return default if n is None else n


def strict_decimal(value: Any, what: str) -> Decimal:
    """A rule's number that is already data, not typed text: int, Decimal, float (through its
    repr) or a plain numeric string, as a finite Decimal, or a ValueError naming *what*. The rule
    engines (pace, lights, scoring) check their inputs with it; it accepts no separators or units,
    since a value reaching a rule has been cleaned already."""
    if isinstance(value, bool):
        raise ValueError(f"{what}必须是数值，不能是布尔值")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{what}不是有效的数值：{value!r}") from None
    else:
        raise ValueError(f"{what}必须是数值：{value!r}")
    if not result.is_finite():
        raise ValueError(f"{what}必须是有限数值：{value!r}")
    return result


def percent(
    value: Any,
    label: str,
    *,
    field: str | None = None,
    required: bool = False,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = 100,
    places: int = 2,
    bare: str = "auto",
) -> Decimal | None:
    """A percentage in points: ``75%``, ``75`` and ``0.75`` are all 75.

    *bare* says what a number without ``%`` means: ``"auto"`` (below 1 a fraction, else points),
    ``"fraction"`` (Excel percentage cells: 1 → 100) or ``"points"`` (0.5 → 0.5).
    """
    if bare not in ("auto", "fraction", "points"):
        raise ValueError(f"bare 应为 auto、fraction 或 points：{bare}")
    key = _field(field, label)
    if _empty(value, label, key, required):
        return None
    written = False
    if isinstance(value, str):
        s = _plain(value)
        for sign in ("%", "％", "‰"):
            if s.endswith(sign):
                written, s = sign, s[: -len(sign)]
                break
        value = s if written else value
    d = _number(value, key, label, "（百分数）")
    if written == "‰":
        d = d / 10
    elif not written and (bare == "fraction" or (bare == "auto" and abs(d) < 1)):
        d = d * 100
    d = _round(d, places, key, label)
    return _bounded(d, key, label, minimum, maximum, "%")


# ---------------------------------------------------------------- dates
_DATE_TEXT_RE = re.compile(
    r"^(\d{4})(?:年|[./-])(\d{1,2})(?:月|[./-])(\d{1,2})[日号]?"
    r"(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?)?$"
)
_DATE8_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN = (dt.date(1950, 1, 1) - _EXCEL_EPOCH).days  # 18264
_SERIAL_MAX = (dt.date(2200, 12, 31) - _EXCEL_EPOCH).days
_YEARS = (1900, 2200)


def _make(y: int, m: int, d: int, key: str, label: str, raw: Any) -> dt.date:
    if not _YEARS[0] <= y <= _YEARS[1]:
        raise CleaningError(key, f"{label}的年份超出范围（收到“{_shown(raw)}”）。")
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise CleaningError(key, f"{label}不是有效的日期（收到“{_shown(raw)}”）。") from None


def _serial(n: Decimal, key: str, label: str, raw: Any) -> dt.date:
    if not _SERIAL_MIN <= n <= _SERIAL_MAX:
        raise CleaningError(key, f"{label}格式应为 YYYY-MM-DD（收到“{_shown(raw)}”）。")
    return _EXCEL_EPOCH + dt.timedelta(days=int(n))


def date_value(
    value: Any,
    label: str,
    *,
    field: str | None = None,
    required: bool = False,
    minimum: dt.date | None = None,
    maximum: dt.date | None = None,
) -> dt.date | None:
    """A calendar day from the formats offices type, paste and export (see the module's notes)."""
    key = _field(field, label)
    if _empty(value, label, key, required):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, bool):
        raise CleaningError(key, f"{label}格式应为 YYYY-MM-DD。")
    elif isinstance(value, (int, float, Decimal)):
        n = _number(value, key, label, "")
        if 19000101 <= n <= 22001231 and n == n.to_integral_value():
            s = str(int(n))
            day = _make(int(s[:4]), int(s[4:6]), int(s[6:]), key, label, value)
        else:
            day = _serial(n, key, label, value)
    elif isinstance(value, str):
        s = _plain(value)
        if m := _DATE8_RE.match(s):
            day = _make(*(int(g) for g in m.groups()), key, label, value)
        elif m := _DATE_TEXT_RE.match(s):
            day = _make(*(int(g) for g in m.groups()), key, label, value)
        elif re.fullmatch(r"\d{5}(?:\.\d+)?", s):
            day = _serial(Decimal(s), key, label, value)
        else:
            raise CleaningError(key, f"{label}格式应为 YYYY-MM-DD（收到“{_shown(value)}”）。")
    else:
        raise CleaningError(key, f"{label}格式应为 YYYY-MM-DD。")
    if minimum is not None and day < minimum:
        raise CleaningError(key, f"{label}（{day:%Y-%m-%d}）不能早于 {minimum:%Y-%m-%d}。")
    if maximum is not None and day > maximum:
        raise CleaningError(key, f"{label}（{day:%Y-%m-%d}）不能晚于 {maximum:%Y-%m-%d}。")
    return day


_TIME_RE = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")


def time_value(
    value: Any, label: str, *, field: str | None = None, required: bool = False
) -> dt.time | None:
    """A time of day ``HH:MM`` (or ``HH:MM:SS``; full-width digits and colon accepted)."""
    key = _field(field, label)
    if _empty(value, label, key, required):
        return None
    if isinstance(value, dt.time):
        return value
    m = _TIME_RE.match(_plain(str(value))) if isinstance(value, str) else None
    if m is None:
        raise CleaningError(key, f"{label}格式应为 HH:MM。")
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if not (0 <= h <= 23 and 0 <= mi <= 59 and 0 <= s <= 59):
        raise CleaningError(key, f"{label}格式应为 HH:MM。")
    return dt.time(h, mi, s)


def check_date_order(
    start: dt.date | None,
    end: dt.date | None,
    start_label: str,
    end_label: str,
    *,
    field: str | None = None,
) -> None:
    """start ≤ end (either may be missing); the error belongs to the end field and names both."""
    if start is not None and end is not None and end < start:
        raise CleaningError(
            _field(field, end_label),
            f"{end_label}（{end:%Y-%m-%d}）不能早于{start_label}（{start:%Y-%m-%d}）。",
        )


# ---------------------------------------------------------------- codes
# 项目代码, GB/T 40058-2021: 时间代码 (4) - 地区代码 (6, GB/T 2260) - 中央业务指导部门代码 (2) -
# 项目类型代码 (2) - 随机码和校验码 (6). The check character's algorithm is not public outside the
# standard's text, so only the structure, the year and the region's province are checked.
NATIONAL_CODE_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65"
    " 71 81 82 10".split()
)  # GB/T 2260 provinces; "10" is the 中央 level used for central-government projects


def national_code(
    value: Any, label: str = "项目代码", *, field: str | None = None, required: bool = False
) -> str | None:
    """The normalised 24-character 项目代码 ``YYYY-RRRRRR-DD-TT-NNNNNN``.

    Full-width characters, other dashes and blanks around the hyphens are accepted; 20 digits
    without separators get their hyphens.
    """
    key = _field(field, label)
    if _empty(value, label, key, required):
        return None
    raw = str(value).strip()
    code = unicodedata.normalize("NFKC", raw.translate(_HALFWIDTH)).translate(_DASH_TABLE)
    code = re.sub(r"\s*-\s*", "-", code.strip())
    if re.fullmatch(r"\d{20}", code):
        code = f"{code[:4]}-{code[4:10]}-{code[10:12]}-{code[12:14]}-{code[14:]}"
    m = NATIONAL_CODE_RE.match(code)
    if not m:
        raise CleaningError(
            key, f"{label}“{_shown(raw)}”格式不正确，应为 YYYY-RRRRRR-DD-TT-NNNNNN（24位）。"
        )
    year, region = int(m.group(1)), m.group(2)
    if not 1990 <= year <= 2100:
        raise CleaningError(key, f"{label}“{code}”的年份（{year}）不正确。")
    if region[:2] not in _PROVINCES:
        raise CleaningError(key, f"{label}“{code}”的地区代码（{region}）不正确。")
    return code


# 统一社会信用代码, GB 32100-2015: 18 characters from 0-9 and 21 capitals (no I O S V Z); the
# 18th is the check character: C18 = 31 - (Σ Ci·Wi mod 31), 31 → 0, with Wi = 3^(i-1) mod 31.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_CHARS)}
USCC_WEIGHTS = tuple(
    pow(3, i, 31) for i in range(17)
)  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_USCC_RE = re.compile(rf"^[{USCC_CHARS}]{{18}}$")


def credit_code_check_char(first17: str) -> str:
    """The check character of the first 17 characters of a 统一社会信用代码."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def credit_code(
    value: Any, label: str = "统一社会信用代码", *, field: str | None = None, required: bool = False
) -> str | None:
    """An upper-case 18-character 统一社会信用代码 whose check character is right."""
    key = _field(field, label)
    if _empty(value, label, key, required):
        return None
    raw = str(value).strip()
    code = _plain(raw).upper()
    if len(code) != 18:
        raise CleaningError(key, f"{label}应为 18 位（收到 {len(code)} 位：“{_shown(raw)}”）。")
    if not _USCC_RE.match(code):
        bad = next(ch for ch in code if ch not in _USCC_VALUE)
        raise CleaningError(
            key, f"{label}“{_shown(raw)}”含有不允许的字符“{bad}”（不使用 I、O、S、V、Z）。"
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise CleaningError(key, f"{label}“{code}”校验位不正确，请核对后重新输入。")
    return code


# 国民经济行业分类, GB/T 4754-2017: 门类 letter A–T, 大类 2 digits, 中类 3, 小类 4. The 大类 ranges of
# each 门类 are fixed by the standard, so a bare number finds its letter without a lookup.
INDUSTRY_SECTIONS = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}
_INDUSTRY_RE = re.compile(r"^([A-T])?(\d{2,4})?$")


def industry_section(division: str) -> str | None:
    """The 门类 letter of a 大类 number ("36" → "C"), or None if no 门类 has it."""
    n = int(division[:2])
    for letter, (lo, hi) in INDUSTRY_SECTIONS.items():
        if lo <= n <= hi:
            return letter
    return None


def industry_code(
    value: Any,
    label: str = "国民经济行业分类",
    *,
    field: str | None = None,
    required: bool = False,
) -> str | None:
    """A GB/T 4754-2017 code, always with its 门类 letter: "C", "C36", "C361", "C3611".

    A bare 大类/中类/小类 number gets its letter ("3611" → "C3611"); a letter that does not
    match the 大类 is refused ("A36").
    """
    key = _field(field, label)
    if _empty(value, label, key, required):
        return None
    raw = str(value).strip()
    code = _plain(raw).upper()
    m = _INDUSTRY_RE.match(code)
    if not m or not code:
        raise CleaningError(
            key, f"{label}“{_shown(raw)}”格式不正确，应为门类字母加 2—4 位数字，例如 C3611。"
        )
    letter, digits = m.group(1), m.group(2) or ""
    if not digits:
        return letter
    section = industry_section(digits)
    if section is None:
        raise CleaningError(key, f"{label}“{_shown(raw)}”中的大类代码 {digits[:2]} 不存在。")
    if letter and letter != section:
        raise CleaningError(
            key,
            f"{label}“{_shown(raw)}”的门类应为 {section}（大类 {digits[:2]} 属于门类 {section}）。",
        )
    return section + digits
