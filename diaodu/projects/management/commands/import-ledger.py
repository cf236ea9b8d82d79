import json
import sys

from django.core.management.base import BaseCommand, CommandError

from diaodu.audit.context import acting_as
from diaodu.org.models import Unit
from diaodu.org.scope import SYSTEM


class Command(BaseCommand):
    help = (
        "导入 Excel 项目台账（与网页上传同一读取器）：打印新增/更新/跳过数、逐行变化（原值 → 新值）"
        "与逐行说明。空白单元格不会清除已有内容，填写“（清空）”才清除。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件（.xlsx）")
        parser.add_argument("--unit", required=True, help="导入到的单位编码，如 QHKFQ-WL")
        parser.add_argument("--dry-run", action="store_true", help="只预检，不写入")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
        parser.add_argument("--skip-errors", action="store_true", help="跳过有错误的行，导入其余行")
        parser.add_argument("--year", type=int, help="台账所属年度（默认今年）")

    def handle(self, *args, **o):
        from diaodu.projects.services import import_ledger

        unit = Unit.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(f"单位编码“{o['unit']}”不存在。")

        def progress(phase, done, total):
            if not o["json"] and total >= 1000 and (done % 1000 == 0 or done == total):
                self.stderr.write(f"{phase} {done}/{total}")

        with acting_as(None, channel="cli"):
            report = import_ledger(
                SYSTEM,
                unit,
                o["file"],
                dry_run=o["dry_run"],
                skip_errors=o["skip_errors"],
                year=o["year"],
                progress=progress,
            )
        if o["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            mode = "预检" if o["dry_run"] else "导入"
            for row in report.rows:  # the diff: every field that changes, old → new
                if row["action"] == "update":
                    changes = "；".join(
                        f"{c['label']}：{c['old'] or '（空）'} → {c['new'] or '（空）'}"
                        for c in row["changes"]
                    )
                    self.stdout.write(f"第{row['row']}行 {row['name']}：更新 {changes}")
                elif row["action"] == "create":
                    self.stdout.write(f"第{row['row']}行 {row['name']}：新增")
            for m in report.messages:
                self.stdout.write(
                    f"[{ {'error': '错误', 'warning': '提醒', 'info': '说明'}.get(m['level'], m['level']) }] {m['message']}"
                )
            self.stdout.write(
                f"{mode}：新增 {report.created}，更新 {report.updated}，无变化 {report.unchanged}，"
                f"跳过 {report.skipped}，错误 {report.errors}"
                + ("" if report.applied or o["dry_run"] else "（未写入）")
            )
        if report.errors and not o["skip_errors"]:
            sys.exit(1)
