"""Read the data rows of a ledger: sections, 小计/合计 checks, project rows."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..textnorm import compact
from .container import _check_container, _load_workbook, _read_source
from .headers import _PARENS_RE, HEADER_SCAN_ROWS, _Column, _find_header, _Header
from .results import LedgerFormatError, LedgerReadResult, LedgerRow, RowMessage
from .sheet import _Sheet
from .values import (
    _AREA_SUFFIX,
    _AREA_TEXT_RE,
    _MONEY_SUFFIX,
    _MONEY_TEXT_RE,
    _PLAIN_NUMBER_RE,
    _CellProblem,
    _clean_decimal,
    _is_blank,
    _is_empty_marker,
    _odd_value,
    _parse_category,
    _parse_level,
    _parse_scaled,
    _show,
    _to_text,
    is_clear_marker,
    parse_date,
    split_people,
    validate_national_code,
)
from .vocabulary import (
    _CN_NUMERALS,
    _SEQ,
    _WAN,
    _YI,
    _YUAN,
    CHECKED_SUM_FIELDS,
    DATE_FIELDS,
    LEVEL_LABELS,
    MONEY_FIELDS,
    PLAN_CATEGORY_LABELS,
)

PROGRESS_EVERY = 200
SUM_TOLERANCE = Decimal("0.01")  # 万元

# --------------------------------------------------------------------------------------
# Row patterns (applied to the compact Simplified form)
# --------------------------------------------------------------------------------------

_NUM = _CN_NUMERALS
_SECTION_RE = re.compile(
    rf"^(?:[{_NUM}]+[、.]?|\([{_NUM}\d]+\)[、.]?|\d+[、.]|第[{_NUM}\d]+(?:部分|类|批)?[、.:]?)?"
    r"(?P<lvl>(?:省|市|区|县)级?(?:重点)?)?"
    r"(?P<cat>新开工|拟新开工|计划新开工|新建|续建|在建|竣工投产|建成投产|竣工|投产|前期储备|谋划储备|"
    r"前期谋划|储备|前期|谋划|其他|其它)?"
    r"类?(?:项目)?(?:\((?P<paren>.*)\))?[:：]?$"
)
_SECTION_CATEGORY = {
    "新开工": "new_start",
    "拟新开工": "new_start",
    "计划新开工": "new_start",
    "新建": "new_start",
    "续建": "continuing",
    "在建": "continuing",
    "竣工投产": "completing",
    "建成投产": "completing",
    "竣工": "completing",
    "投产": "completing",
    "前期储备": "reserve",
    "谋划储备": "reserve",
    "前期谋划": "reserve",
    "储备": "reserve",
    "前期": "reserve",
    "谋划": "reserve",
}
_NUMERAL_RE = re.compile(rf"^([(（]?[{_NUM}]+[)）]?)([、.．]?)$")
_FOOTNOTE_RE = re.compile(
    r"^(?:(?:注\d*|说明|附注|备注|填报人|填表人|审核人|审核|制表人|制表|负责人|单位负责人|分管领导|"
    r"主要领导|联系人|联系电话|统计人|数据来源|资料来源|填报日期|报送日期|填报时间)[:：、.]|注$|说明$|"
    r"\(?(?:单位)?盖章\)?)"
)
_UNIT_LABEL_RE = re.compile(
    r"(?:填[报報]|[报報]送)(?:[单單]位|部[门門])(?:\s*[(（][^)）]*[)）])?\s*[:：]\s*(.*)$"
)
_UNIT_LABEL_CUT_RE = re.compile(
    r"\s{2,}|(?:金[额額]|[计計]量)?[单單]位\s*[:：]|\d{4}\s*年|\d{4}[-./]\d"
)
_MONEY_UNIT_RE = re.compile(r"单位\s*[:：]\s*(亿元|万元|元)")
_MONEY_UNIT_NAMES = {_YI: "亿元", _WAN: "万元", _YUAN: "元"}


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


@dataclass
class _SumCheck:
    row: int
    label: str  # "小计" / "合计" / section text
    values: dict[str, Decimal]
    count: int | None = None


class _LedgerReader:
    """Walks the data rows of one sheet once, keeping section and subtotal state."""

    def __init__(
        self,
        sheet: _Sheet,
        header: _Header,
        *,
        epoch: dt.datetime,
        money_factor: Decimal,
        progress: Callable[[int, int], Any] | None,
    ):
        self.sheet = sheet
        self.header = header
        self.epoch = epoch
        self.default_money_factor = money_factor
        self.progress = progress
        self.first_data_row = header.bottom + 1
        self.name_col = header.column("name")
        self.field_cols = {col.index: col for col in header.columns}
        self.rows: list[LedgerRow] = []
        self.messages: list[RowMessage] = []
        # section state
        self.section_text: str | None = None
        self.section_category: str | None = None
        self.section_level: str | None = None
        self.section_rows: list[LedgerRow] = []  # since the last section row
        self.segment_rows: list[LedgerRow] = []  # since the last section row or 小计
        self.pending_section: list[_SumCheck] = []  # checked when the section closes
        self.pending_total: list[_SumCheck] = []  # checked at the end of the sheet
        self.in_section = False

    # -- driver ---------------------------------------------------------------------

    def run(self) -> list[LedgerRow]:
        sheet = self.sheet
        total = max(sheet.nrows - self.first_data_row, 0)
        done = 0
        for r in range(self.first_data_row, sheet.nrows):
            if not sheet.row_is_blank(r):
                self._row(r)
            done += 1
            if self.progress is not None and done % PROGRESS_EVERY == 0 and done < total:
                self.progress(done, total)
        self._close_section()
        for check in self.pending_total:
            self._compare(check, self.rows)
        if self.progress is not None:
            self.progress(total, total)
        return self.rows

    # -- one row ----------------------------------------------------------------------

    def _row(self, r: int) -> None:
        sheet = self.sheet
        excel_row = r + 1
        cells = [(c, v) for c, v in enumerate(sheet.grid[r]) if not _is_blank(v)]
        lead_col, lead = cells[0]
        name_raw = sheet.raw(r, self.name_col.index)
        name_key = compact(name_raw) if isinstance(name_raw, str) and len(name_raw) <= 40 else ""
        lead_text = lead if isinstance(lead, str) else ""
        lead_cols = {lead_col}
        numeral = _NUMERAL_RE.match(lead_text.strip())
        if numeral and len(cells) > 1 and isinstance(cells[1][1], str):
            # "一" in the 序号 column, "新开工项目" in the name column
            sep = "" if numeral.group(2) or numeral.group(1).endswith(("）", ")")) else "、"
            lead_text = lead.strip() + sep + cells[1][1].strip()
            lead_cols.add(cells[1][0])
        lead_key = compact(lead_text[:40])
        if r <= self.first_data_row + 1 and _is_column_number_row(cells):
            self.messages.append(
                RowMessage(excel_row, "info", f"第{excel_row}行：列序号行，已跳过")
            )
            return

        if name_key and _PARENS_RE.sub("", name_key) == "项目名称":
            self.messages.append(
                RowMessage(excel_row, "info", f"第{excel_row}行：重复的表头行，已跳过")
            )
            return
        if lead_key and _FOOTNOTE_RE.match(lead_key):
            self.messages.append(
                RowMessage(
                    excel_row, "info", f"第{excel_row}行：说明/落款行“{_show(lead_text)}”，已跳过"
                )
            )
            return
        for key, text in ((name_key, name_raw), (lead_key, lead_text)):
            kind = self._subtotal_kind(key)
            if kind:
                self._subtotal(r, kind, str(text).strip())
                return
        if lead_key and self._try_section(r, lead_key, lead_text.strip(), lead_cols, cells):
            return
        self._project(r, cells)

    @staticmethod
    def _subtotal_kind(key: str) -> str | None:
        if not key or len(key) > 24:
            return None
        bare = _PARENS_RE.sub("", key).strip(":：")
        for word in ("小计", "合计", "总计"):
            if bare.startswith(word) or bare.endswith(word) or bare.startswith("其中" + word):  # noqa: PIE810
                if word == "小计":
                    return "section"
                if any(k in bare for k in _SECTION_CATEGORY):
                    return "section_named"
                return "total"
        return None

    # -- sections -----------------------------------------------------------------------

    def _try_section(
        self, r: int, key: str, text: str, lead_cols: set[int], cells: list[tuple[int, Any]]
    ) -> bool:
        match = _SECTION_RE.match(key)
        if not match or not (match.group("lvl") or match.group("cat")):
            return False
        # Other cells may only hold numbers in amount columns (the section's own totals).
        values: dict[str, Decimal] = {}
        excel_row = r + 1
        for c, v in cells:
            if c in lead_cols:
                continue
            col = self.field_cols.get(c)
            if col is None or col.field not in MONEY_FIELDS + (
                "expected_jobs",
                "land_area_mu",
                _SEQ,
            ):
                return False
            if col.field in CHECKED_SUM_FIELDS:
                try:
                    values[col.field] = self._money(v, col)
                except _CellProblem:
                    return False
        self._close_section()
        cat = match.group("cat")
        lvl = match.group("lvl")
        if lvl:
            self.section_level = _parse_level(lvl)
            self.section_category = None
        if cat:
            self.section_category = _SECTION_CATEGORY.get(cat)  # None for 其他
        self.section_text = text
        self.in_section = True
        self.section_rows = []
        self.segment_rows = []
        count = None
        paren = match.group("paren") or ""
        count_match = re.match(r"(?:共|计)?(\d+)个", paren)
        if count_match:
            count = int(count_match.group(1))
        if values or count is not None:
            self.pending_section.append(_SumCheck(excel_row, f"分组行“{text}”", values, count))
        what = []
        if cat:
            what.append(
                f"项目类别“{PLAN_CATEGORY_LABELS.get(self.section_category, cat)}”"
                if self.section_category
                else "未分类"
            )
        if lvl and self.section_level:
            what.append(f"级别“{LEVEL_LABELS[self.section_level]}”")
        self.messages.append(
            RowMessage(
                excel_row,
                "info",
                f"第{excel_row}行：分组行“{text}”（{'，'.join(what) or '分组'}），不作为项目导入",
            )
        )
        return True

    def _close_section(self) -> None:
        for check in self.pending_section:
            self._compare(check, self.section_rows)
        self.pending_section = []

    # -- subtotals ----------------------------------------------------------------------

    def _subtotal(self, r: int, kind: str, text: str) -> None:
        excel_row = r + 1
        values: dict[str, Decimal] = {}
        for fld in CHECKED_SUM_FIELDS:
            col = self.header.column(fld)
            if col is None:
                continue
            v, _ = self.sheet.data_value(r, col.index, self.first_data_row)
            if _is_blank(v) or _odd_value(v) or (isinstance(v, str) and _is_empty_marker(v)):
                continue
            try:
                values[fld] = self._money(v, col)
            except _CellProblem as exc:
                self.messages.append(
                    RowMessage(
                        excel_row,
                        "warning",
                        f"第{excel_row}行“{col.label}”列：{exc.message}，无法核对{text}",
                        fld,
                    )
                )
        label = "合计" if kind == "total" else "小计"
        checked = "，已核对金额" if values else ""
        self.messages.append(
            RowMessage(
                excel_row,
                "info",
                f"第{excel_row}行：{label}行“{_show(text)}”，不作为项目导入{checked}",
            )
        )
        check = _SumCheck(excel_row, f"{label}行“{_show(text)}”", values)
        if kind == "total":
            if self.rows:
                self._compare(check, self.rows)
            else:
                self.pending_total.append(check)
        elif kind == "section_named":
            self._compare(check, self.section_rows)
        elif self.segment_rows or not self.in_section:
            self._compare(check, self.segment_rows)
            self.segment_rows = []
        else:  # 小计 right under the section row: covers the rows that follow
            self.pending_section.append(check)

    def _compare(self, check: _SumCheck, covered: list[LedgerRow]) -> None:
        """Warn when a 小计/合计 (or a section row's totals or count) disagrees with its rows."""
        n = len(covered)
        for fld, value in check.values.items():
            total = sum((row.data.get(fld, Decimal(0)) for row in covered), Decimal(0))
            if abs(total - value) > SUM_TOLERANCE:
                label = self.header.column(fld).label
                self.messages.append(
                    RowMessage(
                        check.row,
                        "warning",
                        f"第{check.row}行：{check.label}的“{label}”为{_fmt(value)}万元，"
                        f"与所含{n}个项目之和{_fmt(total)}万元不一致",
                        fld,
                    )
                )
        if check.count is not None and check.count != n:
            self.messages.append(
                RowMessage(
                    check.row,
                    "warning",
                    f"第{check.row}行：{check.label}写明{check.count}个项目，实际读到{n}个",
                )
            )

    # -- project rows ---------------------------------------------------------------------

    def _money(self, value: Any, col: _Column) -> Decimal:
        factor = col.money_factor if col.money_factor is not None else self.default_money_factor
        return _parse_scaled(value, _MONEY_TEXT_RE, _MONEY_SUFFIX, factor, "金额")

    def _negative_money(self, value: Any, col: _Column) -> str:
        """The message for a negative amount, in the column's own unit ("-1.5亿元", not the
        "-15000万元" it converts to)."""
        factor = col.money_factor if col.money_factor is not None else self.default_money_factor
        shown = _show(value)
        if not shown.rstrip().endswith(("元", "万", "亿")):
            shown += _MONEY_UNIT_NAMES.get(factor, "万元")
        return f"金额“{shown}”为负数，金额不能为负"

    def _project(self, r: int, cells: list[tuple[int, Any]]) -> None:
        excel_row = r + 1
        row = LedgerRow(excel_row, self.section_text)
        data = row.data
        has_other = False
        for col in self.header.columns:
            if col.field == _SEQ:
                continue
            value, (vr, vc) = self.sheet.data_value(r, col.index, self.first_data_row)
            if _is_blank(value):
                continue
            odd = _odd_value(value)
            if odd:
                has_other = has_other or col.field != "name"
                row.messages.append(
                    RowMessage(
                        excel_row,
                        "warning",
                        f"第{excel_row}行“{col.label}”列：{odd}“{_show(value)}”无法识别，已按空值处理",
                        col.field,
                    )
                )
                continue
            if is_clear_marker(value):
                has_other = True
                if col.field == "name":
                    row.messages.append(
                        RowMessage(
                            excel_row, "error", f"第{excel_row}行：项目名称不能清空", col.field
                        )
                    )
                elif col.field not in row.cleared:
                    row.cleared.append(col.field)
                continue
            if isinstance(value, str) and _is_empty_marker(value):
                continue
            if col.field != "name":
                has_other = True
            try:
                self._set_field(data, col, value, vr, vc, row)
            except _CellProblem as exc:
                where = (
                    f"第{excel_row}行“{col.label}”列："
                    if exc.names_column
                    else f"第{excel_row}行："
                )
                row.messages.append(
                    RowMessage(excel_row, exc.level, where + exc.message, col.field)
                )
        if "plan_category" not in data and self.section_category:
            data["plan_category"] = self.section_category
        if "level" not in data and self.section_level:
            data["level"] = self.section_level
        if "name" not in data:
            if not has_other:
                if any(self.field_cols.get(c) is None for c, _ in cells):
                    self.messages.append(
                        RowMessage(
                            excel_row, "info", f"第{excel_row}行：没有可识别的项目数据，已跳过"
                        )
                    )
                return
            if not any(m.field == "name" and m.level == "error" for m in row.messages):
                row.messages.insert(
                    0,
                    RowMessage(
                        excel_row,
                        "error",
                        f"第{excel_row}行：缺少项目名称（该行有其他数据）",
                        "name",
                    ),
                )
        self.rows.append(row)
        self.section_rows.append(row)
        self.segment_rows.append(row)

    def _set_field(
        self, data: dict[str, Any], col: _Column, value: Any, vr: int, vc: int, row: LedgerRow
    ) -> None:
        fld = col.field
        if fld in MONEY_FIELDS:
            amount = self._money(value, col)
            if amount < 0:
                raise _CellProblem(self._negative_money(value, col))
            data[fld] = amount
        elif fld in DATE_FIELDS:
            fmt = self.sheet.number_format(vr, vc) if isinstance(value, float) else "General"
            day, precision = parse_date(value, number_format=fmt, epoch=self.epoch)
            data[fld] = day
            if precision != "day":
                data[f"{fld}_precision"] = precision
            if (
                precision == "month"
                and isinstance(value, float)
                and day.month == 1
                and "0.00" not in fmt
            ):
                row.messages.append(
                    RowMessage(
                        row.row,
                        "warning",
                        f"第{row.row}行“{col.label}”列：数字“{_show(value)}”按{day.year}年1月处理；"
                        f"如为10月，请以文本“{day.year}.10”填写",
                        fld,
                    )
                )
        elif fld == "land_area_mu":
            data[fld] = _parse_scaled(value, _AREA_TEXT_RE, _AREA_SUFFIX, col.area_factor, "面积")
        elif fld in ("latitude", "longitude"):
            number = _parse_scaled(value, _PLAIN_NUMBER_RE, {"°": _WAN}, _WAN, "坐标")
            limit = 90 if fld == "latitude" else 180
            if abs(number) > limit:
                raise _CellProblem(f"“{_show(value)}”超出{'纬度' if limit == 90 else '经度'}范围")
            data[fld] = number
        elif fld == "expected_jobs":
            number = _parse_scaled(value, _PLAIN_NUMBER_RE, {"人": _WAN, "个": _WAN}, _WAN, "人数")
            if number != number.to_integral_value():
                raise _CellProblem(f"“{_show(value)}”不是整数人数")
            data[fld] = int(number)
        elif fld == "national_code":
            try:
                data[fld] = validate_national_code(value)
            except ValueError:
                raise _CellProblem(
                    f"项目代码“{_show(value)}”格式不正确，应为 YYYY-RRRRRR-DD-TT-NNNNNN（24位）",
                    names_column=False,
                ) from None
        elif fld == "lead_officials":
            text = _to_text(value)
            if text:
                people = split_people(text)
                if people:
                    data[fld] = people
        elif fld == "plan_category":
            text = _to_text(value)
            if text:
                category = _parse_category(text)
                if category is None:
                    raise _CellProblem(
                        f"无法识别项目类别“{_show(text)}”（应为 新开工/续建/竣工投产/前期储备），已忽略",
                        "warning",
                    )
                data[fld] = category
        elif fld == "level":
            text = _to_text(value)
            if text:
                level = _parse_level(text)
                if level is None:
                    raise _CellProblem(
                        f"无法识别项目级别“{_show(text)}”（应为 省重点/市重点/区重点），已忽略",
                        "warning",
                    )
                data[fld] = level
        else:  # text fields
            text = _to_text(value)
            if text:
                data[fld] = text


def _is_column_number_row(cells: list[tuple[int, Any]]) -> bool:
    """A row of column numbers under the header (“甲 乙 1 2 3 …”)."""
    stems = "甲乙丙丁戊己庚"
    numbers: list[int] = []
    n_stems = 0
    for _, v in cells:
        if isinstance(v, bool):
            return False
        if isinstance(v, (int, float)) and v == int(v):
            numbers.append(int(v))
        elif isinstance(v, str) and v.strip().isdigit():
            numbers.append(int(v.strip()))
        elif (
            isinstance(v, str)
            and not numbers
            and n_stems < len(stems)
            and v.strip() == stems[n_stems]
        ):
            n_stems += 1
        else:
            return False
    if not numbers or numbers[0] != 1 or (n_stems < 2 and len(numbers) < 3):
        return False
    return all(b == a + 1 for a, b in zip(numbers, numbers[1:]))


def _fmt(value: Decimal) -> str:
    return format(_clean_decimal(value), "f")


def _pre_table_info(sheet: _Sheet, header_top: int) -> tuple[str | None, str | None, Decimal]:
    """Title, 填报单位 and the sheet-wide money unit from the rows above the header."""
    title = None
    unit_label = None
    factor = _WAN
    for r in range(header_top):
        texts = [
            str(v).strip() for v in sheet.grid[r] if not _is_blank(v) and not isinstance(v, bool)
        ]
        if not texts:
            continue
        line = "  ".join(texts)
        simple = compact(line)
        unit_match = _MONEY_UNIT_RE.search(simple)
        if unit_match:
            factor = {"亿元": _YI, "万元": _WAN, "元": _YUAN}[unit_match.group(1)]
        label_match = _UNIT_LABEL_RE.search(line)
        if label_match:
            rest = label_match.group(1).lstrip()
            rest = _UNIT_LABEL_CUT_RE.split(rest)[0]
            unit_label = rest.strip() or unit_label
            continue
        remainder = _MONEY_UNIT_RE.sub("", simple)
        if title is None and re.search(r"[\u4e00-\u9fff]{4,}|[A-Za-z]{4,}", remainder):
            title = line
    return title, unit_label, factor


def read_ledger(
    source: Any,
    *,
    progress: Callable[[int, int], Any] | None = None,
    max_rows: int = 200_000,
    max_bytes: int | None = None,
) -> LedgerReadResult:
    """Read an Excel project ledger.

    *source* is a path, bytes or a binary file-like object.  *progress*, if given, is
    called as ``progress(done, total)`` every ~200 rows and once at the end with
    ``done == total``.  *max_bytes* is the largest file accepted (the installation's upload
    limit; default :data:`diaodu.engine.xlsx.DEFAULT_MAX_BYTES`).  Raises
    :class:`LedgerFormatError` for file-level problems; every row-level problem is a
    :class:`RowMessage` in the result.
    """
    data = _read_source(source, max_bytes)
    _check_container(data)
    wb = _load_workbook(data)
    try:
        sheets = sorted(wb.worksheets, key=lambda ws: ws.sheet_state != "visible")
        found = None
        any_content = False
        for ws in sheets:
            sheet = _Sheet(ws)
            if sheet.nrows == 0:
                continue
            any_content = True
            header = _find_header(sheet)
            if header is not None:
                found = (sheet, header)
                break
        if not any_content:
            raise LedgerFormatError("工作表为空：文件中没有任何数据")
        if found is None:
            raise LedgerFormatError(
                f"未找到表头：至少需要“项目名称”列，表头应位于前{HEADER_SCAN_ROWS}行内"
                "（可识别的列名如：项目名称、项目代码、建设单位、总投资、年度计划投资、包保领导、责任单位）"
            )
        sheet, header = found
        data_rows = sheet.nrows - header.bottom - 1
        if data_rows > max_rows:
            raise LedgerFormatError(
                f"数据行过多：工作表“{sheet.name}”表头以下有{data_rows}行，超过上限{max_rows}行，请拆分后导入"
            )
        title, unit_label, factor = _pre_table_info(sheet, header.top)
        reader = _LedgerReader(
            sheet, header, epoch=wb.epoch, money_factor=factor, progress=progress
        )
        rows = reader.run()
        columns = {col.field: col.label for col in header.columns if col.field != _SEQ}
        messages = header.messages + reader.messages
        messages.sort(key=lambda m: m.row)
        return LedgerReadResult(
            rows=rows,
            messages=messages,
            columns=columns,
            unit_label=unit_label,
            title=title,
            sheet_name=sheet.name,
        )
    finally:
        wb.close()
