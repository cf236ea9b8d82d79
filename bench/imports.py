"""Benchmark: importing a 10,000-row office ledger (issue 20: ≤ 15 s on PostgreSQL, ≤ 30 s on
SQLite), the way `diaodu import-ledger` and the web upload's worker do it. Not a test.  Run:
    [DATABASE_URL=...] .venv/bin/python bench/imports.py [--rows 10000]
Uses the generated deployment (`diaodu gen --projects 100000`, code GEN-S…): the smallest unit
holding at least --rows projects. Three files, each imported with a dry run and then for real:

* unchanged — the unit's own export re-imported (the office's weekly round trip);
* updated   — the same file with every row's 本年完成投资 and 进展情况 changed;
* created   — the same rows under new names and without 项目代码 (new projects; each run adds
  them under a fresh suffix, so the database grows by --rows projects per run).

Prints wall and CPU seconds of this process (the database server's CPU is not in it), the
rows per second, and the target. The floor is the same number of rows written with one
bulk INSERT (what no import can beat).
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from diaodu.audit.context import acting_as  # noqa: E402
from diaodu.engine import ledger  # noqa: E402
from diaodu.org.models import Unit  # noqa: E402
from diaodu.org.scope import SYSTEM  # noqa: E402
from diaodu.projects import exports  # noqa: E402
from diaodu.projects.models import Project  # noqa: E402
from diaodu.projects.services import import_ledger  # noqa: E402


def pick_unit(rows: int) -> Unit:
    roots = Unit.objects.filter(code__startswith="GEN-S", parent__isnull=True)
    if not roots.exists():
        sys.exit("先生成数据：.venv/bin/diaodu gen --projects 100000 --seed 1")
    best = None
    for unit in Unit.objects.filter(path__startswith=roots.first().path):
        n = Project.objects.filter(unit__path__startswith=unit.path).count()
        if n >= rows and (best is None or n < best[1]):
            best = (unit, n)
    if best is None:
        sys.exit(f"没有单位拥有 {rows} 个以上项目：请用更大的 --projects 生成数据。")
    return best[0]


def export_rows(unit: Unit, rows: int) -> list[dict]:
    projects = list(
        Project.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit", "secretary", "responsible_unit")
        .prefetch_related("lead_officials")
        .order_by("id")[:rows]
    )
    out = [exports.project_row(p) for p in projects]
    exports._qualify_units(projects, out)
    return out


def workbook(rows: list[dict], unit: Unit) -> bytes:
    return ledger.write_ledger(
        rows,
        title=f"{unit.name}重点项目台账",
        unit_label=unit.name,
        fields=exports.EXPORT_FIELDS,
        footnote=exports.FOOTNOTE,
    )


def run(unit: Unit, data: bytes, *, dry_run: bool) -> tuple[float, float, dict]:
    wall, cpu = time.perf_counter(), time.process_time()
    with acting_as(None, channel="cli"):
        report = import_ledger(SYSTEM, unit, io.BytesIO(data), dry_run=dry_run)
    return time.perf_counter() - wall, time.process_time() - cpu, report.as_dict()


def floor(n: int, unit: Unit) -> float:
    """n rows in one bulk INSERT, rolled back: the least any import of n rows costs."""
    park = Unit.objects.filter(path__startswith=unit.path).annotate(n=Count("projects")).first()
    t = time.perf_counter()
    with transaction.atomic():
        Project.objects.bulk_create(
            [Project(unit=park, name=f"floor-{i}", name_key=f"floor-{i}") for i in range(n)],
            batch_size=1000,
        )
        elapsed = time.perf_counter() - t
        transaction.set_rollback(True)
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000)
    args = ap.parse_args()
    vendor = connection.vendor
    target = 15.0 if vendor == "postgresql" else 30.0
    unit = pick_unit(args.rows)
    print(
        f"数据库 {vendor}；单位 {unit.name}（{unit.code}）；{args.rows} 行；目标 ≤ {target:.0f} s"
    )
    rows = export_rows(unit, args.rows)
    updated = [
        dict(r, completed_this_year=(r.get("completed_this_year") or 0) + 1, progress_text="已复工")
        for r in rows
    ]
    suffix = secrets.token_hex(3)
    created = []
    for r in rows:
        c = {k: v for k, v in r.items() if k != "national_code"}
        c["name"] = f"{r['name']}（{suffix}期）"
        created.append(c)
    print(f"floor (one bulk INSERT of {args.rows} rows): {floor(args.rows, unit):.2f} s")
    for label, data in (
        ("unchanged", workbook(rows, unit)),
        ("updated", workbook(updated, unit)),
        ("created", workbook(created, unit)),
    ):
        for dry in (True, False):
            wall, cpu, rep = run(unit, data, dry_run=dry)
            counts = (
                f"新增 {rep['created']} 更新 {rep['updated']} 无变化 {rep['unchanged']} "
                f"错误 {rep['errors']}"
            )
            ok = "met" if wall <= target else "NOT met"
            print(
                f"{label:9} {'dry-run' if dry else 'import ':7} wall {wall:6.2f} s  cpu {cpu:6.2f} s  "
                f"{args.rows / wall:7.0f} rows/s  [{counts}]  target {ok}"
            )
            if rep["errors"]:
                print("  ", rep["messages"][:3])


if __name__ == "__main__":
    main()
