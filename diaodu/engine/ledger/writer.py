"""Write the ledger back in the office's own layout (title, sections, 小计, 合计)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from copy import copy
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter

from ..xlsx import put as _put
from .values import _clean_decimal, _float_to_decimal
from .vocabulary import (
    _CN_NUMERALS,
    _SEQ,
    DATE_FIELDS,
    FIELD_LABELS,
    LEVEL_LABELS,
    MONEY_FIELDS,
    PLAN_CATEGORY_LABELS,
    WRITTEN_SUM_FIELDS,
)

# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------

_SECTION_ORDER = ("new_start", "continuing", "completing", "reserve", None)
_SECTION_TITLES = {
    "new_start": "新开工项目",
    "continuing": "续建项目",
    "completing": "竣工投产项目",
    "reserve": "前期储备项目",
    None: "其他项目",
}
_CORE_FIELDS = (
    "name",
    "total_investment",
    "annual_plan_investment",
    "completed_this_year",
    "completed_since_start",
)
_COMPLETED_GROUP = ("completed_this_year", "completed_since_start")
_COMPLETED_GROUP_LABEL = "投资完成情况（万元）"
_COLUMN_WIDTHS = {
    _SEQ: 6,
    "name": 30,
    "national_code": 27,
    "investor": 24,
    "content_scale": 40,
    "industry": 14,
    "unit_name": 14,
    "address": 20,
    "progress_text": 40,
    "issues_text": 36,
    "remarks": 20,
    "lead_officials": 16,
    "secretary": 10,
    "responsible_unit": 16,
}
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _resolve_fields(rows: list[dict], fields: Iterable[str] | None) -> list[str]:
    if fields is not None:
        chosen = list(dict.fromkeys(fields))
        unknown = [f for f in chosen if f not in FIELD_LABELS]
        if unknown:
            raise ValueError(f"未知字段：{'、'.join(unknown)}")
        if "name" not in chosen:
            chosen.insert(0, "name")
        return chosen
    present = set(_CORE_FIELDS)
    for row in rows:
        present.update(k for k, v in row.items() if v not in (None, "", []))
    return [f for f in FIELD_LABELS if f in present and f != "plan_category"]


def _cell_value(fld: str, row: dict) -> tuple[Any, str | None]:
    """The value to write for *fld* of *row* and its number format (None = default)."""
    value = row.get(fld)
    if value is None or value == "" or value == []:
        return None, None
    if fld == "plan_category":
        return PLAN_CATEGORY_LABELS.get(value, str(value)), None
    if fld == "level":
        return LEVEL_LABELS.get(value, str(value)), None
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value if v not in (None, "")), None
    if fld in DATE_FIELDS and isinstance(value, (dt.date, dt.datetime)):
        day = value.date() if isinstance(value, dt.datetime) else value
        precision = row.get(f"{fld}_precision") or "day"
        if precision == "month":
            return f"{day.year}年{day.month}月", None
        if precision == "year":
            return f"{day.year}年", None
        return day, "yyyy-mm-dd"
    if isinstance(value, bool):
        return str(value), None
    if isinstance(value, Decimal):
        value = _clean_decimal(value)
    if isinstance(value, (int, float, Decimal)):
        if fld in MONEY_FIELDS:
            return value, "#,##0.00"
        return value, None
    return str(value), None


def _style(ws, **attrs) -> StyleArray:
    """The style array of a cell with ``attrs`` set (a detached cell: the sheet is untouched)."""
    proto = Cell(ws)
    for name, value in attrs.items():
        setattr(proto, name, value)
    return copy(proto._style)


def write_ledger(
    rows: list[dict],
    *,
    title: str,
    unit_label: str = "",
    date_label: str = "",
    fields: list[str] | None = None,
    footnote: str = "",
    extra: Callable[[openpyxl.Workbook], None] | None = None,
) -> bytes:
    """Write *rows* (dicts with canonical keys) as an office-style ledger; returns .xlsx bytes.

    Layout: title (row 1), “填报单位：… 单位：万元 日期” (row 2), a two-level header
    (rows 3–4), then one section per plan_category (新开工, 续建, 竣工投产, 前期储备, then
    rows without a category as 其他项目), each followed by a 小计 row, and a final 合计 row.
    *fields* chooses and orders the columns (default: the core columns plus every field
    used by some row; plan_category is carried by the section rows).  *footnote* (“注：…”)
    goes below the 合计 row, where the reader skips it.  *extra* may add sheets to the
    workbook before it is saved (one save, no re-reading).
    """
    field_list = _resolve_fields(rows, fields)
    columns = [_SEQ] + field_list
    ncol = len(columns)
    last = get_column_letter(ncol)
    col_of = {f: i + 1 for i, f in enumerate(columns)}

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目台账"
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrap = Alignment(vertical="center", wrap_text=True)

    # Row 1: title.  Row 2: 填报单位 / 单位 / 日期.
    _put(ws.cell(1, 1), title)
    ws.cell(1, 1).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    line = "    ".join(p for p in (f"填报单位：{unit_label}", "单位：万元", date_label) if p)
    _put(ws.cell(2, 1), line)
    ws.cell(2, 1).alignment = Alignment(horizontal="left", vertical="center")
    if ncol > 1:
        ws.merge_cells(f"A1:{last}1")
        ws.merge_cells(f"A2:{last}2")

    # Rows 3–4: header.  Adjacent completed_* columns share the group cell.
    i = 0
    while i < ncol:
        fld = columns[i]
        c = i + 1
        if fld in _COMPLETED_GROUP:
            j = i
            while j + 1 < ncol and columns[j + 1] in _COMPLETED_GROUP:
                j += 1
            _put(ws.cell(3, c), _COMPLETED_GROUP_LABEL)
            if j > i:
                ws.merge_cells(start_row=3, start_column=c, end_row=3, end_column=j + 1)
            for k in range(i, j + 1):
                _put(ws.cell(4, k + 1), FIELD_LABELS[columns[k]])
            i = j + 1
            continue
        _put(ws.cell(3, c), "序号" if fld == _SEQ else FIELD_LABELS[fld])
        ws.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
        i += 1
    header_fill = PatternFill("solid", fgColor="D9E1F2")
    for r in (3, 4):
        ws.row_dimensions[r].height = 24
        for c in range(1, ncol + 1):
            cell = ws.cell(r, c)
            cell.font = bold
            cell.alignment = center
            cell.border = _BORDER
            cell.fill = header_fill

    # Sections.
    groups: dict[str | None, list[dict]] = {key: [] for key in _SECTION_ORDER}
    for row in rows:
        if not isinstance(row, dict):
            raise TypeError("rows 的每一项应为 dict")
        category = row.get("plan_category")
        groups[category if category in PLAN_CATEGORY_LABELS else None].append(row)

    # Body cells take a copy of a prepared style (font, border, alignment, number format):
    # setting each attribute per cell costs openpyxl a style-table lookup each time, which
    # dominated the time of a 10,000-row ledger.
    seq_style = _style(ws, alignment=center, border=_BORDER)
    body_styles: dict[str | None, StyleArray] = {}

    def body_style(number_format: str | None) -> StyleArray:
        if number_format not in body_styles:
            body_styles[number_format] = _style(
                ws, alignment=wrap, border=_BORDER, number_format=number_format or "General"
            )
        return body_styles[number_format]

    r = 5
    number = 0
    grand = {f: Decimal(0) for f in WRITTEN_SUM_FIELDS}

    def sum_row(label: str, sums: dict[str, Decimal]) -> None:
        nonlocal r
        _put(ws.cell(r, col_of["name"]), label)
        for f in WRITTEN_SUM_FIELDS:
            if f in col_of:
                cell = ws.cell(r, col_of[f])
                cell.value = _clean_decimal(sums[f])
                cell.number_format = "#,##0.00"
        for c in range(1, ncol + 1):
            ws.cell(r, c).font = bold
            ws.cell(r, c).border = _BORDER
        ws.cell(r, col_of["name"]).alignment = center
        r += 1

    for key in _SECTION_ORDER:
        members = groups[key]
        if not members:
            continue
        numeral = _CN_NUMERALS[number] if number < 10 else str(number + 1)
        number += 1
        _put(ws.cell(r, 1), f"{numeral}、{_SECTION_TITLES[key]}（{len(members)}个）")
        ws.cell(r, 1).font = bold
        ws.cell(r, 1).alignment = Alignment(horizontal="left", vertical="center")
        if ncol > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        r += 1
        sums = {f: Decimal(0) for f in WRITTEN_SUM_FIELDS}
        for seq, row in enumerate(members, start=1):
            cell = ws.cell(r, 1)
            cell.value = seq
            cell._style = copy(seq_style)
            for fld in field_list:
                cell = ws.cell(r, col_of[fld])
                value, number_format = _cell_value(fld, row)
                # the style first: _put may add the quote prefix that keeps text from being a formula
                cell._style = copy(body_style(number_format))
                if value is not None:
                    _put(cell, value)
            for f in WRITTEN_SUM_FIELDS:
                value = row.get(f)
                if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                    amount = (
                        value
                        if isinstance(value, Decimal)
                        else (
                            _float_to_decimal(value) if isinstance(value, float) else Decimal(value)
                        )
                    )
                    sums[f] += amount
                    grand[f] += amount
            r += 1
        sum_row("小计", sums)
    sum_row("合计", grand)
    if footnote:
        _put(ws.cell(r + 1, 1), footnote)
        ws.cell(r + 1, 1).alignment = Alignment(horizontal="left", vertical="center")
        if ncol > 1:
            ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=ncol)

    # Widths, freeze panes, printing.
    for idx, fld in enumerate(columns, start=1):
        if fld in _COLUMN_WIDTHS:
            width = _COLUMN_WIDTHS[fld]
        elif fld in DATE_FIELDS:
            width = 13
        elif fld in MONEY_FIELDS:
            width = 14
        else:
            width = 12
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "C5" if ncol >= 2 else "A5"
    ws.print_title_rows = "3:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    if extra is not None:
        extra(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
