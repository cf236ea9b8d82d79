"""Text + the document's date (+ a gazetteer) → draft rows of a 任务分解表.

Rows come from two places:

* every outline item (一、 (一) 1. 第一 一是 一要 首先 …, see :mod:`.segment`): its task is the
  item's first sentence, its measures the directive sentences of its own text;
* directive sentences whose subject is a unit ("自然资源局要…", "聚丰、广汇等公司要…"): their
  units lead the item that holds them; when an item holds several such sentences, or one
  stands outside any item, each also becomes a row of its own (the clerk's "one unit, one
  row").

A directive sentence says 要/必须/务必/确保/力争/争取/抓紧/加快/必保/应当/牵头/负责 …; its
subject is the words between the start of its clause and that word.  Units in "X牵头" lead, units
in "Y配合/协助/参与" and "会同Y" support.  Matching happens on Simplified, half-width text of the
same length as the original, so every span is a span of the original, and texts are returned
as written (繁體 stays 繁體); unit names come back canonical (gazetteer) or Simplified (unknown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from diaodu.engine.taskextract.normalize import for_matching
from diaodu.engine.taskextract.quantities import Quantity, find_quantities
from diaodu.engine.taskextract.segment import Sentence, segment
from diaodu.engine.taskextract.timeexpr import TimeMention, find_times
from diaodu.engine.taskextract.units import (
    Gazetteer,
    UnitMention,
    project_names,
    unit_like_names,
)

__all__ = ["DraftRow", "extract", "find_leader", "units_of_sentence"]

_DIRECTIVE = re.compile(
    r"一定要|务必要?|必须|确保|力争|争取|抓紧|加快|必保|应当|牵头|负责|会同|"
    r"(?<![主重需只必想纪摘简提概总])要(?![求素点害么是])"
)
_SUPPORT = re.compile(r"配合|协助|协同|参与|支持")
_WITH = re.compile(r"(?:会同|联合)([^,;。]{2,30}?)(?=开展|进行|做好|共同|对|研究|制定|,|;|。|$)")
_CLAUSE_BREAK = ",:;"
_TITLE = r"(?:常务)?副?(?:书记|主任|区长|县长|市长|镇长|局长|部长|主席|总经理|秘书长)"
_LEADER = [
    re.compile(
        r"(?:责任领导|包保领导|分管领导)[:为是]\s*([\u4e00-\u9fff]{2,4}?(?:同志|"
        + _TITLE
        + r")?)(?=[,;。、)\s]|$)"
    ),
    re.compile(
        r"(?:(?<=[,;:由请])|^)((?![由请])[\u4e00-\u9fff]{2,3}"
        + _TITLE
        + r")(?:同志)?(?:亲自)?(?:牵头|负责|挂帅|包保|督办|分管|统筹)"
    ),
]


@dataclass
class DraftRow:
    task: str
    measures: str
    lead_units: list[UnitMention]
    support_units: list[UnitMention]
    leader: str | None
    deadline: date | None
    recurrence: str | None
    quantities: list[Quantity]
    span: tuple[int, int]
    number: str = ""
    level: int = 0
    parent: int | None = None
    nodes: list[TimeMention] = field(default_factory=list)

    def as_dict(self, text: str) -> dict:
        """The row as JSON-ready data: the contract keys first, then the details."""

        def names(mentions):
            return [m.name for m in mentions]

        return {
            "task": self.task,
            "measures": self.measures,
            "lead_units": names(self.lead_units),
            "support_units": names(self.support_units),
            "leader": self.leader,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "recurrence": self.recurrence,
            "quantities": [text[q.start : q.end] for q in self.quantities],
            "source_span": [self.span[0], self.span[1]],
            "number": self.number,
            "level": self.level,
            "parent": self.parent,
            "lead_unit_codes": [m.code for m in self.lead_units],
            "support_unit_codes": [m.code for m in self.support_units],
            "unknown_units": sorted(
                {m.name for m in [*self.lead_units, *self.support_units] if m.code is None}
            ),
            "nodes": [
                {"date": n.on.isoformat(), "text": text[n.start : n.end]}
                for n in self.nodes
                if n.on is not None and n.on != self.deadline
            ],
            "source_text": text[self.span[0] : self.span[1]],
        }


def _dedupe(mentions: Iterable[UnitMention]) -> list[UnitMention]:
    seen, out = set(), []
    for m in mentions:
        if m.name not in seen:
            seen.add(m.name)
            out.append(m)
    return out


def _subject_units(norm: str, s: int, e: int, gaz: Gazetteer) -> list[UnitMention]:
    """Units named by the subject norm[s:e] (gazetteer first, then unit-like names)."""
    subject = norm[s:e]
    known = gaz.find(subject, s)
    out: list[UnitMention] = []
    for name in unit_like_names(subject):
        pos = subject.find(name)
        start = s + max(pos, 0)
        hit = [k for k in gaz.find(name) if k.text == name]
        if hit:
            out.append(UnitMention(start, start + len(name), name, hit[0].name, hit[0].code))
        elif not any(k.text in name or name in k.text for k in known):
            out.append(UnitMention(start, start + len(name), name, name, None))
    out.extend(known)
    return _dedupe(sorted(out, key=lambda m: m.start))


def units_of_sentence(
    norm: str, s: int, e: int, gaz: Gazetteer
) -> tuple[list[UnitMention], list[UnitMention], int | None]:
    """(lead units, supporting units, where the first directive with a unit subject ends) of the
    sentence norm[s:e]."""
    lead: list[UnitMention] = []
    support: list[UnitMention] = []
    first_end = None
    clause_start = s
    pos = s
    while pos < e:
        ch = norm[pos]
        if ch in _CLAUSE_BREAK:
            clause_start = pos + 1
            pos += 1
            continue
        m = _DIRECTIVE.match(norm, pos, e) or _SUPPORT.match(norm, pos, e)
        if not m:
            pos += 1
            continue
        units = _subject_units(norm, clause_start, m.start(), gaz)
        if units:
            if _SUPPORT.fullmatch(m[0]):
                support.extend(units)
            else:
                lead.extend(units)
                if first_end is None:
                    first_end = m.end()
        # Only the first verb of a clause has a subject.
        nxt = min(
            (norm.find(c, m.end(), e) for c in _CLAUSE_BREAK if norm.find(c, m.end(), e) >= 0),
            default=e,
        )
        pos = nxt
    for m in _WITH.finditer(norm, s, e):
        support.extend(gaz.find(m[1], m.start(1)))
        support.extend(
            UnitMention(m.start(1), m.end(1), n, n, None)
            for n in unit_like_names(m[1])
            if not gaz.find(n)
        )
    lead = _dedupe(lead)
    lead_names = {u.name for u in lead}
    return lead, [u for u in _dedupe(support) if u.name not in lead_names], first_end


def names_projects(norm: str, s: int, e: int) -> bool:
    """Whether the first directive of norm[s:e] has projects as its subject ("如东北亚物流园项目、
    污水处理厂项目要加快进度")."""
    m = _DIRECTIVE.search(norm, s, e)
    if not m:
        return False
    start = max([s, *(norm.rfind(c, s, m.start()) + 1 for c in _CLAUSE_BREAK)])
    return bool(project_names(norm[start : m.start()]))


def find_leader(norm: str, s: int, e: int) -> str | None:
    """A named responsible leader ("由王明副主任牵头", "责任领导:李强") in norm[s:e]."""
    for rx in _LEADER:
        m = rx.search(norm, s, e)
        if m:
            return m[1]
    return None


def _is_directive(norm: str, s: int, e: int) -> bool:
    return _DIRECTIVE.search(norm, s, e) is not None


_STRIP_HEAD = re.compile(r"[\s,:、.]*(?:是要|是|要)?[\s,:]*")
_STRIP_TAIL = re.compile(r"[\s。.!?;,:]+$")
_STRIP_VERB = re.compile(r"(?:也都要|也要|都要|一定要|务必要?|必须|要)")


def _clean(norm: str, a: int, b: int, head: re.Pattern = _STRIP_HEAD) -> tuple[int, int]:
    """The span [a, b) without a leading 要/是 and trailing punctuation (found in the matching
    text, which has the original's positions)."""
    m = head.match(norm, a, b)
    if m:
        a = m.end()
    t = _STRIP_TAIL.search(norm[a:b])
    if t:
        b = a + t.start()
    return a, b


class _Builder:
    def __init__(self, text: str, doc: date, gaz: Gazetteer):
        self.text, self.doc, self.gaz = text, doc, gaz
        self.norm = for_matching(text)

    def facts(self, spans: list[tuple[int, int]]):
        times: list[TimeMention] = []
        qty: list[Quantity] = []
        leader = None
        for s, e in spans:
            chunk = self.norm[s:e]
            times += [
                TimeMention(t.start + s, t.end + s, t.text, t.kind, t.on, t.recurrence)
                for t in find_times(chunk, self.doc)
            ]
            qty += [
                Quantity(q.start + s, q.end + s, q.text, q.value, q.unit)
                for q in find_quantities(chunk)
            ]
            leader = leader or find_leader(self.norm, s, e)
        dates = [t.on for t in times if t.kind == "deadline" and t.on is not None]
        recurs = [t.recurrence for t in times if t.kind == "recurrence"]
        ongoing = any(t.kind == "ongoing" for t in times)
        recurrence = recurs[0] if recurs else ("ongoing" if ongoing else None)
        return max(dates) if dates else None, recurrence, times, qty, leader

    def row(self, task_span, measure_spans, lead, support, span, facts=None, **extra):
        """A row; its dates, targets and leader come from the task, the measures (or *facts*,
        spans to read besides the task) and, for a row of one sentence, the whole sentence."""
        spans = [task_span, *(measure_spans if facts is None else facts)]
        if facts == []:
            spans = [span]
        deadline, recurrence, times, qty, leader = self.facts(spans)
        measures = "".join(self.text[a:b].strip() for a, b in measure_spans)
        return DraftRow(
            task=self.text[task_span[0] : task_span[1]],
            measures=measures,
            lead_units=lead,
            support_units=support,
            leader=leader,
            deadline=deadline,
            recurrence=recurrence,
            quantities=qty,
            span=span,
            nodes=[t for t in times if t.kind == "deadline"],
            **extra,
        )


def extract(
    text: str, doc_date: date, gazetteer: Gazetteer | Iterable[Mapping] | None = None
) -> list[DraftRow]:
    """Draft rows of the 任务分解表 of *text*, a document dated *doc_date*."""
    gaz = gazetteer if isinstance(gazetteer, Gazetteer) else Gazetteer(gazetteer or ())
    b = _Builder(text, doc_date, gaz)
    norm = b.norm
    sentences, items = segment(norm)
    by_item: dict[int | None, list[Sentence]] = {}
    for sent in sentences:
        by_item.setdefault(sent.item, []).append(sent)

    def unit_row(sent: Sentence, lead, support, verb_end, level, parent) -> DraftRow:
        a, e = _clean(norm, verb_end or sent.start, sent.end, _STRIP_VERB)
        whole = (sent.start, sent.end)
        return b.row((a, e), [], lead, support, whole, facts=[], level=level, parent=parent)

    rows: list[DraftRow] = []
    item_row: dict[int, int] = {}
    for idx, item in enumerate(items):
        head = sentences[item.heading]
        body = [s for s in by_item.get(idx, []) if s is not head]
        lead, support, _ = units_of_sentence(norm, item.marker_end, head.end, gaz)
        with_units = []
        for s in body:
            l, sp, verb_end = units_of_sentence(norm, s.start, s.end, gaz)
            if l or sp:
                with_units.append((s, l, sp, verb_end))
            elif names_projects(norm, s.start, s.end):
                with_units.append((s, [], [], None))
        spawn = len(with_units) >= 2
        # The item is led by every unit its sentences name; when there are several such
        # sentences, each also becomes a row of its own under it.
        for _, l, sp, _ in with_units:
            lead += l
            support += sp
        spawned = {id(s) for s, *_ in with_units} if spawn else set()
        measures = [
            (s.start, s.end)
            for s in body
            if id(s) not in spawned and _is_directive(norm, s.start, s.end)
        ]
        task = _clean(norm, item.marker_end, head.end)
        end = max([head.end, *(e for _, e in measures)])
        parent = item_row.get(item.parent) if item.parent is not None else None
        # The item's date, recurrence and targets come from all of its own text, its
        # one-unit-one-row parts included.
        facts = measures + [(s.start, s.end) for s, *_ in with_units if id(s) in spawned]
        rows.append(
            b.row(
                task,
                measures,
                _dedupe(lead),
                _dedupe(support),
                (item.start, end),
                facts=sorted(facts),
                number=text[item.start : item.marker_end].strip(),
                level=item.level,
                parent=parent,
            )
        )
        item_row[idx] = len(rows) - 1
        if spawn:
            for s, l, sp, verb_end in with_units:
                rows.append(unit_row(s, l, sp, verb_end, item.level + 1, item_row[idx]))
    # Directive sentences with a unit subject outside every item.
    for s in by_item.get(None, []):
        l, sp, verb_end = units_of_sentence(norm, s.start, s.end, gaz)
        if l:
            rows.append(unit_row(s, l, sp, verb_end, 0, None))
    # Document order; parents were indices in the order of building.
    order = sorted(range(len(rows)), key=lambda i: rows[i].span[0])
    new_pos = {old: new for new, old in enumerate(order)}
    rows = [rows[i] for i in order]
    for r in rows:
        r.parent = new_pos[r.parent] if r.parent is not None else None
    return _drop_repeats(rows, norm)


def _bare(r: DraftRow) -> bool:
    return not (r.measures or r.lead_units or r.support_units)


def _drop_repeats(rows: list[DraftRow], norm: str) -> list[DraftRow]:
    """A table of contents repeats the headings: a bare row (no measures, no units) whose task
    another row also has is dropped, keeping the one with content (or the first); parents are
    renumbered.  Two rows with the same task and content both stay."""
    keys = [re.sub(r"\W", "", for_matching(r.task)) for r in rows]
    drop = set()
    for i, r in enumerate(rows):
        if not keys[i]:
            drop.add(i)
            continue
        if not _bare(r):
            continue
        twins = [j for j, k in enumerate(keys) if k == keys[i] and j != i]
        if any(not _bare(rows[j]) or j < i for j in twins):
            drop.add(i)
    old_to_new = {}
    out = []
    for i, r in enumerate(rows):
        if i in drop:
            continue
        old_to_new[i] = len(out)
        out.append(r)
    for r in out:
        r.parent = old_to_new.get(r.parent) if r.parent is not None else None
    return out
