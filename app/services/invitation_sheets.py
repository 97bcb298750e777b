"""The list of issued invitation codes, to print or send: xlsx or CSV with Chinese headers.

Built after the unit of work that issued the codes has committed (never inside it); the codes
exist nowhere else, so the list is given once.
"""

import csv
import io

from openpyxl import Workbook

from app.services.clock import local_date
from app.services.invitations import IssuedCode
from app.spreadsheets import csv_cell, xlsx_cell

HEADERS = ("名称", "统一社会信用代码/村代码", "邀请码", "有效期至")
FORMATS = {"xlsx", "csv"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _row(code: IssuedCode) -> list[str]:
    return [code.name, code.identifier, code.code, local_date(code.expires_at).isoformat()]


def invitation_csv(codes: list[IssuedCode]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for code in codes:
        writer.writerow([csv_cell(value) for value in _row(code)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def invitation_xlsx(codes: list[IssuedCode]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("邀请码")
    sheet.append([xlsx_cell(sheet, h) for h in HEADERS])
    for code in codes:
        sheet.append([xlsx_cell(sheet, value) for value in _row(code)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
