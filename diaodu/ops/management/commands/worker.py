"""`diaodu worker`: run background tasks (see diaodu.ops.workers)."""

from django.core.management.base import BaseCommand

from diaodu.ops.workers import is_rq, run_worker


class Command(BaseCommand):
    help = "运行后台任务进程（默认数据库队列；设置 REDIS_URL 时使用 Redis/RQ）。数据库或 Redis 断开时自动重连，不会退出。"

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="处理完队列中的任务后退出")

    def handle(self, *args, burst=False, **options):
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, tasks

        default_task_backend = tasks[DEFAULT_TASK_BACKEND_ALIAS]

        if not burst:
            kind = "Redis/RQ" if is_rq(default_task_backend) else "数据库"
            self.stdout.write(f"后台任务进程已启动（{kind}队列）。")
        try:
            run_worker(burst=burst, stdout=self.stdout)
        except KeyboardInterrupt:
            pass
        if not burst:
            self.stdout.write("后台任务进程已停止。")
