"""`diaodu scheduler`: enqueue the periodic jobs that are due (lights at the deadline, reminders,
escalation, notification retries). Run one per deployment or several: each slot is claimed in the
database, so it runs once. `--once` checks a single time and exits (tests, or cron every minute)."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from diaodu.notify import periodic


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
        name = periodic.worker_name()
        if not once:
            self.stdout.write(
                f"调度进程 {name} 已启动：{len(periodic.registered())} 个定时任务，每 {interval:g} 秒检查一次。"
            )
        try:
            while True:
                for run in periodic.run_due(claimed_by=name):
                    self.stdout.write(
                        f"{timezone.localtime():%Y-%m-%d %H:%M:%S} 已排队：{run.job} "
                        f"（{timezone.localtime(run.slot):%Y-%m-%d %H:%M}）"
                    )
                if once:
                    return
                close_old_connections()
                time.sleep(interval)
        except KeyboardInterrupt:
            self.stdout.write("调度进程已停止。")
