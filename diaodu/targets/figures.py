"""Headline figures of target progress (目标完成情况) of a unit on a date.

Registered with ``diaodu.supervision.figures.register`` at start-up (TargetsConfig.ready), so
that ``supervision.figures.headline`` — what ``GET /api/v1/figures`` returns and what the cockpit,
the home page, the period summary and the bulletin print — includes them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from diaodu.org.models import Unit
from diaodu.projects.figures import Fig, cn
from diaodu.targets import queries


def target_figures(user, unit: Unit, on: date) -> list[Fig]:
    """目标完成: per indicator of the unit's agreement (or the sum of those below it), the actual
    figure and its completion rate against the year's target."""
    rows, mode, used = queries.unit_rows(user, unit, on.year, on)
    whose = "本单位目标责任状" if mode == "own" else f"下级{len(used)}个单位目标责任状汇总"
    out = []
    for r in rows:
        ind = r.indicator
        pace_label = queries.profile_label(r.profile)
        as_of = r.figure.as_of
        basis = (
            f"{ind.rule_text}；年度目标{r.target.normalize():f}{ind.measure}（{whose}），"
            f"序时进度{pace_label}；数据截至{cn(as_of)}。"
        )
        out.append(
            Fig(
                f"targets.{ind.code}",
                f"{ind.name}（目标完成）",
                basis,
                r.actual,
                ind.measure,
                as_of,
                r.drill_url,
            )
        )
        rate = r.result.completion_rate
        out.append(
            Fig(
                f"targets.{ind.code}.rate",
                f"{ind.name}（完成率）",
                f"“{ind.name}”完成值 ÷ 年度目标{r.target.normalize():f}{ind.measure}（{whose}）；"
                f"数据截至{cn(as_of)}。",
                None if rate is None else (rate * 100).quantize(Decimal("0.01")),
                "%",
                as_of,
                r.drill_url,
            )
        )
    return out


def provide(user, unit: Unit, on: date) -> list[Fig]:
    """Target progress for the headline list (people who may see targets only)."""
    return target_figures(user, unit, on) if queries._viewer(user) else []
