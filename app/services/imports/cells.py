"""Reading template rows: spreadsheet cells into the plain values the services parse."""

import csv
import io
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
from app.spreadsheets import strip_neutraliser

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


@contextmanager
def read_sheets(source: str | Path | IO[bytes], filename: str) -> Iterator[list[Sheet]]:
    """Every sheet of an XLSX workbook (read-only, rows streamed), or the one table of a CSV."""
    if filename.lower().endswith(".csv"):
        with ExitStack() as stack:
            binary = source if hasattr(source, "read") else stack.enter_context(open(source, "rb"))
            text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
            try:
                yield [Sheet("", iter(csv.reader(text)), None)]
            finally:
                text.detach()  # the caller's file stays open for the caller to close
        return
    # Not data_only: a formula must be seen as one (and refused), not as the value it last had.
    workbook = load_workbook(source, read_only=True, data_only=False)
    try:
        yield [Sheet(s.title, _values(s.iter_rows()), s.max_row) for s in workbook]
    finally:
        workbook.close()


def _values(rows) -> Iterator[tuple]:
    for row in rows:
        yield tuple(_formula_text(c) if c.data_type == "f" else c.value for c in row)


def _formula_text(cell) -> str:
    value = cell.value
    text = value if isinstance(value, str) else str(getattr(value, "text", None) or "")
    return text if text.startswith("=") else "=" + text


def is_formula(text: str) -> bool:
    """Text a spreadsheet would evaluate: a formula cell, or text typed to start like one."""
    return text.lstrip()[:1] in FORMULA_STARTS


FORMULA_STARTS = ("=", "＝")
FORMULA_REFUSED = "不能填写公式（以“=”开头的内容），请直接填写数值或文字"


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
