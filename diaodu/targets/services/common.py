"""Shared checks of the targets writes: the acting person, the unit scope, numbers, years."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.org.models import Unit, User
from diaodu.targets import queries

CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
SCAN_EXTS = (".pdf", ".jpg", ".jpeg", ".png")
MAX_VALUE = Decimal("1e13")


def _actor(by):
    return by if isinstance(by, User) else None


def _check_unit(by, unit: Unit) -> None:
    if unit is None:
        raise ValidationError({"unit": "请选择单位。"})
    if not queries.sees(by, unit):
        raise PermissionDenied(f"无权维护“{unit.name}”的数据。")


def parse_decimal(
    value, label: str, *, minimum: Decimal | None = Decimal(0), places: int = 4
) -> Decimal:
    """A number typed by a person or read from Excel ('1,234.5', ' 12 '), or ValueError(Chinese)."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{label}不能为空。")
    try:
        d = (
            value
            if isinstance(value, Decimal)
            else Decimal(str(value).replace(",", "").replace("，", "").strip())
        )
    except (InvalidOperation, ValueError):
        raise ValueError(f"{label}应为数字（收到“{value}”）。") from None
    if not d.is_finite():
        raise ValueError(f"{label}应为数字。")
    if minimum is not None and d < minimum:
        raise ValueError(f"{label}不能小于{minimum}。")
    if abs(d) >= MAX_VALUE:
        raise ValueError(f"{label}数值过大。")
    return d.quantize(Decimal(1).scaleb(-places))


def _year(year) -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "年度应为四位数字。"}) from None
    if not 2000 <= y <= 2100:
        raise ValidationError({"year": "年度应在 2000—2100 之间。"})
    return y
