"""The one safe .xlsx opener: byte limit, old .xls, not a zip, zip bombs, not a workbook."""

import io
import zipfile

import openpyxl
import pytest

from diaodu.engine import xlsx


def _book() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["单位编码", "指标代码"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_opens_a_workbook_from_bytes_and_file_objects(tmp_path):
    data = _book()
    assert xlsx.open_workbook(data).active["A1"].value == "单位编码"
    assert xlsx.open_workbook(io.BytesIO(data), read_only=True).worksheets[0].max_row == 1
    path = tmp_path / "a.xlsx"
    path.write_bytes(data)
    assert xlsx.open_workbook(path).active["B1"].value == "指标代码"


def test_byte_limit_is_the_callers():
    data = _book()
    with pytest.raises(xlsx.XlsxError, match="文件过大"):
        xlsx.open_workbook(data + b"\0" * 10, max_bytes=len(data) - 1)
    with pytest.raises(xlsx.XlsxError, match=r"超过 1 MB"):
        xlsx.read_bytes(io.BytesIO(b"0" * (xlsx.MB + 1)), max_bytes=xlsx.MB)


@pytest.mark.parametrize(
    "data, needle",
    [
        (b"", "文件为空"),
        (b"\xd0\xcf\x11\xe0rest", "另存为 .xlsx"),
        (b"<html>", "不是有效的 Excel"),
        (b"PK\x03\x04broken", "已损坏"),
    ],
)
def test_what_is_not_a_workbook_is_refused_in_chinese(data, needle):
    with pytest.raises(xlsx.XlsxError, match=needle):
        xlsx.open_workbook(data)


def test_zip_without_a_workbook_and_bombs_never_reach_openpyxl(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("openpyxl was called")

    monkeypatch.setattr(xlsx.openpyxl, "load_workbook", boom)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "x")
    with pytest.raises(xlsx.XlsxError, match="不是 Excel 工作簿"):
        xlsx.open_workbook(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * xlsx.MB))
    with pytest.raises(xlsx.XlsxError, match="压缩炸弹"):
        xlsx.open_workbook(buf.getvalue())


def test_size_text_never_rounds_onto_the_limit():
    assert xlsx.size_text(10 * xlsx.MB) == "10 MB"
    assert xlsx.size_text(10 * xlsx.MB + 9) == "10.01 MB"
