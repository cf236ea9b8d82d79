"""Text for matching: Simplified and half-width, *the same length as the original*.

Every position in the matching text is the position of the same character in the original, so
a span found in one is a span of the other.  zhconv converts phrase by phrase; when a phrase
changes length (rare), the text is converted character by character instead, and a character
whose conversion is not one character stays as it is.
"""

from __future__ import annotations

import zhconv

from diaodu.engine.textnorm import to_halfwidth

__all__ = ["for_matching"]

# Punctuation outside the full-width ASCII block that speeches use as separators.
_EXTRA = str.maketrans({"\u3001": "、", "\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


def _char_by_char(text: str) -> str:
    out = []
    for ch in text:
        conv = zhconv.convert(ch, "zh-cn") if not ch.isascii() else ch
        out.append(conv if len(conv) == 1 else ch)
    return "".join(out)


def for_matching(text: str) -> str:
    """Simplified, half-width text of exactly ``len(text)`` characters."""
    if not text:
        return ""
    simple = zhconv.convert(text, "zh-cn") if not text.isascii() else text
    if len(simple) != len(text):
        simple = _char_by_char(text)
    out = to_halfwidth(simple).translate(_EXTRA)
    assert len(out) == len(text)
    return out
