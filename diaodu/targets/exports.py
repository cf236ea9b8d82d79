"""Excel templates for monthly values and economic series (download, fill, upload)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from diaodu.engine import xlsx

HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")


def _sheet(title: str, note: str, headers: list[str], widths: list[int]):
    wb = Workbook()
    ws = wb.active
    ws.title = "填报"
    xlsx.append(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    xlsx.append(ws, [note])
    ws["A2"].font = Font(color="C00000")
    xlsx.append(ws, headers)
    for c, w in enumerate(widths, 1):
        cell = ws.cell(row=3, column=c)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[cell.column_letter].width = w
    ws.freeze_panes = "A4"
    return wb, ws


def monthly_template(rows: list[dict], *, year: int, month: int, existing: dict) -> bytes:
    """rows: [{"unit": Unit, "indicator": Indicator}]; existing: {(unit_id, ind_id): MonthlyValue}."""
    wb, ws = _sheet(
        f"{year}年{month}月指标填报表",
        "说明：只填写“本月数值”和“备注”两列；累计指标填1月至本月累计数，不能小于上月。请勿修改其他列。",
        [
            "单位编码",
            "单位名称",
            "指标代码",
            "指标名称",
            "计量单位",
            "口径",
            "年度",
            "月份",
            "本月数值",
            "备注",
        ],
        [14, 22, 16, 22, 10, 26, 8, 8, 14, 30],
    )
    for r in rows:
        u, ind = r["unit"], r["indicator"]
        mv = existing.get((u.pk, ind.pk))
        xlsx.append(
            ws,
            [
                u.code,
                u.name,
                ind.code,
                ind.name,
                ind.measure,
                ind.get_aggregation_display(),
                year,
                month,
                float(mv.value) if mv else None,
                mv.note if mv else "",
            ],
        )
        for c in range(1, 9):
            ws.cell(row=ws.max_row, column=c).fill = LOCKED_FILL
    dv = DataValidation(
        type="decimal",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值无效",
        error="请填写数字。",
    )
    ws.add_data_validation(dv)
    dv.add(f"I4:I{max(ws.max_row, 4)}")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def economy_template(regions, indicators, *, year: int, month: int, existing: dict) -> bytes:
    wb, ws = _sheet(
        f"{year}年{month}月经济指标（比较地区）",
        "说明：累计值为1月至本月累计数（单位见“计量单位”列），同比增长填百分数（如 6.5 表示增长6.5%）。",
        [
            "地区编码",
            "地区名称",
            "指标代码",
            "指标名称",
            "计量单位",
            "年度",
            "月份",
            "累计值",
            "同比增长（%）",
        ],
        [16, 24, 16, 22, 10, 8, 8, 14, 14],
    )
    for region in regions:
        for ind in indicators:
            ev = existing.get((region.pk, ind.pk))
            xlsx.append(
                ws,
                [
                    region.code,
                    region.name,
                    ind.code,
                    ind.name,
                    ind.measure,
                    year,
                    month,
                    float(ev.value) if ev and ev.value is not None else None,
                    float(ev.growth) if ev and ev.growth is not None else None,
                ],
            )
            for c in range(1, 8):
                ws.cell(row=ws.max_row, column=c).fill = LOCKED_FILL
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
