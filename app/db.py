"""Engines, sessions and the unit of work.

Services receive a session and never commit; the adapter (a page handler, a GraphQL resolver,
the CLI) opens a unit of work: it commits once, rolls back on error, then runs after-commit hooks.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from app import db_errors

log = logging.getLogger(__name__)

AFTER_COMMIT = "cunqi_after_commit"
# Execution option read by the SQLite "begin" listener: DEFERRED for readers, IMMEDIATE for writers.
SQLITE_BEGIN = "cunqi_sqlite_begin"


def create_db_engine(url: str, *, busy_timeout_ms: int = 5000, echo: bool = False) -> Engine:
    """Create an engine for SQLite or PostgreSQL with the project's connection settings."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_ms=busy_timeout_ms, echo=echo)
    if parsed.drivername in ("postgresql", "postgres"):
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)
    db_errors.install(engine)
    return engine


def _sqlite_engine(url: str, *, busy_timeout_ms: int, echo: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module so the "begin" listener decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    db_errors.install(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A deferred transaction that reads and then writes fails at once with "database is locked"
        # instead of waiting for the busy timeout, so writers take the write lock up front.
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Database:
    """The engine plus two session factories: writers (BEGIN IMMEDIATE on SQLite) and readers."""

    def __init__(self, engine: Engine):
        self.engine = engine
        writer = engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        self._write_sessions = sessionmaker(writer, class_=Session, expire_on_commit=False)
        self._read_sessions = sessionmaker(engine, class_=Session, expire_on_commit=False)
        self.after_commit_hooks: list[Callable[[], None]] = []

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Open a write transaction; commit once at the end, roll back on error, then run hooks."""
        with self._write_sessions() as session:
            try:
                yield session
                session.commit()
            except sa.exc.IntegrityError as exc:
                # Whatever constraint a service did not expect is still reported for what it is.
                session.rollback()
                raise db_errors.integrity_error(exc) from exc
            except BaseException:
                session.rollback()
                raise
            hooks = [*session.info.pop(AFTER_COMMIT, []), *self.after_commit_hooks]
        _run_hooks(hooks)

    @contextmanager
    def read_only(self) -> Iterator[Session]:
        """Open a read transaction that never writes.

        Closing (not rolling back) ends it: the pool discards anything written by mistake, and the
        loaded objects stay readable for the template that renders them.
        """
        with self._read_sessions() as session:
            yield session

    def refresh_planner_statistics(self) -> None:
        """Let the query planner see the tables as they are now, after a bulk load.

        PostgreSQL's autovacuum analyzes a freshly loaded table only later, and until then plans
        the dashboard's aggregates as sequential scans; SQLite has no statistics until ANALYZE.
        """
        with self.engine.begin() as conn:  # ANALYZE (unlike VACUUM) may run in a transaction
            conn.exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        self.engine.dispose()


def on_commit(session: Session, hook: Callable[[], None]) -> None:
    """Run ``hook`` after the session's unit of work commits (never if it rolls back)."""
    session.info.setdefault(AFTER_COMMIT, []).append(hook)


def _run_hooks(hooks: list[Callable[[], None]]) -> None:
    for hook in hooks:
        try:
            hook()
        except Exception:
            # The commit already happened; a failing hook (e.g. search drain) is retried later.
            log.exception("after-commit hook %r failed", hook)
