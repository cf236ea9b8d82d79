"""Headline figures of the weekly loop, each defined once: 本年完成投资 and 完成率, reports due /
filed / returned / missing, lights by colour, problems open / overdue (the ledger's own figures
are in ``diaodu.projects.figures``; see there for what a figure is).

The period summary page, the bulletin (.docx and .xlsx), the cockpit, the home page and
``/api/v1/figures`` all take their numbers from these functions, for one unit and one date:
the period of a figure is the unit's report period that contains that date.

本年完成投资 of one project in year Y, as of date D (:func:`completed_ytd`):
the 本年累计 of its latest report of Y that counts (报送 or 审核通过, not 退回; a 核减 only once
accepted) with a period
starting on or before D; a project with no such report takes what the ledger said before its
first report (the baseline) when that was for Y, and a project that never reported takes the
ledger's 本年完成投资 when its 计划年度 is Y or empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone

from diaodu import clock
from diaodu.engine import periods as P
from diaodu.org.models import Unit
from diaodu.projects import figures as pf
from diaodu.projects.figures import ACTIVE_NOTE, ALL_NOTE, Fig, cn
from diaodu.supervision import queries
from diaodu.supervision.models import (
    OPEN_PROBLEM,
    RUNNING,
    InvestmentBaseline,
    ProblemEvent,
    ProgressReport,
    ReportStatus,
    in_totals,
)

ZERO = Decimal("0")
COUNTED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)  # a returned report counts nowhere


LIGHTS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}


def _url(name: str, unit: Unit, **params) -> str:
    return f"{reverse(name)}?{urlencode({'unit': unit.pk, **params})}"


# ---------------------------------------------------------------- 本年完成投资
def completed_ytd(projects, on: date) -> dict[int, Decimal]:
    """本年完成投资 of each project of ``projects`` (a queryset) in ``on.year`` as of ``on``."""
    year = on.year
    out: dict[int, Decimal] = {}
    for pid, ytd in (
        ProgressReport.objects.filter(
            project__in=projects.values("pk"),
            year=year,
            period_start__lte=on,
        )
        .filter(in_totals())
        .order_by("project_id", "period_start")
        .values_list("project_id", "ytd")
    ):
        out[pid] = ytd
    baselines = {
        pid: (b_year, amount)
        for pid, b_year, amount in InvestmentBaseline.objects.filter(
            project__in=projects.values("pk")
        ).values_list("project_id", "year", "this_year")
    }
    for pid, amount, plan_year in projects.order_by().values_list(
        "pk", "completed_this_year", "plan_year"
    ):
        if pid in out:
            continue
        if pid in baselines:
            b_year, b_amount = baselines[pid]
            out[pid] = b_amount if b_year == year else ZERO
        elif amount and plan_year in (None, year):
            out[pid] = amount
    return out


def last_counted_report(project, period: P.Period) -> ProgressReport | None:
    """The project's latest report before ``period`` whose figures count (what the form shows
    beside the fields: 上期本期完成、本年累计、开工以来累计)."""
    return (
        ProgressReport.objects.filter(project=project, period_start__lt=period.start)
        .filter(in_totals())
        .order_by("-period_start")
        .first()
    )


def completed_investment(unit: Unit, on: date, amounts: dict[int, Decimal], *, active: bool) -> Fig:
    """本年完成投资（全部项目 / 应报项目）; ``amounts`` from :func:`completed_ytd`, already
    limited to the projects the figure counts."""
    return Fig(
        key="investment.done.active" if active else "investment.done.all",
        label=f"本年完成投资（{'应报项目' if active else '全部项目'}）",
        definition=f"{unit.name}所属园区内项目{on.year}年完成投资之和，截至{cn(on)}：每个项目取"
        "此前最近一期已报送（未退回）周报的“本年累计”，尚无本年周报的取台账“本年完成投资”；"
        f"{ACTIVE_NOTE if active else ALL_NOTE}。",
        value=sum(amounts.values(), ZERO),
        unit="万元",
        as_of=on,
        drill=pf.ledger_url(unit, stages=pf.ACTIVE_STAGES if active else ()),
    )


def completion_rate(unit: Unit, on: date, done: Fig, plan: Fig, *, active: bool) -> Fig:
    """完成率 = 本年完成投资 ÷ 年度计划投资 (of the same projects), a percentage."""
    rate = (
        (Decimal(done.value) * 100 / Decimal(plan.value)).quantize(Decimal("0.1"))
        if plan.value
        else ZERO
    )
    who = "应报项目" if active else "全部项目"
    return Fig(
        key="investment.rate.active" if active else "investment.rate.all",
        label=f"投资完成率（{who}）",
        definition=f"“{done.label}”÷“{plan.label}”，百分比保留一位小数；截至{cn(on)}。",
        value=rate,
        unit="%",
        as_of=on,
        drill=done.drill,
    )


# ---------------------------------------------------------------- the period's reports
def period_of(unit: Unit, on: date) -> P.Period:
    """The unit's report period that contains ``on`` (weekly when no cycle is set)."""
    cycle = queries.cycle_for_unit(unit)
    return P.of(on, cycle.frequency if cycle else P.WEEKLY)


@dataclass
class ReportCounts:
    due: int = 0
    filed: int = 0
    on_time: int = 0
    late: int = 0
    returned: int = 0
    to_review: int = 0  # filed and not yet reviewed (已报送, 待审核)

    @property
    def missing(self) -> int:
        """未报送数: owed minus filed, a returned report counting as not filed."""
        return self.due - self.filed

    @property
    def never_filed(self) -> int:
        """待填报数: owed and never filed (未报送数 less the returned ones, which wait for a
        revision rather than a new report)."""
        return self.due - self.filed - self.returned


def report_counts(user, unit: Unit, period: P.Period, *, among=None) -> ReportCounts:
    """Reports of the period from the projects that owe one: a returned report is not filed.
    ``among`` narrows the projects (a secretary's own, a leader's led ones) without changing
    the definition."""
    rc = ReportCounts(due=queries.owed_projects(user, unit, period, among=among).count())
    # counted in the database: a province's period has tens of thousands of reports
    rows = (
        queries.period_reports(user, unit, period, among=among)
        .order_by()
        .values_list("status", "is_late")
        .annotate(n=Count("id"))
    )
    for status, is_late, n in rows:
        if status == ReportStatus.RETURNED:
            rc.returned += n
            continue
        rc.filed += n
        if status == ReportStatus.SUBMITTED:
            rc.to_review += n
        if is_late:
            rc.late += n
        else:
            rc.on_time += n
    return rc


def report_figures(unit: Unit, period: P.Period, on: date, rc: ReportCounts) -> list[Fig]:
    def url(**kw):
        return _url("supervision:reports", unit, period=period.code, **kw)

    owed = f"{period.name}应报送进度的项目（{ACTIVE_NOTE}，所属开发区已设报送周期）"
    return [
        Fig(
            "reports.due",
            "应报周报数",
            f"{owed}数；截至{cn(on)}。",
            rc.due,
            "个",
            on,
            _url("supervision:missing", unit, period=period.code),
        ),
        Fig(
            "reports.filed",
            "已报周报数",
            f"{owed}中已报送且未被退回的周报数（含逾期报送、已审核）；截至{cn(on)}。",
            rc.filed,
            "个",
            on,
            url(),
        ),
        Fig(
            "reports.late",
            "逾期报送数",
            f"已报周报中晚于{period.name}截止时间报送的周报数；截至{cn(on)}。",
            rc.late,
            "个",
            on,
            url(late="1"),
        ),
        Fig(
            "reports.returned",
            "退回待重报数",
            f"{period.name}被督查室退回、尚未修改重报的周报数（不计入已报，其投资不计入合计）；截至{cn(on)}。",
            rc.returned,
            "个",
            on,
            url(status=ReportStatus.RETURNED),
        ),
        Fig(
            "reports.missing",
            "未报送数",
            f"应报周报数减已报周报数（退回待重报的计为未报送）；截至{cn(on)}。",
            rc.missing,
            "个",
            on,
            _url("supervision:missing", unit, period=period.code),
        ),
    ]


# ---------------------------------------------------------------- lights
def light_counts(user, unit: Unit, period: P.Period, due: int, *, among=None) -> dict[str, int]:
    """Lights of the period's owed projects by effective colour (``among`` narrows them)."""
    counts = {"red": 0, "yellow": 0, "green": 0}
    by_colour = (
        queries.period_lights(user, unit, period, among=among)
        .order_by()
        .annotate(eff=Coalesce(NullIf("override_color", Value("")), "color"))  # effective_color
        .values("eff")
        .annotate(n=Count("id"))
        .values_list("eff", "n")
    )
    for colour, n in by_colour:
        counts[colour] = counts.get(colour, 0) + n
    counts["none"] = max(due - sum(counts.values()), 0)
    return counts


def light_figures(unit: Unit, period: P.Period, on: date, counts: dict) -> list[Fig]:
    out = [
        Fig(
            f"lights.{color}",
            f"{label}项目数",
            f"{period.name}应报项目中亮{label}的项目数（督查室调整过的按调整后的灯色）；截至{cn(on)}。",
            counts.get(color, 0),
            "个",
            on,
            _url("supervision:lights", unit, period=period.code, color=color),
        )
        for color, label in LIGHTS.items()
    ]
    out.append(
        Fig(
            "lights.none",
            "未评定亮灯项目数",
            f"{period.name}应报项目中尚未计算亮灯的项目数；截至{cn(on)}。",
            counts.get("none", 0),
            "个",
            on,
            _url("supervision:lights", unit, period=period.code),
        )
    )
    return out


# ---------------------------------------------------------------- problems
def problem_counts(user, unit: Unit, on: date) -> dict[str, int]:
    """Problems open and overdue as they stood at the end of ``on``.

    For today (or later) that is each problem's status. For a past date it is the status its
    history gave it at the end of that day (the last status-changing event up to then), so a
    problem raised since, or closed since, counts as it was; a problem with no recorded
    history keeps its status."""
    probs = queries.problems(user, queries.ProblemFilter(unit=unit), today=on)
    if on >= clock.today():
        return {
            "open": probs.filter(status__in=OPEN_PROBLEM).count(),
            "overdue": probs.filter(status__in=RUNNING, due_date__lt=on).count(),
        }
    cutoff = _day_end(on)
    last = (
        ProblemEvent.objects.filter(problem=OuterRef("pk"), at__lt=cutoff)
        .exclude(to_status="")
        .order_by("-at", "-id")
        .values("to_status")[:1]
    )
    probs = probs.filter(raised_at__lt=cutoff).annotate(
        status_on=Coalesce(Subquery(last), F("status"))
    )
    return {
        "open": probs.filter(status_on__in=OPEN_PROBLEM).count(),
        "overdue": probs.filter(status_on__in=RUNNING, due_date__lt=on).count(),
    }


def _day_end(on: date) -> datetime:
    """The first instant after ``on`` in the server's time zone."""
    return timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))


def problem_figures(unit: Unit, on: date, counts: dict) -> list[Fig]:
    return [
        Fig(
            "problems.open",
            "未销号问题数",
            f"{unit.name}所属园区内项目的问题中尚未销号的（提出、交办、办理中、退回、办结待销号）；截至{cn(on)}。",
            counts["open"],
            "个",
            on,
            _url("supervision:problems", unit, open="1"),
        ),
        Fig(
            "problems.overdue",
            "超期问题数",
            f"正在办理（交办、办理中、退回）且办结时限早于{cn(on)}的问题数。",
            counts["overdue"],
            "个",
            on,
            _url("supervision:problems", unit, overdue="1"),
        ),
    ]


# ---------------------------------------------------------------- all of a unit
@dataclass
class Numbers:
    """What a unit's headline figures are made of, computed once for one date."""

    unit: Unit
    on: date
    period: P.Period
    figures: list[Fig]
    reports: ReportCounts
    lights: dict
    problems: dict

    def by_key(self) -> dict[str, Fig]:
        return {f.key: f for f in self.figures}

    def value(self, key: str):
        return self.by_key()[key].value


def investment_figures(unit: Unit, on: date, projects, active: set[int]) -> list[Fig]:
    plan = pf.plan_amounts(projects, on.year)
    done = completed_ytd(projects, on)
    out = []
    for is_active in (False, True):
        keep = (lambda pid: pid in active) if is_active else (lambda pid: True)
        p = pf.annual_plan_investment(
            unit, on, {k: v for k, v in plan.items() if keep(k)}, active=is_active
        )
        d = completed_investment(
            unit, on, {k: v for k, v in done.items() if keep(k)}, active=is_active
        )
        out += [p, d, completion_rate(unit, on, d, p, active=is_active)]
    return out


def as_of_for(period: P.Period) -> date:
    """The date a period's pages and bulletin are "as of": today while it runs, its last day
    once it is over (and its first day before it starts)."""
    return min(max(clock.today(), period.start), period.end)


def numbers(user, unit: Unit, on: date | None = None, *, period: P.Period | None = None) -> Numbers:
    """Every headline figure of the ledger and the weekly loop for a unit on a date."""
    today = clock.today()
    on = on or today
    period = period or period_of(unit, on)
    rc = report_counts(user, unit, period)
    lights = light_counts(user, unit, period, rc.due)
    probs = problem_counts(user, unit, on)
    projects = pf.unit_projects(user, unit)
    stages = pf.stages_on(projects, on, today)
    figs = (
        pf.projects_by_stage(unit, on, stages)
        + pf.projects_by_category(unit, on, projects)
        + investment_figures(unit, on, projects, pf.active_ids(stages))
        + report_figures(unit, period, on, rc)
        + light_figures(unit, period, on, lights)
        + problem_figures(unit, on, probs)
    )
    return Numbers(unit, on, period, figs, rc, lights, probs)


# ---------------------------------------------------------------- figures of apps above
# Apps above supervision (targets) add their figures here at start-up (AppConfig.ready), so
# that the pages and the bulletin of this app print them without importing upward.
_PROVIDERS: list = []


def register(provider) -> None:
    """``provider(user, unit, on) -> list[Fig]``; registered once per process."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def headline(
    user,
    unit: Unit,
    on: date | None = None,
    *,
    period: P.Period | None = None,
    computed: Numbers | None = None,
):
    """Every headline figure of a unit on a date: :func:`numbers` and the figures of the apps
    above (target progress). Returns (Numbers, list of Fig). ``computed`` is a :class:`Numbers`
    the caller already has for the same user, unit, date and period (a page that shows the
    period summary and the 主要数据 panel computes them once)."""
    if (
        computed is not None
        and (computed.unit, computed.on) == (unit, on or clock.today())
        and (period is None or computed.period == period)
    ):
        n = computed
    else:
        n = numbers(user, unit, on, period=period)
    figs = list(n.figures)
    for provider in _PROVIDERS:
        figs += provider(user, unit, n.on)
    return n, figs
