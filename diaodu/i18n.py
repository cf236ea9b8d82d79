"""Translation helpers shared by every app (English is the second interface language).

Choice labels are marked with ``gettext_noop`` where they are defined, so they stay plain
strings in data, exports and the API, and are put into the catalogue; pages translate them
when they show them (``{% translate x.get_y_display %}``, :func:`tr_choices` for form
choices). The engine is pure Python without Django, so its labels are listed here for the
catalogue.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop

_HAN = re.compile(r"[\u4e00-\u9fff]")

# diaodu.engine.stages.LABELS
STAGE_LABELS = (
    gettext_noop("线索"),
    gettext_noop("在谈"),
    gettext_noop("签约"),
    gettext_noop("落地"),
    gettext_noop("前期"),
    gettext_noop("在建"),
    gettext_noop("竣工"),
    gettext_noop("投产"),
    gettext_noop("达产"),
    gettext_noop("暂缓"),
    gettext_noop("终止"),
)


def tr_choices(choices) -> list:
    """Form choices whose labels are translated when the form is shown."""
    return [
        (value, gettext_lazy(label) if isinstance(label, str) else label)
        for value, label in choices
    ]


def period_name(period) -> str:
    """A report period's name in the interface language ("2026年第47周", "Week 47, 2026")."""
    if getattr(period, "kind", "") == "weekly":
        return gettext("%(year)s年第%(n)s周") % {"year": period.year, "n": period.number}
    return gettext("%(year)s年%(n)s月") % {"year": period.year, "n": period.number}


# ---------------------------------------------------------------- messages shown in English
# Messages are Chinese where they are made — the engine (pure Python, no gettext), the services
# and their ValidationErrors, the flash messages of the views, the reasons stored with a light,
# the definitions of the headline figures — and are translated when a page shows them:
# :func:`tr` looks a text up in the catalogue, and a text made from a pattern such as
# "《%(name)s》的亮灯已调整。" is matched against the catalogue's patterns (``diaodu.i18n_messages``
# lists them, so makemessages keeps them) and its values are translated in turn.
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
_PATTERNS: dict[str, list] = {}
_SEPARATORS = ("；", "\n")
_ADJACENT = re.compile(r"%\((\w+)\)[sd]%\((\w+)\)[sd]")
_NUMBER_UNIT = re.compile(r"(-?[\d.,]+)\s*(\D+)")


def _patterns(language: str) -> list:
    """(regex, msgid, literal head, literal tail) for every catalogue entry with placeholders,
    the longest literal first."""
    if language in _PATTERNS:
        return _PATTERNS[language]
    from django.utils.translation import trans_real

    catalog = trans_real.translation(language)._catalog
    out = []
    for msgid in catalog.keys():
        if not isinstance(msgid, str) or "%(" not in msgid or not _HAN.search(msgid):
            continue
        parts, pos = [], 0
        for m in _PLACEHOLDER.finditer(msgid):
            parts.append(re.escape(msgid[pos : m.start()].replace("%%", "%")))
            parts.append(f"(?P<{m.group(1)}>.*?)")
            pos = m.end()
        parts.append(re.escape(msgid[pos:].replace("%%", "%")))
        literal = len(_PLACEHOLDER.sub("", msgid))
        head, tail = msgid[: msgid.index("%(")], msgid[msgid.rindex(")") + 2 :]
        lazy = "".join(parts)
        try:
            # two placeholders side by side ("年度目标%(n)s%(unit)s") split one way or the other
            rxs = [re.compile(lazy, re.S)]
            if re.search(r"\)s%\(", msgid):
                rxs.append(re.compile(lazy.replace(".*?)", ".*)"), re.S))
        except re.error:  # a placeholder used twice: not a pattern this function can read
            continue
        for rx in rxs:
            out.append((literal, rx, msgid, head, tail))
    out.sort(key=lambda t: (-t[0], t[1].groups))
    _PATTERNS[language] = [
        (rx, msgid, head.replace("%%", "%"), tail.replace("%%", "%"))
        for _n, rx, msgid, head, tail in out
    ]
    return _PATTERNS[language]


def tr(text, *, _depth: int = 0) -> str:
    """A Chinese message in the interface language: itself in Chinese; in English the catalogue's
    translation, or the translation of the catalogue pattern it was made from (its values
    translated too), or — for messages joined by "；" — each part's. Data (a name, a title)
    that matches nothing stays as it is."""
    if text is None:
        return ""
    text = str(text)
    language = get_language() or ""
    if not text or language.startswith("zh") or not _HAN.search(text) or _depth > 4:
        return text
    found = gettext(text)
    if found != text:
        return found
    # the pattern the text was made from; when several fit (two placeholders side by side), the
    # one that leaves the least Chinese (a name is data and stays)
    candidates = []
    for rx, msgid, head, tail in _patterns(language):
        if not (text.startswith(head) and text.endswith(tail)):
            continue
        m = rx.fullmatch(text)
        if m:
            candidates.append(_fill(msgid, m.groupdict(), _depth))
            if not _HAN.search(candidates[-1]):
                return candidates[-1]
    stripped = text.strip()
    if stripped != text:
        candidates.append(text.replace(stripped, tr(stripped, _depth=_depth)))
    number = _NUMBER_UNIT.fullmatch(text)
    if number:  # "19个", "3亿元": a figure and its unit
        candidates.append(f"{number.group(1)} {tr(number.group(2), _depth=_depth + 1)}")
    for sep in _SEPARATORS:
        if sep in text:
            joined = "; " if sep == "；" else sep
            candidates.append(joined.join(tr(p, _depth=_depth) for p in text.split(sep)))
            break
    return min(candidates, key=_han_count, default=text)


def _han_count(text: str) -> int:
    return len(_HAN.findall(text))


def _fill(msgid: str, raw: dict, depth: int) -> str:
    """The translation of *msgid* with the values translated; when two placeholders stand side
    by side, the split of their text whose two halves both translate."""
    values = {k: tr(v, _depth=depth + 1) for k, v in raw.items()}
    found = gettext(msgid) % values
    pair = _ADJACENT.search(msgid)
    if not _HAN.search(found) or not pair or depth > 1:
        return found
    a, b = pair.group(1), pair.group(2)
    both = raw[a] + raw[b]
    for i in range(len(both) + 1):
        left, right = tr(both[:i], _depth=depth + 1), tr(both[i:], _depth=depth + 1)
        other = gettext(msgid) % {**values, a: left, b: right}
        if _han_count(other) < _han_count(found):
            found = other
    return found
