"""One pagination style for every API list: django-ninja's limit/offset pagination.

A list endpoint is decorated with ``@paginate(Paged)`` and returns its scoped, ordered queryset
(or a :class:`Rows` when a page of records must be turned into dicts, or counted specially).
Request: ``?limit=50&offset=0`` (limit 1–200, default 50; offset ≥ 0). Response::

    {"items": [...], "count": 120, "limit": 50, "offset": 0, "has_next": true, "count_capped": false}

``count`` is the number of matching records; a very large list may stop counting at a cap
(``count_capped`` true) or not count at all (``-1``). A bad limit or offset is a 422 whose
message is in Chinese, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import field_validator
from pydantic_core import PydanticCustomError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000
_INTEGER_RE = re.compile(r"[+-]?\d{1,12}")


def _whole_number(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise PydanticCustomError("integer", f"{name}应为整数。")
    if isinstance(value, str):
        value = value.strip()
        if not _INTEGER_RE.fullmatch(value):
            raise PydanticCustomError("integer", f"{name}应为整数。")
        return int(value)
    if isinstance(value, int):
        return value
    raise PydanticCustomError("integer", f"{name}应为整数。")


@dataclass
class Rows:
    """What a paginated endpoint returns when plain records are not enough.

    *source*: the scoped, ordered queryset (or list) to slice. *page*: turns the records of one
    page into the dicts the schema expects (so related data is loaded for one page only).
    *count*: returns ``(count, capped)`` instead of a plain ``COUNT(*)``.
    """

    source: Any
    page: Callable[[list], list] | None = None
    count: Callable[[], tuple[int, bool]] | None = None


class Paged(PaginationBase):
    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, description=f"每页条数（1–{MAX_LIMIT}，默认 {DEFAULT_LIMIT}）"
        )
        offset: int = Field(0, description="跳过的条数（≥ 0）")

        @field_validator("limit", mode="before")
        @classmethod
        def _limit(cls, value):
            number = _whole_number(value, "limit（每页条数）")
            if not 1 <= number <= MAX_LIMIT:
                raise PydanticCustomError(
                    "limit", f"limit（每页条数）应在 1 到 {MAX_LIMIT} 之间，收到 {number}。"
                )
            return number

        @field_validator("offset", mode="before")
        @classmethod
        def _offset(cls, value):
            number = _whole_number(value, "offset（跳过条数）")
            if number < 0:
                raise PydanticCustomError(
                    "offset", f"offset（跳过条数）不能为负数，收到 {number}。"
                )
            if number > MAX_OFFSET:
                raise PydanticCustomError(
                    "offset", f"offset（跳过条数）不能超过 {MAX_OFFSET}，请缩小筛选范围。"
                )
            return number

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="符合条件的条数；-1 表示未统计")
        limit: int
        offset: int
        has_next: bool = Field(description="是否还有下一页")
        count_capped: bool = Field(False, description="为 true 时 count 只统计到上限")

    def paginate_queryset(self, queryset, pagination: Input, request, **params) -> dict:
        rows = queryset if isinstance(queryset, Rows) else Rows(queryset)
        offset, limit = pagination.offset, pagination.limit
        window: Sequence = list(rows.source[offset : offset + limit + 1])
        has_next = len(window) > limit
        window = list(window[:limit])
        items = rows.page(window) if rows.page is not None else window
        if rows.count is not None:
            count, capped = rows.count()
        else:
            count, capped = self._items_count(rows.source), False
        return {
            "items": items,
            "count": count,
            "limit": limit,
            "offset": offset,
            "has_next": has_next,
            "count_capped": capped,
        }
