"""The figures of indicators: computed from the ledger (derived) or read from monthly values
(entered), for many (unit, indicator) pairs at once with a bounded number of queries.

The rule for "projects that reached a stage within the year" (阶段计数口径), used by every
screen, export, score and API:

    A project counts for stage X in year Y, as of date D (D ≤ 31 December Y), when
    (1) its FIRST StageChange into X (``to_stage == X``) is dated within 1 January Y … D — a
        project that entered X in an earlier year never counts again, even if it left X and
        came back; a first move whose date is unknown (``date_unknown``: a ledger row of a
        project already 在建 without its 开工日期) never counts, since the import date is not the
        date the project started; and
    (2) its latest state as of D (the last StageChange dated ≤ D, ties broken by entry order)
        is X or a later main-line stage. Moving forward (开工 → 竣工) keeps the count; a move
        back to an earlier stage (台账校正), 暂缓 or 终止 removes it — and a project that is
        resumed (恢复) to X or beyond counts again, with its first date.

A project counts in the unit whose subtree holds its 所属园区 (``Project.unit``), among the
projects the person may see (projects.queries.visible). Drill-down lists call the same
function, so a figure and its list always agree.

Investment completed (完成投资) is the figure 本年完成投资（全部项目） of
``diaodu.supervision.figures`` (the latest counted report's 本年累计, else the ledger), for the
current year only (other years have no derived figure). Entered indicators take the
unit's own monthly values; a unit without its own values shows the sum of the topmost units
below it that have values (园区汇总到开发区). Cumulative (累计) values are read at the latest
month with data, and the figure is "as of" the end of that month.
"""

from __future__ import annotations

import calendar as _cal
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from diaodu import clock
from diaodu.engine import stages as S
from diaodu.org.models import Unit
from diaodu.projects import queries as pq
from diaodu.projects.models import Project, StageChange
from diaodu.supervision import queries as supervision_queries
from diaodu.targets.models import Aggregation, Indicator, MonthlyValue, Source

ZERO = Decimal(0)
WAN_PER_YI = Decimal(10000)


@dataclass
class Figure:
    value: Decimal | None  # None: no data (not entered / not available)
    as_of: date  # the date the figure is valid for
    projects: dict = field(default_factory=dict)  # derived: project id -> reached date or amount
    months: dict = field(default_factory=dict)  # month -> value at the month's end (for charts)
    note: str = ""
    data_month: int | None = None  # entered: the latest month with data
    contributors: dict = field(default_factory=dict)  # entered: unit id -> its value at data_month


# Figures that apps above targets compute (import-linter: targets may not import them): an app
# registers ``source → fn(user, unit, start, end) -> (count, {object id: date})`` at start-up.
# 重点任务按期办结 (Source.TASKS) is registered by diaodu.tasks.
PROVIDERS: dict = {}


def register_provider(source: str, fn) -> None:
    PROVIDERS[source] = fn


def month_end(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


def cutoff(year: int, on: date) -> date | None:
    """The last day that counts for `year` when looking on `on` (None before the year)."""
    if on < date(year, 1, 1):
        return None
    return min(on, date(year, 12, 31))


def roots_of(units) -> list[Unit]:
    """The units of the list that are not below another unit of the list."""
    out = []
    for u in sorted(units, key=lambda u: len(u.path)):
        if not any(u.path.startswith(r.path) for r in out):
            out.append(u)
    return out


def _paths_q(units, field_name: str = "unit__path") -> Q:
    q = Q(pk__in=[])
    for r in roots_of(units):
        q |= Q(**{f"{field_name}__startswith": r.path})
    return q


def _project_base(user, units):
    return pq.visible(user).filter(_paths_q(units))


def stage_candidates(user, units, indicator: Indicator, year: int, end: date):
    """Scoped projects under `units` that entered the indicator's stage within the year (and
    match its category/level filters): the superset the rule is then applied to."""
    qs = _project_base(user, units)
    if indicator.plan_category:
        qs = qs.filter(year_plans__year=year, year_plans__plan_category=indicator.plan_category)
    if indicator.level:
        qs = qs.filter(level=indicator.level)
    return StageChange.objects.filter(
        to_stage=indicator.stage,
        on__gte=date(year, 1, 1),
        on__lte=end,
        date_unknown=False,
        project__in=qs.values("pk"),
    ).values("project_id")


def reached_on(changes, stage: str, year: int, until: date) -> date | None:
    """Apply the rule to one project's ordered (to_stage, on[, date_unknown]) changes; the date
    it counts from."""
    first = latest = None
    for to_stage, on, *unknown in changes:
        if on > until:
            break
        if first is None and to_stage == stage:
            if unknown and unknown[0]:
                return None
            first = on
        latest = to_stage
    if first is None or first.year != year:
        return None
    if latest not in S.MAIN_LINE or S.rank(latest) < S.rank(stage):
        return None
    return first


def _month_cutoffs(year: int, end: date) -> list[tuple[int, date]]:
    return (
        [(m, min(month_end(year, m), end)) for m in range(1, end.month + 1)]
        if end.year == year
        else []
    )


def compute(user, pairs, year: int, on: date, *, series: bool = False) -> dict:
    """Figures for (unit, indicator) pairs: {(unit_id, indicator_id): Figure}."""
    out: dict = {}
    end = cutoff(year, on)
    by_source: dict[str, list] = defaultdict(list)
    for unit, ind in pairs:
        by_source[ind.source].append((unit, ind))
    if end is None:
        for unit, ind in pairs:
            out[(unit.pk, ind.pk)] = Figure(
                None if ind.source == Source.ENTERED else ZERO, on, note="年度尚未开始"
            )
        return out
    # ---- stage counts: one query per distinct (stage, category, level)
    groups: dict[tuple, list] = defaultdict(list)
    for unit, ind in by_source.get(Source.STAGE, []):
        groups[(ind.stage, ind.plan_category, ind.level)].append((unit, ind))
    for (_stage, _cat, _lvl), members in groups.items():
        units = [u for u, _ in members]
        ind0 = members[0][1]
        rows = (
            StageChange.objects.filter(
                project_id__in=stage_candidates(user, units, ind0, year, end), on__lte=end
            )
            .order_by("project_id", "on", "id")
            .values_list("project_id", "to_stage", "on", "date_unknown", "project__unit__path")
        )
        changes: dict[int, list] = defaultdict(list)
        paths: dict[int, str] = {}
        for pid, to_stage, when, unknown, path in rows:
            changes[pid].append((to_stage, when, unknown))
            paths[pid] = path
        reached = {pid: reached_on(ch, ind0.stage, year, end) for pid, ch in changes.items()}
        monthly: dict[int, dict[int, date | None]] = {}
        if series:
            for m, cut in _month_cutoffs(year, end):
                monthly[m] = {
                    pid: reached_on(ch, ind0.stage, year, cut) for pid, ch in changes.items()
                }
        for unit, ind in members:
            mine = {
                pid: d
                for pid, d in reached.items()
                if d is not None and paths[pid].startswith(unit.path)
            }
            fig = Figure(Decimal(len(mine)), end, projects=mine)
            for m, per in monthly.items():
                fig.months[m] = Decimal(
                    sum(
                        1
                        for pid, d in per.items()
                        if d is not None and paths[pid].startswith(unit.path)
                    )
                )
            out[(unit.pk, ind.pk)] = fig
    # ---- investment completed (本年完成投资 on the projects)
    inv = by_source.get(Source.INVESTMENT, [])
    if inv:
        today = clock.today()
        if year != today.year:
            for unit, ind in inv:
                out[(unit.pk, ind.pk)] = Figure(None, end, note="项目“本年完成投资”仅记录当年数据")
        else:
            # one definition: 本年完成投资（全部项目） of supervision.figures
            from diaodu.supervision.figures import completed_ytd

            base = _project_base(user, [u for u, _ in inv])
            amounts = completed_ytd(base, end)
            paths = dict(base.filter(pk__in=list(amounts)).values_list("pk", "unit__path"))
            rows = [(pid, paths[pid], a) for pid, a in amounts.items() if a and pid in paths]
            for unit, ind in inv:
                mine = {pid: amount for pid, path, amount in rows if path.startswith(unit.path)}
                total = sum(mine.values(), ZERO)
                if ind.measure == "亿元":
                    total = total / WAN_PER_YI
                fig = Figure(total, end, projects=mine, note="本年完成投资（全部项目）合计")
                if series:
                    fig.months[end.month] = total
                out[(unit.pk, ind.pk)] = fig
    # ---- problems closed on time (the weekly loop's problem list)
    for unit, ind in by_source.get(Source.PROBLEMS, []):
        counts = supervision_queries.problems_closed_on_time(
            _project_base(user, [unit]), date(year, 1, 1), end
        )
        mine = {pid: n for pid, n in counts.items() if n}
        out[(unit.pk, ind.pk)] = Figure(Decimal(sum(mine.values())), end, projects=mine)
    # ---- figures of the apps above (重点任务按期办结 from diaodu.tasks)
    for unit, ind in by_source.get(Source.TASKS, []):
        provider = PROVIDERS.get(Source.TASKS)
        if provider is None:
            out[(unit.pk, ind.pk)] = Figure(None, end, note="未安装重点工作督办模块")
            continue
        count, objects = provider(user, unit, date(year, 1, 1), end)
        out[(unit.pk, ind.pk)] = Figure(Decimal(count), end, projects=objects)
    # ---- entered monthly values
    entered = by_source.get(Source.ENTERED, [])
    if entered:
        out.update(_entered(entered, year, end, series))
    return out


def _entered(pairs, year: int, end: date, series: bool) -> dict:
    units = [u for u, _ in pairs]
    ind_ids = {i.pk for _, i in pairs}
    last_month = end.month if end.year == year else 12
    rows = MonthlyValue.objects.filter(
        _paths_q(units), year=year, month__lte=last_month, indicator_id__in=ind_ids
    ).values_list("unit_id", "unit__path", "indicator_id", "month", "value")
    values: dict[tuple, dict[int, Decimal]] = defaultdict(dict)  # (unit_id, ind) -> {month: value}
    unit_paths: dict[int, str] = {}
    for uid, path, iid, month, value in rows:
        values[(uid, iid)][month] = value
        unit_paths[uid] = path
    out = {}
    for unit, ind in pairs:
        if (unit.pk, ind.pk) in values:
            contributors = [unit.pk]
            note = ""
        else:
            below = [
                uid
                for (uid, iid) in values
                if iid == ind.pk and uid != unit.pk and unit_paths[uid].startswith(unit.path)
            ]
            contributors = [
                u
                for u in below
                if not any(unit_paths[u].startswith(unit_paths[o]) and o != u for o in below)
            ]
            note = f"由下级{len(contributors)}个单位填报值汇总" if contributors else ""
        per_unit = [values[(u, ind.pk)] for u in contributors]
        months_with_data = sorted({m for v in per_unit for m in v})
        if not months_with_data:
            out[(unit.pk, ind.pk)] = Figure(None, end, note="尚无填报数据")
            continue
        data_month = months_with_data[-1]
        series_values = {
            m: sum((_at(v, m, ind.aggregation) for v in per_unit), ZERO)
            for m in range(1, data_month + 1)
        }
        fig = Figure(
            series_values[data_month],
            min(month_end(year, data_month), end),
            months=series_values if series else {},
            note=note or f"数据截至{data_month}月",
            data_month=data_month,
        )
        fig.contributors = {
            u: _at(v, data_month, ind.aggregation) for u, v in zip(contributors, per_unit)
        }
        out[(unit.pk, ind.pk)] = fig
    return out


def _at(values: dict[int, Decimal], month: int, aggregation: str) -> Decimal:
    """One unit's figure at the end of `month`."""
    if aggregation == Aggregation.SUM:
        return sum((v for m, v in values.items() if m <= month), ZERO)
    known = [m for m in values if m <= month]
    return values[max(known)] if known else ZERO


def drill_projects(
    user, unit: Unit, indicator: Indicator, year: int, on: date
) -> tuple[Figure, list]:
    """The figure and exactly the projects that make it (derived indicators)."""
    fig = compute(user, [(unit, indicator)], year, on)[(unit.pk, indicator.pk)]
    ids = list(fig.projects)
    projects = list(
        pq.visible(user)
        .filter(pk__in=ids)
        .select_related("unit")
        .order_by("unit__path", "name_key")
    )
    return fig, projects


def province_projects(user, unit: Unit, year: int) -> list[Project]:
    """省重点项目 listed in the unit's plan of the year (adjustment source)."""
    return list(
        _project_base(user, [unit])
        .filter(level="province", year_plans__year=year)
        .distinct()
        .order_by("name_key")
    )
