"""The demo zone's project ledger: 36 projects of 清河经济开发区 across every stage (线索 … 达产,
plus one 暂缓 and one 终止), every plan category and all five parks.

Everything goes through the services (`create_project`, then `transition` step by step along
the main line with increasing past dates), so each project has its StageChange history and
audit entries exactly as if the parks had kept it in the system. Idempotent: a project whose
name already exists in its park is skipped. Deterministic: all random choices come from
`random.Random` seeded per project; only the dates move with today's date.

The timeline helpers (`timeline`, `planned_dates`, `category_for`) are shared with the
synthetic benchmark generator (`diaodu gen`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from diaodu import clock
from diaodu.audit.context import acting_as
from diaodu.engine import stages as S
from diaodu.engine.textnorm import normalise_name
from diaodu.org.models import Unit, User
from diaodu.org.scope import SYSTEM
from diaodu.projects import services
from diaodu.projects.demo_data import CONTENT, PARKS, PROJECTS, REGION, RESPONSIBLE, SEED, STEP_DAYS
from diaodu.projects.models import Project


# ---------------------------------------------------------------- shared helpers
def _between(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def main_path(
    stage: str, resume: str | None = None, *, skip_negotiating: bool = False
) -> list[str]:
    """The main-line stages a project passed through to reach `stage` (or `resume` for a side exit)."""
    target = resume if stage in S.SIDE else stage
    path = list(S.MAIN_LINE[: S.MAIN_LINE.index(target) + 1])
    if skip_negotiating and "negotiating" in path and path[-1] != "negotiating":
        path.remove("negotiating")
    return path + ([stage] if stage in S.SIDE else [])


def timeline(rng: random.Random, path: list[str], today: date, category: str = "") -> list[date]:
    """Dates of each move along `path` (first element: the date the project was entered), all in
    the past and non-decreasing. The plan category pins the key date into the right year:
    新开工 started this year, 续建 started before this year, 竣工投产 completed (or put into
    production) this year."""
    jan1 = date(today.year, 1, 1)
    durations = [0] + [rng.randint(*STEP_DAYS.get(s, (20, 120))) for s in path[1:]]
    anchor_stage, anchor_date = None, None
    if category == "new_start" and "under_construction" in path:
        anchor_stage = "under_construction"
        latest = today - timedelta(days=min(5, (today - jan1).days))
        anchor_date = _between(rng, max(jan1, today - timedelta(days=240)), latest)
    elif category == "continuing" and "under_construction" in path:
        anchor_stage = "under_construction"
        anchor_date = jan1 - timedelta(days=rng.randint(20, 420))
    elif category == "completing" and "operating" in path:
        anchor_stage = "operating"
        anchor_date = _between(rng, jan1, today - timedelta(days=min(3, (today - jan1).days)))
    elif category == "completing" and "completed" in path:
        anchor_stage = "completed"
        anchor_date = _between(rng, jan1, today - timedelta(days=min(3, (today - jan1).days)))
    elif category == "completing" and path[-1] == "under_construction":
        anchor_stage = "under_construction"
        anchor_date = today - timedelta(days=rng.randint(280, 650))
    last_gap = rng.randint(3, 75)
    n = len(path)
    dates: list[date] = [today] * n
    if anchor_stage is None:
        dates[-1] = today - timedelta(days=last_gap)
        a = n - 1
    else:
        a = path.index(anchor_stage)
        dates[a] = min(anchor_date, today)
        end = min(today, today - timedelta(days=last_gap) if a < n - 1 else today)
        fwd = durations[a + 1 :]
        span = (end - dates[a]).days
        total = sum(fwd)
        if fwd and total > span:  # compress the moves after the anchor into the time left
            fwd = [d * max(span, 0) // total for d in fwd]
        for i in range(a + 1, n):
            dates[i] = dates[i - 1] + timedelta(days=fwd[i - a - 1])
    for i in range(a - 1, -1, -1):
        dates[i] = dates[i + 1] - timedelta(days=durations[i + 1])
    return [min(d, today) for d in dates]


def planned_dates(
    rng: random.Random, moves: dict[str, date], today: date, category: str = ""
) -> dict[str, date]:
    """Planned 签约/开工/竣工/投产 dates consistent with the moves already made: before or near the
    actual dates when they exist (some projects slipped), in the future otherwise; 新开工 plans
    to start this year, 竣工投产 to complete this year. Always in order."""
    dec31 = date(today.year, 12, 31)
    out: dict[str, date] = {}
    if "signed" in moves:
        out["planned_signing_date"] = moves["signed"] - timedelta(days=rng.randint(-10, 45))
    else:
        out["planned_signing_date"] = today + timedelta(days=rng.randint(20, 200))
    if "under_construction" in moves:
        start = moves["under_construction"] - timedelta(days=rng.choice([0, 0, 10, 30, 60, 90]))
    elif category == "new_start":
        start = _between(rng, today + timedelta(days=5), max(dec31, today + timedelta(days=5)))
    else:
        start = out["planned_signing_date"] + timedelta(days=rng.randint(90, 360))
        start = max(start, today + timedelta(days=rng.randint(30, 240)))
    if category == "new_start":
        start = max(start, date(today.year, 1, 1))
    out["planned_start_date"] = max(start, out["planned_signing_date"])
    if "completed" in moves:
        completion = moves["completed"] - timedelta(days=rng.choice([0, 0, 15, 45, 90]))
    elif category == "completing":
        completion = _between(rng, today, dec31)
    else:
        completion = out["planned_start_date"] + timedelta(days=rng.randint(300, 900))
        if "under_construction" in moves:
            completion = max(completion, today + timedelta(days=rng.randint(30, 400)))
    out["planned_completion_date"] = max(completion, out["planned_start_date"])
    if "operating" in moves:
        production = moves["operating"] - timedelta(days=rng.choice([0, 10, 30, 60]))
    else:
        production = out["planned_completion_date"] + timedelta(days=rng.randint(30, 150))
    out["planned_production_date"] = max(production, out["planned_completion_date"])
    return out


def money_fields(
    rng: random.Random,
    total: Decimal,
    stage: str,
    category: str,
    moves: dict[str, date],
    today: date,
) -> dict:
    """Annual plan, completed-this-year and completed-since-start consistent with each other (万元)."""
    out: dict = {"total_investment": total}
    resume_rank = max(S.rank(s) for s in moves) if moves else 0
    started = "under_construction" in moves
    if category in ("new_start", "continuing", "completing"):
        annual = (total * Decimal(rng.uniform(0.15, 0.55))).quantize(Decimal("1"))
    elif category == "reserve":
        annual = (total * Decimal(rng.uniform(0.01, 0.05))).quantize(Decimal("1"))
    else:
        annual = None
    out["annual_plan_investment"] = annual
    if started:
        if resume_rank >= S.rank("completed"):
            share = rng.uniform(0.85, 1.0)
        else:
            days = max(0, (today - moves["under_construction"]).days)
            share = min(0.9, 0.05 + days / 900)
        since = (total * Decimal(share)).quantize(Decimal("1"))
        out["completed_since_start"] = since
        if annual is not None:
            pace = Decimal((today.timetuple().tm_yday / 366) * rng.uniform(0.6, 1.1))
            out["completed_this_year"] = min(annual, since, (annual * pace).quantize(Decimal("1")))
    return out


def category_for(rng: random.Random, stage: str, resume: str | None = None) -> str:
    """A plausible plan category for a project in this stage (generator)."""
    s = resume if stage in S.SIDE else stage
    r = rng.random()
    if s in ("lead", "negotiating"):
        return "reserve" if r < 0.35 else ""
    if s in ("signed", "landed", "preparing"):
        return (
            "new_start"
            if r < (0.45 if s == "preparing" else 0.2)
            else ("reserve" if r < 0.9 else "")
        )
    if s == "under_construction":
        return "new_start" if r < 0.35 else ("continuing" if r < 0.8 else "completing")
    if s in ("completed", "operating"):
        return "completing" if r < 0.6 else ""
    return ""


def national_code(year: int, region: str, industry_code: str, kind: int, serial: int) -> str:
    digits = "".join(ch for ch in industry_code if ch.isdigit())[:2] or "99"
    return f"{year:04d}-{region}-{digits.zfill(2)}-{kind:02d}-{serial:06d}"


# ---------------------------------------------------------------- the demo ledger
def build(stdout=None) -> dict:
    """Add the demo projects that are missing. Returns {"projects": created, "skipped": existing}."""
    today = clock.today()
    units = {u.code: u for u in Unit.objects.filter(code__startswith="QHKFQ")}
    missing = [code for code in PARKS if code not in units]
    if missing:
        raise RuntimeError(f"演示园区不存在：{', '.join(missing)}。请先建立组织演示数据。")
    people = {
        u.username: u
        for u in User.objects.filter(
            username__in=[
                *(p[0] for p in PARKS.values()),
                *(p[1] for p in PARKS.values()),
                "quzhang",
                "fuzhuren",
            ]
        )
    }
    created = skipped = 0
    with acting_as(None, channel="cli"), transaction.atomic():
        for index, spec in enumerate(PROJECTS):
            (
                park,
                name,
                investor,
                industry,
                stage,
                category,
                level,
                total,
                extra_leads,
                progress,
                issues,
                side,
                has_code,
                has_coords,
            ) = spec
            unit = units[park]
            if _exists(unit, name):
                skipped += 1
                continue
            rng = random.Random(f"{SEED}:{index}")
            resume, reason = side if side else (None, "")
            path = main_path(stage, resume)
            dates = timeline(rng, path, today, category)
            moves = dict(zip(path, dates))
            secretary_name, leader_name, lat, lon, roads = PARKS[park]
            total_d = Decimal(total)
            data = {
                "name": name,
                "investor": investor,
                "industry": industry,
                "level": level,
                "plan_category": category,
                "plan_year": today.year if category else None,
                "progress_text": progress,
                "issues_text": issues,
                "address": f"{unit.name}{rng.choice(roads)}以{rng.choice('东西南北')}、"
                f"{rng.choice(roads[::-1])}以{rng.choice('东西南北')}",
                **planned_dates(rng, moves, today, category),
                **money_fields(rng, total_d, stage, category, moves, today),
            }
            data.update(_sizes(rng, industry, total_d))
            if has_code and "signed" in moves:
                kind = 1 if industry.startswith(("K", "H")) else rng.choice([2, 3, 3])
                code = national_code(
                    moves["signed"].year,
                    REGION,
                    industry.split()[0],
                    kind,
                    100000 + rng.randint(0, 899999),
                )
                if not Project.objects.filter(national_code=code).exists():
                    data["national_code"] = code
            # every project on the map; the projects listed with coordinates keep the values
            # they always had (same random draws), the others get theirs from a random of their own
            crng = rng if has_coords else random.Random(f"{SEED}:coords:{index}")
            data["latitude"] = Decimal(f"{lat + crng.uniform(-0.012, 0.012):.6f}")
            data["longitude"] = Decimal(f"{lon + crng.uniform(-0.015, 0.015):.6f}")
            leads = [people[leader_name]] + [people[u] for u in extra_leads if u in people]
            responsible = units.get(RESPONSIBLE[resume or stage])
            if "征收" in issues:
                responsible = units.get("QHKFQ-ZSB", responsible)
            project = services.create_project(
                SYSTEM,
                unit=unit,
                data=data,
                lead_officials=leads,
                secretary=people.get(secretary_name),
                responsible_unit=responsible,
                stage="lead",
                stage_date=dates[0],
                note="招商线索录入",
            )
            for step, on in zip(path[1:], dates[1:]):
                project = services.transition(
                    SYSTEM,
                    project,
                    step,
                    on,
                    note=_NOTES.get(step, ""),
                    reason=reason if step in S.SIDE else "",
                )
            created += 1
        _outlines(units)
    if stdout is not None:
        stdout.write(f"演示项目：新建 {created} 个，已存在 {skipped} 个。")
    return {"projects": created}


def _outlines(units: dict) -> None:
    """The outlines the maps draw without a tile server: each park an octagon around its centre,
    the zone the hull of its parks with a margin. Only where a unit has none (never overwrites
    an outline an administrator drew)."""
    import math

    from diaodu.org import services as org_services

    rings = {}
    for code, (_s, _l, lat, lon, _r) in PARKS.items():
        r_lat, r_lon = 0.022, 0.028  # about 2.4 km
        rings[code] = [
            [
                round(lat + r_lat * math.sin(math.pi * k / 4 + 0.3), 6),
                round(lon + r_lon * math.cos(math.pi * k / 4 + 0.3), 6),
            ]
            for k in range(8)
        ]
    points = [p for ring in rings.values() for p in ring]
    clat = sum(p[0] for p in points) / len(points)
    clon = sum(p[1] for p in points) / len(points)
    hull = _hull(points)
    rings["QHKFQ"] = [
        [round(clat + (a - clat) * 1.15, 6), round(clon + (b - clon) * 1.15, 6)] for a, b in hull
    ]
    for code, ring in rings.items():
        unit = units.get(code)
        if unit is not None and not unit.boundary:
            org_services.update_unit(SYSTEM, unit, boundary=ring)


def _hull(points: list) -> list:
    """Convex hull (monotone chain) of [lat, lon] points, counter-clockwise."""
    pts = sorted(map(tuple, points))

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return [list(p) for p in lower[:-1] + upper[:-1]]


_NOTES = {
    "negotiating": "进入实质性洽谈",
    "signed": "签订投资协议",
    "landed": "企业注册落地",
    "preparing": "开展前期手续办理",
    "under_construction": "项目开工建设",
    "completed": "竣工验收",
    "operating": "投产运营",
    "at_capacity": "全面达产",
}


def _exists(unit: Unit, name: str) -> bool:
    return Project.objects.filter(unit=unit, name_key=normalise_name(name)).exists()


def _sizes(rng: random.Random, industry: str, total: Decimal) -> dict:
    """Land (亩), building content, expected output/tax/jobs from the investment and the sector."""
    section = industry[:1]
    if section in ("C", "G", "D"):
        intensity = rng.uniform(280, 520)  # 万元/亩, 投资强度
    elif section in ("K", "F", "H"):
        intensity = rng.uniform(500, 1200)
    else:
        intensity = rng.uniform(600, 1500)
    land = (total / Decimal(intensity)).quantize(Decimal("0.01"))
    area = max(
        Decimal("0.3"), (land * Decimal(rng.uniform(0.6, 1.1)) / 15).quantize(Decimal("0.1"))
    )
    template = CONTENT.get(section, CONTENT["C"])
    output_ratio = {"C": (1.2, 2.5), "I": (0.6, 1.5), "G": (0.3, 0.8)}.get(section, (0.2, 0.6))
    output = (total * Decimal(rng.uniform(*output_ratio))).quantize(Decimal("1"))
    return {
        "land_area_mu": land,
        "content_scale": template.format(
            area=area, n=max(2, int(total / 400) if section != "D" else int(total / 450))
        ),
        "expected_output": output,
        "expected_tax": (output * Decimal(rng.uniform(0.03, 0.08))).quantize(Decimal("1")),
        "expected_jobs": max(20, int(total / Decimal(rng.uniform(60, 200)))),
    }
