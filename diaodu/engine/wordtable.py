"""Word tables written fast: fonts and alignment set once as paragraph styles, every body row
copied from one prototype row as XML, so a table of 10,000 rows costs a few XML copies per row
instead of python-docx's per-cell object walk and per-run font settings.

Used by every .docx the platform writes (the 通报, the assessment report). Pure python-docx and
lxml: no Django, no app.
"""

from __future__ import annotations

import copy
import re

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

# characters XML 1.0 does not allow (a NUL from a pasted cell would make the file unreadable)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    """``value`` as text that can go into a Word file: characters XML forbids are dropped."""
    return _NOT_XML.sub("", "" if value is None else str(value))


def set_fonts(rpr, name: str) -> None:
    """Give a run-properties element ``name`` for East-Asian and Western text alike (Word
    otherwise renders Chinese in the theme font)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def paragraph_style(doc, name: str, font: str, size: float, *, bold=False, center=False):
    """The document's paragraph style ``name`` (created once) with this font and size."""
    styles = doc.styles
    if name in [s.name for s in styles]:
        return styles[name]
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    style.font.name = font
    style.font.size = Pt(size)
    style.font.bold = bold
    set_fonts(style.element.get_or_add_rPr(), font)
    fmt = style.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)
    if center:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return style


def _fill(p, value) -> None:
    """Put ``value`` into paragraph element ``p`` as one run; line breaks become <w:br/>."""
    r = OxmlElement("w:r")
    for i, line in enumerate(xml_text(value).split("\n")):
        if i:
            r.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.text = line
        t.set(qn("xml:space"), "preserve")
        r.append(t)
    p.append(r)


def add_table(
    doc,
    headers: list[str],
    rows,
    widths_cm: list[float] | None = None,
    *,
    head_style,
    body_style,
    table_style: str = "Table Grid",
):
    """Append a table: one header row in ``head_style``, then ``rows`` (any iterable of
    sequences) in ``body_style``, column widths in centimetres (or Word's automatic widths).
    Returns the python-docx table."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = table_style
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, w in enumerate(widths_cm or []):
        table.columns[i].width = Cm(w)
    head = table.rows[0].cells
    for i, h in enumerate(headers):
        if widths_cm:
            head[i].width = Cm(widths_cm[i])
        p = head[i].paragraphs[0]
        p.style = head_style
        _fill(p._p, h)
    # the prototype body row: the header row's cells (widths included), emptied, in body style
    proto = copy.deepcopy(table.rows[0]._tr)
    body_id = body_style.style_id
    for tc in proto.iter(qn("w:tc")):
        p = tc.find(qn("w:p"))
        for r in p.findall(qn("w:r")):
            p.remove(r)
        ppr = p.find(qn("w:pPr"))
        ppr.find(qn("w:pStyle")).set(qn("w:val"), body_id)
    tbl = table._tbl
    n = len(headers)
    for row in rows:
        tr = copy.deepcopy(proto)
        for tc, value in zip(tr.iter(qn("w:tc")), list(row)[:n], strict=False):
            _fill(tc.find(qn("w:p")), value)
        tbl.append(tr)
    return table
