"""Draining the search outbox into the index, after commit and at start-up.

Services write an outbox row in the same transaction as the change, so the index can never see a
rolled-back change and a crash between commit and drain loses nothing: the row stays and the next
drain (the next commit's, or start-up's) replays it. Replaying is harmless because a drain writes
what the database says *now* (``update_document`` of the current row, or a delete when the
object is gone, delisted or unapproved), never what the row says.

The index lock is taken *before* rows and objects are read, so two drains cannot write an older
state over a newer one. When another process holds the lock, the rows simply wait; a failure marks
the rows (``attempts``, ``last_error``) and leaves them; nothing is raised to the request. A
failure of the index itself (an ``OSError``: full disk, read-only files) does not count towards a
row's attempts, so the first drain after the disk is fixed catches up.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from whoosh.index import LockError

from app.db import SQLITE_BEGIN, Database
from app.models import SearchOutbox
from app.search.documents import (
    COOPERATIVE,
    ENTERPRISE,
    PRODUCT,
    VILLAGE,
    Batch,
    product_batch,
    products_of,
)
from app.search.index import current_directory, open_index, write_locks
from app.search.pairing_documents import pairing_batch
from app.search.schema import PAIRING, PRODUCTS

log = logging.getLogger(__name__)

BATCH_ROWS = 500
MAX_ROUNDS = 20
# Rows that failed this often are "dead": drains skip them; the server's periodic drain retries
# them one by one with backoff (``periodic``), and ``search check`` repairs by comparing all.
MAX_ATTEMPTS = 5
DOC_TYPES = (PRODUCT, VILLAGE, ENTERPRISE, COOPERATIVE)


@dataclass(slots=True)
class DrainReport:
    rows: int = 0
    updated: int = 0
    deleted: int = 0
    locked: bool = False
    error: str | None = None

    def add(self, other: "DrainReport") -> None:
        self.rows += other.rows
        self.updated += other.updated
        self.deleted += other.deleted


@dataclass(frozen=True, slots=True)
class Changes:
    """What to re-index: object ids by kind (cascades already expanded)."""

    products: frozenset[int] = frozenset()
    villages: frozenset[int] = frozenset()
    enterprises: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.products or self.villages or self.enterprises)


def pending_rows() -> sa.ColumnElement[bool]:
    """Rows a drain applies: those that have not failed ``MAX_ATTEMPTS`` times yet."""
    return SearchOutbox.attempts < MAX_ATTEMPTS


def drain(
    database: Database,
    link: Path,
    *,
    lock_timeout: float,
    extra: Changes = Changes(),
    rows: sa.ColumnElement[bool] | None = None,
) -> DrainReport:
    """Apply pending outbox rows (and ``extra`` changes) to the index.

    ``rows`` picks other rows than the pending ones (``retry`` uses it for dead rows). A held lock
    or a failed write is reported, not raised; only an unreadable database raises
    (``SearchService.drain``, the after-commit hook, catches even that).
    """
    where = pending_rows() if rows is None else rows
    report = DrainReport()
    for _round in range(MAX_ROUNDS):
        try:
            step = _drain_batch(database, link, lock_timeout, extra, where)
        except LockError:
            report.locked = True
            log.info("search index locked by another writer; outbox rows wait for the next drain")
            return report
        extra = Changes()
        report.add(step)
        if step.error:
            report.error = step.error
            return report
        # A short batch: done, unless rows were committed while we were writing.
        if step.rows == 0 or (step.rows < BATCH_ROWS and not _pending(database, where)):
            return report
    return report


def retry(
    database: Database, link: Path, row_ids: list[int], *, lock_timeout: float
) -> DrainReport:
    """Apply the given rows whatever their attempts (dead rows); a failure counts one more."""
    return drain(database, link, lock_timeout=lock_timeout, rows=SearchOutbox.id.in_(row_ids))


def _pending(database: Database, where: sa.ColumnElement[bool]) -> bool:
    with database.read_only() as session:
        query = sa.select(SearchOutbox.id).where(where).limit(1)
        return session.execute(query).first() is not None


def _drain_batch(
    database: Database,
    link: Path,
    lock_timeout: float,
    extra: Changes,
    where: sa.ColumnElement[bool],
) -> DrainReport:
    if not extra and not _pending(database, where):
        return DrainReport()
    directory = current_directory(link)
    if directory is None:
        # No index yet: the rows wait for the rebuild (start-up runs one).
        raise LockError("no index")
    with write_locks(directory, timeout=lock_timeout):
        if current_directory(link) != directory:
            raise LockError("index swapped while locking")  # a rebuild just finished; retry
        with database.read_only() as session:
            rows = session.execute(
                sa.select(SearchOutbox.id, SearchOutbox.doc_type, SearchOutbox.doc_id)
                .where(where)
                .order_by(SearchOutbox.id)
                .limit(BATCH_ROWS)
            ).all()
            row_ids = [r.id for r in rows]
            try:
                changes = _changes(session, rows, extra)
                report = _write(directory, PRODUCTS, product_batch(session, changes.products))
                pairing = pairing_batch(session, changes.villages, changes.enterprises)
                report.add(_write(directory, PAIRING, pairing))
            except Exception as exc:
                log.exception("search drain failed; %d outbox rows kept", len(row_ids))
                _mark_failed(database, row_ids, exc, counts=not _index_failure(exc))
                return DrainReport(error=str(exc) or type(exc).__name__)
    report.rows = len(row_ids)
    _delete_rows(database, row_ids)
    return report


def _changes(session, rows: Iterable, extra: Changes) -> Changes:
    ids: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row.doc_type not in DOC_TYPES:
            raise ValueError(f"unknown search document type {row.doc_type!r}")
        ids[row.doc_type].add(row.doc_id)
    # A product document shows its village's and cooperative's names.
    cascaded = products_of(session, village_ids=ids[VILLAGE], cooperative_ids=ids[COOPERATIVE])
    return Changes(
        products=frozenset(ids[PRODUCT] | set(cascaded) | extra.products),
        villages=frozenset(ids[VILLAGE] | extra.villages),
        enterprises=frozenset(ids[ENTERPRISE] | extra.enterprises),
    )


def _write(directory: Path, name: str, batch: Batch) -> DrainReport:
    """Apply a batch to one index; the caller holds its write lock (``write_locks``)."""
    report = DrainReport()
    if not batch.documents and not batch.missing:
        return report
    writer = open_index(directory, name).writer(_lk=False)
    try:
        for doc in batch.documents.values():
            writer.update_document(**doc)
            report.updated += 1
        for doc_id in batch.missing:
            writer.delete_by_term("id", doc_id)
            report.deleted += 1
        writer.commit()
    except BaseException:
        if not writer.is_closed:
            writer.cancel()
        raise
    return report


@contextmanager
def _writing(database: Database) -> Iterator[sa.Connection]:
    """A short write transaction in its turn among the process's writers. Not a unit of work:
    its after-commit hooks would start another drain."""
    writer = database.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    with database.writer_turn(), writer.begin() as conn:
        yield conn


def _delete_rows(database: Database, row_ids: list[int]) -> None:
    if not row_ids:
        return
    with _writing(database) as conn:
        for start in range(0, len(row_ids), 500):
            chunk = row_ids[start : start + 500]
            conn.execute(sa.delete(SearchOutbox).where(SearchOutbox.id.in_(chunk)))


def _index_failure(exc: Exception) -> bool:
    """Whether the index itself failed (full disk, read-only or missing files), not the rows.

    Such a failure says nothing about the rows: counting it against them would make them "dead"
    after a few commits, and search would then wait for the periodic retry's backoff instead of
    catching up with the first drain after the disk is fixed.
    """
    return isinstance(exc, OSError)


def _mark_failed(
    database: Database, row_ids: list[int], exc: Exception, *, counts: bool = True
) -> None:
    """Record ``exc`` on the rows; ``counts`` adds one to their attempts (towards dead)."""
    if not row_ids:
        return
    message = f"{type(exc).__name__}: {exc}"[:500]
    attempts = SearchOutbox.attempts + 1 if counts else SearchOutbox.attempts
    try:
        with _writing(database) as conn:
            conn.execute(
                sa.update(SearchOutbox)
                .where(SearchOutbox.id.in_(row_ids))
                .values(attempts=attempts, last_error=message)
            )
    except Exception:
        log.exception("could not record the failed search drain")
