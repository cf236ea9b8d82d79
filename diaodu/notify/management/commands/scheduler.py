"""`diaodu scheduler`: enqueue the periodic jobs that are due (lights at the deadline, reminders,
escalation, notification retries) and run the recovery work (tasks waiting for Redis, jobs whose
worker died, audit entries that a crashed process committed but never sealed).

Exactly one scheduler is active in a deployment: it holds the `scheduler` lease in the database
and renews it on every tick; a second one waits and takes over within a minute of the first one
stopping. A lost database or Redis connection is logged and retried with backoff, never fatal.
`--once` checks a single time and exits (tests, or cron every minute)."""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from diaodu import clock
from diaodu.audit import chain
from diaodu.notify import periodic
from diaodu.ops import housekeeping, leases
from diaodu.ops.faults import Backoff, transient_errors


class _Stop(BaseException):  # not an Exception: no handler below may swallow it
    pass


def _stop(signum, frame):
    raise _Stop()


class Command(BaseCommand):
    help = "运行定时任务调度（到点亮灯、催报提醒、督办升级、通知重试）；--once 只检查一次。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="检查一次、把到期的任务放入队列后退出"
        )
        parser.add_argument(
            "--interval", type=float, default=20.0, help="两次检查之间的秒数（默认 20）"
        )
        parser.add_argument("--list", action="store_true", help="列出已登记的定时任务")

    def handle(self, *args, once=False, interval=20.0, list=False, **options):
        if list:
            for job in periodic.registered():
                self.stdout.write(f"{job.name}\t{job.describe()}\t{job.func_path}")
            return
        if interval <= 0:
            interval = 20.0
        self.token = leases.process_token()
        self.started_at = clock.wall_now()
        if once:
            return self.tick_once()
        saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(
            f"调度进程已启动：{len(periodic.registered())} 个定时任务，每 {interval:g} 秒检查一次。"
        )
        backoff = Backoff()
        holding = None
        try:
            while True:
                try:
                    now_holding = leases.acquire(leases.SCHEDULER_LEASE, self.token)
                    leases.beat(
                        "scheduler",
                        state="active" if now_holding else "waiting",
                        token=self.token,
                        started_at=self.started_at,
                    )
                    if now_holding != holding:
                        self.stdout.write(
                            "已取得调度锁，开始调度。"
                            if now_holding
                            else "另一个调度进程正在运行，本进程等待（它停止后自动接替）。"
                        )
                        self.stdout.flush()
                    holding = now_holding
                    if holding:
                        self.tick()
                    backoff.reset("调度进程")
                except transient_errors() as exc:
                    backoff.wait("调度进程", exc)
                    continue
                close_old_connections()
                time.sleep(interval)
        except (KeyboardInterrupt, _Stop):
            pass
        finally:
            # Ctrl-C reaches every process of the terminal and `diaodu serve` then sends SIGTERM
            # as well: a second signal must not interrupt the release of the lease.
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                leases.release(leases.SCHEDULER_LEASE, self.token)
                leases.forget(self.token)
            except Exception:
                pass
            for sig, handler in saved.items():
                signal.signal(sig, handler)
        self.stdout.write("调度进程已停止。")

    def tick(self):
        swept = chain.seal_all()
        if swept:
            self.stdout.write(f"已补封存审计记录 {swept} 条。")
        for run in periodic.run_due(claimed_by=self.token[:100]):
            self.stdout.write(
                f"{timezone.localtime(clock.wall_now()):%Y-%m-%d %H:%M:%S} 已排队：{run.job} "
                f"（{timezone.localtime(run.slot):%Y-%m-%d %H:%M}）"
            )
        housekeeping.run()
        self.stdout.flush()

    def tick_once(self):
        if not leases.acquire(leases.SCHEDULER_LEASE, self.token):
            raise CommandError("另一个调度进程正在运行，本次不检查。")
        try:
            self.tick()
        finally:
            leases.release(leases.SCHEDULER_LEASE, self.token)
