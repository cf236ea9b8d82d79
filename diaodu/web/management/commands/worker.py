"""`diaodu worker`: runs background tasks with whichever backend the settings chose —
the database backend's worker by default, an RQ worker when REDIS_URL is set."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "运行后台任务进程（默认数据库队列；设置 REDIS_URL 时使用 Redis/RQ）。"

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="处理完队列中的任务后退出")

    def handle(self, *args, burst=False, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        if backend.endswith("RQBackend"):
            call_command("rqworker", "default", "--with-scheduler", *(["--burst"] if burst else []))
        else:
            call_command("db_worker", *(["--batch"] if burst else []))
