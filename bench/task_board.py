"""Benchmark: the 督办 board (diaodu.tasks.figures.board) at 200,000 tasks against the raw-SQL floor.

Not a test.  Run (issue 14: ≤ 150 ms on PostgreSQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/diaodu_bench \\
        .venv/bin/python bench/task_board.py --tasks 200000 [--runs 5]

It migrates the database if needed, builds the demo organisation, and bulk-inserts synthetic
tasks (straight rows: this measures reading, not the services) until the database holds --tasks
of them: lead units spread over the zone's departments and parks, a quarter with a supporting
unit, deadlines around today, statuses and escalation levels mixed.  Then for each case — the
督查室 (全部数据) and a department (本部门, its own and supported tasks), grouped by unit, by
leader and by document — it times:

* board_ms — ``figures.board(user, by)``: the scope, one grouped query with the five figures,
  and the group names; median of --runs after a warm-up;
* sql_ms — the floor: the same grouped counts in hand-written SQL through connection.cursor().

Target: board_ms ≤ 150 and board_ms ≤ 3 × sql_ms + 20.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from diaodu import clock  # noqa: E402
from diaodu.audit.context import acting_as  # noqa: E402
from diaodu.org import demo as org_demo  # noqa: E402
from diaodu.org.models import Unit, User  # noqa: E402
from diaodu.tasks import figures  # noqa: E402
from diaodu.tasks.models import Task  # noqa: E402

TARGET_MS, RATIO, SLACK = 150.0, 3.0, 20.0
STATUSES = ["pending", "in_progress", "in_progress", "in_progress", "requested", "done", "done",
            "returned", "suspended"]  # fmt: skip
LEADERS = ["孙彦鹏", "刘成斌", "王建国", "赵立新", "", "陈思远", "李慧敏"]


def fill(n: int) -> None:
    have = Task.objects.count()
    if have >= n:
        return
    zone = Unit.objects.get(code="QHKFQ")
    units = list(Unit.objects.subtree(zone).filter(kind__in=("department", "park")))
    rnd = random.Random(14)
    today = clock.today()
    now = clock.now()
    through = Task.support_units.through
    batch = 5000
    while have < n:
        size = min(batch, n - have)
        rows = [
            Task(
                zone=zone, title=f"基准任务{have + i}", lead_unit=rnd.choice(units),
                leader_name=rnd.choice(LEADERS), status=rnd.choice(STATUSES),
                deadline=today + timedelta(days=rnd.randint(-120, 240)) if rnd.random() < 0.9 else None,
                escalation_level=rnd.choice([0, 0, 0, 1, 2, 3]), progress=rnd.randint(0, 100),
                created_at=now,
            )
            for i in range(size)
        ]  # fmt: skip
        with transaction.atomic():
            made = Task.objects.bulk_create(rows)
            through.objects.bulk_create(
                [
                    through(task_id=t.pk, unit_id=rnd.choice(units).pk)
                    for t in made
                    if rnd.random() < 0.25
                ]
            )
        have += size
        print(f"  {have:,} tasks", end="\r", flush=True)
    print()
    with connection.cursor() as c:
        c.execute("ANALYZE") if connection.vendor == "postgresql" else None


GROUP_SQL = {
    "unit": "t.lead_unit_id",
    "leader": "t.leader_name",
    "document": "t.document_id",
}


def floor(by: str, unit_ids: list[int] | None, today) -> float:
    col = GROUP_SQL[by]
    where, params = "", [today, today]
    if unit_ids is not None:
        ids = ",".join(str(int(i)) for i in unit_ids)
        where = (
            f"WHERE t.lead_unit_id IN ({ids}) OR t.id IN (SELECT task_id FROM tasks_task_support_units "
            f"WHERE unit_id IN ({ids})) OR p.lead_unit_id IN ({ids})"
        )
    sql = (
        f"SELECT {col}, COUNT(*), "
        "COUNT(*) FILTER (WHERE t.status = 'done'), "
        "COUNT(*) FILTER (WHERE t.status IN ('pending','in_progress','returned') AND t.deadline < %s), "
        "COUNT(*) FILTER (WHERE t.status <> 'done' AND NOT (t.status IN ('pending','in_progress','returned') "
        "AND t.deadline IS NOT NULL AND t.deadline < %s)), "
        "COUNT(*) FILTER (WHERE t.status IN ('pending','in_progress','returned') AND t.escalation_level >= 1) "
        f"FROM tasks_task t LEFT JOIN tasks_task p ON p.id = t.parent_id {where} GROUP BY {col}"
    )
    if connection.vendor != "postgresql":
        sql = sql.replace("COUNT(*) FILTER (WHERE", "SUM(CASE WHEN").replace(
            ")), ", ") THEN 1 ELSE 0 END), "
        )
    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute(sql, params)
        c.fetchall()
    return (time.perf_counter() - t0) * 1000


def median(fn, runs: int) -> float:
    fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    call_command("migrate", verbosity=0)
    with acting_as(None, channel="cli"):
        org_demo.build()
    fill(a.tasks)
    today = clock.today()
    print(
        f"{connection.vendor}, {Task.objects.count():,} tasks; target ≤ {TARGET_MS:.0f} ms and ≤ {RATIO}× SQL + {SLACK:.0f}"
    )
    ok = True
    for username, scoped in (("duchashi", None), ("ziranziyuan", "QHKFQ-ZR")):
        user = User.objects.get(username=username)
        ids = (
            None
            if scoped is None
            else list(Unit.objects.filter(code=scoped).values_list("pk", flat=True))
        )
        for by in ("unit", "leader", "document"):

            def run(user=user, by=by):
                user.__dict__.pop("_diaodu_scope", None)  # the scope as a fresh request computes it
                return figures.board(user, by, today=today)

            board_ms = median(run, a.runs)
            sql_ms = statistics.median([floor(by, ids, today) for _ in range(a.runs)])
            good = board_ms <= TARGET_MS and board_ms <= RATIO * sql_ms + SLACK
            ok &= good
            print(
                f"{username:12} by={by:9} board {board_ms:7.1f} ms   sql {sql_ms:7.1f} ms   ratio {board_ms / max(sql_ms, 0.01):5.2f}  {'OK' if good else 'SLOW'}"
            )
    print("OK" if ok else "SLOWER THAN THE TARGET")


if __name__ == "__main__":
    main()
