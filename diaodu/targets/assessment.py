"""Turn a stored scheme, the agreements and the figures into engine.scoring inputs, score, and
keep every input next to its score (traceability).

Which units are assessed: those under the scheme's root (not the root itself) with an
agreement in force for the year. Criterion target: the unit's annual target for the
indicator; for a monthly ranking, the 序时进度 of that target at the month's end (so the ratio
is the pace index, and at year end the two coincide). Actual: the same figures as the
cockpit (derived.compute). Adjustment counts: the automatic source when available (年度省重点
项目 from the ledger; 督办级超期问题 from supervision), else the manually entered count.
纵向: last year's final (or entered historical) result of the same root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from diaodu.engine import pace, scoring
from diaodu.org.models import Unit
from diaodu.projects.models import Project
from diaodu.supervision import queries as supervision_queries
from diaodu.targets import derived, queries
from diaodu.targets.models import (
    AdjustmentEntry,
    AdjustmentSource,
    AssessmentScheme,
    ScoreSet,
    Source,
    UnitScore,
)

Q4 = Decimal("0.0001")


def engine_scheme(scheme: AssessmentScheme) -> scoring.Scheme:
    criteria = []
    for c in scheme.criteria.select_related("indicator").order_by("sort_order", "id"):
        rule = scoring.Rule(
            kind=c.rule_kind,
            cap=c.cap,
            bands=tuple((Decimal(a), Decimal(b)) for a, b in c.bands),
            rank_points=tuple(Decimal(p) for p in c.rank_points),
            rank_floor=c.rank_floor,
            rank_by=c.rank_by,
            lower_is_better=not c.indicator.higher_is_better,
        )
        criteria.append(
            scoring.Criterion(
                code=c.indicator.code, name=c.indicator.name, weight=c.weight, rule=rule
            )
        )
    adjustments = [
        scoring.Adjustment(code=a.code, name=a.name, points_each=a.points_each, cap=a.cap)
        for a in scheme.adjustments.order_by("sort_order", "id")
    ]
    return scoring.Scheme(
        year=scheme.year, criteria=tuple(criteria), adjustments=tuple(adjustments)
    )


@dataclass
class Scored:
    unit: Unit
    score: scoring.UnitScore
    details: dict = field(default_factory=dict)  # code -> inputs and evidence

    @property
    def unit_label(self) -> str:
        return self.unit.name

    @property
    def total(self) -> Decimal:
        return self.score.total


@dataclass
class Result:
    scheme: AssessmentScheme
    as_of: date
    monthly: bool
    scores: list[Scored]


def last_year(root: Unit, year: int) -> dict[int, tuple[Decimal, int]]:
    sets = list(
        ScoreSet.objects.filter(
            root=root, year=year - 1, kind__in=[ScoreSet.Kind.FINAL, ScoreSet.Kind.HISTORICAL]
        ).order_by("-id")
    )
    ss = next(
        (x for x in sets if x.kind == ScoreSet.Kind.FINAL), sets[0] if sets else None
    )  # prefer computed
    if ss is None:
        return {}
    return {s.unit_id: (s.total, s.rank) for s in ss.scores.all()}


def compute(user, scheme: AssessmentScheme, *, as_of: date, monthly: bool) -> Result:
    year = scheme.year
    agreements = [
        a
        for a in queries.effective_agreements(user, year, within=scheme.root)
        if a.unit_id != scheme.root_id
    ]
    engine = engine_scheme(scheme)
    criteria = {c.indicator.code: c for c in scheme.criteria.select_related("indicator")}
    pairs, items = [], {}
    for a in agreements:
        for item in a.items.all():
            if item.indicator.code in criteria:
                pairs.append((a.unit, item.indicator))
                items[(a.unit_id, item.indicator.code)] = (item, a)
    figures = derived.compute(user, pairs, year, as_of)
    project_ids = {pid for f in figures.values() for pid in f.projects}
    names = dict(Project.objects.filter(pk__in=project_ids).values_list("pk", "name"))
    unit_names = dict(
        Unit.objects.filter(path__startswith=scheme.root.path).values_list("pk", "name")
    )
    history = last_year(scheme.root, year)
    adjustments = list(scheme.adjustments.order_by("sort_order", "id"))
    manual = {
        (e.adjustment_id, e.unit_id): e
        for e in AdjustmentEntry.objects.filter(adjustment__scheme=scheme)
    }
    inputs, details = [], {}
    for a in agreements:
        unit = a.unit
        values, det = {}, {}
        for code, crit in criteria.items():
            if (unit.pk, code) not in items:
                continue
            item, agr = items[(unit.pk, code)]
            ind = crit.indicator
            fig = figures[(unit.pk, ind.pk)]
            profile = queries.item_profile(item, agr)
            when = fig.as_of if (ind.source == Source.ENTERED and fig.value is not None) else as_of
            share = pace.expected_share(when, year, profile)
            used = (item.target * share).quantize(Q4) if monthly else item.target
            actual = fig.value if fig.value is not None else Decimal(0)
            values[code] = (used, actual)
            det[code] = {
                "indicator_id": ind.pk,
                "measure": ind.measure,
                "source": ind.source,
                "annual_target": str(item.target),
                "expected_share": str(share.quantize(Q4)),
                "target_used": str(used),
                "actual": str(actual),
                "as_of": fig.as_of.isoformat(),
                "note": fig.note + ("（未填报，按0计）" if fig.value is None else ""),
                "rule_text": ind.rule_text,
                "projects": [
                    [pid, names.get(pid, ""), str(v)]
                    for pid, v in sorted(fig.projects.items(), key=lambda kv: (str(kv[1]), kv[0]))
                ],
                "contributors": [
                    [unit_names.get(uid, str(uid)), str(v)] for uid, v in fig.contributors.items()
                ],
            }
        counts = {}
        for adj in adjustments:
            n, evidence, how = _adjustment_count(user, adj, unit, year, as_of, manual)
            counts[adj.code] = n
            det[adj.code] = {"source": adj.source, "how": how, "projects": evidence}
        prev = history.get(unit.pk)
        inputs.append(
            scoring.UnitInput(
                unit=str(unit.pk),
                values=values,
                counts=counts,
                last_year_score=prev[0] if prev else None,
                last_year_rank=prev[1] if prev else None,
            )
        )
        details[unit.pk] = det
    scored = scoring.score(engine, inputs) if inputs else []
    by_id = {a.unit.pk: a.unit for a in agreements}
    return Result(
        scheme,
        as_of,
        monthly,
        [Scored(by_id[int(s.unit)], s, details[int(s.unit)]) for s in scored],
    )


def _adjustment_count(
    user, adj, unit: Unit, year: int, as_of: date, manual: dict
) -> tuple[int, list, str]:
    entry = manual.get((adj.pk, unit.pk))
    if adj.source == AdjustmentSource.PROVINCE_PROJECTS:
        projects = derived.province_projects(user, unit, year)
        return (
            len(projects),
            [[p.pk, p.name, p.level] for p in projects],
            "项目台账：本年度计划内的省重点项目",
        )
    if adj.source == AdjustmentSource.OVERDUE_DUBAN:
        counts = supervision_queries.overdue_problems(
            derived._project_base(user, [unit]), date(year, 1, 1), as_of
        )
        pids = {pid: n for pid, n in counts.items() if n}
        names = dict(Project.objects.filter(pk__in=list(pids)).values_list("pk", "name"))
        return (
            sum(pids.values()),
            [[pid, names.get(pid, ""), n] for pid, n in pids.items()],
            "督查模块：督办级超期问题",
        )
    if entry is not None:
        return entry.count, [], f"手工录入：{entry.note}" if entry.note else "手工录入"
    return 0, [], "未录入（按0计）"


def store(ss: ScoreSet, result: Result) -> None:
    rows = []
    for s in result.scores:
        lines = []
        for line in s.score.lines:
            d = s.details.get(line.code, {})
            lines.append(
                {
                    "code": line.code,
                    "name": line.name,
                    "kind": line.kind,
                    "points": str(line.points),
                    "explanation": line.explanation,
                    "weight": _s(line.weight),
                    "target": _s(line.target),
                    "actual": _s(line.actual),
                    "ratio": _s(line.ratio),
                    "count": line.count,
                    "rank": line.rank,
                    **d,
                }
            )
        rows.append(
            UnitScore(
                score_set=ss,
                unit=s.unit,
                base=s.score.base,
                adjustments=s.score.adjustments,
                total=s.score.total,
                rank=s.score.rank,
                tied=s.score.tied,
                change_vs_last_year=s.score.change_vs_last_year,
                rank_change=s.score.rank_change,
                lines=lines,
            )
        )
    UnitScore.objects.bulk_create(rows)


def _s(v):
    return None if v is None else str(v)
