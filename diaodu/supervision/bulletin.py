"""The weekly bulletin (督查通报) as a Word document in the style of a government 通报 (GB/T 9704
layout: red 版头, 小标宋 title, 仿宋 body, 黑体 headings), and the period's ledger as Excel.

Every figure comes from `queries.summary` — the function the summary page renders — and the
appendix 主要数据 (and the workbook's sheet of that name) from `figures.headline`, the list of
/api/v1/figures, so the documents, the screens and the API agree for the same unit and date."""

from __future__ import annotations

import io
from decimal import Decimal

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from diaodu import clock
from diaodu.engine import periods as P
from diaodu.engine import wordtable
from diaodu.i18n import tr
from diaodu.org.models import Unit
from diaodu.projects import exports
from diaodu.supervision import figures, queries

RED = RGBColor(0xE6, 0x00, 0x12)
TITLE_FONT, BODY_FONT, HEAD_FONT, SUB_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"


def wan(value) -> str:
    """万元 as the pages show it: thousands separators, no trailing zeros."""
    if value in (None, ""):
        return "—"
    text = f"{Decimal(value):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def pct(value) -> str:
    text = f"{Decimal(value):.1f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def issuer(unit: Unit) -> str:
    office = Unit.objects.filter(
        parent=unit, kind="office", name__contains="督查", is_active=True
    ).first()
    return (
        f"{unit.name}{office.name}"
        if office and not office.name.startswith(unit.name)
        else (office.name if office else unit.name)
    )


def cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------- text of the sections (shared with the page)
def overview_text(sm: queries.Summary) -> str:
    deadline = ""
    if sm.deadline is not None:
        from django.utils import timezone

        dl = timezone.localtime(sm.deadline)
        deadline = f"（截止时间{dl.month}月{dl.day}日{dl:%H:%M}）"
    return (
        f"{sm.period.name}{deadline}，{sm.unit.name}应报送进度的重点项目{sm.owed}个，已报送{sm.filed}个，"
        f"其中按时报送{sm.on_time}个、逾期报送{sm.late}个，未报送{sm.missing}个，报送率{pct(sm.rate)}。"
        f"本期完成投资{wan(sm.invested_period)}万元；本年累计完成投资{wan(sm.ytd_total)}万元"
        f"（应报项目，不含暂缓、终止项目），占应报项目年度计划投资{wan(sm.annual_plan_total)}万元的"
        f"{pct(sm.ytd_rate)}。"
        f"本期有{sm.no_contact}个项目未按要求开展对接并留痕。"
    )


def lights_text(sm: queries.Summary) -> str:
    lt = sm.lights
    # three pieces, each in the interface language (one message would need a variant per case)
    text = tr(
        f"本期亮红灯项目{lt.get('red', 0)}个、黄灯项目{lt.get('yellow', 0)}个、绿灯项目{lt.get('green', 0)}个"
    )
    if lt.get("none"):
        text += tr(f"，另有{lt['none']}个项目尚未评定")
    return text + tr("。红灯、黄灯项目及原因如下：")


def problems_text(sm: queries.Summary) -> str:
    return (
        f"本期新提出问题{sm.problems_new}个，办结{sm.problems_resolved}个；目前尚未销号的问题{sm.problems_open}个，"
        f"其中超过办理时限{sm.problems_overdue}个、督办及以上{sm.problems_escalated}个。"
    )


def reminders_text(sm: queries.Summary) -> str:
    return (
        f"本期共催报{sm.reminders_sent}次，涉及{sm.reminded_projects}个项目。截至通报时仍有{sm.missing}个项目未报送，"
        f"{sm.late}个项目逾期报送，予以通报。"
    )


def next_text(sm: queries.Summary) -> str:
    return (
        f"调度会议定事项尚有{len(sm.actions_open)}项未完成，其中{sm.actions_overdue}项已超过完成时限。"
        f"各责任单位要对照下表，倒排工期、压实责任，按时限办结并报督查室销号。"
    )


NEXT_STEPS = [
    "（一）红灯项目的包保领导要于下周调度会前牵头研究解决措施，黄灯项目要防止转为红灯。",
    "（二）各责任单位要在时限内办结交办问题，超期问题按程序升级督办，办理结果由提出人评价。",
    "（三）项目秘书要每周至少一次深入项目现场对接并留痕，按时报送进度，照片须为现场实拍。",
]


# ---------------------------------------------------------------- docx helpers
def _font(
    run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None
) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _para(
    doc,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: float = 16,
    bold: bool = False,
    align=None,
    indent: bool = True,
    color: RGBColor | None = None,
    space_after: float = 0,
):
    text = tr(text)  # headings and paragraphs in the interface language of the request
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    if text:
        _font(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _red_rule(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", "E60012")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


def _table(doc, headers: list[str], rows: list[list[str]], widths: list[float]):
    """A bulletin table: 黑体 header, 仿宋 body, 11 pt, set once as styles (fast at any size)."""
    table = wordtable.add_table(
        doc,
        [tr(h) for h in headers],
        rows,
        widths,
        head_style=wordtable.paragraph_style(doc, "通报表头", HEAD_FONT, 11, center=True),
        body_style=wordtable.paragraph_style(doc, "通报表格", BODY_FONT, 11),
    )
    doc.add_paragraph()
    return table


# ---------------------------------------------------------------- 主要数据 (the headline figures)
def headline(user, unit: Unit, period: P.Period, computed=None) -> list:
    """The headline figures the bulletin prints: the same list, the same date as the period
    summary page and /api/v1/figures."""
    _numbers, figs = figures.headline(
        user, unit, figures.as_of_for(period), period=period, computed=computed
    )
    return figs


def _figures_appendix(doc, user, unit: Unit, period: P.Period, computed=None) -> None:
    figs = headline(user, unit, period, computed)
    on = figures.as_of_for(period)
    _para(doc, f"附：主要数据及口径（截至{cn_date(on)}）", font=HEAD_FONT)
    _table(
        doc,
        ["序号", "数据项", "数值", "单位", "口径"],
        [
            [str(i), tr(f.label), f.text, tr(f.unit), tr(f.definition)]
            for i, f in enumerate(figs, 1)
        ],
        [1.2, 3.6, 2.2, 1.2, 7.8],
    )


def add_figures_sheet(wb, user, unit: Unit, period: P.Period) -> None:
    """Add the sheet "主要数据" to workbook ``wb``: every headline figure with its definition,
    written through the safe cell writer (the unit's name is user data)."""
    from diaodu.engine.xlsx import append

    ws = wb.create_sheet(tr("主要数据"))
    on = figures.as_of_for(period)
    append(ws, [tr(f"{unit.name}主要数据（截至{cn_date(on)}）")])
    append(ws, [tr(h) for h in ("数据项", "数值", "单位", "截至", "口径", "代码")])
    for f in headline(user, unit, period):
        value = f.plain
        append(
            ws,
            [
                tr(f.label),
                None if value is None else (value if isinstance(value, int) else float(value)),
                tr(f.unit),
                f.as_of.isoformat(),
                tr(f.definition),
                f.key,
            ],
        )
    for col, width in zip("ABCDEF", (28, 14, 8, 12, 90, 30)):
        ws.column_dimensions[col].width = width


# ---------------------------------------------------------------- the documents
def build_docx(user, unit: Unit, period: P.Period, *, sm: queries.Summary | None = None) -> bytes:
    sm = sm or queries.summary(user, unit, period)
    today = clock.today()
    who = issuer(unit)
    doc = Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = (
        Cm(3.7),
        Cm(3.5),
        Cm(2.8),
        Cm(2.6),
    )
    # 版头: red masthead, issue number, issuer and date, red rule
    _para(
        doc,
        "督 查 通 报",
        font=TITLE_FONT,
        size=36,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        color=RED,
        space_after=12,
    )
    _para(
        doc,
        f"{period.year}年第{period.number}期",
        size=16,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    head = _para(
        doc,
        f"{who}　　　　　　　　{cn_date(today)}",
        size=16,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        space_after=18,
    )
    _red_rule(head)
    _para(
        doc,
        f"关于{period.name}重点项目督查调度情况的通报",
        font=TITLE_FONT,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        space_after=12,
    )
    _para(doc, "各园区、各部门：", indent=False)
    _para(
        doc,
        f"按照“每周督查调度，明确包保责任”的要求，{who}对{period.name}（{period.start.month}月{period.start.day}日至"
        f"{period.end.month}月{period.end.day}日）重点项目进度填报、亮灯、问题办理和催报情况进行了督查，现将有关情况通报如下：",
    )

    _para(doc, "一、总体情况", font=HEAD_FONT)
    _para(doc, overview_text(sm))

    _para(doc, "二、亮灯情况", font=HEAD_FONT)
    _para(doc, lights_text(sm))
    rows = [
        [
            str(i),
            lt.project.name,
            lt.project.unit.label,
            lt.effective_label,
            lt.reason_text
            + (f"（{lt.override_by_name}调整：{lt.override_reason}）" if lt.override_color else ""),
        ]
        for i, lt in enumerate(sm.red + sm.yellow, 1)
    ]
    _table(
        doc,
        ["序号", "项目名称", "所属园区", "灯色", "亮灯原因"],
        rows or [["—", "无", "", "", ""]],
        [1.2, 4.5, 2.4, 1.5, 6.4],
    )

    _para(doc, "三、问题办理情况", font=HEAD_FONT)
    _para(doc, problems_text(sm))
    rows = [
        [
            str(i),
            pr.title,
            pr.project.name,
            pr.responsible_unit.name if pr.responsible_unit else "—",
            pr.due_date.strftime("%Y-%m-%d") if pr.due_date else "—",
            pr.level_label or "超期",
        ]
        for i, pr in enumerate(sm.problem_rows, 1)
    ]
    _table(
        doc,
        ["序号", "问题", "项目", "责任单位", "办结时限", "督办级别"],
        rows or [["—", "无超期或督办问题", "", "", "", ""]],
        [1.2, 4.6, 3.6, 2.4, 2.4, 1.8],
    )

    _para(doc, "四、催报情况", font=HEAD_FONT)
    _para(doc, reminders_text(sm))
    rows = [
        [str(i), r.project.name, r.project.unit.label, r.person, str(r.reminders)]
        for i, r in enumerate(sm.missing_rows, 1)
    ]
    _table(
        doc,
        ["序号", "未报送项目", "所属园区", "项目秘书", "催报次数"],
        rows or [["—", "无", "", "", ""]],
        [1.2, 6.0, 3.0, 3.0, 2.2],
    )
    if sm.late_rows:
        _para(doc, "逾期报送的项目：" + "、".join(r.project.name for r in sm.late_rows) + "。")

    _para(doc, "五、下步工作", font=HEAD_FONT)
    _para(doc, next_text(sm))
    rows = [
        [
            str(i),
            a.content,
            a.owner_name or "—",
            a.unit.name if a.unit else "—",
            a.deadline.strftime("%Y-%m-%d"),
        ]
        for i, a in enumerate(sm.actions_open, 1)
    ]
    _table(
        doc,
        ["序号", "议定事项", "责任人", "责任单位", "完成时限"],
        rows or [["—", "无未完成事项", "", "", ""]],
        [1.2, 7.0, 2.2, 3.0, 2.6],
    )
    for line in NEXT_STEPS:
        _para(doc, line)
    _figures_appendix(doc, user, unit, period, sm.numbers)
    _para(doc)
    _para(doc, who, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, cn_date(today), align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    doc.core_properties.title = f"关于{period.name}重点项目督查调度情况的通报"
    doc.core_properties.author = who
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_xlsx(user, unit: Unit, period: P.Period) -> bytes:
    projects = queries.ledger_projects(user, unit, period)
    return exports.workbook(
        projects,
        unit_label=unit.name,
        title=f"{unit.name}重点项目台账（{period.name}）",
        extra=lambda wb: add_figures_sheet(wb, user, unit, period),
    )


def filenames(unit: Unit, period: P.Period) -> tuple[str, str]:
    return (
        tr(f"督查通报_{unit.label}_{period.code}.docx"),
        f"项目台账_{unit.label}_{period.code}.xlsx",  # the ledger stays the Chinese 台账 (import template)
    )
