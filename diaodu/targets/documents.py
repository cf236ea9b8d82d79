"""The monthly ranking bulletin (月度排名通报) and the year-end assessment report (年度考核报告),
as .docx (python-docx) and .xlsx (openpyxl), written only from a stored score set: the figures
in the documents are exactly the stored inputs, and each is traced to its records (project
names and dates, the monthly values used, the drill-down path in the system)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.urls import reverse

from diaodu import clock
from diaodu.engine import wordtable
from diaodu.i18n import tr
from diaodu.targets.models import ScoreSet, Source

SOURCE_LABEL = {
    "stage_count": "系统计算（项目阶段）",
    "investment": "系统计算（完成投资）",
    "problems_on_time": "系统计算（督查模块）",
    "entered": "月度填报",
}


def _table_styles(doc):
    """The header and body paragraph styles of the report's tables, made once per document."""
    return (
        wordtable.paragraph_style(doc, "考核表头", "黑体", 10.5, center=True),
        wordtable.paragraph_style(doc, "考核表格", "宋体", 10.5),
    )


def _line_cells(line: dict) -> list[str]:
    """One row of a unit's score detail: a criterion with target and result, or an adjustment."""
    if line["kind"] == "criterion":
        target, actual, ratio = (
            _n(line.get("target"), 4),
            _n(line.get("actual"), 4),
            _pct(line.get("ratio")),
        )
    else:
        target, actual, ratio = "—", tr(f"{line.get('count', 0)}项"), "—"
    return [line["name"], target, actual, ratio, line["points"], line["explanation"]]


def _tr(headers: list[str]) -> list[str]:
    """Column heads in the interface language of the request."""
    return [tr(h) for h in headers]


def _n(value, places: int = 2) -> str:
    if value in (None, ""):
        return "—"
    d = Decimal(str(value)).quantize(Decimal(1).scaleb(-places))
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(value) -> str:
    return "—" if value in (None, "") else _n(Decimal(str(value)) * 100, 2) + "%"


def _signed(value) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + _n(value)


def _rank_change(value) -> str:
    if value is None:
        return "—"
    return tr(f"上升{value}位" if value > 0 else (f"下降{-value}位" if value < 0 else "持平"))


def drill_path(ss: ScoreSet, unit_id: int, line: dict) -> str:
    if line.get("kind") != "criterion" or not line.get("indicator_id"):
        return ""
    return (
        f"{reverse('targets:drill')}?unit={unit_id}&indicator={line['indicator_id']}&year={ss.year}"
        f"&on={line.get('as_of') or ss.as_of.isoformat()}"
    )


def _intro(ss: ScoreSet) -> str:
    scheme = ss.scheme.name if ss.scheme else tr("录入成绩")
    base = tr(f"数据截至{ss.as_of:%Y年%m月%d日}，计分方案：{scheme}。")
    if ss.kind == ScoreSet.Kind.MONTHLY:
        base += tr(
            "月度排名以序时进度为当期目标（序时应完成 = 年度目标 × 序时比例），完成率 = 完成值 ÷ 序时应完成值。"
        )
    else:
        base += tr("年终考核以年度目标计算完成率。")
    return base + tr("加减分按方案逐项计算；各项得分保留两位小数。")


def evidence_lines(line: dict) -> list[str]:
    """Human-readable evidence of one score line."""
    out = []
    if line.get("kind") == "criterion":
        if line.get("source") == Source.ENTERED:
            for name, value in line.get("contributors") or []:
                out.append(f"{name}：{_n(value, 4)}{line.get('measure', '')}")
        else:
            for _pid, name, when in line.get("projects") or []:
                out.append(f"{name}（{when}）")
    else:
        for item in line.get("projects") or []:
            out.append(str(item[1]))
    return out


def docx(ss: ScoreSet, scores) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "宋体"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(11)
    title = doc.add_heading(ss.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(_intro(ss))

    doc.add_heading(tr("一、排名情况"), level=1)
    head, body = _table_styles(doc)
    wordtable.add_table(
        doc,
        _tr(["名次", "单位", "指标得分", "加减分", "总分", "较上年（分）", "名次变化"]),
        (
            [
                f"{s.rank}{'（并列）' if s.tied else ''}",
                s.unit.name,
                _n(s.base),
                _signed(s.adjustments),
                _n(s.total),
                _signed(s.change_vs_last_year),
                _rank_change(s.rank_change),
            ]
            for s in scores
        ),
        head_style=head,
        body_style=body,
    )

    if any(s.lines for s in scores):
        doc.add_heading(tr("二、各单位得分明细"), level=1)
        for s in scores:
            doc.add_heading(tr(f"第{s.rank}名 {s.unit.name}（{_n(s.total)}分）"), level=2)
            wordtable.add_table(
                doc,
                _tr(["考核项", "目标", "完成", "完成率", "得分", "计分说明"]),
                (_line_cells(line) for line in s.lines),
                head_style=head,
                body_style=body,
            )

        doc.add_heading(tr("三、计分依据"), level=1)
        doc.add_paragraph(
            tr("以下列出每项得分所依据的记录；系统内路径可直接打开对应的项目清单或填报记录。")
        )
        for s in scores:
            doc.add_heading(s.unit.name, level=2)
            for line in s.lines:
                ev = evidence_lines(line)
                if line["kind"] == "criterion":
                    label = (
                        ""
                        if line.get("source") == Source.ENTERED
                        else f"{SOURCE_LABEL.get(line.get('source'), '')}，"
                    )
                    head = (
                        f"{line['name']}：{label}{line.get('rule_text', '')}；年度目标{_n(line.get('annual_target'), 4)}，"
                        f"计分目标{_n(line.get('target'), 4)}，完成{_n(line.get('actual'), 4)}"
                        f"（{line.get('note') or '截至' + str(line.get('as_of', ''))}）。"
                    )
                else:
                    head = f"{line['name']}：{line.get('how', '')}，共{line.get('count', 0)}项。"
                doc.add_paragraph(tr(head))
                for e in ev:
                    doc.add_paragraph(e, style="List Bullet")
                path = drill_path(ss, s.unit_id, line)
                if path:
                    doc.add_paragraph(tr(f"系统核查：{path}"))
    foot = doc.add_paragraph(tr(f"本文件由调度平台于{clock.localtime():%Y年%m月%d日 %H:%M}生成。"))
    foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx(ss: ScoreSet, scores) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from diaodu.engine.xlsx import append

    wb = Workbook()
    ws = wb.active
    ws.title = tr("排名")
    append(ws, [ss.title])
    ws["A1"].font = Font(bold=True, size=14)
    append(ws, [_intro(ss)])
    append(
        ws, _tr(["名次", "并列", "单位", "指标得分", "加减分", "总分", "较上年（分）", "名次变化"])
    )
    for s in scores:
        append(
            ws,
            [
                s.rank,
                "是" if s.tied else "",
                s.unit.name,
                float(s.base),
                float(s.adjustments),
                float(s.total),
                float(s.change_vs_last_year) if s.change_vs_last_year is not None else None,
                _rank_change(s.rank_change),
            ],
        )
    detail = wb.create_sheet(tr("得分明细"))
    append(
        detail,
        _tr(
            [
                "单位",
                "考核项",
                "类型",
                "权重",
                "年度目标",
                "计分目标",
                "完成",
                "完成率",
                "次数",
                "名次",
                "得分",
                "计分说明",
                "数据截至",
                "系统核查路径",
            ]
        ),
    )
    evidence = wb.create_sheet(tr("计分依据"))
    append(evidence, _tr(["单位", "考核项", "依据（项目/单位/记录）", "日期或数值", "记录编号"]))
    for s in scores:
        for line in s.lines:
            f = lambda k: float(line[k]) if line.get(k) not in (None, "") else None  # noqa: E731, B023
            append(
                detail,
                [
                    s.unit.name,
                    line["name"],
                    tr("指标" if line["kind"] == "criterion" else "加减分"),
                    f("weight"),
                    f("annual_target"),
                    f("target"),
                    f("actual"),
                    f("ratio"),
                    line.get("count"),
                    line.get("rank"),
                    float(line["points"]),
                    line["explanation"],
                    line.get("as_of", ""),
                    drill_path(ss, s.unit_id, line),
                ],
            )
            if line["kind"] == "criterion" and line.get("source") == Source.ENTERED:
                for name, value in line.get("contributors") or []:
                    append(evidence, [s.unit.name, line["name"], name, float(Decimal(value)), ""])
            else:
                for item in line.get("projects") or []:
                    append(evidence, [s.unit.name, line["name"], item[1], str(item[2]), item[0]])
    for sheet, widths in (
        (ws, [8, 6, 24, 10, 10, 10, 12, 12]),
        (detail, [22, 22, 8, 8, 12, 12, 12, 10, 6, 6, 8, 60, 12, 60]),
        (evidence, [22, 22, 40, 14, 10]),
    ):
        for i, w in enumerate(widths, 1):
            sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = w
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
