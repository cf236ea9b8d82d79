"""`diaodu audit-verify [--anchor FILE]`: check the audit log and the login log.

Seals committed entries that wait for their place first, then walks both chains. With an anchor
(written by `diaodu audit-anchor` and kept by the audit administrator outside the system) it
also proves that nothing up to the anchored head was truncated, removed or rewritten. Without
--anchor, the newest copy under var/audit_anchors/ is used when there is one.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from diaodu.audit import chain


class Command(BaseCommand):
    help = "校验审计日志与登录日志的密钥哈希链（可对照锚点文件）：完整时退出码 0，否则指出第一条有问题的记录并以非零退出。"

    def add_arguments(self, parser):
        parser.add_argument("--anchor", help="审计管理员保存的锚点文件（diaodu audit-anchor 导出）")
        parser.add_argument(
            "--no-local-anchor", action="store_true", help="不使用 var/audit_anchors/ 中的最新锚点"
        )

    def handle(self, *args, anchor=None, no_local_anchor=False, **options):
        path = Path(anchor) if anchor else None
        if path is None and not no_local_anchor:
            path = chain.latest_local_anchor()
        anchored = None
        if path is not None:
            try:
                anchored = chain.read_anchor(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(f"无法读取锚点文件 {path}：{exc.strerror}")
            except chain.AnchorError as exc:
                self.stderr.write(self.style.ERROR(f"{path}：{exc}"))
                raise SystemExit(1)
        result = chain.verify(anchored)
        if not result.ok:
            self.stderr.write(self.style.ERROR(result.message))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(result.message))
        for note in result.notes:
            self.stdout.write(self.style.SUCCESS(note))
        if anchored is not None:
            self.stdout.write(f"锚点：{path}（{anchored['created_at']}）")
        else:
            self.stdout.write(
                "未对照锚点：只能证明链内一致。请用 diaodu audit-anchor 定期导出锚点并妥善保存。"
            )
