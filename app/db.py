"""Engines, sessions and the unit of work.

Services receive a session and never commit; the adapter (a page handler, a GraphQL resolver,
the CLI) opens a unit of work: it commits once, rolls back on error, then runs after-commit hooks.
"""

import logging
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from weakref import WeakKeyDictionary

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


class WriterQueue:
    """First come, first served turns at one SQLite database's write lock, within this process.

    SQLite's busy handler is not a queue: a writer waiting for the lock sleeps and polls, and
    writers that arrive between its polls take the lock first, so under steady writing one of them
    can wait past the busy timeout and fail with "database is locked" although every transaction
    is short. Writers of one process therefore queue here, in arrival order, before ``BEGIN
    IMMEDIATE``; the busy timeout still arbitrates between processes.
    """

    def __init__(self):
        self._mutex = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout_s: float) -> bool:
        """Wait for this writer's turn, at most ``timeout_s``; False when it did not come."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=timeout_s):
            return True
        with self._mutex:
            if turn in self._waiting:
                self._waiting.remove(turn)
                return False
        return True  # handed over just as the wait ran out: the turn is ours

    @property
    def waiting(self) -> int:
        """Writers of this process waiting for their turn now."""
        return len(self._waiting)

    def release(self) -> None:
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().release()  # hand the turn over; _held stays True
            else:
                self._held = False

    @contextmanager
    def turn(self, timeout_s: float) -> Iterator[None]:
        """Hold the turn for the block; past ``timeout_s`` the same error as SQLite's own wait."""
        if not self.acquire(timeout_s):
            busy = sqlite3.OperationalError("database is locked")
            raise sa.exc.OperationalError("BEGIN IMMEDIATE", None, busy)
        try:
            yield
        finally:
            self.release()


# One queue per database file, shared by every engine of this process that writes to it.
_QUEUES: dict[str, WriterQueue] = {}
_QUEUES_LOCK = threading.Lock()


def writer_queue_waiters() -> int:
    """Writers of this process waiting for a SQLite write lock, over all databases (metrics)."""
    return sum(queue.waiting for queue in list(_QUEUES.values()))


# An engine's queue and how long its writers wait in it (its busy timeout).
_ENGINE_QUEUES: "WeakKeyDictionary[Engine, tuple[WriterQueue, float]]" = WeakKeyDictionary()


def _writer_queue(database: str) -> WriterQueue:
    key = str(Path(database).resolve())
    with _QUEUES_LOCK:
        return _QUEUES.setdefault(key, WriterQueue())


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
    if database and database != ":memory:":
        _ENGINE_QUEUES[engine] = (_writer_queue(database), busy_timeout_ms / 1000)

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
        with self.writer_turn(), self._write_sessions() as session:
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
    def writer_turn(self) -> Iterator[None]:
        """Queue behind this process's other writers of the same SQLite file (``WriterQueue``).

        Every unit of work takes its turn; a writer that is not one (a connection of its own, as
        the search drain's) takes it around its transaction too."""
        queued = _ENGINE_QUEUES.get(self.engine)
        if queued is None:  # PostgreSQL (row locks, no single write lock) or an in-memory SQLite
            yield
            return
        queue, timeout_s = queued
        with queue.turn(timeout_s):
            yield

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
