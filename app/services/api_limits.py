"""The per-account limit on API (GraphQL) requests, cheap enough for every request.

A database write per request would put every query behind SQLite's write lock. Instead each
process counts requests in memory. Clients far below their limit never reach the database: only
once a key has a quarter of its limit in the current minute (``SHARE_FROM``) does the process,
at most once per ``api_limit_sync_seconds``, add its counts to the shared window counter
(``limits.add_hits``: one short transaction for all keys, in a thread of its own, never on the
request's path) and read back the totals of every process. A request is refused when the total
last read plus this process's unsent count reaches the limit.

The price (docs/decisions/0018-abuse-limits.md): within one minute a client spreading its
requests over N processes can get past the limit by what the other N−1 processes admitted
without telling (under a quarter of the limit each) plus what they serve it in two sync
intervals. With two processes and the defaults that is at most 150 + a burst of two seconds
over 600 a minute; a steady client is held to the limit.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.actors import Actor
from app.config import Settings
from app.db import Database
from app.models.base import utcnow
from app.services import limits

log = logging.getLogger(__name__)
SCOPE = "api.requests"
WINDOW_SECONDS = 60
# A key starts being shared with the other processes at this fraction of its limit.
SHARE_FROM = 0.25


@dataclass
class _Count:
    window: datetime
    known: int = 0  # the window's total across processes, as last read
    unsent: int = 0  # admitted here and not yet added to the shared counter
    sending: int = 0  # being added by the sync under way (not yet in ``known``)
    touched: bool = True  # seen since the last sync: read its total back then


class ApiRateLimiter:
    """Admits or refuses API requests per key (an account, or an address when anonymous)."""

    def __init__(self, database: Database, settings: Settings, *, background: bool = True):
        self.database = database
        self.per_account = settings.api_requests_per_minute
        self.per_address = settings.api_anonymous_requests_per_minute
        self.sync_seconds = settings.api_limit_sync_seconds
        self.background = background
        self._counts: dict[str, _Count] = {}
        self._lock = threading.Lock()
        self._syncing = False
        self._last_sync: datetime | None = None
        self.sync_thread: threading.Thread | None = None  # the last one started

    def admit(self, actor: Actor, address: str, *, now: datetime | None = None) -> None:
        """Count one request, or raise ``ThrottledError`` (with the seconds to wait)."""
        now = now or utcnow()
        if actor.user_id is not None:
            key, limit = f"user:{actor.user_id}", self.per_account
        else:
            key, limit = f"address:{limits.address_key(address)}", self.per_address
        start = limits.window_start(now, WINDOW_SECONDS)
        with self._lock:
            count = self._counts.get(key)
            if count is None or count.window != start:
                count = self._counts[key] = _Count(window=start)
            count.touched = True
            if count.known + count.sending + count.unsent >= limit:
                end = start + timedelta(seconds=WINDOW_SECONDS)
                raise limits.throttled(limits.seconds_until(end, now), "接口请求过于频繁")
            count.unsent += 1
            shared = count.known + count.sending + count.unsent >= limit * SHARE_FROM
            due = self._last_sync is None or now - self._last_sync >= timedelta(
                seconds=self.sync_seconds
            )
            start_sync = shared and due and not self._syncing and self.background
            if start_sync:
                self._syncing = True
        if start_sync:
            self.sync_thread = threading.Thread(
                target=self._sync_in_background, args=(now,), daemon=True
            )
            self.sync_thread.start()

    def sync(self, *, now: datetime | None = None) -> None:
        """Add the unsent counts to the shared counters and read back every touched key's total."""
        now = now or utcnow()
        with self._lock:
            self._last_sync = now
            current = limits.window_start(now, WINDOW_SECONDS)
            # Counts of past windows are of no more use to anyone: drop them unsent.
            self._counts = {k: c for k, c in self._counts.items() if c.window == current}
            batch = [(k, c.window, c.unsent) for k, c in self._counts.items() if c.touched]
            for key, _, unsent in batch:
                count = self._counts[key]
                count.unsent, count.sending, count.touched = 0, count.sending + unsent, False
        if not batch:
            return
        try:
            totals = self._write(batch, now)
        except Exception:
            totals = None  # not counted: keep them for the next sync
            raise
        finally:
            with self._lock:
                for key, window, unsent in batch:
                    count = self._counts.get(key)
                    if count is None or count.window != window:
                        continue
                    count.sending -= unsent
                    if totals is None:
                        count.unsent += unsent
                        count.touched = True
                    elif key in totals:
                        count.known = max(count.known, totals[key])

    def _write(self, batch: list[tuple[str, datetime, int]], now: datetime) -> dict[str, int]:
        totals: dict[str, int] = {}
        with self.database.unit_of_work() as session:
            for key, window, unsent in batch:
                if unsent:
                    totals[key] = limits.add_hits(session, SCOPE, key, window, unsent, now)
            idle = [key for key, _, unsent in batch if not unsent]
            if idle:
                totals.update(limits.hits_in(session, SCOPE, idle, batch[0][1]))
        return totals

    def _sync_in_background(self, now: datetime) -> None:
        try:
            self.sync(now=now)
        except Exception:
            log.warning(
                "API request counts not yet shared; retried at the next sync", exc_info=True
            )
        finally:
            with self._lock:
                self._syncing = False
