"""Which database errors mean "busy, retry": real errors from real databases, not made-up ones."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from app.db import create_db_engine
from app.http import is_database_busy


def test_sqlite_lock_past_the_busy_timeout_is_busy(tmp_path):
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    holder = create_db_engine(url, busy_timeout_ms=50)
    waiter = create_db_engine(url, busy_timeout_ms=50)
    with holder.connect() as held:
        held.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        held.commit()
        held.exec_driver_sql("INSERT INTO t VALUES (1)")  # holds the write lock until rollback
        with pytest.raises(OperationalError) as caught, waiter.connect() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        held.rollback()
    holder.dispose()
    waiter.dispose()
    assert is_database_busy(caught.value)


def test_other_operational_errors_are_not_busy(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    with pytest.raises(OperationalError) as caught, engine.connect() as conn:
        conn.execute(sa.text("SELECT * FROM no_such_table"))
    engine.dispose()
    assert not is_database_busy(caught.value)
    assert not is_database_busy(ValueError("database is locked"))
    assert not is_database_busy(None)


def test_postgresql_lock_timeout_is_busy(database_factory):
    if not database_factory.is_postgres:
        pytest.skip("needs CUNQI_TEST_DATABASE_URL")
    engine = create_db_engine(database_factory.new_url("busy"))
    with engine.connect() as holder, engine.connect() as waiter:
        holder.exec_driver_sql("CREATE TABLE busy_rows (id INTEGER PRIMARY KEY)")
        holder.exec_driver_sql("INSERT INTO busy_rows VALUES (1)")
        holder.commit()
        holder.exec_driver_sql("SELECT * FROM busy_rows WHERE id = 1 FOR UPDATE")
        waiter.exec_driver_sql("SET lock_timeout = '100ms'")
        with pytest.raises(OperationalError) as caught:
            waiter.exec_driver_sql("UPDATE busy_rows SET id = 2 WHERE id = 1")
        waiter.rollback()
        holder.rollback()
    engine.dispose()
    assert caught.value.orig.sqlstate == "55P03"
    assert is_database_busy(caught.value)
