"""Chinese time expressions in a task sentence → a deadline, a recurrence, or "ongoing".

Every expression is resolved against the document's date ``doc``:

=====================================  =============================================
expression                             resolves to
=====================================  =============================================
2022年3月15日 / 2022年3月底 / 2022年底    that date / the last day of that month / 12-31
到2025年 / 2025年前 / 2025年内           2025-12-31
11月15日前 / 11月15号                    that day of ``doc``'s year, next year if already past
3月底 / 3月末 / 十二月月底 / 6月份底      the month's last day (十二月月底 is December, not this month)
3月上旬 / 中旬 / 下旬                    the 10th / 20th / last day
3月份 (完成…) / 至6月                   the month's last day (a range ends at its end)
6月前                                  the last day of May
月底前 / 本月底 / 月末                    the last day of ``doc``'s month
下月底 / 下个月末                        the last day of the next month
年底前 / 年内 / 年末 / 年终 / 今年 / 全年   12-31 of ``doc``'s year (not 年度: "年度计划")
明年 / 明年底 / 明年上半年                the next year's 12-31 / 06-30
上半年 / 年中 / 下半年                    06-30 / 06-30 / 12-31 (next year if already past)
一季度 / 第三季度末 / 前三季度 / 四季度     the quarter's last day (next year if already past)
60天内 / 十日内 / 3个月内 / 两周内        ``doc`` + that many days / months / weeks
15个工作日内                              ``doc`` + 15 working days (the work calendar)
十四五期间 / "十三五"末                   12-31 of the plan's last year (十四五 → 2025)
每天 / 每周 / 每两周 / 每月 / 每季度 / 每半年 / 每年   a recurrence (daily … yearly), no date
持续推进 / 长期坚持 / 常态化               "ongoing", no date
去年下半年 / 前年                        the past: recognised, never a deadline
=====================================  =============================================

Year-less dates already past on ``doc`` roll over to the next year ("3月底前" said in November
means next March).  Patterns are tried in that order and a character belongs to one expression.
"""

from __future__ import annotations

import calendar as _cal
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from diaodu.engine.taskextract.numerals import cn_to_int

__all__ = ["RECURRENCES", "TimeMention", "find_times", "resolve"]

RECURRENCES = ("daily", "weekly", "biweekly", "monthly", "quarterly", "semiannual", "yearly")
ONGOING = "ongoing"

_N = r"(?:\d{1,3}|[〇零一二两三四五六七八九十廿卅百]{1,4})"
_Y = r"(?:(?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九]{2})"
_Q = r"[一二三四1-4]"
_BEFORE = r"(?:之前|以前|前|为止|止)?"


@dataclass(frozen=True)
class TimeMention:
    """One time expression: ``kind`` is ``deadline`` (``on`` set), ``recurrence`` (``recurrence``
    set), ``ongoing``, or ``past`` (a date before the document: context, never a deadline)."""

    start: int
    end: int
    text: str
    kind: str
    on: date | None = None
    recurrence: str | None = None


def _month_end(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _cal.monthrange(year, month)[1]))


def _quarter_end(year: int, q: int) -> date:
    return _month_end(year, 3 * q)


def _roll(doc: date, make) -> date | None:
    """``make(year)`` for ``doc``'s year, or the next year if that date is already past."""
    try:
        d = make(doc.year)
        return d if d >= doc else make(doc.year + 1)
    except ValueError:
        return None


def _num(s: str | None) -> int | None:
    return None if s is None else cn_to_int(s)


def _year(s: str) -> int:
    return _num(s) or 0


@functools.lru_cache(maxsize=1)
def _work_calendar():
    from diaodu.engine.calendar import WorkCalendar

    return WorkCalendar.from_chinesecalendar()


def _plan_end(s: str) -> int | None:
    n = 10 + (_num(s) or 0)
    return 1985 + 5 * (n - 6) if n >= 6 else None


def _safe(fn):
    def wrapped(m, doc):
        try:
            return fn(m, doc)
        except (ValueError, TypeError, OverflowError):
            return None

    return wrapped


# (pattern, kind, resolver(match, doc) -> date | str | None).  Order matters: the first pattern
# that claims a character wins, so specific forms come before the forms they contain.
_RULES: list[tuple[re.Pattern, str, object]] = []


def _rule(pattern: str, kind: str = "deadline"):
    def register(fn):
        _RULES.append((re.compile(pattern), kind, _safe(fn)))
        return fn

    return register


# -- the past: claimed first so that 去年下半年 never becomes a deadline --------------------------
@_rule(
    r"(?:去年|前年|上年度?|往年|过去)(?:上半年|下半年|年底|年末|底|[一二三四]季度|" + _N + r"月)?",
    "past",
)
def _past(m, doc):
    return None


# -- recurrences ---------------------------------------------------------------------------------
@_rule(r"每(?:两|2|隔一)周|双周", "recurrence")
def _biweekly(m, doc):
    return "biweekly"


@_rule(r"每(?:个)?(?:周|星期)[一二三四五六日天1-7]?|按周|周调度|周报", "recurrence")
def _weekly(m, doc):
    return "weekly"


@_rule(r"每(?:个)?季度?(?:末|底)?|按季度?|季报", "recurrence")
def _quarterly(m, doc):
    return "quarterly"


@_rule(r"每半年", "recurrence")
def _semiannual(m, doc):
    return "semiannual"


@_rule(r"每(?:个)?月(?:底|末|初)?|按月|月报|月调度", "recurrence")
def _monthly(m, doc):
    return "monthly"


@_rule(r"每(?:一)?年(?:度)?|年报", "recurrence")
def _yearly(m, doc):
    return "yearly"


@_rule(r"每(?:天|日)|日报|按日", "recurrence")
def _daily(m, doc):
    return "daily"


@_rule(
    r"持续推进|持续开展|持续抓好|长期坚持|常态化|长效机制|久久为功|一以贯之|坚持不懈|常抓不懈",
    "ongoing",
)
def _ongoing(m, doc):
    return ONGOING


# -- dates with a year ---------------------------------------------------------------------------
@_rule(r"(" + _Y + r")年(" + _N + r")月(" + _N + r")[日号]" + _BEFORE)
def _ymd(m, doc):
    return date(_year(m[1]), _num(m[2]), _num(m[3]))


@_rule(r"(" + _Y + r")年(" + _N + r")月份?月?(?:底|末)" + _BEFORE)
def _ym_end(m, doc):
    return _month_end(_year(m[1]), _num(m[2]))


@_rule(r"(" + _Y + r")年(?:上半年|年中)")
def _y_h1(m, doc):
    return date(_year(m[1]), 6, 30)


@_rule(r"(" + _Y + r")年(?:第)?(" + _Q + r")季度(?:末|底)?")
def _y_quarter(m, doc):
    return _quarter_end(_year(m[1]), _num(m[2]))


@_rule(
    r"(?:到|至|于)(" + _Y + r")年(?:底|末)?|(" + _Y + r")年(?:年?底|年?末|前|之前|以前|内|下半年)"
)
def _y_end(m, doc):
    return date(_year(m[1] or m[2]), 12, 31)


# -- five-year plans -----------------------------------------------------------------------------
@_rule(r'"?十([一二三四五六七八九])五"?(?:规划)?(?:期间|时期|期末|末|内)')
def _plan(m, doc):
    y = _plan_end(m[1])
    return date(y, 12, 31) if y else None


# -- year-less dates: roll over when already past ------------------------------------------------
@_rule(r"(" + _N + r")月(" + _N + r")[日号]" + _BEFORE)
def _md(m, doc):
    month, day = _num(m[1]), _num(m[2])
    return _roll(doc, lambda y: date(y, month, day))


@_rule(r"(" + _N + r")月份?月?(?:底|末)" + _BEFORE)
def _m_end(m, doc):
    month = _num(m[1])
    return _roll(doc, lambda y: _month_end(y, month))


@_rule(r"(" + _N + r")月份?(上旬|中旬|下旬)" + _BEFORE)
def _m_part(m, doc):
    month = _num(m[1])
    if m[2] == "下旬":
        return _roll(doc, lambda y: _month_end(y, month))
    day = 10 if m[2] == "上旬" else 20
    return _roll(doc, lambda y: date(y, month, day))


@_rule(r"(?<![0-9〇零一二两三四五六七八九十])(" + _N + r")月(?:份)?(?:之前|以前|前)")
def _before_month(m, doc):
    month = _num(m[1])
    if month == 1:
        return _roll(doc, lambda y: date(y - 1, 12, 31) if y > doc.year else date(y, 12, 31))
    return _roll(doc, lambda y: _month_end(y, month - 1))


@_rule(
    r"(?:至|到|—|-|~)("
    + _N
    + r")月份?|("
    + _N
    + r")月份(?:内)?|("
    + _N
    + r")月(?=完成|实现|建成|投产|开工|竣工|启动|办结|上线)"
)
def _month(m, doc):
    month = _num(m[1] or m[2] or m[3])
    return _roll(doc, lambda y: _month_end(y, month))


@_rule(r"(?:下个?月|次月)(?:底|末)?" + _BEFORE)
def _next_month(m, doc):
    nxt = _add_months(doc.replace(day=1), 1)
    return _month_end(nxt.year, nxt.month)


@_rule(r"(?:本月|当月|(?<![0-9〇零一二两三四五六七八九十])月)(?:底|末)" + _BEFORE)
def _this_month(m, doc):
    return _month_end(doc.year, doc.month)


# -- halves and quarters -------------------------------------------------------------------------
@_rule(r"(明年|今年|本年)?(?:上半年|年中)" + _BEFORE)
def _h1(m, doc):
    if m[1] == "明年":
        return date(doc.year + 1, 6, 30)
    if m[1]:
        return date(doc.year, 6, 30)
    return _roll(doc, lambda y: date(y, 6, 30))


@_rule(r"(明年)?下半年")
def _h2(m, doc):
    return date(doc.year + (1 if m[1] else 0), 12, 31)


@_rule(r"(明年)?前三季度")
def _three_quarters(m, doc):
    if m[1]:
        return date(doc.year + 1, 9, 30)
    return _roll(doc, lambda y: date(y, 9, 30))


@_rule(r"(明年|今年)?(?:第)?(" + _Q + r")季度(?:末|底)?" + _BEFORE)
def _quarter(m, doc):
    q = _num(m[2])
    if m[1] == "明年":
        return _quarter_end(doc.year + 1, q)
    if m[1]:
        return _quarter_end(doc.year, q)
    return _roll(doc, lambda y: _quarter_end(y, q))


# -- the year ------------------------------------------------------------------------------------
@_rule(r"明年(?:年?底|年?末|内)?" + _BEFORE)
def _next_year(m, doc):
    return date(doc.year + 1, 12, 31)


@_rule(
    r"(?:(?:今年|本年度?|当年)年?(?:底|末|内)|年底|年末|年内)"
    + _BEFORE
    + r"|年终|今年|全年|本年度?"
)
def _year_end(m, doc):
    return date(doc.year, 12, 31)


# -- durations -----------------------------------------------------------------------------------
# "压缩到1个工作日以内" is a service standard, not a deadline.
_STANDARD = re.compile(r"(?:压缩到|压缩至|缩短到|缩短至|控制在|不超过|时限为?|时间为?)$")


def _is_standard(m) -> bool:
    return _STANDARD.search(m.string, max(0, m.start() - 4), m.start()) is not None


@_rule(r"(" + _N + r")个?工作日(?:内|之内|以内)")
def _workdays(m, doc):
    if _is_standard(m):
        return None
    return _work_calendar().add_workdays(doc, _num(m[1]))


@_rule(r"(" + _N + r")(?:天|日)(?:内|之内|以内)")
def _days(m, doc):
    if _is_standard(m):
        return None
    return doc + timedelta(days=_num(m[1]))


@_rule(r"(" + _N + r")(?:个)?(?:周|星期)(?:内|之内|以内)")
def _weeks(m, doc):
    if _is_standard(m):
        return None
    return doc + timedelta(weeks=_num(m[1]))


@_rule(r"(" + _N + r")个(?:半)?月(?:内|之内|以内)")
def _months(m, doc):
    if _is_standard(m):
        return None
    return _add_months(doc, _num(m[1]))


def find_times(text: str, doc: date) -> list[TimeMention]:
    """Every time expression in *text* (Simplified, half-width), in order of position."""
    taken = bytearray(len(text))
    found: list[TimeMention] = []
    for pattern, kind, resolver in _RULES:
        for m in pattern.finditer(text):
            s, e = m.span()
            if s == e or any(taken[s:e]):
                continue
            value = resolver(m, doc)
            taken[s:e] = b"\x01" * (e - s)  # an impossible date (2月30日) hides its parts too
            if kind == "deadline" and not isinstance(value, date):
                continue
            found.append(
                TimeMention(
                    s,
                    e,
                    m[0],
                    kind,
                    on=value if kind == "deadline" else None,
                    recurrence=value if kind == "recurrence" else None,
                )
            )
    found.sort(key=lambda t: t.start)
    return found


@dataclass(frozen=True)
class Resolved:
    deadline: date | None
    recurrence: str | None
    mentions: tuple[TimeMention, ...]


def resolve(text: str, doc: date) -> Resolved:
    """The deadline (the latest date named; earlier ones are nodes), the recurrence (the first
    named; "ongoing" for 持续推进 and the like when nothing else recurs) and every mention."""
    mentions = tuple(find_times(text, doc))
    dates = [t.on for t in mentions if t.kind == "deadline" and t.on is not None]
    recurs = [t.recurrence for t in mentions if t.kind == "recurrence"]
    ongoing = any(t.kind == "ongoing" for t in mentions)
    recurrence = recurs[0] if recurs else (ONGOING if ongoing else None)
    return Resolved(max(dates) if dates else None, recurrence, mentions)
