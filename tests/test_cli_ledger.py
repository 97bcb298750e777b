"""``cunqi export ledger`` and ``cunqi import FILE`` against real database files."""

import zipfile

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from app.cli import main
from app.config import get_settings
from app.db import Database, create_db_engine
from tests.factories import make_county, make_township
from tests.services.bureau_world import build_bureau_world


@pytest.fixture(scope="module")
def seeded_url(database_factory):
    world = build_bureau_world(database_factory, "cliledger")
    url = world.database.engine.url.render_as_string(hide_password=False)
    world.database.dispose()
    return url


def run(monkeypatch, url: str, *args: str):
    monkeypatch.setenv("CUNQI_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        get_settings.cache_clear()


def flat(result) -> str:
    """The output without the line breaks rich adds to fit the terminal."""
    return result.output.replace("\n", "")


def scalar(url: str, sql: str):
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()
    finally:
        engine.dispose()


def test_export_ledger_writes_the_workbook_and_records_the_export(
    monkeypatch, seeded_url, tmp_path
):
    target = tmp_path / "台账.xlsx"
    result = run(
        monkeypatch, seeded_url, "export", "ledger", "--output", str(target), "--county", "140829"
    )
    assert result.exit_code == 0, result.output
    assert f"台账已导出到 {target}。" in flat(result)
    book = load_workbook(target)
    assert book.sheetnames[:4] == ["帮扶协议", "成效报告", "订单", "各县覆盖"]
    villages = scalar(seeded_url, "SELECT count(*) FROM villages WHERE county_code = '140829'")
    assert book["行政村"].max_row - 1 == villages
    assert (
        scalar(
            seeded_url,
            "SELECT status || ':' || rows_done || ':' || county_code FROM export_jobs "
            "ORDER BY id DESC LIMIT 1",
        )
        == f"done:{scalar(seeded_url, 'SELECT rows_total FROM export_jobs ORDER BY id DESC LIMIT 1')}:140829"
    )
    assert scalar(seeded_url, "SELECT count(*) FROM events WHERE action = 'ledger.export'") >= 1


def test_export_ledger_as_csv(monkeypatch, seeded_url, tmp_path):
    target = tmp_path / "ledger.zip"
    result = run(
        monkeypatch, seeded_url, "export", "ledger", "--format", "csv", "--output", str(target)
    )
    assert result.exit_code == 0, result.output
    assert len(zipfile.ZipFile(target).namelist()) == 8


@pytest.fixture
def regions_url(database_factory):
    url = database_factory.new_url("cliimport")
    database = Database(create_db_engine(url))
    with database.unit_of_work() as session:
        make_county(session)
        make_township(session)
    database.dispose()
    return url


def workbook(path, rows):
    book = Workbook()
    book.active.title = "行政村"
    for row in [["村级统计代码", "村名", "所属县级代码"], *rows]:
        book.active.append(row)
    book.save(path)


def test_import_writes_a_valid_file(monkeypatch, regions_url, tmp_path):
    path = tmp_path / "villages.xlsx"
    workbook(path, [["140829100201", "南坡村", "140829"], ["140829100202", "北坡村", "140829"]])
    result = run(monkeypatch, regions_url, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "已导入：行政村 2。" in flat(result)
    assert scalar(regions_url, "SELECT count(*) FROM villages") == 2
    assert scalar(regions_url, "SELECT count(*) FROM search_outbox") == 2


def test_import_lists_every_error_and_writes_nothing(monkeypatch, regions_url, tmp_path):
    path = tmp_path / "villages.xlsx"
    workbook(path, [["140829100201", "南坡村", "140829"], ["1408291", "北坡村", "140829"]])
    result = run(monkeypatch, regions_url, "import", str(path))
    assert result.exit_code == 1
    assert "行政村 第 3 行“村级统计代码”列（A 列）：村级统计代码应为 12 位数字" in flat(result)
    assert "文件有 1 处错误，未导入任何数据" in flat(result)
    assert scalar(regions_url, "SELECT count(*) FROM villages") == 0
