"""The running server's periodic outbox drain, and the backoff for rows that keep failing.

The after-commit drain leaves its rows when another process holds the index lock or a write
fails; without this they would wait for the next commit, or the next start. Every few seconds the
server drains what is pending, then retries dead rows (those that failed ``MAX_ATTEMPTS`` times and
which ordinary drains skip) one at a time, so one bad row cannot fail the others. A dead row's
wait doubles with each failure (its attempt count, kept in the database, is the exponent), up to
an hour; a restart starts the clock again but keeps the exponent.
"""

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool

from app.db import Database
from app.models import SearchOutbox
from app.search import outbox
from app.search.service import SearchService

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 5.0
# A dead row's first retry waits this long; each failure doubles the wait, up to MAX_BACKOFF.
BASE_BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 3600.0
# Dead rows looked at per tick: a flood of them must not stall the drain.
DEAD_ROWS_PER_TICK = 20


def backoff_seconds(attempts: int) -> float:
    """How long a dead row with ``attempts`` failures waits before its next retry."""
    doublings = max(attempts - outbox.MAX_ATTEMPTS, 0)
    if doublings >= 20:  # 30 s × 2²⁰ is far past the cap; no huge powers
        return MAX_BACKOFF_SECONDS
    return min(BASE_BACKOFF_SECONDS * 2**doublings, MAX_BACKOFF_SECONDS)


@dataclass(slots=True)
class TickReport:
    drained: outbox.DrainReport
    retried: int = 0  # dead rows retried this tick
    recovered: int = 0  # of which applied and removed
    waiting: int = 0  # dead rows whose backoff has not run out
    errors: list[str] = field(default_factory=list)


class PeriodicDrain:
    """Drains ``service``'s outbox from ``database`` every ``interval`` seconds until stopped."""

    def __init__(
        self,
        service: SearchService,
        database: Database,
        *,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.service = service
        self.database = database
        self.interval = INTERVAL_SECONDS if interval is None else interval
        self.clock = clock
        self.ticks = 0
        # Dead row id → when (``clock``) it may be retried.
        self._due: dict[int, float] = {}
        self._task: asyncio.Task | None = None
        self._stop: asyncio.Event | None = None
        self._ticked = threading.Condition()

    # One tick (blocking: runs in a worker thread) -------------------------------------------

    def tick(self) -> TickReport:
        """Drain pending rows, then retry the dead rows whose backoff has run out."""
        report = TickReport(self.service.drain(self.database))
        try:
            self._retry_dead_rows(report)
        except Exception as exc:  # the loop goes on; the rows stay for the next tick
            log.exception("retrying dead search outbox rows failed")
            report.errors.append(str(exc))
        with self._ticked:
            self.ticks += 1
            self._ticked.notify_all()
        return report

    def _retry_dead_rows(self, report: TickReport) -> None:
        with self.database.read_only() as session:
            dead = session.execute(
                sa.select(SearchOutbox.id, SearchOutbox.attempts)
                .where(SearchOutbox.attempts >= outbox.MAX_ATTEMPTS)
                # Fewest failures first: rows that keep failing sink and cannot starve the rest.
                .order_by(SearchOutbox.attempts, SearchOutbox.id)
                .limit(DEAD_ROWS_PER_TICK)
            ).all()
        now = self.clock()
        # Forget rows gone meanwhile (repaired by ``search check``, or by another process).
        self._due = {
            row.id: self._due.get(row.id, now + backoff_seconds(row.attempts)) for row in dead
        }
        for row in dead:
            if now < self._due[row.id]:
                report.waiting += 1
                continue
            result = outbox.retry(
                self.database,
                self.service.index_dir,
                [row.id],
                lock_timeout=self.service.drain_lock_timeout,
            )
            if result.locked:
                return  # another writer: every row waits for the next tick
            report.retried += 1
            del self._due[row.id]  # due again from its new attempt count, if it failed
            if result.error:
                log.warning("search outbox row %s failed again: %s", row.id, result.error)
            else:
                report.recovered += 1

    # The background task ------------------------------------------------------------------------

    def start(self) -> None:
        """Start ticking on the running event loop (the server's, from its lifespan)."""
        self._stop = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(self._stop))

    async def stop(self) -> None:
        """Stop ticking; waits for a tick in progress to finish (never cuts a drain short)."""
        if self._task is None or self._stop is None:
            return
        self._stop.set()
        await self._task
        self._task = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
                return
            except TimeoutError:
                pass
            try:
                await run_in_threadpool(self.tick)
            except Exception:
                log.exception("periodic search drain failed")

    def wait_for_ticks(self, count: int, timeout: float) -> bool:
        """Block until ``count`` ticks have run (False if ``timeout`` seconds pass first)."""
        with self._ticked:
            return self._ticked.wait_for(lambda: self.ticks >= count, timeout=timeout)
