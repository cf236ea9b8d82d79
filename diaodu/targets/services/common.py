"""Shared checks of the targets writes: the acting person, the unit scope, numbers, years."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from diaodu.engine import cleaning
from diaodu.org.models import Unit, User
from diaodu.targets import queries

CODE_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
SCAN_EXTS = (".pdf", ".jpg", ".jpeg", ".png")
MAX_VALUE = Decimal("1e13")
_STORED_DECIMAL = re.compile(r"^[+-]?\d+(?:\.\d+)?E[+-]\d+$")


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
    """A number typed by a person or read from Excel ('1,234.5', ' 12 ', '１２'), by the rules of
    diaodu.engine.cleaning, or ValueError (Chinese, naming *label*)."""
    if cleaning.is_blank(value):
        raise ValueError(f"{label}不能为空。")
    if isinstance(value, str) and _STORED_DECIMAL.fullmatch(value.strip()):
        value = cleaning.strict_decimal(value, label)  # str(Decimal) of a stored value: "1E+1"
    d = cleaning.decimal_value(value, label, minimum=None, places=places, limit=MAX_VALUE)
    if minimum is not None and d < minimum:
        raise ValueError(f"{label}不能小于{minimum}。")
    return d


def _year(year) -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": "年度应为四位数字。"}) from None
    if not 2000 <= y <= 2100:
        raise ValidationError({"year": "年度应在 2000—2100 之间。"})
    return y
