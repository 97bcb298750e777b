"""``search check``: compare the index with the database and repair the drift.

Both sides are reduced to {document id: stamp}. A document the database has and the index lacks is
missing, one the index has and the database no longer lets be found is extra, one whose stamp
differs is stale. Repair re-writes missing and stale documents from the database and deletes the
extra ones, under the index lock, reading objects only after the lock is held (as a drain does).
"""

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from whoosh.index import LockError

from app.db import Database
from app.models import SearchOutbox
from app.search import bits
from app.search.attributes import PAIRING_ATTRIBUTES
from app.search.documents import ENTERPRISE, VILLAGE, product_stamps
from app.search.index import IndexMissingError, current_directory, open_index
from app.search.outbox import MAX_ATTEMPTS, Changes, drain
from app.search.pairing_documents import pairing_stamps, parse_doc_id
from app.search.schema import INDEX_NAMES, PAIRING, PRODUCTS
from app.search.views import IndexView, SegmentRegistry


@dataclass(slots=True)
class Drift:
    index_documents: int = 0
    database_documents: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


@dataclass(slots=True)
class CheckReport:
    drift: dict[str, Drift] = field(default_factory=dict)
    repaired: bool = False
    # Outbox rows that failed MAX_ATTEMPTS times; a successful repair covers and removes them.
    dead_rows: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.drift.values())


def check(
    database: Database, link: Path, *, repair: bool = True, lock_timeout: float = 10.0
) -> CheckReport:
    """Compare every document's stamp with the database; with ``repair``, fix what differs."""
    directory = current_directory(link)
    if directory is None:
        raise IndexMissingError(str(link))
    indexed = {name: index_stamps(directory, name) for name in INDEX_NAMES}
    with database.read_only() as session:
        expected = {PRODUCTS: product_stamps(session), PAIRING: pairing_stamps(session)}
        dead = session.execute(
            sa.select(sa.func.count())
            .select_from(SearchOutbox)
            .where(SearchOutbox.attempts >= MAX_ATTEMPTS)
        ).scalar_one()
    report = CheckReport({n: compare(indexed[n], expected[n]) for n in INDEX_NAMES}, dead_rows=dead)
    if not repair or (report.ok and not dead):
        return report
    result = drain(database, link, lock_timeout=lock_timeout, extra=_changes(report))
    if result.locked:
        report.error = "索引正被其他进程写入，稍后再试"
    elif result.error:
        report.error = result.error
    else:
        report.repaired = True
        _remove_dead_rows(database)
    return report


def index_stamps(directory: Path, name: str) -> dict[str, int]:
    """Document id → stamp of every live document, read from columns (no stored fields)."""
    index = open_index(directory, name)
    with index.searcher() as searcher:
        view = IndexView(searcher, SegmentRegistry(), (directory, None))
        keys, stamps = view.column("key"), view.column("stamp")
        if name == PRODUCTS:
            return {str(keys[n]): stamps[n] for n in bits.ids(view.live)}
        kind = view.value("attrs", ("kind", VILLAGE), PAIRING_ATTRIBUTES.decode)
        villages = bits.Membership(kind)
        return {
            f"{VILLAGE if n in villages else ENTERPRISE}:{keys[n]}": stamps[n]
            for n in bits.ids(view.live)
        }


def compare(indexed: dict[str, int], expected: dict[str, int]) -> Drift:
    return Drift(
        index_documents=len(indexed),
        database_documents=len(expected),
        missing=sorted(set(expected) - set(indexed)),
        extra=sorted(set(indexed) - set(expected)),
        stale=sorted(k for k, v in expected.items() if k in indexed and indexed[k] != v),
    )


def _changes(report: CheckReport) -> Changes:
    products: set[int] = set()
    villages: set[int] = set()
    enterprises: set[int] = set()
    for name, drift in report.drift.items():
        for doc_id in (*drift.missing, *drift.stale, *drift.extra):
            if name == PRODUCTS:
                products.add(int(doc_id))
                continue
            kind, number = parse_doc_id(doc_id)
            (villages if kind == VILLAGE else enterprises).add(number)
    return Changes(frozenset(products), frozenset(villages), frozenset(enterprises))


def _remove_dead_rows(database: Database) -> None:
    with database.engine.begin() as conn:
        conn.execute(sa.delete(SearchOutbox).where(SearchOutbox.attempts >= MAX_ATTEMPTS))


__all__ = ["CheckReport", "Drift", "LockError", "check", "compare", "index_stamps"]
