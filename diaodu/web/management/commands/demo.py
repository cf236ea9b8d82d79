from django.core.management.base import BaseCommand
from django.db import transaction

from diaodu.audit.context import acting_as


class Command(BaseCommand):
    help = "建立演示开发区（清河经济开发区）：单位、人员、角色与项目。可重复执行，不会重复创建。"

    def handle(self, *args, **options):
        from diaodu.org import demo as org_demo

        builders = [("组织", org_demo.build)]
        try:
            from diaodu.projects import demo as projects_demo
        except ImportError:
            projects_demo = None
        if projects_demo is not None:
            builders.append(("项目", projects_demo.build))
        with acting_as(None, channel="cli"), transaction.atomic():
            for label, build in builders:
                created = build()
                summary = "，".join(f"{k} {v}" for k, v in created.items())
                self.stdout.write(f"{label}：新建 {summary}")
        self.stdout.write(self.style.SUCCESS(f"演示数据就绪。演示账号密码：{org_demo.DEMO_PASSWORD}"))
