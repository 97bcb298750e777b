"""Shared fixtures: a real SQLite file or a real PostgreSQL database, migrated with Alembic.

Set CUNQI_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the
whole suite on PostgreSQL; each run works in databases of its own, created and dropped here.
"""

import itertools
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import migrate
from app.config import get_settings
from app.db import Database, create_db_engine

PG_URL = os.environ.get("CUNQI_TEST_DATABASE_URL", "")

# Cheap argon2 parameters and a fixed secret: tests create many accounts and write nothing to var/.
os.environ.setdefault("CUNQI_PASSWORD_TIME_COST", "1")
os.environ.setdefault("CUNQI_PASSWORD_MEMORY_KIB", "1024")
os.environ.setdefault("CUNQI_PASSWORD_PARALLELISM", "1")
os.environ.setdefault("CUNQI_SECRET_KEY", "test-secret-key-" + "x" * 40)
# GraphQL test modules send thousands of requests as one client within a minute; the API limit's
# own tests (tests/services/test_api_limits.py, tests/graphql/test_graphql_limits.py) set theirs.
os.environ.setdefault("CUNQI_API_REQUESTS_PER_MINUTE", "1000000")
os.environ.setdefault("CUNQI_API_ANONYMOUS_REQUESTS_PER_MINUTE", "1000000")

# Generated cases are judged by what they produce, never by how long one took: a shared 2-core
# machine makes hypothesis' default 200 ms deadline a coin toss.
hypothesis_settings.register_profile("cunqi", deadline=None)
hypothesis_settings.load_profile("cunqi")


def _admin_engine() -> sa.Engine:
    return sa.create_engine(
        make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )


class DatabaseFactory:
    """Creates migrated databases: a template is migrated once, then copied for each request."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.run_id = uuid.uuid4().hex[:8]
        self.created: list[str] = []
        self._counter = itertools.count()
        self.template = self._new_name("template")
        migrate.upgrade(self._url(self.template, create=True))

    @property
    def is_postgres(self) -> bool:
        return bool(PG_URL)

    def _new_name(self, label: str) -> str:
        return f"cunqi_{self.run_id}_{label}_{next(self._counter)}"

    def _url(self, name: str, *, create: bool = False, template: str | None = None) -> str:
        if not self.is_postgres:
            path = self.workdir / f"{name}.sqlite3"
            if template is not None:
                shutil.copyfile(self.workdir / f"{template}.sqlite3", path)
            return f"sqlite:///{path}"
        if create:
            admin = _admin_engine()
            with admin.connect() as conn:
                clause = f" TEMPLATE {template}" if template else ""
                conn.exec_driver_sql(f"CREATE DATABASE {name}{clause}")
            admin.dispose()
        self.created.append(name)
        return (
            make_url(PG_URL)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )

    def new_url(self, label: str = "db") -> str:
        """A URL of a new database already migrated to head."""
        name = self._new_name(label)
        return self._url(name, create=True, template=self.template)

    def empty_url(self, label: str = "empty") -> str:
        """A URL of a new database with no tables."""
        name = self._new_name(label)
        if not self.is_postgres:
            return f"sqlite:///{self.workdir / f'{name}.sqlite3'}"
        return self._url(name, create=True)

    def drop_all(self) -> None:
        if not self.is_postgres:
            return
        admin = _admin_engine()
        with admin.connect() as conn:
            for name in reversed([*self.created, self.template]):
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def shared_db(database_factory) -> Iterator[Database]:
    """One migrated, empty database for tests that roll back (see ``session``)."""
    database = Database(create_db_engine(database_factory.new_url("shared")))
    yield database
    database.dispose()


@pytest.fixture
def session(shared_db) -> Iterator[Session]:
    """A session whose work is rolled back at the end of the test (commits become savepoints)."""
    connection = shared_db.engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def fresh_db(database_factory) -> Iterator[Database]:
    """A new migrated database of this test's own, for tests that really commit."""
    database = Database(create_db_engine(database_factory.new_url("fresh")))
    yield database
    database.dispose()


@pytest.fixture
def today_is(monkeypatch):
    """Move the business rules' today (``CUNQI_FAKE_TODAY``, read by ``app.services.clock``) for
    this test: ``today_is(date(2027, 1, 15))``. Stored timestamps keep the real time."""

    def move(day):
        monkeypatch.setattr(get_settings(), "fake_today", day)

    return move
