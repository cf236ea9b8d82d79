"""Benchmark: the weekly bulletin (.docx and .xlsx) of a unit, built as the download view
builds it. Not a test.  Run:
    [DATABASE_URL=...] .venv/bin/python bench/documents.py [--unit CODE] [--runs 3]
Without --unit it uses the largest generated deployment (`diaodu gen`, code GEN-S…), else the
demo zone (QHKFQ); the period is the latest one with reports under the unit. Prints the median wall and CPU time of each document, the
number of table rows it carries, and the targets of issue 20 (a zone ≤ 2 s; 10,000 projects
≤ 30 s). Uses the database as it is: load the demo (`diaodu demo`) or generate data first
(`diaodu gen`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")

import django

django.setup()

from diaodu.engine import periods as P  # noqa: E402
from diaodu.org.models import Unit  # noqa: E402
from diaodu.org.scope import SYSTEM  # noqa: E402
from diaodu.projects.models import Project  # noqa: E402
from diaodu.supervision import bulletin, figures, queries  # noqa: E402
from diaodu.supervision.models import ProgressReport  # noqa: E402


def timed(fn, runs: int):
    walls, cpus, out = [], [], None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus), out


def main() -> None:
    ap = argparse.ArgumentParser(description="bulletin .docx/.xlsx build time")
    ap.add_argument("--unit", help="unit code (default: the demo zone, else the root)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.unit:
        unit = Unit.objects.get(code=args.unit)
    else:
        roots = Unit.objects.filter(code__regex=r"^GEN-S[0-9]+$", parent=None)
        unit = max(
            roots,
            key=lambda u: Project.objects.filter(unit__path__startswith=u.path).count(),
            default=None,
        ) or Unit.objects.get(code="QHKFQ")
    latest = (
        ProgressReport.objects.filter(project__unit__path__startswith=unit.path)
        .order_by("-period_start")
        .values_list("period", flat=True)
        .first()
    )
    period = P.parse(latest) if latest else figures.period_of(unit, figures.clock.today())
    projects = len(queries.ledger_projects(SYSTEM, unit, period))
    target = 2.0 if projects <= 1000 else 30.0 * projects / 10000
    print(
        f"{unit.name}（{unit.code}），{period.name}，台账 {projects} 个项目；目标 ≤ {target:.1f} s"
    )
    for name, fn in (
        ("通报 .docx", lambda: bulletin.build_docx(SYSTEM, unit, period)),
        ("台账 .xlsx", lambda: bulletin.build_xlsx(SYSTEM, unit, period)),
    ):
        wall, cpu, data = timed(fn, args.runs)
        verdict = "达标" if wall <= target else "未达标"
        print(
            f"{name}: {wall:6.2f} s wall, {cpu:6.2f} s CPU, {len(data) / 1024:7.0f} KB — {verdict}"
        )


if __name__ == "__main__":
    main()
