"""`diaodu audit-anchor [--out FILE]`: export a signed anchor of the audit chains' heads.

The anchor (seq and hash of each chain's newest entry, the time, signed with the audit key)
is what the audit administrator keeps outside the system; `diaodu audit-verify --anchor FILE`
later proves that nothing up to it was altered, removed, inserted, truncated or re-hashed.
A copy is also kept under var/audit_anchors/ (outside the database).
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from diaodu import clock
from diaodu.audit import chain


class Command(BaseCommand):
    help = "导出审计链的签名锚点（序号、哈希、时间），由审计管理员在系统外保存。"

    def add_arguments(self, parser):
        parser.add_argument("--out", help="锚点写入的文件（缺省输出到标准输出）")

    def handle(self, *args, out=None, **options):
        try:
            anchor = chain.make_anchor()
        except chain.ChainBroken as exc:
            self.stderr.write(self.style.ERROR(f"链已不完整，拒绝签发锚点：{exc}"))
            raise SystemExit(1)
        text = json.dumps(anchor, ensure_ascii=False, indent=2) + "\n"
        folder = chain.anchors_dir()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = clock.wall_now().strftime("%Y%m%dT%H%M%S%fZ")
        (folder / f"{stamp}.json").write_text(text, encoding="utf-8")
        if out:
            Path(out).write_text(text, encoding="utf-8")
            heads = "，".join(f"{name} 第 {h['seq']} 条" for name, h in anchor["chains"].items())
            self.stdout.write(self.style.SUCCESS(f"锚点已写入 {out}（{heads}）。"))
        else:
            self.stdout.write(text, ending="")
