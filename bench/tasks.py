"""Benchmark: the offline task extractor on a 30,000-character speech (issue 14: ≤ 2 s).

Not a test.  Run:  .venv/bin/python bench/tasks.py [characters]

Builds the speech from the two reference speeches (diaodu/tasks/tests/data/), repeated with
varied unit names, numbers and dated sentences (年底前, 11月15日前, 每周, 十二月月底 …) until it
has the asked length, with a gazetteer of 300 units; then times ``extract()`` — the first call in
the process (zhconv's table and the work calendar load) and the best of five.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diaodu.engine.taskextract import Gazetteer, extract  # noqa: E402

TARGET_S = 2.0
DATA = ROOT / "diaodu" / "tasks" / "tests" / "data"
UNITS = [
    "自然资源局",
    "征收办",
    "发改局",
    "财政局",
    "招商局",
    "住建局",
    "生态环境分局",
    "综合服务中心",
]
DATED = [
    "{u}要在11月15日前完成{n}个项目的土地报批。",
    "{u}牵头,财政局配合,年底前完成征供地{n}公顷以上。",
    "{u}要每周调度一次,十二月月底前全部开工。",
    "{u}要力争上半年签约{n}个项目,三季度末前落地。",
    "{u}要在60天内完成整改,持续推进营商环境建设。",
]


def speech(chars: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    sources = [(DATA / n).read_text(encoding="utf-8") for n in sorted(DATA.glob("*.txt"))]
    parts: list[str] = []
    size = 0
    while size < chars:
        text = rnd.choice(sources)
        for old in ("自然资源局", "征收办", "聚丰", "广汇"):
            text = text.replace(old, rnd.choice(UNITS))
        text = text.replace("400公顷", f"{rnd.randint(50, 900)}公顷")
        extra = "".join(
            rnd.choice(DATED).format(u=rnd.choice(UNITS), n=rnd.randint(2, 40)) for _ in range(8)
        )
        chunk = text + "\n" + extra + "\n"
        parts.append(chunk)
        size += len(chunk)
    return "".join(parts)[:chars]


def gazetteer(n: int = 300) -> Gazetteer:
    entries = [{"code": f"U{i}", "name": name} for i, name in enumerate(UNITS)]
    entries += [
        {"code": f"P{i}", "name": f"第{i}园区管理办公室", "short_name": f"{i}号园区办"}
        for i in range(n - len(UNITS))
    ]
    return Gazetteer(entries)


def main() -> None:
    chars = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    text = speech(chars)
    gaz = gazetteer()
    doc = date(2021, 3, 15)
    t0 = time.perf_counter()
    rows = extract(text, doc, gaz)
    first = time.perf_counter() - t0
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        rows = extract(text, doc, gaz)
        best = min(best, time.perf_counter() - t0)
    dated = sum(1 for r in rows if r.deadline)
    print(f"speech: {len(text):,} characters, {len(rows)} draft rows ({dated} with a deadline)")
    print(f"extract(), first call: {first:.3f} s   best of 5: {best:.3f} s   target ≤ {TARGET_S} s")
    print("OK" if first <= TARGET_S else "SLOWER THAN THE TARGET")


if __name__ == "__main__":
    main()
