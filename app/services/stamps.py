"""Change stamps: caches keyed on a value the database changes with every write to its tables.

Migration 0009 gives each topic a row in ``change_stamps`` and triggers on the topic's tables that
replace the row's stamp whenever one of their rows is inserted, updated or deleted — by a service,
an import, the seed, a test factory or psql alike — with a value never used before (a random one
on SQLite, the writing transaction's id on PostgreSQL). A figure computed from those tables can
then be cached under the stamp read before computing it: any later write moves the stamp, and the
next reader computes afresh. Decision: docs/decisions/0013-change-stamps.md.

Why the stamp is read first: the figures are computed afterwards in the same transaction, so they
are at least as new as the stamp. On SQLite they are exactly the snapshot of the stamp; on
PostgreSQL (read committed) they may include a later commit, which only makes the entry newer
than its key — the next reader sees that commit's stamp and computes again.

A transaction that has itself written never caches on PostgreSQL, whose triggers move the stamp
only at commit (its figures would include changes that might yet be rolled back); on SQLite its
own triggers have already given it a stamp of its own, which no one else will see unless it
commits.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from app.models import ChangeStamp

PAIRING = "pairing"
# topic → tables whose writes move its stamp (the triggers of migration 0009, kept in step).
TRACKED = {
    PAIRING: (
        "counties",
        "villages",
        "village_needs",
        "enterprises",
        "pairing_agreements",
        "outcome_reports",
    ),
}

T = TypeVar("T")


def current_stamp(session: Session, topic: str) -> str | None:
    """The topic's stamp as this transaction sees it, or None when nothing may be cached: no stamp
    row (a database emptied by hand), or a PostgreSQL transaction that has written."""
    stamp = sa.select(ChangeStamp.stamp).where(ChangeStamp.topic == topic).scalar_subquery()
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(sa.select(stamp, sa.func.txid_current_if_assigned().is_(None))).one()
        return row[0] if row[1] else None
    return session.execute(sa.select(stamp)).scalar()


class StampedCache:
    """A small least-recently-used cache of values computed under a topic's stamp.

    Keys are (database URL, stamp, the caller's key): two databases never share an entry, and an
    entry is never found again once its tables have changed. Thread-safe; a value is computed
    outside the lock (two threads may compute the same entry once each; both results are equal).
    """

    def __init__(self, topic: str, size: int = 16):
        self.topic = topic
        self.size = size
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._lock = Lock()

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        stamp = current_stamp(session, self.topic)
        if stamp is None:
            return compute()
        full_key = (str(session.get_bind().engine.url), stamp, key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._entries[full_key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
