"""Characters no request may carry: NUL and lone UTF-16 surrogates (pure Python, no Django).

PostgreSQL cannot store NUL at all, and a lone surrogate cannot be encoded as UTF-8; either one
reaching a query or a save is an error deep in the stack (a 500), long after the place where the
person could be told which field is wrong. So every request is looked at once, before anything
reads it — query parameters, form fields, uploaded file names, JSON bodies (keys and values at any
depth), cookies, header values and the path — and one that carries such a character is refused
whole with a Chinese message naming where it was. Nothing is stripped: a silently changed value
is one the person never saw (the same decision as :mod:`diaodu.engine.cleaning`, which refuses
the other control characters field by field).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def unstorable(s: str) -> str | None:
    """How to name the first NUL or lone surrogate in *s*, or None when there is none."""
    if "\x00" in s:
        return "NUL 空字符"
    for ch in s:
        cp = ord(ch)
        if 0xD800 <= cp <= 0xDFFF:
            return f"孤立的代理字符 U+{cp:04X}"
    return None


def _json_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            child = f"{path}.{name}" if path else name
            yield child, name
            yield from _json_strings(item, child)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{n}]")


def json_strings(value: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for every key and string in a decoded JSON document; *where* is a path
    such as ``agenda[0].title`` (``请求体`` for a bare string)."""
    for where, s in _json_strings(value, ""):
        yield where or "请求体", s


def first_problem(pairs: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """(where, what) for the first text among (where, text) pairs that holds a NUL or a lone
    surrogate; a *where* holding one is named with the character escaped."""
    for where, s in pairs:
        if not isinstance(s, str):
            continue
        what = unstorable(where) or unstorable(s)
        if what is not None:
            return printable(where), what
    return None


def printable(s: str) -> str:
    """*s* with NUL and lone surrogates written as escapes, safe to put into a message."""
    return "".join(
        f"\\u{ord(ch):04x}" if ch == "\x00" or 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in s
    )[:80]


def message(where: str, what: str) -> str:
    return f"「{where}」含有不允许的字符（{what}），请删除后重新提交；本次提交未作任何修改。"
