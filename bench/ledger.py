"""Benchmark: the project ledger list (page and API) against the raw-SQL floor.

Not a test.  Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/diaodu_bench \
        .venv/bin/python bench/ledger.py --projects 100000 [--runs 5]

It migrates the database if needed, runs the synthetic generator (`diaodu gen`) when the
database holds fewer projects than asked, creates (through the org services) a benchmark
person with the built-in 督查室 role (全部数据), and then, for each case, times:

* page_ms — the full request through Django's test client (middleware, scope, query,
  template or JSON), median of --runs after one warm-up request;
* sql_ms  — the floor: hand-written SQL for what the page has to read, via
  connection.cursor(): the page's rows (same WHERE / ORDER BY / LIMIT 51 / OFFSET, chosen on
  the project table alone, then joined to the unit, secretary and 责任单位 names), the 包保领导
  of those rows, and the capped count (COUNT over at most 10,001 matching rows), median of
  --runs.

Target per case: page_ms < 150 and page_ms <= 3 × sql_ms + 20.  The query parameters follow
the ledger contract: unit (id, subtree), stage (repeatable), category, level, industry,
person (user id), q (text), sort, page.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402
from django.test import Client  # noqa: E402

from diaodu.audit.context import acting_as  # noqa: E402
from diaodu.org import services as org_services  # noqa: E402
from diaodu.org.models import Role, Unit, User  # noqa: E402
from diaodu.org.scope import SYSTEM  # noqa: E402
from diaodu.projects.models import Project  # noqa: E402
from diaodu.projects.queries import COUNT_CAP, PAGE_SIZE  # noqa: E402

BENCH_USER = "bench_supervisor"
TARGET_MS, TARGET_RATIO, TARGET_SLACK_MS = 150.0, 3.0, 20.0


# ---------------------------------------------------------------- setup
def migrate_if_needed() -> None:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        print(f"迁移数据库：{len(plan)} 个迁移待执行 …")
        call_command("migrate", interactive=False, verbosity=0, skip_checks=True)


def ensure_projects(wanted: int, seed: int) -> None:
    have = Project.objects.count()
    if have >= wanted:
        print(f"数据库已有 {have} 个项目（要求 {wanted}），不再生成。")
        return
    while Unit.objects.filter(
        code=f"GEN-S{seed}"
    ).exists():  # that seed is already used: take the next
        seed += 1
    print(f"数据库有 {have} 个项目，生成 {wanted - have} 个（种子 {seed}）…")
    # full size: besides the ledger, report cycles, weeks of reports, lights and problems
    call_command("gen", projects=wanted - have, seed=seed, weeks=8)


def bench_user() -> User:
    user = User.objects.filter(username=BENCH_USER).first()
    if user is not None:
        return user
    role = Role.objects.get(code="supervisor")
    first, final = f"Bench-{secrets.token_urlsafe(12)}1!", f"Bench-{secrets.token_urlsafe(12)}2!"
    with acting_as(None, channel="cli"):
        user = org_services.create_person(
            SYSTEM, username=BENCH_USER, password=first, name="基准测试"
        )
        org_services.grant_roles(SYSTEM, user, [role])
        org_services.change_own_password(user, first, final)  # clears 首次登录须改密
    return User.objects.get(pk=user.pk)


def pick_parameters() -> dict:
    """A busy zone, a busy person and a text that occurs in a few percent of the names."""
    with connection.cursor() as cur:
        cur.execute("SELECT unit_id, COUNT(*) FROM projects_project GROUP BY unit_id")
        per_unit = dict(cur.fetchall())
        cur.execute(
            "SELECT secretary_id, COUNT(*) AS n FROM projects_project WHERE secretary_id IS NOT NULL "
            "GROUP BY secretary_id ORDER BY n DESC, secretary_id LIMIT 1"
        )
        person = cur.fetchone()
    parents = dict(Unit.objects.filter(pk__in=per_unit).values_list("pk", "parent_id"))
    zones: dict[int, int] = {}
    for unit_id, n in per_unit.items():
        zone_id = parents.get(unit_id) or unit_id
        zones[zone_id] = zones.get(zone_id, 0) + n
    zone = Unit.objects.get(pk=max(zones, key=lambda k: (zones[k], -k)))
    return {
        "zone": zone,
        "zone_projects": zones[zone.pk],
        "person": person[0] if person else None,
        "q": "冷链",
    }


# ---------------------------------------------------------------- raw SQL floor
class Floor:
    """Hand-written SQL equivalent of one ledger page."""

    def __init__(self, where: str = "", params=(), order: str = "p.id DESC", offset: int = 0):
        self.where, self.params, self.order, self.offset = where, list(params), order, offset

    def run(self) -> int:
        where = f"WHERE {self.where}" if self.where else ""
        with connection.cursor() as cur:
            # deferred join: pick the page's ids on projects alone, then join the names for those rows
            cur.execute(
                "SELECT p.id, p.name, p.national_code, p.stage, p.plan_category, p.level, p.industry_code, "
                "p.total_investment, p.annual_plan_investment, p.planned_start_date, p.progress_text, p.investor, "
                "p.updated_at, p.version, u.name, s.name, r.name "
                f"FROM (SELECT p.id FROM projects_project p {where} ORDER BY {self.order} "
                f"LIMIT {PAGE_SIZE + 1} OFFSET {self.offset}) k "
                "JOIN projects_project p ON p.id = k.id JOIN org_unit u ON u.id = p.unit_id "
                "LEFT JOIN org_user s ON s.id = p.secretary_id LEFT JOIN org_unit r ON r.id = p.responsible_unit_id "
                f"ORDER BY {self.order}",
                self.params,
            )
            rows = cur.fetchall()
            ids = [r[0] for r in rows[:PAGE_SIZE]]
            if ids:
                cur.execute(
                    "SELECT l.project_id, x.name FROM projects_project_lead_officials l "
                    "JOIN org_user x ON x.id = l.user_id "
                    f"WHERE l.project_id IN ({', '.join(['%s'] * len(ids))})",
                    ids,
                )
                cur.fetchall()
            cur.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM projects_project p {where} LIMIT {COUNT_CAP + 1}) t",
                self.params,
            )
            cur.fetchone()
        return len(rows)


def subtree_sql(zone: Unit) -> tuple[str, list]:
    return "p.unit_id IN (SELECT id FROM org_unit WHERE path LIKE %s)", [zone.path + "%"]


def cases(params: dict) -> list[tuple[str, str, Floor]]:
    zone, person, q = params["zone"], params["person"], params["q"]
    like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    unit_where, unit_params = subtree_sql(zone)
    stages = ["under_construction", "preparing"]
    filtered_q = urlencode(
        [("unit", zone.pk), ("stage", stages[0]), ("stage", stages[1]), ("category", "new_start")]
    )
    filtered_where = f"{unit_where} AND p.stage IN (%s, %s) AND p.plan_category = %s"
    api_q = urlencode(
        [
            ("unit", zone.pk),
            ("stage", "under_construction"),
            ("category", "continuing"),
            ("sort", "-total"),
        ]
    )
    pattern = f"%{q}%"
    out = [
        ("first page", "/projects/", Floor()),
        (
            "filtered (unit+stage+category)",
            f"/projects/?{filtered_q}",
            Floor(filtered_where, unit_params + stages + ["new_start"]),
        ),
        ("deep page (page=1000)", "/projects/?page=1000", Floor(offset=(1000 - 1) * PAGE_SIZE)),
        (
            f"text search (q={q})",
            f"/projects/?{urlencode({'q': q})}",
            Floor(
                f"(p.name {like} %s OR p.investor {like} %s OR p.national_code {like} %s)",
                [pattern] * 3,
            ),
        ),
        (
            "API list (unit+stage+category, sort=-total)",
            f"/api/v1/projects/?{api_q}",
            Floor(
                f"{unit_where} AND p.stage = %s AND p.plan_category = %s",
                unit_params + ["under_construction", "continuing"],
                order="p.total_investment DESC NULLS LAST, p.id DESC"
                if connection.vendor == "postgresql"
                else "p.total_investment DESC, p.id DESC",
            ),
        ),
    ]
    if person:
        out.append(
            (
                f"person (person={person})",
                f"/projects/?person={person}",
                Floor(
                    "(p.secretary_id = %s OR p.id IN (SELECT project_id FROM projects_project_lead_officials "
                    "WHERE user_id = %s))",
                    [person, person],
                ),
            )
        )
    return out


# ---------------------------------------------------------------- timing
def pad(text: str, width: int) -> str:
    """Left-justify counting CJK characters as two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - shown)


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument(
        "--seed", type=int, default=1, help="seed for the generator when projects are missing"
    )
    args = ap.parse_args()

    print(f"数据库：{connection.vendor} {settings.DATABASES['default'].get('NAME')}")
    if connection.vendor != "postgresql":
        print("注意：目标值针对 PostgreSQL；当前不是 PostgreSQL，结果仅供参考。")
    migrate_if_needed()
    ensure_projects(args.projects, args.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    user = bench_user()
    params = pick_parameters()
    print(
        f"项目 {Project.objects.count()} 个；筛选单位：{params['zone'].name}（{params['zone_projects']} 个项目）；"
        f"每项 {args.runs} 次取中位数。"
    )
    if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)

    header = f"{'case':<44} {'page_ms':>8} {'sql_ms':>8} {'ratio':>6}  result"
    print(header)
    print("-" * len(header))
    failures = 0
    for name, url, floor in cases(params):
        sql_ms = median_ms(floor.run, args.runs)
        try:
            status = str(client.get(url).status_code)
        except Exception as exc:  # the page itself is broken: report it, keep measuring the others
            status = f"{type(exc).__name__}: {str(exc).splitlines()[0][:80] if str(exc) else ''}"
        if status != "200":
            print(f"{pad(name, 44)} {'—':>8} {sql_ms:8.1f} {'—':>6}  SKIP ({url}: {status})")
            failures += 1
            continue

        def fetch(url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        page_ms = median_ms(fetch, args.runs)
        ok = page_ms < TARGET_MS and page_ms <= TARGET_RATIO * sql_ms + TARGET_SLACK_MS
        failures += not ok
        print(
            f"{pad(name, 44)} {page_ms:8.1f} {sql_ms:8.1f} {page_ms / sql_ms if sql_ms else 0:6.1f}  "
            f"{'PASS' if ok else 'FAIL'}"
        )
    print(
        f"目标：page_ms < {TARGET_MS:.0f} 且 page_ms ≤ {TARGET_RATIO:.0f} × sql_ms + {TARGET_SLACK_MS:.0f}。"
        f"{'全部通过。' if not failures else f'{failures} 项未通过。'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
