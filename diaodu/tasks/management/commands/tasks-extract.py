import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from diaodu.engine import cleaning
from diaodu.engine.taskextract import extract

RECURRENCE_LABELS = {
    "daily": "每天",
    "weekly": "每周",
    "biweekly": "每两周",
    "monthly": "每月",
    "quarterly": "每季度",
    "semiannual": "每半年",
    "yearly": "每年",
    "ongoing": "持续",
}


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _cut(s: str, width: int) -> str:
    out, w = "", 0
    for ch in s:
        cw = _width(ch)
        if w + cw > width - 1 and _width(s) > width:
            return out + "…"
        out, w = out + ch, w + cw
    return out


def _pad(s: str, width: int) -> str:
    s = _cut(s, width)
    return s + " " * (width - _width(s))


class Command(BaseCommand):
    help = (
        "从讲话、会议纪要等文件（.txt 或 .docx）离线抽取任务分解表草稿：任务、具体措施、牵头单位、"
        "配合单位、责任领导、完成时限、周期与量化目标。--unit 用该单位及下级单位的名称和简称识别单位。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="文件路径（.txt 或 .docx）")
        parser.add_argument(
            "--date", required=True, help="文件日期 YYYY-MM-DD（解析“年底前”等时限的基准）"
        )
        parser.add_argument("--unit", help="单位编码：用该单位的下级单位名称识别牵头/配合单位")
        parser.add_argument("--json", action="store_true", help="输出 JSON 列表")

    def handle(self, *args, **o):
        from diaodu.org.models import Unit
        from diaodu.tasks.sources import SourceError, gazetteer_for, read_text

        try:
            doc_date = cleaning.date_value(o["date"], "文件日期", field="date", required=True)
        except cleaning.CleaningError as exc:
            raise CommandError(exc.message) from None
        gazetteer = None
        if o["unit"]:
            unit = Unit.objects.filter(code=o["unit"].strip()).first()
            if unit is None:
                raise CommandError(f"单位编码“{o['unit']}”不存在。")
            gazetteer = gazetteer_for(unit)
        try:
            text = read_text(o["file"])
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        rows = [r.as_dict(text) for r in extract(text, doc_date, gazetteer)]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self._table(rows)

    def _table(self, rows):
        cols = [("序号", 5), ("任务", 40), ("牵头单位", 18), ("配合单位", 12), ("责任领导", 10),
                ("完成时限", 11), ("周期", 7), ("量化目标", 16)]  # fmt: skip
        self.stdout.write(" ".join(_pad(name, w) for name, w in cols))
        for i, r in enumerate(rows, 1):
            cells = [
                str(i),
                ("  " * r["level"]) + (r["number"] + " " if r["number"] else "") + r["task"],
                "、".join(r["lead_units"]),
                "、".join(r["support_units"]),
                r["leader"] or "",
                r["deadline"] or "",
                RECURRENCE_LABELS.get(r["recurrence"] or "", ""),
                "、".join(r["quantities"]),
            ]
            self.stdout.write(" ".join(_pad(c, w) for c, (_, w) in zip(cells, cols)))
        self.stdout.write(f"共 {len(rows)} 行（草稿，请核对后再下达）。")
