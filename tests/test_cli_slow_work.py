"""The CLI hashes passwords and parses and checks imports outside its write units of work."""

import pytest
from openpyxl import Workbook

from app.db import Database, create_db_engine
from tests.factories import make_county, make_township
from tests.slow_work import SlowWorkProbe
from tests.test_cli_ledger import run, scalar

VILLAGES = [["村级统计代码", "村名", "所属县级代码"], ["140829100201", "南坡村", "140829"]]


@pytest.fixture
def url(database_factory):
    url = database_factory.new_url("clislow")
    database = Database(create_db_engine(url))
    with database.unit_of_work() as session:
        make_county(session)
        make_township(session)
    database.dispose()
    return url


def test_user_create_hashes_outside_the_writer(monkeypatch, url):
    probe = SlowWorkProbe(monkeypatch)
    monkeypatch.setenv("CUNQI_NEW_USER_PASSWORD", "Yuncheng2026")
    args = ["user", "create", "--username", "shiju", "--name", "市局", "--role", "bureau"]
    result = run(monkeypatch, url, *args, "--region", "140800")
    assert result.exit_code == 0, result.output
    assert (probe.calls["argon2"], probe.writers) == (1, 1)
    assert dict(probe.inside_writer) == {}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_import_parses_and_checks_outside_the_writer(monkeypatch, url, tmp_path, fmt):
    path = tmp_path / f"villages.{fmt}"
    if fmt == "csv":
        path.write_text("\n".join(",".join(row) for row in VILLAGES), encoding="utf-8")
    else:
        book = Workbook()
        book.active.title = "行政村"
        for row in VILLAGES:
            book.active.append(row)
        book.save(path)
    probe = SlowWorkProbe(monkeypatch)
    result = run(monkeypatch, url, "import", str(path), "--kind", "villages")
    assert result.exit_code == 0, result.output
    assert scalar(url, "SELECT count(*) FROM villages") == 1
    parser = "openpyxl" if fmt == "xlsx" else "csv"
    assert (probe.calls[parser], probe.calls["row check"], probe.writers) == (1, 1, 1)
    assert dict(probe.inside_writer) == {}
