"""Numbers for the rule engines: every rule takes Decimal, never float arithmetic."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def to_decimal(value, what: str) -> Decimal:
    """Convert int/str/Decimal (and float through its repr) to a finite Decimal, or raise a
    ValueError whose Chinese message names `what`."""
    if isinstance(value, bool):
        raise ValueError(f"{what}必须是数值，不能是布尔值")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{what}不是有效的数值：{value!r}") from None
    else:
        raise ValueError(f"{what}必须是数值：{value!r}")
    if not result.is_finite():
        raise ValueError(f"{what}必须是有限数值：{value!r}")
    return result
