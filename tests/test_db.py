"""Engine settings, the unit of work and concurrent writers on real databases."""

import threading
import time
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from app.db import _ENGINE_QUEUES, Database, WriterQueue, create_db_engine, on_commit
from app.http import is_database_busy
from app.models import County, Event
from app.models.enums import CountyCategory


def _add_county(session, code: str = "140829", name: str = "平陆县") -> None:
    session.add(County(code=code, name=name, category=CountyCategory.key))


def test_sqlite_connections_use_wal_full_sync_foreign_keys_and_busy_timeout(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}", busy_timeout_ms=1234)
    with engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("synchronous") == 2  # FULL
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 1234
    engine.dispose()


def test_postgres_urls_use_psycopg3():
    engine = create_db_engine("postgresql://someone@127.0.0.1:1/nowhere")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_unit_of_work_commits_once_then_runs_hooks(fresh_db):
    seen = []
    with fresh_db.unit_of_work() as session:
        _add_county(session)
        on_commit(session, lambda: seen.append("after"))
        assert seen == []
    assert seen == ["after"]
    with fresh_db.read_only() as session:
        assert session.exec(select(County.name)).all() == ["平陆县"]


def test_unit_of_work_rolls_back_on_error_and_skips_hooks(fresh_db):
    seen = []
    with pytest.raises(RuntimeError), fresh_db.unit_of_work() as session:
        _add_county(session)
        on_commit(session, lambda: seen.append("after"))
        raise RuntimeError("boom")
    assert seen == []
    with fresh_db.read_only() as session:
        assert session.exec(select(County)).all() == []


def test_a_failing_hook_does_not_undo_the_commit_or_stop_other_hooks(fresh_db, caplog):
    seen = []

    def broken():
        raise OSError("index directory unwritable")

    with fresh_db.unit_of_work() as session:
        _add_county(session)
        on_commit(session, broken)
        on_commit(session, lambda: seen.append("second"))
    assert seen == ["second"]
    assert "after-commit hook" in caplog.text
    with fresh_db.read_only() as session:
        assert len(session.exec(select(County)).all()) == 1


def test_database_wide_hooks_run_after_every_commit(fresh_db):
    calls = []
    fresh_db.after_commit_hooks.append(lambda: calls.append(1))
    with fresh_db.unit_of_work() as session:
        _add_county(session)
    with fresh_db.unit_of_work():
        pass
    assert calls == [1, 1]


def _read_then_write_race(database: Database, open_transaction) -> list[BaseException]:
    """Writer A reads, B starts and reads, then A writes and commits, then B writes."""
    a_has_read = threading.Event()
    errors: list[BaseException] = []

    def writer_a() -> None:
        try:
            with open_transaction() as session:
                session.exec(select(Event)).all()
                a_has_read.set()
                time.sleep(0.3)  # sequencing only: let B reach its own read first
                session.add(Event(action="test.write", object_type="T", object_id="a"))
        except BaseException as exc:
            errors.append(exc)

    def writer_b() -> None:
        a_has_read.wait(timeout=5)
        try:
            with open_transaction() as session:
                session.exec(select(Event)).all()
                session.add(Event(action="test.write", object_type="T", object_id="b"))
                session.flush()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_two_threads_that_read_then_write_both_succeed(fresh_db):
    errors = _read_then_write_race(fresh_db, fresh_db.unit_of_work)
    assert errors == []
    with fresh_db.read_only() as session:
        assert sorted(session.exec(select(Event.object_id)).all()) == ["a", "b"]


def test_deferred_sqlite_transactions_would_fail_the_same_race(tmp_path):
    """Why writers BEGIN IMMEDIATE: the deferred default fails at once, ignoring the timeout."""
    database = Database(create_db_engine(f"sqlite:///{tmp_path / 'd.sqlite3'}"))
    from app import migrate

    migrate.upgrade(str(database.engine.url))

    @contextmanager
    def deferred_transaction():
        with database.read_only() as session:
            yield session
            session.commit()

    errors = _read_then_write_race(database, deferred_transaction)
    assert [type(e) for e in errors] == [sa.exc.OperationalError]
    assert "locked" in str(errors[0])
    database.dispose()


def test_many_threads_writing_at_once_lose_nothing(fresh_db):
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with fresh_db.unit_of_work() as session:
                    count = session.exec(select(sa.func.count()).select_from(Event)).one()
                    session.add(Event(action="test.write", object_type="T", object_id=f"{n}-{i}"))
                    assert count >= 0
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with fresh_db.read_only() as session:
        ids = session.exec(select(Event.object_id)).all()
    assert sorted(ids) == sorted(f"{n}-{i}" for n in range(6) for i in range(10))


def test_readers_do_not_take_the_write_lock(tmp_path):
    database = Database(create_db_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}"))
    with database.unit_of_work() as session:
        session.exec(sa.text("CREATE TABLE t (x INTEGER)"))
    with database.read_only() as reader, database.unit_of_work() as writer:
        reader.exec(sa.text("SELECT count(*) FROM t")).one()
        writer.exec(sa.text("INSERT INTO t VALUES (1)"))
    with database.read_only() as session:
        assert session.exec(sa.text("SELECT count(*) FROM t")).one() == (1,)
    database.dispose()


def test_planner_statistics_are_refreshed_after_a_bulk_load(fresh_db):
    fresh_db.refresh_planner_statistics()
    with fresh_db.read_only() as session:
        if fresh_db.is_sqlite:
            analyzed = session.execute(sa.text("SELECT count(*) FROM sqlite_stat1")).scalar_one()
        else:
            analyzed = session.execute(
                sa.text("SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
            ).scalar_one()
    assert analyzed > 0


def _wait_until(condition) -> None:
    for _ in range(500):
        if condition():
            return
        time.sleep(0.002)
    raise AssertionError("condition never held")


def test_sqlite_writers_of_one_process_take_turns_in_arrival_order():
    queue = WriterQueue()
    assert queue.acquire(1.0)
    order: list[int] = []

    def writer(number: int) -> None:
        with queue.turn(5.0):
            order.append(number)

    threads = []
    for number in range(6):
        thread = threading.Thread(target=writer, args=(number,))
        thread.start()
        threads.append(thread)
        _wait_until(lambda n=number: len(queue._waiting) == n + 1)
    queue.release()
    for thread in threads:
        thread.join()
    assert order == list(range(6))
    assert queue.acquire(0.01)  # free again once the last writer is done


def test_a_writer_whose_turn_does_not_come_gets_the_busy_error_and_leaves_the_queue(tmp_path):
    path = tmp_path / "busy.sqlite3"
    first = Database(create_db_engine(f"sqlite:///{path}", busy_timeout_ms=5000))
    impatient = Database(create_db_engine(f"sqlite:///{path}", busy_timeout_ms=50))
    for db in (first, impatient):
        SQLModel.metadata.create_all(db.engine, tables=[County.__table__])
    queued, _ = _ENGINE_QUEUES[first.engine]
    assert _ENGINE_QUEUES[impatient.engine][0] is queued  # one queue per file, not per engine
    with first.unit_of_work() as session:
        _add_county(session)
        with pytest.raises(sa.exc.OperationalError) as caught, impatient.unit_of_work():
            raise AssertionError("the impatient writer must not get a turn")
        assert is_database_busy(caught.value)
        assert not queued._waiting
    with impatient.unit_of_work() as session:  # the turn came back when the first writer left
        _add_county(session, "140830", "芮城县")
    with first.read_only() as session:
        assert len(session.exec(select(County)).all()) == 2
    first.dispose()
    impatient.dispose()
