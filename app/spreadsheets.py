"""Spreadsheet safety: every text cell an export writes goes through here (decision 0016).

A cell whose text a spreadsheet would read as a formula (``=HYPERLINK(...)``, ``+cmd|...``,
``@SUM(...)``) turns user text into something that runs on the reader's machine (OWASP "CSV
injection"). So:

- XLSX: text is written as a string-typed cell. openpyxl otherwise makes any ``str`` starting
  with ``=`` a formula; a string cell is shown as typed and never evaluated. The text stays exact,
  so an exported ledger imports again.
- CSV has no types: text that starts with a formula character — after any leading whitespace,
  which spreadsheets skip — gets a leading single quote, as OWASP recommends.
- Numbers stay numbers (a negative amount is a number, not text to neutralise).

Imports read the quote back off (``strip_neutraliser``) and refuse formulas outright.
"""

from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# ASCII and full-width forms; tab and carriage return start a cell that some readers evaluate.
FORMULA_TRIGGERS = frozenset("=+-@\t\r＝＋－＠")
NEUTRALISER = "'"
_LEADING_SPACE = " \t\r\n\u3000\u00a0"


def starts_like_formula(text: str) -> bool:
    """True if a spreadsheet could take the text for a formula."""
    if text[:1] in FORMULA_TRIGGERS:
        return True
    return text.lstrip(_LEADING_SPACE)[:1] in FORMULA_TRIGGERS


def csv_cell(value: Any) -> Any:
    """A value for ``csv.writer``: text neutralised, anything else unchanged. Text whose quotes
    are followed by a formula character (``'=``, ``''+1``) gets one more quote too, so that
    ``strip_neutraliser`` always gives back exactly what was written."""
    if isinstance(value, str) and _needs_quote(value):
        return NEUTRALISER + value
    return value


def _needs_quote(text: str) -> bool:
    return starts_like_formula(text.lstrip(NEUTRALISER))


def xlsx_cell(sheet, value: Any, number_format: str | None = None):
    """A write-only cell: text as a string (never a formula), numbers with their format."""
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell
    if number_format is None or value is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def set_text(cell, value: str) -> None:
    """Put text in a cell of an ordinary (not write-only) workbook, as a string."""
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"


def strip_neutraliser(text: str) -> str:
    """Imported text without the quote an export put before a formula character."""
    if text.startswith(NEUTRALISER) and _needs_quote(text[1:]):
        return text[1:]
    return text
