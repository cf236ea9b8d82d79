"""The 倒排工期表 of one project as .xlsx: every procedure with its time limit and the unit it is
counted in (工作日 / 自然日), its source, the latest and the expected dates, slack and whether it
is on the critical path. Pure presentation of the stored schedule."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from diaodu.engine import xlsx
from diaodu.i18n import tr
from diaodu.procedures.models import DurationUnit, Stage, Status

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
CRITICAL_FONT = Font(color="C00000", bold=True)

COLUMNS = [
    ("阶段", 14),
    ("编码", 7),
    ("手续名称", 30),
    ("责任部门", 14),
    ("办理时限", 9),
    ("时限单位", 9),
    ("时限依据", 40),
    ("前置手续", 14),
    ("状态", 9),
    ("实际开始", 11),
    ("实际办结", 11),
    ("最迟开始", 11),
    ("最迟办结", 11),
    ("预计开始", 11),
    ("预计办结", 11),
    ("机动（工作日）", 9),
    ("关键路径", 9),
    ("提示", 8),
    ("文号", 20),
]


def _put(cell, value) -> None:
    """Through the project's safe cell writer (strings are always text, never a formula);
    dates shown as dates."""
    xlsx.put(cell, value)
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"


def chain_xlsx(project, chain, items, *, today: date) -> bytes:
    stages = dict(Stage.choices)
    statuses = dict(Status.choices)
    units = dict(DurationUnit.choices)
    wb = Workbook()
    ws = wb.active
    ws.title = tr("倒排工期")
    _put(ws.cell(row=1, column=1), tr(f"{project.name} 前期手续倒排工期表"))
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    names = {it.code: it.name for it in items}
    summary = [
        f"计划开工：{chain.target_start or tr('未填')}",
        f"预计可开工：{chain.expected_start or '—'}",
    ]
    if chain.days_late_wd:
        summary.append(f"预计延误 {chain.days_late_wd} 个工作日")
    if chain.critical_path:
        summary.append(tr("关键路径：") + " → ".join(names.get(c, c) for c in chain.critical_path))
    summary.append(f"导出日期：{today:%Y-%m-%d}")
    _put(ws.cell(row=2, column=1), tr("；".join(summary)))  # each part in the interface language
    note = (
        "办理时限按“时限单位”计：工作日不含法定节假日；自然日含周末和节假日，期满日为节假日的顺延至"
        "节后第一个工作日。机动时间按工作日计。"
    )
    note = tr(note)
    if chain.calendar_warnings:
        note += " " + tr("；".join(chain.calendar_warnings))
    _put(ws.cell(row=3, column=1), note)
    ws.cell(row=3, column=1).font = Font(color="808080")
    head = 4
    for c, (label, width) in enumerate(COLUMNS, 1):
        cell = ws.cell(row=head, column=c)
        _put(cell, tr(label))
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = ws.cell(row=head + 1, column=4)
    for r, it in enumerate(items, head + 1):
        applicable = it.status != Status.NOT_APPLICABLE
        flag = "超期" if it.overdue else "临期" if it.at_risk else ""
        values = [
            tr(stages.get(it.stage, it.stage)),
            it.code,
            it.name,
            it.responsible_label or "",
            it.duration_wd,
            tr(units.get(it.duration_unit, it.duration_unit)),
            it.duration_source or "",
            it.predecessor_text,
            tr(statuses.get(it.status, it.status)),
            it.actual_start,
            it.actual_finish,
            it.latest_start if applicable else None,
            it.latest_finish if applicable else None,
            it.earliest_start if applicable else None,
            it.earliest_finish if applicable else None,
            it.slack_wd if applicable else None,
            tr("是") if it.critical else "",
            tr(flag) if applicable else "",
            it.doc_number or "",
        ]
        for c, v in enumerate(values, 1):
            _put(ws.cell(row=r, column=c), v)
        if it.critical:
            ws.cell(row=r, column=3).font = CRITICAL_FONT
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
