"""Benchmark: a province's Friday — N secretaries filing weekly reports at once, from outside.

Not a test, and it starts nothing: it talks to a server you started (`make run`, see
bench/README.md) and reads the same database afterwards.

    # 1. accounts, a report cycle and report history on the server's database (through services)
    DATABASE_URL=postgres://… .venv/bin/python bench/rush.py prepare --accounts 60 \\
        --out var/rush_accounts.json
    # 2. the rush: log in through the real login form, post through the real report form (and a
    #    share through the API), at a target rate for a bounded time and count; then check
    DATABASE_URL=postgres://… .venv/bin/python bench/rush.py run --base-url http://127.0.0.1:8000 \\
        --accounts-file var/rush_accounts.json --rate 150 --duration 20 --api-share 0.2

`run` schedules submissions open-loop (one every 1/rate s, whatever the server's speed) and
measures each from its scheduled time, so queueing counts. A submission that times out or fails
to connect is retried with the same client key (idempotent). Afterwards it checks in the
database that every accepted report is stored exactly once, with exactly one `report.submit`
audit entry, and that the audit chain verifies; it prints the achieved rate, p50/p95/p99, errors,
lost and duplicated. Target: ≥ 150 reports/s for 20 s, p99 ≤ 1 s, 0 errors, 0 lost, 0 duplicated.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import statistics
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diaodu.settings")
    import django

    django.setup()


# ================================================================ prepare (database side)


def prepare(args) -> None:
    """Pick N secretaries with unfiled active projects, give them a known password, make sure a
    weekly cycle governs their projects, and give those projects some weeks of history."""
    _django()
    from datetime import timedelta
    from decimal import Decimal

    from diaodu.audit.context import acting_as
    from diaodu.engine import periods as P
    from diaodu.engine import stages as S
    from diaodu.org import services as org_services
    from diaodu.org.models import Unit
    from diaodu.org.scope import SYSTEM
    from diaodu.projects.models import Project
    from diaodu.supervision import queries as sq
    from diaodu.supervision import services as ss
    from diaodu.supervision.models import InvestmentBaseline, ProgressReport

    active = Project.objects.filter(stage__in=S.ACTIVE, secretary__isnull=False)
    people = _secretaries(active, args.accounts)
    if len(people) < args.accounts:
        print(f"只找到 {len(people)} 名有在建项目的项目秘书（要求 {args.accounts} 名）。")
    with acting_as(None, channel="cli"):
        # one weekly cycle over every zone the chosen projects belong to
        zones = set()
        for p in active.filter(secretary__in=people).select_related("unit").only("unit__path"):
            zones.add(p.unit.path.strip("/").split("/")[0])
        roots = Unit.objects.filter(pk__in=[int(z) for z in zones if z.isdigit()]) if zones else []
        today = sq.current_period(None).start
        starts = today - timedelta(weeks=args.history + 1)
        for root in roots:
            if sq.cycle_for_unit(root, below=False) is None:
                ss.save_cycle(
                    SYSTEM,
                    root,
                    {
                        "frequency": "weekly",
                        "deadline_weekday": 3,
                        "deadline_time": "17:00",
                        "starts_on": starts,
                    },
                )
        temp = "Tmp#" + secrets.token_hex(8)
        accounts = []
        for user in people:
            org_services.reset_password(SYSTEM, user, temp)
            user.refresh_from_db()
            org_services.change_own_password(user, temp, args.password)
            projects = list(
                active.filter(secretary=user)
                .exclude(progress_reports__period=P.of(today, P.WEEKLY).code)
                .order_by("pk")
                .values_list("pk", flat=True)[: args.projects_per_account]
            )
            accounts.append(
                {"username": user.username, "password": args.password, "projects": projects}
            )
        period = P.of(today, P.WEEKLY)
        # history: --history weeks of reports before this one (bulk, like `diaodu gen`)
        made = 0
        for acc in accounts:
            for pid in acc["projects"]:
                if ProgressReport.objects.filter(project_id=pid).exists():
                    continue
                project = Project.objects.select_related("unit").get(pk=pid)
                cycle = sq.cycle_for_project(project)
                if cycle is None:
                    continue
                InvestmentBaseline.objects.get_or_create(
                    project=project,
                    defaults={
                        "since_start": Decimal("0"),
                        "this_year": Decimal("0"),
                        "year": period.year,
                    },
                )
                rows, since, ytd = [], Decimal("0"), {}
                for w in range(args.history, 0, -1):
                    per = P.of(period.start - timedelta(weeks=w), P.WEEKLY)
                    inv = Decimal(pid % 97 + w)
                    since += inv
                    ytd[per.year] = ytd.get(per.year, Decimal("0")) + inv
                    rows.append(
                        ProgressReport(
                            project=project,
                            cycle=cycle,
                            period=per.code,
                            period_start=per.start,
                            period_end=per.end,
                            year=per.year,
                            deadline=cycle.deadline_of(per),
                            submitted_at=cycle.deadline_of(per),
                            progress_text="历史周报",
                            invested=inv,
                            ytd=ytd[per.year],
                            since_start=since,
                            status="accepted",
                        )
                    )
                ProgressReport.objects.bulk_create(rows)
                made += len(rows)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(
        json.dumps({"period": period.code, "accounts": accounts}, ensure_ascii=False, indent=1)
    )
    total = sum(len(a["projects"]) for a in accounts)
    print(
        f"{len(accounts)} 个账号，{total} 个未报送的在建项目（{period.code}），"
        f"新增历史周报 {made} 份 → {args.out}"
    )


def _secretaries(active, n):
    """The n secretaries with the most active projects who may file reports."""
    from django.db.models import Count

    from diaodu.org.models import User
    from diaodu.org.scope import scope_for

    ids = (
        active.values("secretary")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("secretary", flat=True)
    )
    out = []
    for user in User.objects.filter(pk__in=list(ids[: n * 3]), is_active=True):
        if scope_for(user).has("reports.file"):
            out.append(user)
    return out[:n]


# ================================================================ run (HTTP side)


@dataclass
class Account:
    username: str
    password: str
    projects: list[int]
    cookies: dict = field(default_factory=dict)
    csrf: str = ""
    period: str = ""


@dataclass
class Outcome:
    kind: str  # form / api
    username: str
    project: int
    key: str
    scheduled: float
    done: float = 0.0
    status: int = 0
    report_id: int | None = None
    attempts: int = 0
    error: str = ""


class Http:
    """One keep-alive connection per thread; cookies kept per account."""

    def __init__(self, base: str, timeout: float):
        u = urlparse(base)
        self.host, self.port, self.timeout = u.hostname, u.port or 80, timeout
        self.local = threading.local()

    def _conn(self):
        c = getattr(self.local, "conn", None)
        if c is None:
            c = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.local.conn = c
        return c

    def request(self, acc: Account, method: str, path: str, body=None, headers=None):
        headers = dict(headers or {})
        if acc.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in acc.cookies.items())
        for attempt in (1, 2):
            conn = self._conn()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
            except Exception:
                conn.close()
                self.local.conn = None
                raise
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                acc.cookies[name.strip()] = rest.split(";", 1)[0]
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data


TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
PERIOD = re.compile(rb'name="period" value="([^"]+)"')


def login(http_: Http, acc: Account) -> None:
    status, _, body = http_.request(acc, "GET", "/login/")
    token = TOKEN.search(body).group(1).decode()
    form = urlencode(
        {"csrfmiddlewaretoken": token, "username": acc.username, "password": acc.password}
    )
    status, headers, body = http_.request(
        acc, "POST", "/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    if status != 302 or "sessionid" not in acc.cookies:
        raise SystemExit(f"{acc.username} 登录失败（HTTP {status}）")
    status, _, body = http_.request(acc, "GET", f"/supervision/reports/new/{acc.projects[0]}/")
    m, p = TOKEN.search(body), PERIOD.search(body)
    if status != 200 or not m or not p:
        raise SystemExit(f"{acc.username} 打开填报表单失败（HTTP {status}）")
    acc.csrf, acc.period = m.group(1).decode(), p.group(1).decode()


def multipart(fields: dict) -> tuple[bytes, str]:
    boundary = "----rush" + uuid.uuid4().hex
    out = []
    for k, v in fields.items():
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def submit(http_: Http, acc: Account, o: Outcome, retries: int) -> None:
    fields = {
        "progress_text": f"主体结构施工，第{o.project % 30 + 1}层完成。",
        "invested": str(o.project % 50 + 10),
        "next_plan": "继续主体施工。",
        "period": acc.period,
    }
    while o.attempts <= retries:
        o.attempts += 1
        try:
            if o.kind == "form":
                body, ctype = multipart(
                    {"csrfmiddlewaretoken": acc.csrf, "client_key": o.key, **fields}
                )
                status, headers, data = http_.request(
                    acc,
                    "POST",
                    f"/supervision/reports/new/{o.project}/",
                    body,
                    {"Content-Type": ctype},
                )
                o.status = status
                m = re.search(r"/supervision/reports/(\d+)/$", headers.get("location", ""))
                if status == 302 and m:
                    o.report_id = int(m.group(1))
                    return
                o.error = f"HTTP {status}"
                if b'data-testid="form-errors"' in data:
                    o.error = (
                        "表单错误："
                        + re.sub(
                            r"<[^>]+>",
                            " ",
                            data.decode(errors="replace").split('data-testid="form-errors"')[1][
                                :300
                            ],
                        ).strip()
                    )
            else:
                body, ctype = multipart({"project_id": o.project, **fields})
                status, headers, data = http_.request(
                    acc,
                    "POST",
                    "/api/v1/supervision/reports",
                    body,
                    {
                        "Content-Type": ctype,
                        "X-CSRFToken": acc.cookies.get("csrftoken", ""),
                        "Idempotency-Key": o.key,
                    },
                )
                o.status = status
                if status in (200, 201):
                    o.report_id = json.loads(data)["id"]
                    return
                o.error = f"HTTP {status} {data[:200].decode(errors='replace')}"
            if o.status < 500:
                return  # a refusal is an answer, not something a retry would change
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            o.error = f"{type(exc).__name__}: {exc}"
            http_.local.conn = None


def run(args) -> None:
    data = json.loads(Path(args.accounts_file).read_text())
    accounts = [
        Account(a["username"], a["password"], list(a["projects"])) for a in data["accounts"]
    ]
    accounts = [a for a in accounts if a.projects][: args.accounts or None]
    # logging in is done once, before the rush (a password hash costs ~0.5 s of CPU on purpose)
    t = time.perf_counter()
    sem = threading.Semaphore(4)
    failed = []

    def _login(a):
        with sem:
            try:
                login(Http(args.base_url, 120.0), a)
            except (SystemExit, OSError, http.client.HTTPException, AttributeError) as exc:
                failed.append(f"{a.username}：{exc}")

    threads = [threading.Thread(target=_login, args=(a,)) for a in accounts]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for line in failed:
        print(f"  登录失败 {line}")
    accounts = [a for a in accounts if a.csrf]
    print(f"{len(accounts)} 名项目秘书已通过登录表单登录（{time.perf_counter() - t:.1f} 秒）。")
    http_ = Http(args.base_url, args.timeout)
    # the work: round-robin over the accounts, each project once
    total = min(args.max, int(args.rate * args.duration))
    queues = [list(a.projects) for a in accounts]
    work: list[tuple[Account, int]] = []
    while len(work) < total and any(queues):
        for a, q in zip(accounts, queues):
            if q and len(work) < total:
                work.append((a, q.pop(0)))
    api_every = round(1 / args.api_share) if args.api_share > 0 else 0
    outcomes = [
        Outcome(
            "api" if api_every and i % api_every == api_every - 1 else "form",
            a.username,
            pid,
            str(uuid.uuid4()),
            0.0,
        )
        for i, (a, pid) in enumerate(work)
    ]
    by_name = {a.username: a for a in accounts}
    start = time.perf_counter() + 0.5
    for i, o in enumerate(outcomes):
        o.scheduled = start + i / args.rate
    cursor = iter(range(len(outcomes)))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                return
            o = outcomes[i]
            delay = o.scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            submit(http_, by_name[o.username], o, args.retries)
            o.done = time.perf_counter()

    print(
        f"开始：{len(outcomes)} 份周报，目标 {args.rate:g} 份/秒，{args.concurrency} 个并发连接……"
    )
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(args.concurrency)]
    for th in pool:
        th.start()
    for th in pool:
        th.join(args.duration * 10 + 120)
    accepted = [o for o in outcomes if o.report_id]
    errors = [o for o in outcomes if not o.report_id]
    lat = sorted(o.done - o.scheduled for o in accepted)
    span = (max(o.done for o in accepted) - start) if accepted else 0.0

    def pct(p):
        return lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float("nan")

    summary = {
        "submitted": len(outcomes),
        "accepted": len(accepted),
        "form": sum(o.kind == "form" for o in accepted),
        "api": sum(o.kind == "api" for o in accepted),
        "rate_per_s": len(accepted) / span if span else 0.0,
        "p50_s": pct(50),
        "p95_s": pct(95),
        "p99_s": pct(99),
        "max_s": lat[-1] if lat else float("nan"),
        "mean_s": statistics.fmean(lat) if lat else float("nan"),
        "retried": sum(o.attempts > 1 for o in outcomes),
        "errors": len(errors),
    }
    for o in errors[:5]:
        print(f"  错误：{o.kind} {o.username} 项目 {o.project}：{o.error}")
    if not args.no_check:
        summary.update(check(outcomes, data["period"]))
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {"summary": summary, "outcomes": [asdict(o) for o in outcomes]}, ensure_ascii=False
            )
        )
    print(
        "结果：接受 {accepted}/{submitted} 份（表单 {form}，API {api}），达成 {rate_per_s:.1f} 份/秒；"
        "p50 {p50_s:.3f} s，p95 {p95_s:.3f} s，p99 {p99_s:.3f} s，最长 {max_s:.3f} s；"
        "重试 {retried}，错误 {errors}".format(**summary)
    )
    if not args.no_check:
        print(
            "核对：丢失 {lost}，重复 {duplicated}，审计记录不为一条 {audit_mismatch}；{chain}".format(
                **summary
            )
        )


def check(outcomes: list[Outcome], period: str) -> dict:
    """In the database: every accepted report stored once, with one audit entry; the chain."""
    _django()
    from django.db.models import Count

    from diaodu.audit import chain
    from diaodu.audit.models import AuditEntry
    from diaodu.supervision.models import ProgressReport

    accepted = [o for o in outcomes if o.report_id]
    ids = [o.report_id for o in accepted]
    stored = {
        r["pk"]: r
        for r in ProgressReport.objects.filter(pk__in=ids).values(
            "pk", "project_id", "client_key", "period"
        )
    }
    lost = [
        o
        for o in accepted
        if o.report_id not in stored or stored[o.report_id]["client_key"] != o.key
    ]
    projects = [o.project for o in outcomes]
    per_project = (
        ProgressReport.objects.filter(project_id__in=projects, period=period)
        .values("project_id")
        .annotate(n=Count("pk"))
    )
    duplicated = sum(r["n"] - 1 for r in per_project if r["n"] > 1)
    duplicated += len(ids) - len(set(ids))
    entries = dict(
        AuditEntry.objects.filter(action="report.submit", object_id__in=[str(i) for i in ids])
        .values("object_id")
        .annotate(n=Count("pk"))
        .values_list("object_id", "n")
    )
    mismatch = sum(1 for i in ids if entries.get(str(i), 0) != 1)
    result = chain.verify()
    return {
        "lost": len(lost),
        "duplicated": duplicated,
        "audit_mismatch": mismatch,
        "chain_ok": result.ok,
        "chain": result.message,
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare", help="账号、报送周期与历史周报（写入服务器所用的数据库）")
    p.add_argument("--accounts", type=int, default=60)
    p.add_argument("--password", default="Rush#2026bench")
    p.add_argument("--projects-per-account", type=int, default=200)
    p.add_argument("--history", type=int, default=26, help="每个项目此前的周报周数")
    p.add_argument("--out", default=str(ROOT / "var" / "rush_accounts.json"))
    r = sub.add_parser("run", help="向正在运行的服务器集中报送，然后核对数据库")
    r.add_argument("--base-url", required=True)
    r.add_argument("--accounts-file", default=str(ROOT / "var" / "rush_accounts.json"))
    r.add_argument("--accounts", type=int, default=0, help="只用前 N 个账号（0 = 全部）")
    r.add_argument("--rate", type=float, default=150.0, help="目标速率（份/秒）")
    r.add_argument("--duration", type=float, default=20.0, help="持续秒数（上限）")
    r.add_argument("--max", type=int, default=100_000, help="最多报送份数")
    r.add_argument("--api-share", type=float, default=0.2, help="经 API 报送的比例")
    r.add_argument("--concurrency", type=int, default=64)
    r.add_argument("--timeout", type=float, default=10.0)
    r.add_argument("--retries", type=int, default=2, help="超时后用同一提交编号重试的次数")
    r.add_argument("--no-check", action="store_true")
    r.add_argument("--out", default="")
    args = parser.parse_args(argv)
    {"prepare": prepare, "run": run}[args.cmd](args)


if __name__ == "__main__":
    main()
