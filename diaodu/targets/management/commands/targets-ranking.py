from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from diaodu import clock
from diaodu.audit.context import acting_as
from diaodu.org.scope import SYSTEM


class Command(BaseCommand):
    help = (
        "生成月度目标任务排名（默认：今年上月）或年终考核结果，每个考核方案一份；可同时输出 Word/Excel 通报。"
        "供定时任务在每月填报截止后运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度（默认今年；1月运行时默认上年12月）")
        parser.add_argument("--month", type=int, help="月份 1—12（默认上月）")
        parser.add_argument("--final", action="store_true", help="生成年终考核结果（按年度目标）")
        parser.add_argument("--out", help="把 .docx 与 .xlsx 写到此目录")

    def handle(self, *args, **o):
        from diaodu.targets import documents, queries, services
        from diaodu.targets.models import AssessmentScheme

        today = clock.today()
        default_year, default_month = (
            (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        )
        year = o["year"] or (today.year if o["final"] else default_year)
        month = o["month"] or default_month
        schemes = list(AssessmentScheme.objects.filter(year=year).select_related("root"))
        if not schemes:
            raise CommandError(f"{year}年没有考核方案。")
        out = Path(o["out"]) if o["out"] else None
        if out:
            out.mkdir(parents=True, exist_ok=True)
        for scheme in schemes:
            try:
                with acting_as(None, channel="cli"):
                    ss = services.run_assessment(
                        SYSTEM,
                        scheme,
                        kind="final" if o["final"] else "monthly",
                        month=None if o["final"] else month,
                    )
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            scores = queries.unit_scores(ss)
            self.stdout.write(
                f"{ss.title}：" + "，".join(f"{s.rank}.{s.unit.name} {s.total}" for s in scores)
            )
            if out:
                (out / f"{ss.title}.docx").write_bytes(documents.docx(ss, scores))
                (out / f"{ss.title}.xlsx").write_bytes(documents.xlsx(ss, scores))
                self.stdout.write(f"已输出：{out / ss.title}.docx / .xlsx")
