"""Word tables from the prototype row: every value in its cell, line breaks kept, characters
that XML forbids dropped, fonts and widths from the styles and the header row."""

import io

from docx import Document
from docx.oxml.ns import qn

from diaodu.engine import wordtable


def _roundtrip(doc):
    buf = io.BytesIO()
    doc.save(buf)
    return Document(io.BytesIO(buf.getvalue()))


def test_rows_cells_styles_and_widths_survive_a_save():
    doc = Document()
    head = wordtable.paragraph_style(doc, "表头", "黑体", 11, center=True)
    body = wordtable.paragraph_style(doc, "表格", "仿宋_GB2312", 11)
    assert wordtable.paragraph_style(doc, "表格", "仿宋_GB2312", 11) is not None  # made once
    rows = [
        ["1", "冷库项目", "现代物流产业园"],
        ["2", "两行\n说明", None],
        ["3", "a\x00b\x07c", 12],
    ]
    wordtable.add_table(
        doc, ["序号", "项目", "园区"], iter(rows), [1.2, 4.5, 3.0], head_style=head, body_style=body
    )
    back = _roundtrip(doc)
    (table,) = back.tables
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["序号", "项目", "园区"],
        ["1", "冷库项目", "现代物流产业园"],
        ["2", "两行\n说明", ""],
        ["3", "abc", "12"],
    ]
    assert {c.paragraphs[0].style.name for c in table.rows[0].cells} == {"表头"}
    assert {c.paragraphs[0].style.name for r in table.rows[1:] for c in r.cells} == {"表格"}
    assert [round(c.width.cm, 1) for c in table.rows[3].cells] == [1.2, 4.5, 3.0]
    fonts = back.styles["表格"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert back.styles["表头"].font.size.pt == 11
    assert round(table.columns[1].width.cm, 1) == 4.5


def test_short_rows_leave_cells_empty_and_long_rows_are_cut():
    doc = Document()
    st = wordtable.paragraph_style(doc, "t", "宋体", 10)
    wordtable.add_table(doc, ["a", "b"], [["x"], ["1", "2", "3"]], head_style=st, body_style=st)
    (table,) = _roundtrip(doc).tables
    assert [[c.text for c in r.cells] for r in table.rows] == [["a", "b"], ["x", ""], ["1", "2"]]
