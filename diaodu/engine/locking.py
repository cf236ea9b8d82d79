"""Optimistic locking: the version a change was built on (pure Python, no Django).

Every record that carries a ``version`` is changed only by a request that says which version it
saw — the hidden field of the form, ``version`` of the API body. A missing, non-numeric or stale
version is refused with a Chinese message naming the field ``version``, so two people editing at
once never silently overwrite each other, and a bad value is a 422, never a 500."""

from __future__ import annotations

from typing import Any

from diaodu.engine.cleaning import CleaningError, integer

MAX_VERSION = 2**31 - 1


def version_given(value: Any, what: str) -> int:
    """The version the request was built on: required, a whole number from 1."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CleaningError(
            "version", f"请提供{what}的版本号（version），以免覆盖他人在此期间的修改。"
        )
    return integer(value, "版本号（version）", field="version", minimum=1, maximum=MAX_VERSION)


def stale_message(what: str, current: int, seen: int, who: str = "", when: str = "") -> str:
    """The refusal of a save built on version *seen* when the record is at *current*, naming who
    saved last (and when) if known."""
    by = f"已被{who}" + (f"于 {when} " if when else "") if who else "已被他人"
    return (
        f"{what}{by}修改（现为第 {current} 版，您提交时看到的是第 {seen} 版），"
        "请刷新后在最新内容的基础上重新操作。"
    )


def check_version(value: Any, current: int, what: str, who: str = "", when: str = "") -> int:
    """`version_given`, and refused unless it is *current* (the record's version now)."""
    n = version_given(value, what)
    if n != current:
        raise CleaningError("version", stale_message(what, current, n, who, when))
    return n
