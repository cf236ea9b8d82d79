"""Benchmark: 倒排工期 engine over 100,000 synthetic projects.

Not a test.  Run:  .venv/bin/python bench/schedule_engine.py [projects]

Builds deterministic (seeded) chains shaped like a realistic procedure template
— 4 stages (立项 → 用地规划 → 工程规划/审图 → 施工许可) with parallel branches,
random lags, random statuses consistent with the stage order and actual dates,
the land sale counted in calendar days (公告20日 + 挂牌10日 = 30 自然日) — then
times ``schedule()`` alone with ``time.perf_counter``.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from diaodu.engine.calendar import WorkCalendar
from diaodu.engine.schedule import CALENDAR_DAYS, WORKING_DAYS, Dep, Item, schedule

# (code, name, duration, predecessors as (code, lag)) — 4 stages, 15 items; durations in
# working days except the codes in CALENDAR_DAY_CODES.
TEMPLATE = [
    # 1 立项
    ("P01", "项目建议书/备案", 5, []),
    ("P02", "节能审查", 10, [("P01", 0)]),
    ("P03", "社会稳定风险评估", 8, [("P01", 0)]),
    # 2 用地
    ("P04", "用地预审与选址意见书", 15, [("P01", 0)]),
    ("P05", "环境影响评价", 20, [("P01", 0)]),
    ("P06", "土地出让（公告、挂牌）", 30, [("P04", 5)]),
    ("P07", "建设用地规划许可证", 7, [("P06", 0)]),
    # 3 工程规划
    ("P08", "方案设计审查", 10, [("P07", 0)]),
    ("P09", "建设工程规划许可证", 10, [("P08", 0), ("P02", 0)]),
    ("P10", "初步设计审批", 12, [("P08", 0)]),
    ("P11", "施工图审查", 15, [("P10", 0), ("P05", 0)]),
    # 4 施工许可
    ("P12", "消防设计审查", 10, [("P11", 0)]),
    ("P13", "招标/合同备案", 20, [("P09", 0), ("P11", 0)]),
    ("P14", "质量安全监督登记", 3, [("P12", 0), ("P13", 0)]),
    ("P15", "施工许可证", 7, [("P14", 0), ("P03", 0)]),
]

CALENDAR_DAY_CODES = {"P06"}


def build_projects(count: int, seed: int = 20260101) -> list[tuple[list[Item], date, date]]:
    rng = random.Random(seed)
    base = date(2025, 9, 1)
    projects = []
    for _ in range(count):
        today = base + timedelta(days=rng.randrange(0, 420))
        target = today + timedelta(days=rng.randrange(-30, 300))
        progress = rng.randrange(0, len(TEMPLATE) + 1)  # items before this are mostly done
        items = []
        cursor = today - timedelta(days=rng.randrange(60, 400))
        for k, (code, name, dur, preds) in enumerate(TEMPLATE):
            dur = max(0, dur + rng.randrange(-3, 6))
            status, a_start, a_finish = "not_started", None, None
            r = rng.random()
            if r < 0.05:
                status = "not_applicable"
            elif k < progress:
                a_start = min(cursor + timedelta(days=rng.randrange(0, 10)), today)
                a_finish = min(a_start + timedelta(days=rng.randrange(0, dur * 2 + 1)), today)
                cursor = a_finish
                status = "done"
            elif k == progress or r < 0.15:
                a_start = today - timedelta(days=rng.randrange(0, 40))
                status = "accepted_with_gaps" if r < 0.10 else "in_progress"
            deps = [
                Dep(c, lag + (rng.randrange(0, 3) if rng.random() < 0.1 else 0)) for c, lag in preds
            ]
            unit = CALENDAR_DAYS if code in CALENDAR_DAY_CODES else WORKING_DAYS
            items.append(Item(code, name, dur, deps, status, a_start, a_finish, unit))
        projects.append((items, target, today))
    return projects


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    cal = WorkCalendar.from_chinesecalendar()
    t0 = time.perf_counter()
    projects = build_projects(count)
    t_build = time.perf_counter() - t0
    n_items = sum(len(p[0]) for p in projects)

    t0 = time.perf_counter()
    late = 0
    for items, target, today in projects:
        res = schedule(items, target_start=target, today=today, calendar=cal)
        late += res.days_late_wd > 0
    engine = time.perf_counter() - t0

    print(
        f"projects={count} items={n_items} engine_seconds={engine:.2f} "
        f"per_project_us={engine / count * 1e6:.1f} target=10s ratio={engine / 10:.2f}"
    )
    print(
        f"(build_seconds={t_build:.2f}, late_projects={late}, calendar_warnings={cal.warnings()})"
    )


if __name__ == "__main__":
    main()
