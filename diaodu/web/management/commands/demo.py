from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from diaodu.audit.context import acting_as

# In order: each builder may use what the earlier ones made.
BUILDERS = [
    ("组织", "org", "diaodu.org.demo"),
    ("项目", "projects", "diaodu.projects.demo"),
    ("前期手续", "procedures", "diaodu.procedures.demo"),
    ("督查调度", "supervision", "diaodu.supervision.demo"),
    ("目标考核", "targets", "diaodu.targets.demo"),
    ("重点工作督办", "tasks", "diaodu.tasks.demo"),
]


class Command(BaseCommand):
    help = "建立演示开发区（清河经济开发区）：单位、人员、角色、项目、前期手续、督查调度、目标考核与重点工作督办。可重复执行，不会重复创建。"

    def handle(self, *args, **options):
        from diaodu.org.demo import DEMO_PASSWORD

        with acting_as(None, channel="cli"), transaction.atomic():
            for label, app_label, module in BUILDERS:
                if not apps.is_installed(f"diaodu.{app_label}"):
                    continue
                created = import_module(module).build()
                summary = "，".join(f"{k} {v}" for k, v in created.items())
                self.stdout.write(f"{label}：新建 {summary}")
        self.stdout.write(self.style.SUCCESS(f"演示数据就绪。演示账号密码：{DEMO_PASSWORD}"))
