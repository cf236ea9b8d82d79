"""How long `make run` takes to answer again on an existing database.

Starts `make run` on a free port in its own session, polls /healthz until it answers 200 (web,
worker and scheduler all seen), and prints the wall time together with the CPU seconds the
whole process tree spent getting there. On a busy machine the wall time grows with the load;
the CPU seconds do not, and divided by the cores they give the wall time of a quiet machine.

    .venv/bin/python bench/restart.py [--port 8123] [--runs 3]

Run it once first on a fresh checkout to create the database; later runs are restarts.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import time
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(sid: int) -> float:
    """CPU seconds of every live process of session ``sid``, with their reaped children."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) != sid:  # field 6 of stat: session id
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
            body = json.loads(r.read())
            return r.status == 200 and body["worker"]["ok"] and body["scheduler"]["ok"]
    except Exception:
        return False


def once(port: int) -> tuple[float, float]:
    start = time.monotonic()
    proc = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not ready(port):
            if proc.poll() is not None:
                raise SystemExit("make run exited before it answered")
            if time.monotonic() - start > 300:
                raise SystemExit("no answer within 300 s")
            time.sleep(0.1)
        return time.monotonic() - start, tree_cpu(proc.pid)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8123)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    with open("/proc/loadavg") as fh:
        load = fh.read().split()[0]
    print(f"make run restart, {cores} cores, load {load} before the first run")
    for i in range(args.runs):
        wall, cpu = once(args.port)
        print(
            f"run {i + 1}: answered after {wall:5.1f} s wall, {cpu:5.1f} CPU s "
            f"(≈ {cpu / cores:4.1f} s on an idle machine of {cores} cores); target ≤ 10 s"
        )


if __name__ == "__main__":
    main()
