"""Reading template rows: spreadsheet cells into the plain values the services parse."""

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook

from app.errors import ValidationError
from app.money import yuan_to_fen
from app.services.imports.columns import (
    FLAG_FALSE,
    FLAG_TRUE,
    LIST_SEPARATOR,
    Cell,
    Column,
)
from app.spreadsheets import starts_like_formula, strip_neutraliser

_SEPARATORS = (LIST_SEPARATOR, "，", ",", "；", ";", " ")


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    rows: Iterator[tuple]  # the header row first; streamed, never held whole
    size: int | None  # rows including the header, when the file says


def text_of(value: Any) -> str:
    """A cell as the text a person typed: 12-digit codes stay whole, 3.0 reads 3."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return FLAG_TRUE if value else FLAG_FALSE
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(str(value)))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return strip_neutraliser(str(value).strip())


class UnreadableFile(ValidationError):
    """The file is not a table this import can read (empty, damaged, an image, wrong encoding)."""

    def __init__(self, message: str):
        super().__init__(message, code="import_unreadable")


EMPTY = "文件是空的，请选择填写好的 XLSX 或 CSV 文件"
DAMAGED_XLSX = "XLSX 文件已损坏或不完整，无法读取，请用表格软件重新保存后再导入"
NOT_A_TABLE = "文件不是 XLSX 或 CSV 表格（{what}），请上传由导入模板填写的文件"
OLD_EXCEL = "这是旧版 Excel（.xls）文件，请在表格软件中另存为 .xlsx 后再导入"
UNKNOWN_ENCODING = "无法识别 CSV 文件的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV 后再导入"
BAD_CSV = "CSV 文件格式有误（{detail}），请用表格软件重新保存后再导入"

# What a file's first bytes say it is, for files that are plainly no table.
_SIGNATURES = (
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"%PDF", "PDF 文档"),
    (b"Rar!", "RAR 压缩包"),
    (b"\x1f\x8b", "GZIP 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
)
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"
_SNIFF = 64 * 1024


def csv_encoding(head: bytes) -> str:
    """The encoding of a CSV from its first bytes: UTF-8 (with or without BOM), else GB18030.

    GB18030 is a superset of GBK and GB2312, which Excel on a Chinese Windows writes. UTF-16
    (Excel's "Unicode text") and binary files are refused with a Chinese message.
    """
    if not head:
        raise UnreadableFile(EMPTY)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            raise UnreadableFile(NOT_A_TABLE.format(what=what))
    if head.startswith(OLE_SIGNATURE):
        raise UnreadableFile(OLD_EXCEL)
    # UTF-16 text is every other byte NUL; one stray NUL in a cell is that cell's error.
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(0) * 8 > len(head):
        raise UnreadableFile(UNKNOWN_ENCODING)
    for encoding in ("utf-8", "gb18030"):
        try:
            # A sniffed head may end inside a character: decode it incrementally, unfinished.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(UNKNOWN_ENCODING)


@contextmanager
def read_sheets(source: str | Path | IO[bytes], filename: str) -> Iterator[list[Sheet]]:
    """Every sheet of an XLSX workbook (read-only, rows streamed), or the one table of a CSV.

    UnreadableFile (a Chinese message) for an empty, damaged or wrong-type file.
    """
    with ExitStack() as stack:
        binary = source if hasattr(source, "read") else stack.enter_context(open(source, "rb"))
        start = binary.tell()
        head = binary.read(_SNIFF)
        binary.seek(start)
        if filename.lower().endswith(".csv"):
            text = io.TextIOWrapper(binary, encoding=csv_encoding(head), newline="")
            try:
                rows = _guarded(csv.reader(text), _csv_problem)
                yield [Sheet("", rows, None)]
            finally:
                text.detach()  # the caller's file stays open for the caller to close
            return
        workbook = _workbook(binary, head)
        try:
            yield [
                Sheet(s.title, _guarded(_values(s.iter_rows()), _xlsx_problem), s.max_row)
                for s in workbook
            ]
        finally:
            workbook.close()


def _workbook(binary: IO[bytes], head: bytes):
    if not head:
        raise UnreadableFile(EMPTY)
    if not head.startswith(b"PK"):
        csv_encoding(head)  # names an image, a PDF or an old .xls when it is one
        raise UnreadableFile(NOT_A_TABLE.format(what="内容不是 XLSX 工作簿"))
    try:
        # Not data_only: a formula must be seen as one (and refused), not as the value it had.
        return load_workbook(binary, read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        raise UnreadableFile(DAMAGED_XLSX) from exc
    except Exception as exc:  # openpyxl raises many kinds for a damaged package
        if type(exc).__module__.startswith(("openpyxl", "xml", "lxml", "zipfile")):
            raise UnreadableFile(DAMAGED_XLSX) from exc
        raise


def _guarded(rows: Iterator[tuple], problem) -> Iterator[tuple]:
    """The rows of a sheet; a damaged file found while reading them is an UnreadableFile."""
    iterator = iter(rows)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except UnreadableFile:
            raise
        except Exception as exc:
            message = problem(exc)
            if message is None:
                raise
            raise UnreadableFile(message) from exc
        yield row


def _csv_problem(exc: Exception) -> str | None:
    if isinstance(exc, UnicodeDecodeError):
        return UNKNOWN_ENCODING
    if isinstance(exc, csv.Error):
        return BAD_CSV.format(detail=_csv_detail(exc))
    return None


def _csv_detail(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return "单元格内容过长"
    if "NUL" in text or "null" in text:
        return "含有空字符"
    return "引号或分隔符不成对"


def _xlsx_problem(exc: Exception) -> str | None:
    damaged = (zipfile.BadZipFile, EOFError, KeyError, ValueError, OSError)
    if isinstance(exc, damaged) or type(exc).__module__.startswith(("openpyxl", "xml", "lxml")):
        return DAMAGED_XLSX
    return None


def _values(rows) -> Iterator[tuple]:
    for row in rows:
        yield tuple(_formula_text(c) if c.data_type == "f" else c.value for c in row)


def _formula_text(cell) -> str:
    value = cell.value
    text = value if isinstance(value, str) else str(getattr(value, "text", None) or "")
    return text if text.startswith("=") else "=" + text


_NUMBER_LIKE = re.compile(r"[+\-＋－]?[\d\s.,，()（）\-－]+")


def is_formula(text: str) -> bool:
    """Text a spreadsheet would evaluate: a formula cell, or text typed to start like one.

    The same starts as the exports neutralise (app/spreadsheets.py: = + - @, full-width too),
    except a plain number or phone number (-5, +86 138 0000 0000), which no spreadsheet runs.
    """
    if not starts_like_formula(text):
        return False
    stripped = text.strip()
    return stripped[:1] in FORMULA_STARTS or not _NUMBER_LIKE.fullmatch(stripped)


FORMULA_STARTS = ("=", "＝")
FORMULA_REFUSED = "不能填写公式（以“=”“+”“-”“@”开头的内容），请直接填写数值或文字"


def _split(text: str) -> list[str]:
    for separator in _SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATOR)
    return [part for part in (p.strip() for p in text.split(LIST_SEPARATOR)) if part]


def _choice(column: Column, text: str) -> str:
    by_label = {label: member.value for member, label in column.labels.items()}
    values = {member.value for member in column.labels}
    if text in by_label:
        return by_label[text]
    if text in values:
        return text
    raise ValidationError(
        f"{column.header}应为以下之一：" + "、".join(column.labels.values()), field=column.field
    )


def convert(column: Column, text: str) -> Any:
    """The service's input for one cell; ValidationError (on the column's field) if unreadable.

    Blank optional cells are left out, so the service's own defaults apply.
    """
    if column.cell == Cell.text:
        return text
    if column.cell == Cell.integer:
        return text  # the service's model parses it and names the field when it cannot
    if column.cell == Cell.yuan:
        return yuan_to_fen(text, field=column.field, label=column.header.split("（")[0])
    if column.cell == Cell.flag:
        if text in (FLAG_TRUE, FLAG_FALSE):
            return text == FLAG_TRUE
        raise ValidationError(f"{column.header}应填“是”或“否”", field=column.field)
    if column.cell == Cell.choice:
        return _choice(column, text)
    if column.cell == Cell.choices:
        return [_choice(column, part) for part in _split(text)]
    parts = _split(text)
    if not all(p.isdigit() for p in parts):
        raise ValidationError(f"{column.header}应为 1–12 的月份，用“、”分隔", field=column.field)
    return [int(p) for p in parts]
