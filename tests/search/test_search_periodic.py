"""The server's periodic drain picks up rows the after-commit drain left, and retries dead rows
with a doubling wait (the clock is a counter the test moves, never a real timer)."""

import sqlalchemy as sa
from starlette.testclient import TestClient

from app.asgi import create_app
from app.config import Settings
from app.models import Cooperative, SearchOutbox
from app.search import outbox, periodic
from app.search.index import current_directory, open_index
from app.search.periodic import PeriodicDrain, backoff_seconds
from app.search.products import ProductQuery
from app.search.schema import PRODUCTS
from app.services.search_outbox import enqueue_search
from tests.search_factories import cooperative_in, listed


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def names(service, database, text: str) -> list[str]:
    with database.read_only() as session:
        results = service.search_products(session, ProductQuery(text=text))
        return [hit.product.name for hit in results.hits]


def rows(database) -> list[tuple[str, int]]:
    with database.read_only() as session:
        query = sa.select(SearchOutbox.doc_type, SearchOutbox.attempts).order_by(SearchOutbox.id)
        return [tuple(row) for row in session.execute(query).all()]


def new_product(database, cooperative_id: int, name: str) -> int:
    with database.unit_of_work() as session:
        product = listed(session, name, cooperative=session.get(Cooperative, cooperative_id))
        enqueue_search(session, "product", product.id)
        return product.id


def dead_row(database, doc_type: str, doc_id: int, attempts: int = outbox.MAX_ATTEMPTS) -> None:
    with database.unit_of_work() as session:
        session.add(SearchOutbox(doc_type=doc_type, doc_id=doc_id, attempts=attempts))


def drain_past_the_wait(service, database, attempts: int) -> PeriodicDrain:
    """A drain that has seen the dead rows once, its clock then moved past their wait."""
    clock = Clock()
    drain = PeriodicDrain(service, database, clock=clock)
    drain.tick()
    clock.now += backoff_seconds(attempts)
    return drain


def test_the_wait_doubles_from_thirty_seconds_up_to_an_hour():
    waits = [backoff_seconds(outbox.MAX_ATTEMPTS + k) for k in (0, 1, 2, 6, 7, 40)]
    assert waits == [30.0, 60.0, 120.0, 1920.0, 3600.0, 3600.0]


def test_a_tick_drains_rows_left_while_another_process_held_the_lock(live, fresh_db, index_dir):
    service, cooperative_id = live
    other_writer = open_index(current_directory(index_dir), PRODUCTS).writer()
    try:
        new_product(fresh_db, cooperative_id, "红富士苹果")
    finally:
        other_writer.cancel()
    assert rows(fresh_db) == [("product", 0)]
    assert names(service, fresh_db, "苹果") == []

    report = PeriodicDrain(service, fresh_db).tick()
    assert (report.drained.rows, report.drained.updated, report.retried) == (1, 1, 0)
    assert names(service, fresh_db, "苹果") == ["红富士苹果"]
    assert rows(fresh_db) == []


def test_a_dead_row_is_retried_after_its_wait_and_each_failure_doubles_it(live, fresh_db):
    service, _cooperative_id = live
    dead_row(fresh_db, "unknown", 1)  # fails on every try
    clock = Clock()
    drain = PeriodicDrain(service, fresh_db, clock=clock)

    assert (drain.tick().retried, drain.tick().waiting) == (0, 1)
    clock.now += 29.9
    assert drain.tick().retried == 0
    clock.now += 0.1
    report = drain.tick()
    assert (report.retried, report.recovered) == (1, 0)
    assert rows(fresh_db) == [("unknown", outbox.MAX_ATTEMPTS + 1)]

    drain.tick()  # seen again with one more failure: 60 s from now
    clock.now += 59
    assert drain.tick().retried == 0
    clock.now += 1
    assert drain.tick().retried == 1
    assert rows(fresh_db) == [("unknown", outbox.MAX_ATTEMPTS + 2)]


def test_a_dead_row_that_can_be_applied_again_is_and_a_bad_one_does_not_block_it(
    live, fresh_db, monkeypatch
):
    service, cooperative_id = live

    def broken(session, ids):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(outbox, "product_batch", broken)
    new_product(fresh_db, cooperative_id, "万荣苹果")  # the after-commit drain fails
    monkeypatch.undo()
    with fresh_db.unit_of_work() as session:
        session.execute(sa.update(SearchOutbox).values(attempts=outbox.MAX_ATTEMPTS))
    dead_row(fresh_db, "unknown", 1)
    assert rows(fresh_db) == [("product", outbox.MAX_ATTEMPTS), ("unknown", outbox.MAX_ATTEMPTS)]
    assert service.drain(fresh_db).rows == 0  # ordinary drains skip dead rows

    report = drain_past_the_wait(service, fresh_db, outbox.MAX_ATTEMPTS).tick()
    assert (report.retried, report.recovered) == (2, 1)
    assert names(service, fresh_db, "苹果") == ["万荣苹果"]
    assert rows(fresh_db) == [("unknown", outbox.MAX_ATTEMPTS + 1)]


def test_a_dead_row_waits_while_the_index_is_locked(live, fresh_db, index_dir):
    service, cooperative_id = live
    dead_row(fresh_db, "product", new_product(fresh_db, cooperative_id, "稷山板枣"), 9)
    drain = drain_past_the_wait(service, fresh_db, 9)
    other_writer = open_index(current_directory(index_dir), PRODUCTS).writer()
    try:
        report = drain.tick()
    finally:
        other_writer.cancel()
    assert (report.retried, report.recovered) == (0, 0)
    assert rows(fresh_db) == [("product", 9)]
    assert drain.tick().recovered == 1
    assert rows(fresh_db) == []


def test_the_server_drains_in_the_background_and_stops_at_shutdown(fresh_db, tmp_path, monkeypatch):
    monkeypatch.setattr(periodic, "INTERVAL_SECONDS", 0.01)
    with fresh_db.unit_of_work() as session:
        cooperative_id = cooperative_in(session, "140830").id
    url = fresh_db.engine.url.render_as_string(hide_password=False)
    settings = Settings(
        environment="development",
        secret_key="p" * 40,
        database_url=url,
        index_dir=tmp_path / "index",
        upload_dir=tmp_path / "uploads",
        jobs_in_server=True,
    )
    app = create_app(settings, database=fresh_db)
    with TestClient(app):
        service, drain = app.state.search, app.state.search_drain
        assert drain.running is True
        index_dir = service.index_dir
        other_writer = open_index(current_directory(index_dir), PRODUCTS).writer()
        try:
            new_product(fresh_db, cooperative_id, "芮城冰糖心苹果")
            assert rows(fresh_db) == [("product", 0)]
        finally:
            other_writer.cancel()
        # Two whole ticks after the release: at least one ran entirely after it.
        assert drain.wait_for_ticks(drain.ticks + 2, timeout=60) is True
        assert rows(fresh_db) == []
        assert names(service, fresh_db, "冰糖心") == ["芮城冰糖心苹果"]
    assert drain.running is False


def test_rows_that_keep_failing_sink_below_newer_dead_rows(live, fresh_db, monkeypatch):
    service, cooperative_id = live
    monkeypatch.setattr(periodic, "DEAD_ROWS_PER_TICK", 1)
    dead_row(fresh_db, "unknown", 1, 30)
    dead_row(fresh_db, "product", new_product(fresh_db, cooperative_id, "稷山板枣"), 5)
    drain = drain_past_the_wait(service, fresh_db, 5)
    assert drain.tick().recovered == 1
    assert rows(fresh_db) == [("unknown", 30)]
