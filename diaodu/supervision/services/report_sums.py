"""The running sums of a project's reports (本年累计, 开工以来累计: never typed) and their rules,
and the lights that name a project's reports, kept true after every change of a report.

Rules (checked before anything is written; a Chinese error names the field):

* Only reports that count add up: filed (报送) or accepted (审核通过), never returned (退回); a
  核减 (negative 本期完成投资) only once another person has accepted it. A report that does not
  count shows the sums without itself.
* The sums start from what the ledger said before the first report (the baseline); since the
  start includes this year, the starting 开工以来累计 is never below the starting 本年累计.
* 本年累计 ≥ 0 and 开工以来累计 ≥ 本年累计, at every report from the one changed onwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from diaodu import clock
from diaodu.engine import lights as L
from diaodu.engine import periods as P
from diaodu.supervision import queries
from diaodu.supervision.models import InvestmentBaseline, Light, ProgressReport

ZERO = Decimal("0")


@dataclass
class Line:
    """One report as the sums see it."""

    key: object  # the report's pk, or "new" for the one being filed
    period_start: date
    year: int
    invested: Decimal
    counts: bool
    ytd: Decimal = ZERO
    since_start: Decimal = ZERO


@dataclass
class Base:
    since_start: Decimal
    this_year: Decimal
    year: int


def base_of(project, year: int) -> Base:
    """The baseline: stored at the first report; before it, what the ledger says now."""
    b = InvestmentBaseline.objects.filter(project=project).first()
    if b is not None:
        return Base(b.since_start, b.this_year, b.year)
    this_year = (project.completed_this_year or ZERO) if project.plan_year in (None, year) else ZERO
    return Base(project.completed_since_start or ZERO, this_year, year)


def run(base: Base, lines: list[Line]) -> tuple[list[Line], dict[int, Decimal], Decimal]:
    """Fill ytd and since_start of each line (ordered by period); returns the lines, the sums per
    year and the final sum since the start."""
    since = max(base.since_start, base.this_year)
    per_year: dict[int, Decimal] = {}
    for ln in sorted(lines, key=lambda x: x.period_start):
        per_year.setdefault(ln.year, base.this_year if ln.year == base.year else ZERO)
        if ln.counts:
            since += ln.invested
            per_year[ln.year] += ln.invested
        ln.ytd, ln.since_start = per_year[ln.year], since
    return lines, per_year, since


def lines_of(project, *, replace: dict | None = None) -> list[Line]:
    """The project's reports as lines; ``replace`` maps a pk (or "new") to a line to use instead
    (or add) — the report as it would be after the change."""
    replace = dict(replace or {})
    out = []
    for r in ProgressReport.objects.filter(project=project).order_by("period_start"):
        out.append(
            replace.pop(r.pk, None)
            or Line(r.pk, r.period_start, r.year, r.invested, r.counts_in_totals)
        )
    out.extend(replace.values())
    return out


def check(project, candidate: Line, errors: dict, key: str = "invested") -> None:
    """The sums with ``candidate`` counted (as it will once filed / accepted): every counted
    report from the candidate's period on keeps 本年累计 ≥ 0 and 开工以来累计 ≥ 本年累计."""
    lines, _per_year, _since = run(
        base_of(project, candidate.year),
        lines_of(project, replace={candidate.key: candidate}),
    )
    for ln in lines:
        if not ln.counts or ln.period_start < candidate.period_start:
            continue
        when = "本期" if ln.key == candidate.key else f"{P.of(ln.period_start).name}"
        if ln.ytd < 0:
            errors[key] = (
                f"本期完成投资{candidate.invested}万元将使{when}本年累计为{ln.ytd}万元，"
                "本年累计不能小于0，请核实。"
            )
            return
        if ln.since_start < ln.ytd:
            errors[key] = (
                f"本期完成投资{candidate.invested}万元将使{when}开工以来累计（{ln.since_start}万元）"
                f"小于本年累计（{ln.ytd}万元），请核实。"
            )
            return


def refresh_lights(project, since: date) -> int:
    """Recompute the project's lights of every period ending on or after ``since`` (the period of
    the report that changed and the later ones), so that a light never contradicts the reports
    it names. A leader's override stays. Returns how many lights changed colour or reasons."""
    changed = 0
    for lt in (
        Light.objects.select_for_update(of=("self",))
        .filter(project=project, period_end__gte=since)
        .select_related("cycle")
    ):
        cycle = lt.cycle
        period = P.parse(lt.period, cycle.frequency)
        facts = queries.light_facts([project], cycle, period, None)
        if project.pk not in facts:
            continue
        f, plain = facts[project.pk]
        result = L.evaluate(f, queries.rules_of(cycle))
        reasons = [{"code": r.code, "color": r.color, "message": r.message} for r in result.reasons]
        if (lt.color, lt.reasons) != (result.color, reasons):
            changed += 1
        lt.color, lt.reasons, lt.facts, lt.computed_at = result.color, reasons, plain, clock.now()
        lt.save(update_fields=["color", "reasons", "facts", "computed_at"])
    return changed
