"""Files of the tasks app: the 任务分解表 as .xlsx (the safe cell writer) and .docx, the 督办单
with its reply slip as .docx (engine/wordtable), and the reading of an office's .xlsx
任务分解表 (the safe opener, merged cells filled, engine/tasktable)."""

from __future__ import annotations

import io

from diaodu.engine import tasktable, wordtable
from diaodu.engine import xlsx as safe_xlsx

HEADERS = ["序号", "任务", "具体措施", "牵头单位", "配合单位", "责任领导", "完成时限", "节点"]


def table_rows_of_tasks(tasks) -> list[list[str]]:
    """Rows of the 任务分解表 from tasks (support units and milestones prefetched)."""
    out = []
    for i, t in enumerate(tasks, 1):
        out.append(
            [
                t.number or str(i),
                t.title,
                t.measures,
                t.lead_unit.name,
                "、".join(u.name for u in t.support_units.all()),
                t.leader_name,
                t.deadline.isoformat()
                if t.deadline
                else (t.get_recurrence_display() if t.recurrence else ""),
                "\n".join(f"{m.due_date:%Y-%m-%d} {m.title}" for m in t.milestones.all()),
            ]
        )
    return out


def table_rows_of_draft(rows: list[dict]) -> list[list[str]]:
    return [
        [
            r.get("number") or str(i),
            r.get("task", ""),
            r.get("measures", ""),
            "、".join(r.get("lead_units") or []),
            "、".join(r.get("support_units") or []),
            r.get("leader", ""),
            r.get("deadline", ""),
            "\n".join(
                f"{n.get('due_date', '')} {n.get('title', '')}" for n in r.get("nodes") or []
            ),
        ]
        for i, r in enumerate(rows, 1)
    ]


def table_xlsx(title: str, rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "任务分解表"
    safe_xlsx.put(ws.cell(row=1, column=1), title)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    safe_xlsx.append(ws, HEADERS)
    for row in rows:
        safe_xlsx.append(ws, row)
    for col, width in zip("ABCDEFGH", (6, 40, 50, 16, 20, 10, 12, 30), strict=True):
        ws.column_dimensions[col].width = width
    for r in ws.iter_rows(min_row=3):
        for c in r:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _doc(title: str):
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    for s in doc.sections:
        s.left_margin = s.right_margin = Cm(2)
    h = wordtable.paragraph_style(doc, "督办标题", "方正小标宋简体", 18, bold=True, center=True)
    doc.add_paragraph(wordtable.xml_text(title), style=h)
    return doc


def table_docx(title: str, rows: list[list[str]]) -> bytes:
    from docx.enum.section import WD_ORIENT

    doc = _doc(title)
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = sec.page_height, sec.page_width
    head = wordtable.paragraph_style(doc, "表头", "黑体", 10.5, bold=True, center=True)
    body = wordtable.paragraph_style(doc, "表格", "仿宋_GB2312", 10.5)
    wordtable.add_table(doc, HEADERS, rows, [1.2, 5, 6.5, 2.6, 2.8, 1.8, 2.2, 3.5],
                        head_style=head, body_style=body)  # fmt: skip
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def notice_docx(notice) -> bytes:
    """督办单: number, the task, what is asked, the reply date — and the reply slip (回执) below
    a cut line, for the unit to fill in and return."""
    t = notice.task
    doc = _doc("督  办  单")
    body = wordtable.paragraph_style(doc, "正文", "仿宋_GB2312", 14)
    head = wordtable.paragraph_style(doc, "表头", "黑体", 12, bold=True, center=True)
    cell = wordtable.paragraph_style(doc, "表格", "仿宋_GB2312", 12)
    doc.add_paragraph(
        wordtable.xml_text(f"{notice.number}　　　　签发：{notice.issued_by_name}"), style=body
    )
    rows = [
        ["承办单位", t.lead_unit.name],
        ["督办事项", t.title],
        ["具体措施", t.measures or "—"],
        ["完成时限", t.deadline.isoformat() if t.deadline else "—"],
        ["督办级别", {1: "催办", 2: "督办", 3: "专项督办"}.get(notice.level, "督办")],
        ["督办要求", notice.body],
        ["回复时限", f"{notice.reply_due:%Y年%m月%d日}前"],
    ]
    wordtable.add_table(doc, ["项目", "内容"], rows, [3.5, 13], head_style=head, body_style=cell)
    doc.add_paragraph("")
    doc.add_paragraph(
        "- - - - - - - - - - - - - - 此 处 剪 开 - - - - - - - - - - - - - -", style=body
    )
    doc.add_paragraph(wordtable.xml_text(f"督办单回执（{notice.number}）"), style=head)
    slip = [["承办单位", t.lead_unit.name], ["办理情况", notice.reply or ""], ["经办人及电话", ""],
            ["单位负责人签字（盖章）", ""], ["回复日期", ""]]  # fmt: skip
    wordtable.add_table(doc, ["项目", "内容"], slip, [4.5, 12], head_style=head, body_style=cell)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def read_office_table(upload) -> list[tasktable.TableRow]:
    """The rows of an uploaded .xlsx 任务分解表 (first sheet that has the header). Raises
    XlsxError / TableError with a Chinese message."""
    from diaodu.uploads import open_xlsx

    wb = open_xlsx(upload)
    last_error = None
    for ws in wb.worksheets:
        grid = [list(r) for r in ws.iter_rows(values_only=True, max_row=5000, max_col=30)]
        for rng in ws.merged_cells.ranges:
            v = ws.cell(row=rng.min_row, column=rng.min_col).value
            for r in range(rng.min_row, min(rng.max_row, len(grid)) + 1):
                row = grid[r - 1]
                for c in range(rng.min_col, min(rng.max_col, len(row)) + 1):
                    row[c - 1] = v
        try:
            rows, _cols = tasktable.read_table(grid)
        except tasktable.TableError as exc:
            last_error = exc
            continue
        return rows
    raise last_error or tasktable.TableError("工作簿没有工作表。")


def draft_of_table_row(row: tasktable.TableRow) -> dict:
    """A table row in the review screen's shape (units split on 、，; nodes one a line)."""
    from diaodu.tasks.services import clean_rows, parse_nodes

    v = row.values
    nodes = parse_nodes(v.get("nodes", "").replace("；", "\n").replace(";", "\n"))
    return clean_rows([{**v, "nodes": nodes, "source_span": []}])[0] | {"line": row.line}
