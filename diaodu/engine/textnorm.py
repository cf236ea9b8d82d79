"""Small text helpers for Chinese ledger data (pure Python, no Django).

* :func:`to_simplified` – Traditional → Simplified Chinese (zhconv, ``zh-cn``).
* :func:`to_halfwidth` – full-width ASCII (``１２５００``, ``（亿元）``, ``－``) and the
  ideographic space → their half-width forms.
* :func:`normalise_name` – a *matching key* for project names: Simplified, NFKC,
  without spaces or punctuation, lower-case.  Use it to compare names, never to
  store them.
* :func:`compact` – half-width + Simplified + no whitespace: the form in which
  header cells, section rows and subtotal rows are recognised.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import zhconv

__all__ = [
    "collapse_spaces",
    "compact",
    "normalise_dashes",
    "normalise_name",
    "to_halfwidth",
    "to_simplified",
]

_FULLWIDTH_OFFSET = 0xFEE0
# Dash-like characters that people type instead of "-" (hyphen-minus).
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_DASH_TABLE = {ord(ch): "-" for ch in _DASHES}
_WS_RE = re.compile(r"\s+")
_HALFWIDTH_TABLE = {code: code - _FULLWIDTH_OFFSET for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH_TABLE[0x3000] = 0x20


@functools.lru_cache(maxsize=8192)
def _simplified_cached(text: str) -> str:
    return zhconv.convert(text, "zh-cn")


def to_simplified(text: str) -> str:
    """Return *text* converted from Traditional to Simplified Chinese.

    ASCII-only strings are returned unchanged without calling zhconv.
    """
    if not text or text.isascii():
        return text
    if len(text) <= 64:
        return _simplified_cached(text)
    return zhconv.convert(text, "zh-cn")


def to_halfwidth(text: str) -> str:
    """Convert full-width ASCII characters (U+FF01–U+FF5E) and U+3000 to half-width."""
    if not text or text.isascii():
        return text
    return text.translate(_HALFWIDTH_TABLE)


def normalise_dashes(text: str) -> str:
    """Replace en/em dashes, minus signs and full-width hyphens by ``-``."""
    return text.translate(_DASH_TABLE)


def collapse_spaces(text: str) -> str:
    """Remove every whitespace character (spaces, line breaks, U+3000…)."""
    return _WS_RE.sub("", text)


def compact(text: str) -> str:
    """Half-width, Simplified, NFKC and without any whitespace.

    This is the form used to recognise header cells, section rows, subtotal rows
    and footnotes; it is never stored.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", to_halfwidth(text))
    return collapse_spaces(to_simplified(text))


def normalise_name(text: str | None) -> str:
    """Return a key for matching project names.

    Simplified Chinese, NFKC, without whitespace or punctuation/symbols, lower-case:
    ``"ＸＸ 科技（一期）項目"`` and ``"xx科技(一期)项目"`` give the same key.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", to_halfwidth(str(text)))
    text = to_simplified(text)
    kept = [
        ch
        for ch in text
        if not ch.isspace() and unicodedata.category(ch)[0] not in ("P", "S", "Z", "C")
    ]
    return "".join(kept).lower()
