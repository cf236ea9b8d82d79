"""Chinese numerals (一 … 九千九百九十九万, 两, 〇/零, 廿, 卅) and Arabic digits → int."""

from __future__ import annotations

__all__ = ["CN_DIGITS", "NUMERAL_CHARS", "cn_to_int"]

CN_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7,
    "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_SHORTHAND = {"廿": 20, "卅": 30}
NUMERAL_CHARS = "".join([*CN_DIGITS, *_SMALL_UNITS, *_BIG_UNITS, *_SHORTHAND])


def cn_to_int(text: str) -> int | None:
    """The value of *text* (``"十二"`` → 12, ``"二十"`` → 20, ``"一百零五"`` → 105,
    ``"两千"`` → 2000, ``"2021"`` → 2021, ``"二〇二一"`` → 2021), or None if it is not a number."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if any(ch not in NUMERAL_CHARS for ch in text):
        return None
    # Digit strings without units (二〇二一, 一九): read digit by digit.
    if all(ch in CN_DIGITS for ch in text) and len(text) > 1:
        return int("".join(str(CN_DIGITS[ch]) for ch in text))
    total = section = 0
    digit = None
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in _SHORTHAND:
            section += _SHORTHAND[ch]
            digit = None
        elif ch in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:  # 万 / 亿: everything read so far in this section is a count of them
            section += digit or 0
            total += (section or 1) * _BIG_UNITS[ch]
            section = 0
            digit = None
    return total + section + (digit or 0)
