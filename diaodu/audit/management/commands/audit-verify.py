from django.core.management.base import BaseCommand

from diaodu.audit.services import verify


class Command(BaseCommand):
    help = "校验审计日志哈希链：完整时退出码 0，否则指出第一条有问题的记录并以非零退出。"

    def handle(self, *args, **options):
        result = verify()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(result.message))
            return
        self.stderr.write(self.style.ERROR(result.message))
        raise SystemExit(1)
