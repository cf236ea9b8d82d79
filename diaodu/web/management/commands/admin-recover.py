"""`diaodu admin-recover USERNAME --reason …`: recover an administrator's account on the server.

三员分立 forbids any administrator to reset, unlock or re-enable another administrator (or
themselves) through the application, so a forgotten password or a locked account of the system,
security or audit administrator is recovered here, by the operator of the server: a new one-time
password (printed once, to be changed at sign-in), the account unlocked and enabled, an audit
entry with the reason, and a message to every audit administrator."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from diaodu.audit.context import acting_as
from diaodu.notify.services import notify
from diaodu.org import services
from diaodu.org.models import User
from diaodu.web.management.commands import _passwords


def audit_administrators() -> list[User]:
    people = User.objects.filter(is_active=True).prefetch_related("roles").order_by("pk")
    return [p for p in people if any("audit.view" in (r.permissions or []) for r in p.roles.all())]


class Command(BaseCommand):
    help = (
        "恢复管理员账号（三员分立：管理员之间不能在网页上重置、解锁）：生成一次性密码、"
        "解锁并启用账号，写入审计日志并通知审计管理员。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="管理员账号，如 sysadmin")
        parser.add_argument("--reason", required=True, help="恢复原因，写入审计日志")

    def handle(self, *args, username, reason, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在。")
        password = _passwords.one_time_password()
        try:
            with acting_as(None, channel="cli"), transaction.atomic():
                services.recover_administrator(user, password, reason=reason)
                notify(
                    audit_administrators(),
                    title=f"管理员账号“{user.username}”已在服务器上恢复",
                    body=f"{user.name}（{user.username}）的密码已由 diaodu admin-recover 重置并解锁。原因：{reason.strip()}",
                    link="/audit/",
                    kind="info",
                    source=user,
                )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(f"{user.name}：账号 {user.username}  一次性密码 {password}")
        self.stdout.write(
            self.style.SUCCESS("已解锁并启用；首次登录须修改密码。审计管理员已收到通知。")
        )
