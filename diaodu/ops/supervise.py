"""`diaodu serve`: the web server, a task worker and the scheduler, with the worker and the
scheduler restarted whenever they exit. This is what `make run` starts.

Why a small loop of our own: honcho/foreman stop every process as soon as one exits (the
opposite of what is wanted here), and supervisord is one more daemon with its own configuration,
for a job that systemd does in production (docs/production.md). The loop is short: start the
three, poll them, restart a dead worker or scheduler after a backoff (1 s, 2 s … 30 s; back to
1 s once it has run for a minute), stop everything when the web server exits or on Ctrl-C /
SIGTERM (children get SIGTERM, then SIGKILL after 10 s).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

log = logging.getLogger("diaodu.ops.supervise")
HEALTHY_AFTER = 60.0


@dataclass
class Child:
    name: str
    argv: list[str]
    restart: bool
    proc: subprocess.Popen | None = None
    started: float = 0.0
    delay: float = 0.0
    due: float = 0.0
    restarts: int = field(default=0)

    def start(self):
        self.proc = subprocess.Popen(self.argv)
        self.started = time.monotonic()


class Supervisor:
    def __init__(self, children: list[Child], out=None, poll: float = 0.5, maximum: float = 30.0):
        self.children = children
        self.out = out or sys.stdout
        self.poll = poll
        self.maximum = maximum
        self.stopping = False

    def say(self, text: str):
        self.out.write(text + "\n")
        self.out.flush()

    def _signal(self, signum, frame):
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._signal)
        signal.signal(signal.SIGINT, self._signal)
        for child in self.children:
            child.start()
        try:
            while not self.stopping:
                for child in self.children:
                    code = self.check(child)
                    if code is not None:
                        return code
                time.sleep(self.poll)
            return 0
        finally:
            self.stop_all()

    def check(self, child: Child) -> int | None:
        """Restart `child` if it exited and may be restarted; the web server's exit ends all."""
        now = time.monotonic()
        if child.proc is None:
            if now >= child.due:
                child.start()
                child.restarts += 1
            return None
        code = child.proc.poll()
        if code is None:
            return None
        if not child.restart:
            self.say(f"{child.name}已退出（代码 {code}），停止全部进程。")
            return code or 1
        ran = now - child.started
        child.delay = (
            1.0 if ran >= HEALTHY_AFTER or not child.delay else min(child.delay * 2, self.maximum)
        )
        child.proc, child.due = None, now + child.delay
        self.say(f"{child.name}已退出（代码 {code}），{child.delay:g} 秒后重启。")
        return None

    def stop_all(self):
        running = [c for c in self.children if c.proc is not None and c.proc.poll() is None]
        for child in running:
            child.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in running:
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait()


def diaodu_children(host: str, port: int, workers: int, threads: int) -> list[Child]:
    manage = [sys.executable, "-m", "diaodu.manage"]
    return [
        Child(
            "网站进程（gunicorn）",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "diaodu.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--access-logfile",
                "-",
                # load the application once in the master and fork: workers answer sooner after
                # a restart and share the imported code
                "--preload",
            ],
            restart=False,
        ),
        Child("后台任务进程", [*manage, "worker"], restart=True),
        Child("调度进程", [*manage, "scheduler"], restart=True),
    ]
