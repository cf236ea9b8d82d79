from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from diaodu.audit.context import acting_as
from diaodu.org.models import Unit
from diaodu.org.scope import SYSTEM


class Command(BaseCommand):
    help = "生成督查通报（Word）及本期项目台账（Excel）：diaodu bulletin --unit QHKFQ --period 2026-W47 -o 通报.docx"

    def add_arguments(self, parser):
        parser.add_argument(
            "--unit", required=True, help="单位编码，如 QHKFQ（开发区）或 QHKFQ-WL（园区）"
        )
        parser.add_argument(
            "--period",
            default="",
            help="期次，如 2026-W47（周）或 2026-11（月）；默认为最近一个已截止的期次",
        )
        parser.add_argument(
            "-o", "--output", required=True, help="输出文件：.docx 为通报，.xlsx 为本期台账"
        )
        parser.add_argument("--ledger", default="", help="同时输出本期台账（.xlsx）的路径")

    def handle(self, *args, **o):
        from diaodu.audit.services import record
        from diaodu.engine import periods
        from diaodu.supervision import bulletin, queries

        unit = Unit.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(f"单位编码“{o['unit']}”不存在。")
        cycle = queries.cycle_for_unit(unit)
        if o["period"]:
            try:
                period = periods.parse(o["period"], cycle.frequency if cycle else None)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        elif cycle is not None:
            period = queries.last_due_period(cycle)
        else:
            raise CommandError(f"“{unit.name}”尚未设置报送周期，请用 --period 指定期次。")
        out = Path(o["output"])
        targets = [(out, out.suffix.lower())]
        if o["ledger"]:
            targets.append((Path(o["ledger"]), ".xlsx"))
        for path, kind in targets:
            if kind not in (".docx", ".xlsx"):
                raise CommandError(f"输出文件“{path}”应以 .docx 或 .xlsx 结尾。")
        with acting_as(None, channel="cli"):
            for path, kind in targets:
                data = (
                    bulletin.build_docx(SYSTEM, unit, period)
                    if kind == ".docx"
                    else bulletin.build_xlsx(SYSTEM, unit, period)
                )
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                record(
                    "bulletin.export",
                    unit,
                    after={"period": period.code, "file": path.name, "channel": "cli"},
                    only_changes=False,
                )
                self.stdout.write(
                    f"已生成：{path}（{unit.name} {period.name}，{len(data) // 1024} KB）"
                )
