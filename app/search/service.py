"""``SearchService``: the one object the web app, GraphQL and the CLI hold for search.

It owns the per-thread views of both indexes, the after-commit drain, start-up, rebuild and check.
Adapters call ``search_products`` / ``search_pairing`` directly with their own session.
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session

from app.db import Database
from app.models import Product
from app.search import check as check_module
from app.search import outbox, pairing, products
from app.search import rebuild as rebuild_module
from app.search.analysis import load_dictionary
from app.search.index import current_directory
from app.search.pairing import PairingQuery, PairingResults, search_pairing
from app.search.products import ProductQuery, ProductResults, search_products
from app.search.schema import PAIRING, PRODUCTS
from app.search.views import IndexView, ViewPool

log = logging.getLogger(__name__)

# How long a request's drain waits for another writer before leaving its rows for later.
DRAIN_LOCK_TIMEOUT = 0.25


@dataclass(slots=True)
class StartupReport:
    rebuilt: bool = False
    drained: outbox.DrainReport | None = None
    check: check_module.CheckReport | None = None
    errors: list[str] = field(default_factory=list)


class SearchService:
    """Search over the index at ``index_dir``, fed from the database's outbox."""

    def __init__(self, index_dir: Path, *, drain_lock_timeout: float = DRAIN_LOCK_TIMEOUT):
        self.index_dir = Path(index_dir)
        self.drain_lock_timeout = drain_lock_timeout
        self._pools = {name: ViewPool(self.index_dir, name) for name in (PRODUCTS, PAIRING)}
        self._stale_lock = threading.Lock()
        self._stale_products: set[int] = set()
        self._stale_pairing: dict[str, set[int]] = {"village": set(), "enterprise": set()}
        self._attached: set[int] = set()

    # Reading ----------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return current_directory(self.index_dir) is not None

    def view(self, name: str = PRODUCTS) -> IndexView | None:
        """A view of the newest index generation (None: no index yet), for a look from one
        thread; searches borrow a view of their own from the pool."""
        return self._pools[name].current()

    def warm(self) -> None:
        """Compute the caches most queries need, so the first searches after start are fast."""
        for name, warm in ((PRODUCTS, products.warm), (PAIRING, pairing.warm)):
            with self._pools[name].borrow() as view:
                if view is not None:
                    warm(view)

    def search_products(
        self,
        session: Session,
        query: ProductQuery,
        *,
        today: date | None = None,
        permit: Callable[[Product], bool] | None = None,
    ) -> ProductResults:
        """Search listed products (see ``app.search.products``)."""
        with self._pools[PRODUCTS].borrow() as view:
            return search_products(
                view, session, query, today=today, permit=permit,
                on_stale=self._remember_stale_products,
            )  # fmt: skip

    def search_pairing(
        self, session: Session, query: PairingQuery, *, permit: Callable | None = None
    ) -> PairingResults:
        """Search villages and approved enterprises (see ``app.search.pairing``)."""
        with self._pools[PAIRING].borrow() as view:
            return search_pairing(
                view, session, query, permit=permit,
                on_stale=self._remember_stale_pairing,
            )  # fmt: skip

    # Writing ----------------------------------------------------------------------------------

    def drain(self, database: Database) -> outbox.DrainReport:
        """Apply pending outbox rows, and documents queries found stale; never raises."""
        extra = self._take_stale()
        try:
            report = outbox.drain(
                database, self.index_dir, lock_timeout=self.drain_lock_timeout, extra=extra
            )
        except Exception:
            log.exception("search drain failed")
            report = outbox.DrainReport(error="drain failed")
        if report.locked or report.error:
            self._return_stale(extra)
        return report

    def after_commit_hook(self, database: Database) -> Callable[[], None]:
        """A hook for ``database.after_commit_hooks``: drain after every unit of work."""

        def drain_search_outbox() -> None:
            self.drain(database)

        return drain_search_outbox

    def attach(self, database: Database) -> None:
        """Register the after-commit drain on ``database`` (once)."""
        if id(database) not in self._attached:
            database.after_commit_hooks.append(self.after_commit_hook(database))
            self._attached.add(id(database))

    def rebuild(
        self, database: Database, *, progress=None, only_if_missing: bool = False
    ) -> rebuild_module.RebuildReport:
        """Rebuild from the database into a new generation, swap it in, then drain."""
        report = rebuild_module.rebuild(
            database, self.index_dir, progress=progress, only_if_missing=only_if_missing
        )
        self.drain(database)
        return report

    def check(self, database: Database, *, repair: bool = True) -> check_module.CheckReport:
        """Compare the index with the database (and repair the drift)."""
        return check_module.check(database, self.index_dir, repair=repair)

    def startup(self, database: Database) -> StartupReport:
        """Load the dictionary; rebuild a missing index, else drain leftovers and repair drift;
        then warm the query caches."""
        load_dictionary()
        report = StartupReport()
        if not self.available:
            report.rebuilt = not self.rebuild(database, only_if_missing=True).skipped
        else:
            report.drained = self.drain(database)
            try:
                report.check = self.check(database)
            except Exception as exc:  # start-up goes on: search still answers, drift waits
                log.exception("search check at start-up failed")
                report.errors.append(str(exc))
        self.warm()
        return report

    # Stale documents seen by queries ------------------------------------------------------------

    def pending_repairs(self) -> outbox.Changes:
        """Documents queries found out of date (repaired by the next drain)."""
        with self._stale_lock:
            return outbox.Changes(
                frozenset(self._stale_products),
                frozenset(self._stale_pairing["village"]),
                frozenset(self._stale_pairing["enterprise"]),
            )

    def _remember_stale_products(self, ids: list[int]) -> None:
        with self._stale_lock:
            self._stale_products.update(ids)

    def _remember_stale_pairing(self, kind: str, ids: list[int]) -> None:
        with self._stale_lock:
            self._stale_pairing[kind].update(ids)

    def _take_stale(self) -> outbox.Changes:
        with self._stale_lock:
            changes = outbox.Changes(
                frozenset(self._stale_products),
                frozenset(self._stale_pairing["village"]),
                frozenset(self._stale_pairing["enterprise"]),
            )
            self._stale_products.clear()
            for ids in self._stale_pairing.values():
                ids.clear()
        return changes

    def _return_stale(self, changes: outbox.Changes) -> None:
        with self._stale_lock:
            self._stale_products.update(changes.products)
            self._stale_pairing["village"].update(changes.villages)
            self._stale_pairing["enterprise"].update(changes.enterprises)
