"""app/services/ledger: the XLSX and CSV ledger, export jobs, and export → import round trips."""

import csv
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.actors import SYSTEM
from app.db import Database, create_db_engine
from app.models import County, ExportJob, Township
from app.models.exports import ExportFormat, ExportStatus
from app.services import imports, ledger
from tests.services.bureau_world import BureauWorld, build_bureau_world

SHEETS = ["帮扶协议", "成效报告", "订单", "各县覆盖", "行政村", "帮扶主体", "合作社", "产品"]


@pytest.fixture(scope="module")
def world(database_factory) -> Iterator[BureauWorld]:
    built = build_bureau_world(database_factory, "ledger")
    yield built
    built.database.dispose()


def export(world, fmt: ExportFormat, actor: str = "city", county: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with world.database.read_only() as session:
        ledger.write_ledger(
            session=session, actor=world.actors[actor], fmt=fmt, target=buffer, county=county
        )
    return buffer.getvalue()


def scalar(database: Database, text: str):
    with database.read_only() as session:
        return session.execute(sa.text(text)).scalar_one()


@pytest.fixture(scope="module")
def xlsx(world):
    return load_workbook(io.BytesIO(export(world, ExportFormat.xlsx)))


def test_the_workbook_has_one_sheet_per_section_with_headers_filters_and_frozen_rows(xlsx):
    assert xlsx.sheetnames == SHEETS
    for section in ledger.sections():
        sheet = xlsx[section.title]
        assert [c.value for c in sheet[1]] == [c.header for c in section.columns]
        assert all(c.font.bold for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert (
            sheet.auto_filter.ref
            == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        )


def test_sheets_hold_every_row_with_number_and_date_formats(world, xlsx):
    agreements, orders = xlsx["帮扶协议"], xlsx["订单"]
    assert agreements.max_row - 1 == scalar(
        world.database, "SELECT count(*) FROM pairing_agreements"
    )
    assert xlsx["成效报告"].max_row - 1 == scalar(
        world.database, "SELECT count(*) FROM outcome_reports"
    )
    assert orders.max_row - 1 == scalar(world.database, "SELECT count(*) FROM orders")
    assert xlsx["各县覆盖"].max_row - 1 == 13
    amounts = [row[9] for row in orders.iter_rows(min_row=2, values_only=True)]
    total_fen = scalar(world.database, "SELECT sum(amount_fen) FROM orders")
    assert sum(Decimal(str(a)) for a in amounts) == Decimal(total_fen) / 100
    assert orders["J2"].number_format == "#,##0.00"
    assert orders["L2"].number_format == "yyyy-mm-dd hh:mm"
    assert agreements["H2"].number_format == "yyyy-mm-dd"
    assert agreements["J1"].value == "状态" and agreements["J2"].value in {
        "待签约",
        "待备案",
        "履行中",
        "已完成",
        "已婉拒",
        "已撤回",
        "已终止",
    }


def test_the_csv_ledger_is_a_zip_of_utf8_files_with_a_byte_order_mark(world):
    archive = zipfile.ZipFile(io.BytesIO(export(world, ExportFormat.csv)))
    names = archive.namelist()
    assert names == [f"{i:02d}-{title}.csv" for i, title in enumerate(SHEETS, start=1)]
    raw = archive.read("03-订单.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["订单编号", "采购方", "产品"]
    assert len(rows) - 1 == scalar(world.database, "SELECT count(*) FROM orders")


def test_a_county_officer_exports_only_that_county(world):
    book = load_workbook(io.BytesIO(export(world, ExportFormat.xlsx, actor="pinglu")))
    counties = {row[5] for row in book["帮扶协议"].iter_rows(min_row=2, values_only=True)}
    assert counties == {"平陆县"}
    villages = scalar(world.database, "SELECT count(*) FROM villages WHERE county_code = '140829'")
    assert book["行政村"].max_row - 1 == villages
    assert [row[0] for row in book["各县覆盖"].iter_rows(min_row=2, values_only=True)] == ["平陆县"]


def test_an_export_job_records_its_event_progress_and_file(world, tmp_path):
    database = world.database
    with database.unit_of_work() as session:
        job = ledger.request_export(session=session, actor=world.actors["yanhu"], fmt="csv")
        job_id = job.id
    seen = []
    ledger.run_export(database, job_id, tmp_path, progress=lambda d, t: seen.append((d, t)))
    with database.read_only() as session:
        job = session.get(ExportJob, job_id)
        total = ledger.count_rows(session, world.actors["yanhu"])
        [event] = session.execute(
            sa.text(
                "SELECT action, county_code FROM events WHERE object_type = 'ExportJob' "
                "AND object_id = :id"
            ),
            {"id": str(job_id)},
        ).all()
    assert (job.status, job.rows_done, job.rows_total, job.region_code) == (
        ExportStatus.done,
        total,
        total,
        "140802",
    )
    assert seen[-1] == (total, total)
    assert tuple(event) == ("ledger.export", "140802")
    assert zipfile.is_zipfile(tmp_path / job.storage_key)


def _empty_copy_with_regions(world, database_factory) -> Database:
    target = Database(create_db_engine(database_factory.new_url("roundtrip")))
    with world.database.read_only() as source, target.unit_of_work() as session:
        for model in (County, Township):
            rows = [dict(r._mapping) for r in source.execute(sa.select(model.__table__))]
            session.execute(sa.insert(model.__table__), rows)
    return target


TOTALS = {
    "villages per county": "SELECT county_code, count(*), sum(households), sum(population), "
    "sum(CASE WHEN key_village THEN 1 ELSE 0 END) FROM villages GROUP BY county_code "
    "ORDER BY county_code",
    # Pending and rejected organisations are not registered by an import (decision 0037).
    "enterprises": "SELECT count(*), sum(reserved_share_fen), sum(offers) FROM enterprises "
    "WHERE status = 'approved'",
    "cooperatives": "SELECT count(*), sum(members), sum(lifted_members) FROM cooperatives "
    "WHERE status = 'approved'",
    "products": "SELECT count(*), sum(price_fen), sum(stock), sum(harvest_months), "
    "sum(certifications), sum(min_order) FROM products",
    "products per status": "SELECT status, count(*) FROM products GROUP BY status ORDER BY status",
}


def _totals(database: Database) -> dict[str, list[tuple]]:
    with database.read_only() as session:
        return {k: [tuple(r) for r in session.execute(sa.text(q))] for k, q in TOTALS.items()}


@pytest.mark.parametrize("fmt", [ExportFormat.xlsx, ExportFormat.csv])
def test_export_then_import_into_an_empty_database_reproduces_counts_and_totals(
    world, database_factory, fmt
):
    target = _empty_copy_with_regions(world, database_factory)
    content = export(world, fmt)
    with target.unit_of_work() as session:
        if fmt == ExportFormat.xlsx:
            result = imports.import_file(
                session=session, actor=SYSTEM, source=io.BytesIO(content), filename="台账.xlsx"
            )
        else:
            archive = zipfile.ZipFile(io.BytesIO(content))
            counts = {}
            for kind, number in (
                ("villages", 5),
                ("enterprises", 6),
                ("cooperatives", 7),
                ("products", 8),
            ):
                name = next(n for n in archive.namelist() if n.startswith(f"{number:02d}-"))
                counts |= imports.import_file(
                    session=session,
                    actor=SYSTEM,
                    source=io.BytesIO(archive.read(name)),
                    filename=name,
                    kind=kind,
                ).counts
            result = imports.ImportResult(counts)
    with world.database.read_only() as session:
        approved, unapproved = (
            {
                table: session.execute(
                    sa.text(f"SELECT count(*) FROM {table} WHERE status {test} 'approved'")
                ).scalar_one()
                for table in ("enterprises", "cooperatives")
            }
            for test in ("=", "<>")
        )
    assert result.counts == {"villages": 200, **approved, "products": 300}
    assert sum(unapproved.values()) > 0  # the seed has pending and rejected organisations
    with target.read_only() as session:
        unapproved_imported = session.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM enterprises WHERE status <> 'approved') + "
                "(SELECT count(*) FROM cooperatives WHERE status <> 'approved')"
            )
        ).scalar_one()
    assert unapproved_imported == 0
    assert _totals(target) == _totals(world.database)
    target.dispose()
