"""Headline figures of the project ledger, each defined once (一个数字，一个口径).

A figure is a named function that returns a :class:`Fig`: its key, its label (which says
whose projects it counts when two figures legitimately differ, e.g. 全部项目 vs 应报项目), a
one-sentence Chinese definition (which projects, which date), its value, its unit, the date
it is valid for ("as of") and a link to the records that make it. Every page, document and
``/api/v1/figures`` shows these functions' results, never a sum of its own.

This module holds the figures the ledger alone can answer: projects by stage and by 年度类别,
and 年度计划投资. Figures that need the weekly reports (本年完成投资, reports, lights, problems)
are in ``diaodu.supervision.figures``; target progress in ``diaodu.targets.figures``.

Projects of a unit: the projects the person may see (``projects.queries.visible``) whose
所属园区 is the unit or lies below it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse

from diaodu.engine import stages as S
from diaodu.org.models import Unit
from diaodu.projects import queries as pq
from diaodu.projects.models import PlanCategory, ProjectYearPlan, StageChange

ZERO = Decimal("0")

# 应报项目: the stages in which a project owes weekly reports (签约 … 投产); 线索/在谈 are not yet
# projects on site, 达产 is done, 暂缓/终止 are side exits.
ACTIVE_STAGES = S.ACTIVE
ACTIVE_NOTE = "仅计签约、落地、前期、在建、竣工、投产阶段（应报送进度）的项目，不含线索、在谈、达产、暂缓、终止"
ALL_NOTE = "含暂缓、终止等全部阶段的项目"


@dataclass(frozen=True)
class Fig:
    key: str
    label: str
    definition: str
    value: Decimal | int | None
    unit: str
    as_of: date
    drill: str = ""

    def as_dict(self) -> dict:
        return {**asdict(self), "value": self.plain}

    @property
    def plain(self) -> Decimal | int | None:
        """The value as every page and document prints it: counts whole, amounts and
        percentages to two decimals."""
        if self.value is None:
            return None
        if self.unit == "个" and Decimal(self.value) == int(self.value):
            return int(self.value)
        return Decimal(self.value).quantize(Decimal("0.01"))

    @property
    def text(self) -> str:
        """Thousands separators, no trailing zeros: 396,048 / 60.8 / 24.32."""
        v = self.plain
        if v is None:
            return "—"
        if isinstance(v, int):
            return f"{v:,}"
        t = f"{v:,.2f}"
        return t.rstrip("0").rstrip(".") if "." in t else t


def cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def ledger_url(unit: Unit, *, stages=(), **params) -> str:
    query = [("unit", unit.pk), *(("stage", s) for s in stages), *params.items()]
    return f"{reverse('projects:list')}?{urlencode(query)}"


# ---------------------------------------------------------------- the projects of a unit
def unit_projects(user, unit: Unit):
    """The projects of a unit the person may see (the base of every figure)."""
    return pq.visible(user).filter(unit__path__startswith=unit.path)


def stages_on(projects, on: date, today: date) -> dict[int, str]:
    """The stage of each project at the end of ``on``: the ledger's current stage for today and
    later, the last stage change dated on or before ``on`` for an earlier date (a project that
    had no stage yet is left out)."""
    if on >= today:
        return dict(projects.order_by().values_list("pk", "stage"))
    out: dict[int, str] = {}
    for pid, stage in (
        StageChange.objects.filter(project__in=projects.values("pk"), on__lte=on)
        .order_by("project_id", "on", "id")
        .values_list("project_id", "to_stage")
    ):
        out[pid] = stage
    return out


def active_ids(stages: dict[int, str]) -> set[int]:
    """Ids of the projects in an 应报 stage (签约 … 投产), from :func:`stages_on`."""
    return {pid for pid, st in stages.items() if st in ACTIVE_STAGES}


# ---------------------------------------------------------------- projects by stage / category
def projects_by_stage(unit: Unit, on: date, stages: dict[int, str]) -> list[Fig]:
    """项目数·{阶段}: the unit's projects whose stage at the end of ``on`` is that stage
    (``stages`` from :func:`stages_on`)."""
    counts = Counter(stages.values())
    return [
        Fig(
            key=f"projects.stage.{stage}",
            label=f"{S.label(stage)}项目数",
            definition=f"截至{cn(on)}，{unit.name}所属园区内阶段为“{S.label(stage)}”的项目数"
            "（按阶段变更记录；本人可见的项目）。",
            value=counts.get(stage, 0),
            unit="个",
            as_of=on,
            drill=ledger_url(unit, stages=[stage]),
        )
        for stage in S.MAIN_LINE + S.SIDE
    ]


def projects_by_category(unit: Unit, on: date, projects) -> list[Fig]:
    """{年度类别}项目数: projects in the year's plan (项目年度计划) with that category."""
    year = on.year
    counts = Counter(
        projects.filter(year_plans__year=year)
        .order_by()
        .values_list("year_plans__plan_category", flat=True)
    )
    return [
        Fig(
            key=f"projects.category.{cat.value}",
            label=f"{year}年度计划{cat.label}类项目数",
            definition=f"{unit.name}所属园区内列入{year}年度计划、年度类别为“{cat.label}”的项目数"
            f"（{ALL_NOTE}）。",
            value=counts.get(cat.value, 0),
            unit="个",
            as_of=on,
            drill=ledger_url(unit, category=cat.value),
        )
        for cat in PlanCategory
    ]


# ---------------------------------------------------------------- 年度计划投资
def plan_amounts(projects, year: int) -> dict[int, Decimal]:
    """A project's 年度计划投资 of ``year``: the ledger's 年度计划投资 when its 计划年度 is that
    year or empty; otherwise the project's plan of that year (项目年度计划), if any."""
    out: dict[int, Decimal] = {}
    for pid, amount, plan_year in projects.order_by().values_list(
        "pk", "annual_plan_investment", "plan_year"
    ):
        if amount and plan_year in (None, year):
            out[pid] = amount
    for pid, amount in (
        ProjectYearPlan.objects.filter(project__in=projects.values("pk"), year=year)
        .exclude(project_id__in=list(out))
        .values_list("project_id", "annual_plan_investment")
    ):
        if amount:
            out[pid] = amount
    return out


def annual_plan_investment(
    unit: Unit, on: date, amounts: dict[int, Decimal], *, active: bool
) -> Fig:
    """年度计划投资（全部项目 / 应报项目）; ``amounts`` from :func:`plan_amounts`, already limited
    to the projects the figure counts (all of the unit's, or those of :func:`active_ids`)."""
    year = on.year
    who = ACTIVE_NOTE if active else ALL_NOTE
    return Fig(
        key="investment.plan.active" if active else "investment.plan.all",
        label=f"年度计划投资（{'应报项目' if active else '全部项目'}）",
        definition=f"{unit.name}所属园区内项目{year}年度计划投资之和：取台账“年度计划投资”"
        f"（计划年度为{year}年或未填），{who}；截至{cn(on)}。",
        value=sum(amounts.values(), ZERO),
        unit="万元",
        as_of=on,
        drill=ledger_url(unit, stages=ACTIVE_STAGES if active else ()),
    )


# ---------------------------------------------------------------- the ledger's 合计 row
LEDGER_SUMS = {
    "total": "total_investment",
    "annual": "annual_plan_investment",
    "completed": "completed_this_year",
}


def ledger_totals(projects) -> dict:
    """台账合计: the number of projects of the filtered ledger (``projects``, the very queryset
    the page lists, all pages) and the sums of its money columns as the ledger shows them —
    总投资, 年度计划投资 and 本年完成投资 of each project's record (万元)."""
    from django.db.models import Count, Sum

    agg = projects.order_by().aggregate(
        n=Count("id"), **{k: Sum(field) for k, field in LEDGER_SUMS.items()}
    )
    return {"count": agg.pop("n"), **{k: v or ZERO for k, v in agg.items()}}
