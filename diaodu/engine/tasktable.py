"""A 任务分解表 as offices keep it in Excel → rows (pure Python, no Django).

The header is found within the first rows of the sheet: a row (or two, when a merged group
heading sits above — "责任单位" over "牵头单位 | 配合单位") whose cells name at least three of the
table's columns in any of the wordings offices use. Values of merged cells arrive filled in (the
caller copies a merged range's value into each of its cells). Rows without a task are skipped;
a row with a task is returned with its sheet row number, so errors can name it ("第 7 行")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

__all__ = ["COLUMNS", "HEADER_WORDS", "TableError", "TableRow", "read_table"]

COLUMNS = (
    "number",
    "task",
    "measures",
    "lead_units",
    "support_units",
    "leader",
    "deadline",
    "nodes",
)
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "number": ("序号", "编号"),
    "task": ("任务", "重点任务", "工作任务", "任务内容", "工作内容", "事项", "重点工作"),
    "measures": ("具体措施", "工作措施", "措施", "主要措施", "推进措施", "工作举措"),
    "lead_units": ("牵头单位", "牵头部门", "责任单位", "主责单位", "承办单位"),
    "support_units": ("配合单位", "配合部门", "协办单位", "参与单位"),
    "leader": ("责任领导", "分管领导", "包保领导", "牵头领导"),
    "deadline": ("完成时限", "完成时间", "时限", "时间节点要求", "办结时限", "完成期限"),
    "nodes": ("节点", "时间节点", "进度安排", "阶段目标", "节点安排"),
}
SCAN_ROWS = 12
_SPACE = re.compile(r"[\s\u3000:：*（(].*$|\s+")


class TableError(ValueError):
    """The sheet has no recognisable 任务分解表 header (Chinese message)."""


@dataclass
class TableRow:
    line: int  # the row's number in the sheet (1-based)
    values: dict[str, str] = field(default_factory=dict)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _column_of(cell: str) -> str | None:
    key = re.sub(r"\s+", "", cell)
    key = re.sub(r"[（(].*$", "", key)
    for col, words in HEADER_WORDS.items():
        if key in words:
            return col
    for col, words in HEADER_WORDS.items():
        if any(w in key for w in words if len(w) >= 3):
            return col
    return None


def _header(cells: Sequence[str]) -> dict[int, str]:
    out: dict[int, str] = {}
    for i, c in enumerate(cells):
        col = _column_of(c) if c else None
        if col and col not in out.values():
            out[i] = col
    return out


def read_table(rows: Sequence[Sequence[Any]]) -> tuple[list[TableRow], dict[str, int]]:
    """(rows with a task, the header's columns → sheet column index). Raises TableError."""
    grid = [[_text(v) for v in r] for r in rows]
    best: tuple[int, dict[int, str]] | None = None
    for r in range(min(SCAN_ROWS, len(grid))):
        candidates = [(r, _header(grid[r]))]
        upper = candidates[0][1]
        if r + 1 < len(grid) and len(upper) >= 2:  # a group heading over a second header row
            lower = _header(grid[r + 1])
            merged = dict(upper)
            for i, col in lower.items():
                if col not in merged.values() or merged.get(i) == "lead_units":
                    merged[i] = col
            if len(lower) >= 2 and len(set(merged.values())) > len(set(upper.values())):
                candidates.append((r + 1, merged))
        for top, head in candidates:
            cols = set(head.values())
            if (
                "task" in cols
                and len(cols) >= 3
                and (best is None or len(cols) > len(set(best[1].values())))
            ):
                best = (top, head)
    if best is None:
        raise TableError("没有找到任务分解表的表头：表头应包含“任务”以及“牵头单位”“完成时限”等列。")
    top, head = best
    out = []
    for r in range(top + 1, len(grid)):
        values = {col: (grid[r][i] if i < len(grid[r]) else "") for i, col in head.items()}
        if not values.get("task"):
            continue
        if values.get("task") == grid[top][[i for i, c in head.items() if c == "task"][0]]:
            continue  # a repeated header (a table printed over several pages)
        out.append(TableRow(line=r + 1, values=values))
    return out, {c: i for i, c in head.items()}
