"""The numbered structure of a speech: sentences, and the outline items they belong to.

Markers (in the Simplified, half-width text):

====================  ============  =====================================================
marker                style         where
====================  ============  =====================================================
一、 二、              ``cn、``       start of a line; always the top level
(一) (二)             ``(cn)``      start of a line or a sentence
1. 2、                ``d.``        start of a line or a sentence (not 1.5)
(1) (2)               ``(d)``       start of a line or a sentence
第一, 第二 / 一个,     ``第cn``      start of a sentence; 一个, is a common slip for 第一,
一是 二是 / 其一      ``cn是``      start of a sentence or clause (after , or :)
一要 二要             ``cn要``      start of a sentence
首先 其次 再次 最后    ``首先``      start of a sentence
要破解资金难题。       ``要…``       short directive sentences in parallel, each with a body
====================  ============  =====================================================

Markers count only at the start of a sentence or clause (so "统一要求" is never item 一), and
an open list must go on 二, 三 … (or start again at 一); a style already open is a sibling, a
new style is a child.  An inline item ends at the end of its
paragraph; a paragraph that does not begin with a marker closes the inline lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from diaodu.engine.taskextract.numerals import cn_to_int

__all__ = ["Item", "Sentence", "segment"]

_CN = "一二三四五六七八九十"
_HEADING_STYLES = ("cn、", "(cn)", "d.", "(d)")
_SEQUENCED = ("第cn", "cn是", "cn要", "首先")
_ORDER_WORDS = {"首先": 1, "其次": 2, "再次": 3, "然后": 3, "最后": 4}

_LINE_MARKERS = [
    ("cn、", re.compile(rf"([{_CN}]+)、")),
]
_SENTENCE_MARKERS = [
    ("(cn)", re.compile(rf"\(([{_CN}]+)\)")),
    ("(d)", re.compile(r"\((\d{1,2})\)")),
    ("d.", re.compile(r"(\d{1,2})[.、](?!\d)")),
    ("第cn", re.compile(rf"第([{_CN}]+)(?:[,:、]|(?=是|要|[\u4e00-\u9fff]{{2}}))")),
    ("第cn", re.compile(r"(一)个,")),
    ("cn是", re.compile(rf"其?([{_CN}]+)是(?!否|非|指|说|因为|由于|为了)")),
    ("cn要", re.compile(rf"([{_CN}]+)要(?!求|素|点|害|么|是)")),
    ("首先", re.compile(r"(首先|其次|再次|然后|最后)[,:、]?")),
]
_CLAUSE_MARKER = re.compile(rf"其?([{_CN}]+)是(?!否|非|指|说)")
_SHORT_DIRECTIVE = re.compile(r"(?:要|必须|务必|切实|坚决|着力)[^,:;]{2,13}[.。!]?")
_TERMINATORS = re.compile(r"[。!?;]|\.(?!\d)(?<!\d\.)")


@dataclass
class Sentence:
    start: int
    end: int
    para: int
    item: int | None = None  # innermost item
    marker_end: int | None = None  # the marker's end, if the sentence opens an item


@dataclass
class Item:
    style: str
    number: int
    start: int  # the marker's start
    marker_end: int
    parent: int | None
    level: int
    heading: int  # index of the sentence that opens it
    end: int = -1
    children: list[int] = field(default_factory=list)


def _paragraphs(text: str):
    pos = 0
    for line in text.split("\n"):
        s = pos + (len(line) - len(line.lstrip()))
        e = pos + len(line.rstrip())
        if e > s:
            yield s, e
        pos += len(line) + 1


def _split(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Sentences of one paragraph, the terminator kept; a clause marker (, 二是) starts one."""
    cuts = [s]
    for m in _TERMINATORS.finditer(text, s, e):
        cuts.append(m.end())
    for m in _CLAUSE_MARKER.finditer(text, s, e):
        if m.start() > s and text[m.start() - 1] in ",:" and m[1] in _CN:
            cuts.append(m.start())
    cuts = sorted({c for c in cuts if s <= c <= e}) + [e]
    out = []
    for a, b in zip(cuts, cuts[1:]):
        while a < b and text[a].isspace():
            a += 1
        if b > a:
            out.append((a, b))
    return out


def _parallel_headings(text: str, spans: list[tuple[int, int]]) -> set[int]:
    """Starts of short directive sentences that stand in parallel with another one of the
    paragraph ("要破解资金难题。… 要破解土地难题。"): the same first three characters or the same
    last two.  A short directive without a parallel is a measure, not a heading."""
    short = []
    for s, e in spans:
        if e - s <= 15 and _SHORT_DIRECTIVE.fullmatch(text, s, e):
            body = text[s:e].rstrip("。.!")
            short.append((s, body[:3], body[-2:]))
    return {
        s
        for s, head, tail in short
        if any(o != s and (h == head or t == tail) for o, h, t in short)
    }


def _number(style: str, raw: str) -> int | None:
    if style == "首先":
        return _ORDER_WORDS[raw]
    return cn_to_int(raw)


def segment(text: str) -> tuple[list[Sentence], list[Item]]:
    """Sentences and outline items of *text* (Simplified, half-width)."""
    sentences: list[Sentence] = []
    items: list[Item] = []
    stack: list[int] = []  # open items, outermost first

    def close(upto: int, at: int) -> None:
        while len(stack) > upto:
            item = items[stack.pop()]
            if item.end < 0:
                item.end = at

    def open_item(style, number, s, m_end, sent_idx):
        # A style already open makes a sibling; a new one a child.
        for depth, idx in enumerate(stack):
            if items[idx].style == style:
                close(depth, s)
                break
        parent = stack[-1] if stack else None
        item = Item(style, number, s, m_end, parent, len(stack), sent_idx)
        items.append(item)
        if parent is not None:
            items[parent].children.append(len(items) - 1)
        stack.append(len(items) - 1)
        sentences[sent_idx].marker_end = m_end

    def _in_sequence(style: str, n: int) -> bool:
        """A list that is open goes on with the next number (or starts again at one); a new
        list may start anywhere, since a speech is often quoted from its middle."""
        for idx in stack:
            if items[idx].style == style:
                prev = items[idx].number
                return n == 1 or n == prev + 1 or (style == "首先" and n > prev)
        return True

    for p, (ps, pe) in enumerate(_paragraphs(text)):
        first = True
        spans = _split(text, ps, pe)
        parallel = _parallel_headings(text, spans)
        for s, e in spans:
            sentences.append(Sentence(s, e, p))
            si = len(sentences) - 1
            found = None
            if first:
                for style, rx in _LINE_MARKERS:
                    m = rx.match(text, s, e)
                    if m:
                        found = (style, _number(style, m[1]), m.end())
                        break
            if found is None:
                for style, rx in _SENTENCE_MARKERS:
                    m = rx.match(text, s, e)
                    if not m:
                        continue
                    n = _number(style, m[1])
                    if n is None:
                        continue
                    if style in _SEQUENCED and not _in_sequence(style, n):
                        continue
                    found = (style, n, m.end())
                    break
            if first and found is None:
                # A narrative paragraph closes the inline lists.
                keep = 0
                while keep < len(stack) and items[stack[keep]].style in _HEADING_STYLES:
                    keep += 1
                close(keep, s)
            if found is not None:
                style, n, m_end = found
                if style == "cn、":
                    close(0, s)
                open_item(style, n, s, m_end, si)
            elif stack and not first and s in parallel and e < pe:
                open_item("要…", 0, s, s, si)
            first = False
        # An inline item ends with its paragraph (it stays open for counting the next one).
        for idx in stack:
            if items[idx].style not in _HEADING_STYLES and items[idx].end < 0:
                items[idx].end = pe
    close(0, len(text))
    for item in items:
        if item.end < 0:
            item.end = len(text)
    # Innermost item of each sentence: the last opened item whose range holds it.
    for sent in sentences:
        for idx in range(len(items) - 1, -1, -1):
            it = items[idx]
            if it.start <= sent.start < it.end:
                sent.item = idx
                break
    return sentences, items
