"""Sheet model: the cell values of one worksheet as a grid, merged cells indexed once."""

from __future__ import annotations

from typing import Any

from .values import _is_blank

# --------------------------------------------------------------------------------------
# Sheet model: values grid + merged-cell maps built once
# --------------------------------------------------------------------------------------


class _Sheet:
    """Cell values of one worksheet as a 0-based grid, with merged ranges indexed once."""

    def __init__(self, ws):
        self.ws = ws
        self.name = ws.title
        cells = getattr(ws, "_cells", None)
        values: dict[tuple[int, int], Any] = {}
        if isinstance(cells, dict):
            for (r, c), cell in cells.items():
                v = cell.value
                if not _is_blank(v):
                    values[(r - 1, c - 1)] = v
        else:  # pragma: no cover - other openpyxl internals
            for r, row in enumerate(ws.iter_rows(values_only=True)):
                for c, v in enumerate(row):
                    if not _is_blank(v):
                        values[(r, c)] = v
        self.nrows = max((r for r, _ in values), default=-1) + 1
        self.ncols = max((c for _, c in values), default=-1) + 1
        self.grid: list[list[Any]] = [[None] * self.ncols for _ in range(self.nrows)]
        for (r, c), v in values.items():
            self.grid[r][c] = v
        # (r, c) of a covered cell -> (r0, c0) of its merge anchor; clamped to the grid.
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        # r0 -> list of (c0, c1, r1) for every merge anchored in row r0.
        self.spans: dict[int, list[tuple[int, int, int]]] = {}
        for rng in ws.merged_cells.ranges:
            r0, c0 = rng.min_row - 1, rng.min_col - 1
            if r0 >= self.nrows or c0 >= self.ncols:
                continue
            r1 = min(rng.max_row, self.nrows) - 1
            c1 = min(rng.max_col, self.ncols) - 1
            self.spans.setdefault(r0, []).append((c0, c1, r1))
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if r != r0 or c != c0:
                        self.anchor[(r, c)] = (r0, c0)

    def raw(self, r: int, c: int) -> Any:
        if r < self.nrows and c < self.ncols:
            return self.grid[r][c]
        return None

    def number_format(self, r: int, c: int) -> str:
        cell = getattr(self.ws, "_cells", {}).get((r + 1, c + 1))
        return getattr(cell, "number_format", "General") or "General"

    def header_value(self, r: int, c: int, top: int) -> Any:
        """Value with merges filled in both directions (merges anchored in the header)."""
        v = self.raw(r, c)
        if v is None and (r, c) in self.anchor:
            r0, c0 = self.anchor[(r, c)]
            if r0 >= top:
                return self.raw(r0, c0)
        return v

    def data_value(self, r: int, c: int, first_data_row: int) -> tuple[Any, tuple[int, int]]:
        """Value with vertical merges filled (same column, anchored in the data area)."""
        v = self.raw(r, c)
        if _is_blank(v) and (r, c) in self.anchor:
            r0, c0 = self.anchor[(r, c)]
            if c0 == c and r0 >= first_data_row:
                return self.raw(r0, c0), (r0, c0)
        return v, (r, c)

    def row_is_blank(self, r: int) -> bool:
        return all(_is_blank(v) for v in self.grid[r])
