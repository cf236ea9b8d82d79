"""亮灯 (red / yellow / green) rules for a project, always with their reasons.

Pure Python (stdlib only).  The app gathers the facts of one project
(:class:`ProjectFacts`), loads the zone's configurable :class:`LightRules` (stored as JSON
through :meth:`LightRules.to_dict` / :meth:`LightRules.from_dict`) and calls
:func:`evaluate`.

Rules (each produces zero or more :class:`Reason`; the light is the worst reason's colour,
green exactly when there is no reason; all reasons are kept, reds first, then in rule order):

``pace``
    完成投资 / 序时应完成 (rounded to 4 decimals, i.e. 0.01 %) ``< red_pace_below`` → red,
    ``< yellow_pace_below`` → yellow.  A value exactly on a threshold gets the better
    colour: exactly 70 % is yellow, exactly 90 % is green.  Skipped when either figure is
    missing or nothing is expected yet (expected ≤ 0).
``missing_reports``
    ``consecutive_missing_reports >= red_missing_reports`` → red, ``>= yellow_missing_reports``
    → yellow (``None`` switches a threshold off).
``problem_escalated`` / ``problem_overdue``
    a problem whose escalation level is at or above ``red_problem_level`` (levels:
    0 无, 1 催办, 2 督办, 3 提级; ``None`` switches the rule off) → red; an overdue problem →
    yellow when ``yellow_problem_overdue``.  A problem that is both gives both reasons.
``procedure_overdue`` / ``procedure_at_risk``
    an overdue 前期手续 → red when ``red_procedure_overdue``; a procedure at risk of
    overrunning → yellow when ``yellow_procedure_at_risk``.  An overdue procedure is at
    least as bad as an at-risk one: with ``red_procedure_overdue`` off it is yellow if
    ``yellow_procedure_at_risk`` is on.
``no_contact``
    ``weeks_without_contact >= red_no_contact_weeks`` → red, ``>= yellow_no_contact_weeks``
    → yellow (``None`` switches a threshold off).

Every rule is monotone: a worse fact never gives a better colour.  ``stage`` is carried for
the caller (which decides which projects are lit at all); no rule reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from diaodu.engine.escalation import LEVEL_LABELS
from diaodu.engine.numbers import to_decimal

__all__ = [
    "COLORS",
    "ESCALATION_LEVELS",
    "LightRules",
    "ProblemFact",
    "ProjectFacts",
    "Reason",
    "Light",
    "effective_color",
    "escalation_level",
    "worst",
    "evaluate",
]

COLORS = ("green", "yellow", "red")  # from best to worst
_SEVERITY = {c: i for i, c in enumerate(COLORS)}
COLOR_NAMES = {"green": "绿灯", "yellow": "黄灯", "red": "红灯"}

ESCALATION_LEVELS = {"无": 0, **{name: n for n, name in enumerate(LEVEL_LABELS) if name}}
_LEVEL_NAMES = {v: k for k, v in ESCALATION_LEVELS.items()}

RATIO_Q = Decimal("0.0001")


_dec = to_decimal


def _fmt(value: Decimal, places: int = 2) -> str:
    text = format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pct(ratio: Decimal) -> str:
    return _fmt(ratio * 100, 2) + "%"


def escalation_level(value) -> int | None:
    """Normalise an escalation level given as a name (催办/督办/提级/无) or 0..3; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"未知的督办级别：{value!r}")
    if isinstance(value, int):
        if value in _LEVEL_NAMES:
            return value
        raise ValueError(f"未知的督办级别：{value!r}（可选：0 无、1 催办、2 督办、3 提级）")
    if isinstance(value, str) and value.strip() in ESCALATION_LEVELS:
        return ESCALATION_LEVELS[value.strip()]
    raise ValueError(f"未知的督办级别：{value!r}（可选：无、催办、督办、提级）")


def effective_color(computed: str, override: str | None = "") -> str:
    """The colour that counts: a leader's override (with its written reason) when there is one,
    else the computed colour. The one place of this rule (pages, figures, the bulletin)."""
    return override or computed


def worst(*colors: str) -> str:
    """The worst of the given colours (green when none)."""
    result = "green"
    for color in colors:
        if color not in _SEVERITY:
            raise ValueError(f"未知的灯色：{color!r}")
        if _SEVERITY[color] > _SEVERITY[result]:
            result = color
    return result


def _opt_int(value, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what}必须是整数或留空：{value!r}")
    if value < 1:
        raise ValueError(f"{what}必须至少为1（留空表示不启用）")
    return value


@dataclass(frozen=True)
class LightRules:
    """Configurable thresholds (defaults are the usual practice of a zone)."""

    red_pace_below: Decimal = Decimal("0.7")
    yellow_pace_below: Decimal = Decimal("0.9")
    red_missing_reports: int | None = 2
    yellow_missing_reports: int | None = 1
    red_problem_level: str | None = "督办"
    yellow_problem_overdue: bool = True
    red_procedure_overdue: bool = True
    yellow_procedure_at_risk: bool = True
    yellow_no_contact_weeks: int | None = 1
    red_no_contact_weeks: int | None = 3

    def __post_init__(self) -> None:
        red = _dec(self.red_pace_below, "红灯序时进度阈值")
        yellow = _dec(self.yellow_pace_below, "黄灯序时进度阈值")
        if not (Decimal(0) <= red <= yellow):
            raise ValueError("序时进度阈值须满足 0 ≤ 红灯阈值 ≤ 黄灯阈值")
        object.__setattr__(self, "red_pace_below", red)
        object.__setattr__(self, "yellow_pace_below", yellow)
        for red_name, yellow_name, label in (
            ("red_missing_reports", "yellow_missing_reports", "未报送周报期数"),
            ("red_no_contact_weeks", "yellow_no_contact_weeks", "未对接周数"),
        ):
            r = _opt_int(getattr(self, red_name), f"红灯{label}")
            y = _opt_int(getattr(self, yellow_name), f"黄灯{label}")
            if r is not None and y is not None and y > r:
                raise ValueError(f"黄灯{label}不能大于红灯{label}")
        level = escalation_level(self.red_problem_level)
        if level == 0:
            raise ValueError("红灯督办级别不能为“无”（留空表示不启用）")
        object.__setattr__(
            self, "red_problem_level", None if level is None else _LEVEL_NAMES[level]
        )
        for name in ("yellow_problem_overdue", "red_procedure_overdue", "yellow_procedure_at_risk"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"亮灯规则参数 {name} 必须是 true 或 false")

    def to_dict(self) -> dict:
        """JSON-ready: Decimals as strings, the escalation level as its Chinese name."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = str(value) if isinstance(value, Decimal) else value
        return out

    @classmethod
    def from_dict(cls, data: dict) -> LightRules:
        """Inverse of :meth:`to_dict`; missing keys take the defaults, unknown keys are an error."""
        if not isinstance(data, dict):
            raise ValueError("亮灯规则必须是一个字典（JSON 对象）")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"未知的亮灯规则参数：{'、'.join(unknown)}")
        return cls(**data)


@dataclass(frozen=True)
class ProblemFact:
    title: str
    overdue: bool = False
    escalation_level: int = 0  # 0 无, 1 催办, 2 督办, 3 提级 (a name is accepted too)

    def __post_init__(self) -> None:
        level = escalation_level(self.escalation_level)
        object.__setattr__(self, "escalation_level", 0 if level is None else level)


@dataclass(frozen=True)
class ProjectFacts:
    investment_completed_ytd: Decimal | None = None  # 万元
    investment_expected_ytd: Decimal | None = None  # 序时应完成, 万元
    consecutive_missing_reports: int = 0
    overdue_procedures: tuple[str, ...] = ()
    at_risk_procedures: tuple[str, ...] = ()
    problems: tuple[ProblemFact, ...] = ()
    weeks_without_contact: int = 0
    stage: str = ""

    def __post_init__(self) -> None:
        for name in ("investment_completed_ytd", "investment_expected_ytd"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _dec(value, "投资额"))
        for name in ("overdue_procedures", "at_risk_procedures", "problems"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name, label in (
            ("consecutive_missing_reports", "连续未报送期数"),
            ("weeks_without_contact", "未对接周数"),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{label}必须是非负整数：{value!r}")


@dataclass(frozen=True)
class Reason:
    code: str
    color: str  # 'red' | 'yellow'
    message: str


@dataclass(frozen=True)
class Light:
    color: str  # 'red' | 'yellow' | 'green'
    reasons: tuple[Reason, ...] = ()

    @property
    def summary(self) -> str:
        """E.g. "红灯：前期手续“施工许可”已超期；连续2期未报送周报" or "绿灯"."""
        name = COLOR_NAMES[self.color]
        if not self.reasons:
            return name
        return name + "：" + "；".join(r.message for r in self.reasons)


def _count_rule(value: int, red: int | None, yellow: int | None) -> str | None:
    if red is not None and value >= red:
        return "red"
    if yellow is not None and value >= yellow:
        return "yellow"
    return None


def evaluate(facts: ProjectFacts, rules: LightRules = LightRules()) -> Light:
    """The project's light: colour of the worst reason, all reasons kept (reds first)."""
    reasons: list[Reason] = []

    completed = facts.investment_completed_ytd
    expected = facts.investment_expected_ytd
    if completed is not None and expected is not None and expected > 0:
        ratio = (completed / expected).quantize(RATIO_Q, rounding=ROUND_HALF_UP)
        if ratio < rules.red_pace_below:
            reasons.append(
                Reason(
                    "pace",
                    "red",
                    f"完成投资{_fmt(completed)}万元，仅为序时进度的{_pct(ratio)}"
                    f"（低于{_pct(rules.red_pace_below)}）",
                )
            )
        elif ratio < rules.yellow_pace_below:
            reasons.append(
                Reason(
                    "pace",
                    "yellow",
                    f"完成投资{_fmt(completed)}万元，为序时进度的{_pct(ratio)}"
                    f"（低于{_pct(rules.yellow_pace_below)}）",
                )
            )

    n = facts.consecutive_missing_reports
    color = _count_rule(n, rules.red_missing_reports, rules.yellow_missing_reports)
    if color:
        reasons.append(Reason("missing_reports", color, f"连续{n}期未报送周报"))

    red_level = escalation_level(rules.red_problem_level)
    for problem in facts.problems:
        if red_level is not None and problem.escalation_level >= red_level:
            level_name = _LEVEL_NAMES[problem.escalation_level]
            reasons.append(
                Reason("problem_escalated", "red", f"问题“{problem.title}”已{level_name}")
            )
        if problem.overdue and rules.yellow_problem_overdue:
            reasons.append(
                Reason("problem_overdue", "yellow", f"问题“{problem.title}”已超期未办结")
            )

    for name in facts.overdue_procedures:
        if rules.red_procedure_overdue:
            reasons.append(Reason("procedure_overdue", "red", f"前期手续“{name}”已超期"))
        elif rules.yellow_procedure_at_risk:
            reasons.append(Reason("procedure_overdue", "yellow", f"前期手续“{name}”已超期"))
    if rules.yellow_procedure_at_risk:
        for name in facts.at_risk_procedures:
            reasons.append(Reason("procedure_at_risk", "yellow", f"前期手续“{name}”有超期风险"))

    weeks = facts.weeks_without_contact
    color = _count_rule(weeks, rules.red_no_contact_weeks, rules.yellow_no_contact_weeks)
    if color:
        reasons.append(Reason("no_contact", color, f"已连续{weeks}周无对接记录"))

    ordered = tuple(sorted(reasons, key=lambda r: -_SEVERITY[r.color]))  # stable: rule order kept
    return Light(worst(*(r.color for r in ordered)), ordered)
