"""Imports survive real files: CSV in GBK/GB18030/UTF-8 (with or without BOM); empty, damaged or
wrong-type files are refused with a Chinese message (never a traceback); formula-like cells are
refused with the same starts the exports neutralise."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from app.services import imports
from app.services.imports.cells import FORMULA_REFUSED, is_formula
from tests.services.test_imports_service import headers

ROWS = [["140829100301", "南坡村", "140829"], ["140829100302", "北坡村·新区", "140829"]]


def _text() -> str:
    lines = [",".join(headers("villages")[:3])] + [",".join(r) for r in ROWS]
    return "\r\n".join(lines) + "\r\n"


def _workbook() -> bytes:
    book = Workbook()
    book.active.title = "行政村"
    for row in [headers("villages")[:3], *ROWS]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_csv_reads_the_same_in_every_encoding_excel_writes(encoding):
    parsed = imports.read_file(io.BytesIO(_text().encode(encoding)), "村.csv", "villages")
    assert parsed.errors == []
    assert [[r.data["code"], r.data["name"]] for s in parsed.sheets for r in s.rows] == [
        r[:2] for r in ROWS
    ]


def _zip_of(name: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "不是表格")
    return buffer.getvalue()


DAMAGED = {
    "empty": (b"", "文件是空的"),
    "truncated": (_workbook()[:900], "XLSX 文件已损坏或不完整"),
    "tail cut": (_workbook()[:-40], "XLSX 文件已损坏或不完整"),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "PNG 图片"),
    "jpeg": (b"\xff\xd8\xff\xe0" + bytes(200), "JPEG 图片"),
    "pdf": (b"%PDF-1.7\n" + bytes(range(256)), "PDF 文档"),
    "old excel": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "旧版 Excel"),
    "other zip": (_zip_of("word/document.xml"), "XLSX 文件已损坏或不完整"),
    "utf-16": (_text().encode("utf-16"), "无法识别 CSV 文件的文字编码"),
    "binary": (bytes(range(256)) * 8, "无法识别 CSV 文件的文字编码"),
}


@pytest.mark.parametrize("name", ["主体.xlsx", "主体.csv"])
@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_or_wrong_file_is_refused_in_chinese(case, name):
    content, message = DAMAGED[case]
    if name.endswith(".csv") and content.startswith(b"PK"):
        name = "主体.xlsx"  # the page reads a ZIP container as a workbook whatever its name
    with pytest.raises(imports.UnreadableFile) as caught:
        imports.read_file(io.BytesIO(content), name, "villages")
    assert message in caught.value.message


def test_a_csv_whose_encoding_breaks_after_the_sniffed_head_is_refused_in_chinese():
    text = _text() + "140829100303,东坡村,140829\r\n" * 4000
    content = text.encode("utf-8") + "西坡村".encode("gbk")
    with pytest.raises(imports.UnreadableFile) as caught:
        imports.read_file(io.BytesIO(content), "村.csv", "villages")
    assert "文字编码" in caught.value.message


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ("=SUM(1,2)", True),
        ("＝1+1", True),
        ("+cmd|' /C calc'!A0", True),
        ("-2+3", True),
        ("@SUM(A1)", True),
        ("－HYPERLINK(1)", True),
        ("+86 138 0000 0000", False),
        ("-5", False),
        ("0359-1234567", False),
        ("南坡村", False),
    ],
)
def test_formula_starts_are_those_the_exports_neutralise_numbers_aside(text, formula):
    assert is_formula(text) is formula


@pytest.mark.parametrize("start", ["+", "@", "-"])
def test_a_cell_starting_like_a_formula_is_refused_in_a_gbk_csv(start):
    text = _text().replace("北坡村·新区", f"{start}HYPERLINK(1)")
    parsed = imports.read_file(io.BytesIO(text.encode("gbk")), "村.csv", "villages")
    assert [(e.row, e.column, e.message) for e in parsed.errors] == [(3, "村名", FORMULA_REFUSED)]
