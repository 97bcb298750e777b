"""30 mixed users (browse, search, order, report) against ``cunqi serve``: no errors, and every
acknowledged order and report stored exactly once.

Short (``CUNQI_LOAD_SECONDS``, 10 s) in ``make test``; ``make soak`` runs it for 60 s. SQLite with
one worker in the SQLite run; PostgreSQL with two workers when CUNQI_TEST_DATABASE_URL is set
(``make test-pg``, CI).
"""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app import migrate
from app.db import Database, create_db_engine
from bench.load import Mix, Server, check_writes, prepare, run_load

SECONDS = float(os.environ.get("CUNQI_LOAD_SECONDS", "10"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def run_load_once(url: str, workdir: Path, capsys, *, workers: int, label: str):
    """Serve ``url``, run the mixed load, print and keep the percentiles; (results, problems)."""
    database = Database(create_db_engine(url))
    try:
        world = prepare(database)
        with Server(url, workdir, workers=workers) as server:
            # In a thread of its own: Playwright's sync API (browser tests in the same session)
            # keeps an event loop running in the main thread.
            with ThreadPoolExecutor(1) as pool:
                load = run_load(server.base, world, seconds=SECONDS, mix=Mix())
                results = pool.submit(asyncio.run, load).result()
            peak = server.peak_rss_mb()
        problems = check_writes(database, world, results)
    finally:
        database.dispose()
    summary = (
        f"{label}: {workers} worker(s), 30 users, {SECONDS:.0f} s, peak RSS {peak:.0f} MB\n"
        f"{results.report()}\n"
    )
    with capsys.disabled():  # the percentiles belong in the test run's output
        print(f"\n{summary}")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"load-{label}.txt").write_text(summary, encoding="utf-8")
    return results, problems


def unexpected(results, problems) -> dict:
    """Everything that should be empty after a clean run, by name (empty when all is well)."""
    kinds = {row["kind"] for row in results.table()}
    found = {
        "errors": results.errors,
        "lost or duplicated writes": problems,
        "notes": results.notes,  # e.g. the product search page did not answer
        "missing kinds": sorted({"browse", "login", "order", "report", "search", "all"} - kinds),
    }
    if len(results.orders) != Mix().buyers:
        found["buyers without orders"] = [len(results.orders), Mix().buyers]
    if len(results.reports) != Mix().reporters:
        found["reporters without reports"] = [len(results.reports), Mix().reporters]
    return {name: value for name, value in found.items() if value}


def test_load_on_sqlite_one_worker(database_factory, tmp_path, capsys):
    if database_factory.is_postgres:
        pytest.skip("the SQLite load runs in the SQLite suite")
    url = f"sqlite:///{tmp_path / 'load.sqlite3'}"
    migrate.upgrade(url)
    results, problems = run_load_once(url, tmp_path, capsys, workers=1, label="sqlite")
    assert unexpected(results, problems) == {}
    assert sum(row["count"] for row in results.table() if row["kind"] == "order") > 0


def test_load_on_postgresql_two_workers(database_factory, tmp_path, capsys):
    if not database_factory.is_postgres:
        pytest.skip("PostgreSQL load needs CUNQI_TEST_DATABASE_URL (make test-pg, CI)")
    url = database_factory.new_url("load")
    results, problems = run_load_once(url, tmp_path, capsys, workers=2, label="postgresql")
    assert unexpected(results, problems) == {}
    assert sum(row["count"] for row in results.table() if row["kind"] == "order") > 0
