"""Downloadable XLSX templates: the kind's sheet with its headers, and a sheet of instructions."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from app.services.imports.columns import (
    FLAG_FALSE,
    FLAG_TRUE,
    KINDS,
    LIST_SEPARATOR,
    Cell,
    Column,
    column_letter,
)
from app.spreadsheets import set_text

_HINTS = {
    Cell.text: "文字",
    Cell.integer: "整数",
    Cell.yuan: "金额（元），最多两位小数",
    Cell.flag: f"填“{FLAG_TRUE}”或“{FLAG_FALSE}”",
    Cell.months: f"1–12 的月份，用“{LIST_SEPARATOR}”分隔",
}


def hint(column: Column) -> str:
    if column.cell == Cell.choice:
        return "以下之一：" + LIST_SEPARATOR.join(column.labels.values())
    if column.cell == Cell.choices:
        return f"可多选，用“{LIST_SEPARATOR}”分隔：" + LIST_SEPARATOR.join(column.labels.values())
    return _HINTS[column.cell]


def template_workbook(kind: str) -> bytes:
    """The import template of ``kind`` (KeyError for an unknown kind) as XLSX bytes."""
    spec = KINDS[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title
    bold = Font(bold=True)
    for i, column in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=i)
        set_text(cell, column.header)
        cell.font = bold
        sheet.column_dimensions[column_letter(i - 1)].width = column.width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{column_letter(len(spec.columns) - 1)}1"
    notes = workbook.create_sheet("填写说明")
    lines = [("列", "是否必填", "填写要求")]
    lines += [(c.header, "必填" if c.required else "选填", hint(c)) for c in spec.columns]
    for row, line in enumerate(lines, start=1):
        for col, text in enumerate(line, start=1):
            set_text(notes.cell(row=row, column=col), text)
    for cell in notes[1]:
        cell.font = bold
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["C"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
