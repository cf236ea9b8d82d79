"""Stored schedules: compute a chain, recompute one or all, write the results."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from diaodu import clock
from diaodu.audit.services import ObjectRef, record
from diaodu.engine import schedule as E
from diaodu.org.models import Unit
from diaodu.procedures import workcal
from diaodu.procedures.models import (
    ProcedureChain,
    ProjectProcedure,
    Stage,
)
from diaodu.projects.models import Project

from .common import at_risk_threshold

# ================================================================ scheduling
RESULT_FIELDS = (
    "latest_start",
    "latest_finish",
    "earliest_start",
    "earliest_finish",
    "slack_wd",
    "critical",
    "overdue",
    "at_risk",
)
EMPTY_RESULT = (None, None, None, None, None, False, False, False)
# columns read for a computation (values_list order)
ITEM_COLS = (
    "id",
    "chain_id",
    "code",
    "name",
    "stage",
    "duration_wd",
    "predecessors",
    "status",
    "actual_start",
    "actual_finish",
    "duration_unit",
) + RESULT_FIELDS
N_INPUT = len(ITEM_COLS) - len(RESULT_FIELDS)  # row[N_INPUT:] is the stored result
CHAIN_RESULT_FIELDS = (
    "target_start",
    "expected_start",
    "days_late_wd",
    "critical_path",
    "delay_cause",
    "calendar_warnings",
    "overdue_count",
    "at_risk_count",
    "compute_error",
)


def compute(
    rows: list[tuple], target: date | None, today: date, cal, at_risk: int
) -> tuple[dict, tuple, tuple]:
    """Schedule one chain from ITEM_COLS rows. Returns ({item id: result tuple}, chain result
    tuple in CHAIN_RESULT_FIELDS order, (engine wall seconds, engine CPU seconds)). 竣工验收
    items are after 开工: they get no dates. Without a target start only the earliest dates are
    kept."""
    ACCEPT = Stage.ACCEPTANCE
    pre = [r for r in rows if r[4] != ACCEPT]
    codes = {r[2] for r in pre}
    items = [
        E.Item(
            r[2],
            r[3],
            r[5],
            [E.Dep(d["code"], d.get("lag_wd") or 0) for d in r[6] if d["code"] in codes],
            r[7],
            r[8],
            r[9],
            r[10],
        )
        for r in pre
    ]
    out = {r[0]: EMPTY_RESULT for r in rows}
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        res = E.schedule(
            items, target_start=target or today, today=today, calendar=cal, at_risk_slack_wd=at_risk
        )
    except ValueError as exc:
        return (
            out,
            (target, None, None, [], "", [], 0, 0, str(exc)[:300]),
            (time.perf_counter() - t0, time.process_time() - c0),
        )
    engine = (time.perf_counter() - t0, time.process_time() - c0)
    ids = {r[2]: r[0] for r in pre}
    names = {}
    overdue = at_risk_n = 0
    for x in res.items:
        names[x.code] = x.name
        if target is None:
            out[ids[x.code]] = (
                None,
                None,
                x.earliest_start,
                x.earliest_finish,
                None,
                False,
                False,
                False,
            )
        else:
            out[ids[x.code]] = (
                x.latest_start,
                x.latest_finish,
                x.earliest_start,
                x.earliest_finish,
                x.slack_wd,
                x.critical,
                x.overdue,
                x.at_risk,
            )
            overdue += x.overdue
            at_risk_n += x.at_risk
    if target is None:
        return (
            out,
            (None, res.expected_start, None, [], "", res.calendar_warnings, 0, 0, ""),
            engine,
        )
    cause = ""
    if res.days_late_wd > 0 and res.critical_path:
        by_code = res.by_code()
        late = [c for c in res.critical_path if by_code[c].overdue]
        cause = names[(late or res.critical_path)[0]]
    return (
        out,
        (
            target,
            res.expected_start,
            res.days_late_wd,
            res.critical_path,
            cause[:100],
            res.calendar_warnings,
            overdue,
            at_risk_n,
            "",
        ),
        engine,
    )


def recompute_chain(
    chain: ProcedureChain, *, cal=None, today: date | None = None
) -> ProcedureChain:
    """Recompute and store one chain's schedule (two reads, at most three writes)."""
    today = today or clock.today()
    cal = cal or workcal.load()
    target = (
        Project.objects.filter(pk=chain.project_id)
        .values_list("planned_start_date", flat=True)
        .first()
    )
    rows = list(
        ProjectProcedure.objects.filter(chain_id=chain.pk)
        .order_by("sort_order", "id")
        .values_list(*ITEM_COLS)
    )
    results, chain_values, _ = compute(rows, target, today, cal, at_risk_threshold())
    changed = []
    for r in rows:
        new = results[r[0]]
        if tuple(r[N_INPUT:]) != new:
            obj = ProjectProcedure(pk=r[0])
            for f, v in zip(RESULT_FIELDS, new):
                setattr(obj, f, v)
            changed.append(obj)
    if changed:
        ProjectProcedure.objects.bulk_update(changed, RESULT_FIELDS)
    values = dict(zip(CHAIN_RESULT_FIELDS, chain_values))
    values.update(computed_at=clock.now(), computed_for=today)
    ProcedureChain.objects.filter(pk=chain.pk).update(**values)
    for k, v in values.items():
        setattr(chain, k, v)
    return chain


def ensure_fresh(chain: ProcedureChain) -> ProcedureChain:
    """Schedules move with the days: recompute a chain last computed on an earlier day, or whose
    project's target start changed since."""
    if (
        chain.computed_for != clock.today()
        or chain.target_start != chain.project.planned_start_date
    ):
        with transaction.atomic():
            recompute_chain(chain)
    return chain


@dataclass
class RecomputeStats:
    chains: int = 0
    items: int = 0
    items_written: int = 0
    engine_seconds: float = 0.0  # wall clock of the schedule() calls
    engine_cpu_seconds: float = 0.0  # CPU time of the same calls (not inflated by a busy machine)
    total_seconds: float = 0.0
    errors: int = 0
    warnings: set = field(default_factory=set)

    def as_dict(self) -> dict:
        return {
            "chains": self.chains,
            "items": self.items,
            "items_written": self.items_written,
            "engine_seconds": round(self.engine_seconds, 3),
            "engine_cpu_seconds": round(self.engine_cpu_seconds, 3),
            "total_seconds": round(self.total_seconds, 3),
            "errors": self.errors,
            "calendar_warnings": sorted(self.warnings),
        }


def recompute_all(
    *,
    unit: Unit | None = None,
    batch_size: int = 2000,
    today: date | None = None,
    progress=None,
    audit: bool = True,
) -> RecomputeStats:
    """Recompute every stored schedule (or those of projects under `unit`): after a calendar
    change, and nightly (the dates move with "today"). Batches of chains by id; per batch two
    reads and set-based writes of the rows that changed."""
    t_start = time.perf_counter()
    today = today or clock.today()
    cal = workcal.load()
    at_risk = at_risk_threshold()
    stats = RecomputeStats()
    chains = ProcedureChain.objects.all()
    if unit is not None:
        chains = chains.filter(project__unit__path__startswith=unit.path)
    total = chains.count() if progress else 0
    last_id = 0
    now = clock.now()
    parsed: dict[str, list] = {}  # predecessor lists repeat (same template): decode each text once
    loads = json.loads
    while True:
        batch = list(
            chains.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "project__planned_start_date", *CHAIN_RESULT_FIELDS)[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1][0]
        ids = [b[0] for b in batch]
        rows = (
            ProjectProcedure.objects.filter(chain_id__gte=ids[0], chain_id__lte=ids[-1])
            .annotate(preds_text=Cast("predecessors", TextField()))
            .order_by("chain_id", "sort_order", "id")
            .values_list(*ITEM_COLS[:6], "preds_text", *ITEM_COLS[7:])
        )
        by_chain: dict[int, list] = {}
        for r in rows:
            preds = parsed.get(r[6])
            if preds is None:
                preds = parsed[r[6]] = loads(r[6])
            by_chain.setdefault(r[1], []).append((*r[:6], preds, *r[7:]))
        item_updates, chain_updates = [], []
        for b in batch:
            chain_rows = by_chain.get(b[0], [])
            results, chain_values, (wall, cpu) = compute(chain_rows, b[1], today, cal, at_risk)
            stats.engine_seconds += wall
            stats.engine_cpu_seconds += cpu
            stats.chains += 1
            stats.items += len(chain_rows)
            if chain_values[-1]:
                stats.errors += 1
            stats.warnings.update(chain_values[5])
            for r in chain_rows:
                new = results[r[0]]
                if tuple(r[N_INPUT:]) != new:
                    item_updates.append((r[0], *new))
            if tuple(b[2:]) != chain_values:
                chain_updates.append((b[0], *chain_values))
        with transaction.atomic():
            _write_item_results(item_updates)
            _write_chain_results(chain_updates)
            ProcedureChain.objects.filter(pk__in=ids).update(computed_at=now, computed_for=today)
        stats.items_written += len(item_updates)
        if progress:
            progress(stats.chains, total)
    stats.total_seconds = time.perf_counter() - t_start
    if audit:
        record(
            "procedures.recompute_all",
            ObjectRef("procedures.procedurechain", "*", "全部前期手续排期"),
            after={"unit": unit.code if unit else "", **stats.as_dict()},
            only_changes=False,
        )
    return stats


def _write_item_results(rows: list[tuple]) -> None:
    if not rows:
        return
    rows.sort()  # by id: the updated pages are visited in order
    table = ProjectProcedure._meta.db_table
    cols = ("id",) + RESULT_FIELDS
    if connection.vendor == "postgresql":
        _pg_update_from(
            table,
            cols,
            ("bigint", "date", "date", "date", "date", "integer", "boolean", "boolean", "boolean"),
            rows,
        )
    else:
        sets = ", ".join(f"{c} = %s" for c in RESULT_FIELDS)
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {table} SET {sets} WHERE id = %s", [r[1:] + (r[0],) for r in rows]
            )


def _write_chain_results(rows: list[tuple]) -> None:
    if not rows:
        return
    table = ProcedureChain._meta.db_table
    cols = ("id",) + CHAIN_RESULT_FIELDS
    # JSON columns are written as text: json.dumps, as Django's JSONField does
    data = [
        (r[0], r[1], r[2], r[3], json.dumps(r[4]), r[5], json.dumps(r[6]), r[7], r[8], r[9])
        for r in rows
    ]
    if connection.vendor == "postgresql":
        _pg_update_from(
            table,
            cols,
            (
                "bigint",
                "date",
                "date",
                "integer",
                "jsonb",
                "varchar",
                "jsonb",
                "integer",
                "integer",
                "varchar",
            ),
            data,
        )
    else:
        sets = ", ".join(f"{c} = %s" for c in CHAIN_RESULT_FIELDS)
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {table} SET {sets} WHERE id = %s", [r[1:] + (r[0],) for r in data]
            )


def _pg_update_from(table: str, cols: tuple, types: tuple, rows: list[tuple]) -> None:
    """COPY the new values into a temporary table, then one UPDATE … FROM (PostgreSQL)."""
    tmp = f"tmp_{table}"
    col_defs = ", ".join(f"{c} {t}" for c, t in zip(cols, types))
    sets = [f"{c} = v.{c}" for c in cols[1:]]
    with connection.cursor() as cur:
        cur.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {tmp} ({col_defs})")
        cur.execute(f"TRUNCATE {tmp}")
        with cur.cursor.copy(f"COPY {tmp} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"ANALYZE {tmp}"
        )  # so the planner joins through the primary key, not a full scan
        cur.execute(f"UPDATE {table} AS t SET {', '.join(sets)} FROM {tmp} AS v WHERE t.id = v.id")
        cur.execute(f"DROP TABLE {tmp}")
