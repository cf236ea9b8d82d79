"""Benchmark: the bulk recompute of stored 倒排工期 schedules (`diaodu recompute-schedules`).

Not a test.  Run:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/diaodu_bench .venv/bin/python bench/schedule.py [projects] [--keep]
    .venv/bin/python bench/schedule.py [projects]        # no DATABASE_URL: a temporary SQLite file

Generates N projects (default 100,000 on PostgreSQL, 10,000 on SQLite) under a bench park, each
with a chain of ~15 procedures shaped like bench/schedule_engine.py (4 stages, parallel
branches, lags, statuses with actual dates), written with bulk_create (projects and chains;
the ~15 item rows per project go through COPY on PostgreSQL, bulk_create on SQLite); then times
services.recompute_all() twice — the first run writes every result, the second finds nothing
changed (a nightly run lies in between: "today" moves the open items) — and prints the engine
seconds (schedule() calls alone; wall clock and CPU time), the total seconds (read + engine +
write) and the ratio of the engine time to the 10 s target for 100,000 projects.  The bench rows are deleted at the end
unless --keep.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from diaodu import clock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_SECONDS = 10.0


def setup_django() -> bool:
    """Configure Django; returns True when running on PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        os.environ["DIAODU_VAR_DIR"] = tempfile.mkdtemp(prefix="diaodu-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")
    os.environ.setdefault("DIAODU_FAST_HASHER", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url.startswith(("postgres", "pgsql"))


def _copy_items(rows) -> None:
    """PostgreSQL: COPY the ~15 rows per project (bulk_create spends most of its time building
    model instances and arrays; COPY streams them)."""
    import json

    from django.db import connection

    from diaodu.procedures.models import ProjectProcedure

    cols = (
        "chain_id",
        "project_id",
        "code",
        "name",
        "stage",
        "duration_wd",
        "duration_source",
        "predecessors",
        "responsible_text",
        "documents",
        "sort_order",
        "status",
        "actual_start",
        "actual_finish",
        "doc_number",
        "note",
        "version",
        "updated_at",
        "critical",
        "overdue",
        "at_risk",
    )
    now = clock.now()
    with connection.cursor() as cur:
        with cur.cursor.copy(
            f"COPY {ProjectProcedure._meta.db_table} ({', '.join(cols)}) FROM STDIN"
        ) as copy:
            for c, p, code, name, stage, n, preds, st, a0, a1, order in rows:
                copy.write_row(
                    (
                        c,
                        p,
                        code,
                        name,
                        stage,
                        n,
                        "基准",
                        json.dumps(preds),
                        "",
                        "[]",
                        order,
                        st,
                        a0,
                        a1,
                        "",
                        "",
                        1,
                        now,
                        False,
                        False,
                        False,
                    )
                )


def generate(count: int, on_pg: bool):
    from django.db import transaction
    from schedule_engine import TEMPLATE, build_projects

    from diaodu.audit.context import acting_as
    from diaodu.engine.textnorm import normalise_name
    from diaodu.org import services as org_services
    from diaodu.org.scope import SYSTEM
    from diaodu.procedures.models import ProcedureChain, ProcedureTemplate, ProjectProcedure
    from diaodu.projects.models import Project

    tag = f"BENCH{int(time.time())}"
    with acting_as(None, channel="cli"):
        unit = org_services.create_unit(
            SYSTEM, parent=None, code=tag, name=f"基准测试园区{tag}", kind="park"
        )
    template = ProcedureTemplate.objects.create(
        code=tag.lower(), name="基准测试模板", version=1, is_current=False
    )
    shapes = build_projects(count)
    stage_of = ["land_planning"] * 7 + ["engineering"] * 4 + ["construction"] * 4
    t0 = time.perf_counter()
    batch = 5000
    with transaction.atomic():
        for start in range(0, count, batch):
            part = shapes[start : start + batch]
            projects = Project.objects.bulk_create(
                [
                    Project(
                        name=f"基准项目{start + i}",
                        name_key=normalise_name(f"基准项目{start + i}"),
                        unit=unit,
                        planned_start_date=target,
                        stage="preparing",
                    )
                    for i, (_items, target, _today) in enumerate(part)
                ]
            )
            chains = ProcedureChain.objects.bulk_create(
                [ProcedureChain(project=p, template=template) for p in projects]
            )
            rows = [
                (
                    chain.pk,
                    chain.project_id,
                    it.code,
                    it.name,
                    stage_of[k],
                    it.duration_wd,
                    [{"code": d.code, "lag_wd": d.lag_wd} for d in it.predecessors],
                    it.status,
                    it.actual_start,
                    it.actual_finish,
                    k * 10,
                )
                for chain, (items, _target, _today) in zip(chains, part)
                for k, it in enumerate(items)
            ]
            if on_pg:
                _copy_items(rows)
            else:
                ProjectProcedure.objects.bulk_create(
                    [
                        ProjectProcedure(
                            chain_id=c,
                            project_id=p,
                            code=code,
                            name=name,
                            stage=stage,
                            duration_wd=n,
                            duration_source="基准",
                            predecessors=preds,
                            status=st,
                            actual_start=a0,
                            actual_finish=a1,
                            sort_order=order,
                        )
                        for c, p, code, name, stage, n, preds, st, a0, a1, order in rows
                    ],
                    batch_size=5000,
                )
            print(f"  generated {start + len(part)}/{count}", end="\r", flush=True)
    print(
        f"generated projects={count} items={count * len(TEMPLATE)} in {time.perf_counter() - t0:.1f}s"
    )
    if on_pg:  # as after autovacuum: fresh statistics, no dead rows from earlier bench runs
        from django.db import connection

        with connection.cursor() as cur:
            for model in (Project, ProcedureChain, ProjectProcedure):
                cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return unit, template


def cleanup(unit, template) -> None:
    from django.db import connection, transaction

    from diaodu.procedures.models import ProcedureChain, ProjectProcedure
    from diaodu.projects.models import Project

    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        projects = f"SELECT id FROM {Project._meta.db_table} WHERE unit_id = %s"
        cur.execute(
            f"DELETE FROM {ProjectProcedure._meta.db_table} WHERE project_id IN ({projects})",
            [unit.pk],
        )
        cur.execute(
            f"DELETE FROM {ProcedureChain._meta.db_table} WHERE project_id IN ({projects})",
            [unit.pk],
        )
        cur.execute(f"DELETE FROM {Project._meta.db_table} WHERE unit_id = %s", [unit.pk])
        cur.execute(f"DELETE FROM {template._meta.db_table} WHERE id = %s", [template.pk])
        cur.execute(f"DELETE FROM {unit._meta.db_table} WHERE id = %s", [unit.pk])
    print(f"cleaned up in {time.perf_counter() - t0:.1f}s")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    keep = "--keep" in sys.argv
    on_pg = setup_django()
    count = int(args[0]) if args else (100_000 if on_pg else 10_000)
    from django.db import connection

    from diaodu.procedures import services

    print(f"database={connection.vendor} projects={count}")
    unit, template = generate(count, on_pg)
    try:
        for label in ("first run (all results written)", "second run (nothing changed)"):
            stats = services.recompute_all(unit=unit, audit=False)
            n = max(stats.chains, 1)
            print(
                f"{label}: chains={stats.chains} items={stats.items} written={stats.items_written} "
                f"engine_seconds={stats.engine_seconds:.2f} (cpu {stats.engine_cpu_seconds:.2f}) "
                f"total_seconds={stats.total_seconds:.2f} per_project_us={stats.engine_seconds / n * 1e6:.1f} "
                f"(cpu {stats.engine_cpu_seconds / n * 1e6:.1f}) "
                f"engine/total={stats.engine_seconds / max(stats.total_seconds, 1e-9):.2f}"
            )
        scale = 100_000 / n
        print(
            f"target: 100,000 projects in {TARGET_SECONDS:.0f}s of engine time; "
            f"ratio={stats.engine_seconds / TARGET_SECONDS:.2f} (cpu {stats.engine_cpu_seconds / TARGET_SECONDS:.2f})"
            + (
                ""
                if stats.chains == 100_000
                else f"; scaled to 100,000 projects: {stats.engine_seconds * scale:.2f}s "
                f"(cpu {stats.engine_cpu_seconds * scale:.2f}s), ratio={stats.engine_seconds * scale / TARGET_SECONDS:.2f}"
            )
        )
        print(
            "(engine = the schedule() calls; cpu = their CPU time, which a busy shared machine does not inflate)"
        )
        if stats.errors:
            print(f"chains with data errors: {stats.errors}")
        if stats.warnings:
            print(f"calendar warnings: {sorted(stats.warnings)}")
    finally:
        if not keep:
            cleanup(unit, template)


if __name__ == "__main__":
    main()
