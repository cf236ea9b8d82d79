"""`diaodu init-admins`: the first accounts of a new deployment — the three administrators of
三员分立 (system, security, audit), each with a one-time password that must be changed at first
sign-in. Business accounts are then created by the system administrator and granted roles by the
security administrator, as in any 等保 system."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from diaodu.audit.context import acting_as
from diaodu.org import services
from diaodu.org.builtin import seed
from diaodu.org.models import Role, Unit, User
from diaodu.org.scope import SYSTEM
from diaodu.web.management.commands._passwords import one_time_password

ADMINS = (("sysadmin", "系统管理员"), ("secadmin", "安全管理员"), ("auditadmin", "审计管理员"))


class Command(BaseCommand):
    help = (
        "新部署初始化：创建三员（系统/安全/审计管理员）账号，打印一次性初始密码（首次登录须修改）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--unit", required=True, help="三员所属单位编码；不存在时以 --unit-name 新建为顶级单位"
        )
        parser.add_argument(
            "--unit-name", default="", help="新建顶级单位时的名称，如“清河经济开发区管委会”"
        )
        parser.add_argument("--prefix", default="", help="账号前缀，如 qh_ → qh_sysadmin")

    @transaction.atomic
    def handle(self, *args, unit, unit_name, prefix, **options):
        seed()
        existing = [
            f"{prefix}{code}"
            for code, _ in ADMINS
            if User.objects.filter(username=f"{prefix}{code}").exists()
        ]
        if existing:
            raise CommandError(f"账号已存在：{'、'.join(existing)}。三员账号只能初始化一次。")
        with acting_as(None, channel="cli"):
            target = Unit.objects.filter(code=unit).first()
            if target is None:
                if not unit_name.strip():
                    raise CommandError(f"单位编码“{unit}”不存在：请用 --unit-name 给出名称以新建。")
                target = services.create_unit(
                    SYSTEM, parent=None, code=unit, name=unit_name.strip(), kind="zone"
                )
            for code, label in ADMINS:
                password = one_time_password()
                user = services.create_person(
                    SYSTEM,
                    username=f"{prefix}{code}",
                    password=password,
                    name=label,
                    memberships=[(target, label)],
                )
                services.grant_roles(SYSTEM, user, [Role.objects.get(code=code)])
                self.stdout.write(f"{label}：账号 {user.username}  初始密码 {password}")
        self.stdout.write(
            self.style.SUCCESS("请妥善交付初始密码；三个账号首次登录时都须修改密码。")
        )
