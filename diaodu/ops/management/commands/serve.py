"""`diaodu serve`: web server + worker + scheduler, the latter two restarted when they exit."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections

from diaodu.ops.supervise import Supervisor, diaodu_children


class Command(BaseCommand):
    help = "启动网站、后台任务进程与调度进程；后两者意外退出时自动重启（make run 使用）。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn 工作进程数")
        parser.add_argument("--threads", type=int, default=4, help="每个工作进程的线程数")
        parser.add_argument(
            "--prepare",
            action="store_true",
            help="启动前在本进程内完成迁移、演示数据与静态文件收集（make run 使用，省去三次启动）",
        )

    def handle(self, *args, host, port, workers, threads, prepare, **options):
        if prepare:
            started = time.monotonic()
            call_command("migrate", interactive=False, verbosity=1, stdout=self.stdout)
            call_command("demo", stdout=self.stdout)
            call_command("collectstatic", interactive=False, verbosity=0)
            connections.close_all()  # the supervisor itself holds no connection while it runs
            self.stdout.write(f"准备完成，用时 {time.monotonic() - started:.1f} 秒。")
        self.stdout.write(f"调度平台启动：http://{host}:{port}/ （Ctrl-C 停止）")
        code = Supervisor(diaodu_children(host, port, workers, threads), out=self.stdout).run()
        if code:
            raise SystemExit(code)
