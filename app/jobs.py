"""Work besides answering requests (docs/decisions/0028-durable-background-work.md).

Search start-up (build or catch up the index) runs in every serving process. Everything else is
a job of the ``jobs`` table (app/services/jobs.py), run by a ``JobRunner``: ledger exports, mail,
and the periodic jobs (notice periods that end, mail to retry, unconfirmed orders that expire,
the retention purge, export files past their retention), each of which runs once per period
across all processes and hosts. The runner also drains the search outbox every few seconds. It
runs in ``cunqi worker``, and in the serving process when ``CUNQI_JOBS_IN_SERVER`` says so (by
default on SQLite only).
"""

import asyncio
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from app.actors import SYSTEM
from app.config import Settings
from app.db import SQLITE_BEGIN, Database
from app.models.base import utcnow
from app.services import certification, jobs, ledger, ledger_jobs, mail, orders, retention

if TYPE_CHECKING:
    from app.search.periodic import PeriodicDrain
    from app.search.service import SearchService

log = logging.getLogger(__name__)


def start_search(database: Database, settings: Settings) -> "SearchService | None":
    """Build or catch up the search index; the site still serves pages if that fails."""
    from app import search

    try:
        return search.startup(database, settings)
    except Exception:
        log.exception("search start-up failed; search stays unavailable until the next start")
        return None


def start_search_drain(
    service: "SearchService | None", database: Database
) -> "PeriodicDrain | None":
    """Drain outbox rows left by a held lock or a failed write, every few seconds."""
    if service is None:
        return None
    from app.search.periodic import PeriodicDrain

    drain = PeriodicDrain(service, database)
    drain.start()
    return drain


# What each kind of job does ----------------------------------------------------------------


@dataclass(slots=True)
class JobContext:
    database: Database
    settings: Settings
    job: jobs.Claimed
    stop: threading.Event

    def checkpoint(self, pause_seconds: float = 0.0) -> None:
        """Wait ``pause_seconds`` (cut short by a stop), then give the job back if the runner is
        stopping."""
        if pause_seconds and self.stop.wait(pause_seconds):
            raise jobs.Interrupted
        if self.stop.is_set():
            raise jobs.Interrupted


@dataclass(frozen=True, slots=True)
class Handler:
    run: Callable[[JobContext], None]
    # Called when the job failed for good, also when its runner died on the last attempt.
    on_failed: Callable[[Database, dict, str], None] | None = None


def _export(ctx: JobContext) -> None:
    ledger.run_export(
        ctx.database,
        ctx.job.payload["export_id"],
        ledger_jobs.export_directory(ctx.settings),
        after_section=lambda: ctx.checkpoint(ctx.settings.export_pause_seconds),
        fail_visibly=ctx.job.is_last_attempt,
    )


def _export_failed(database: Database, payload: dict, error: str) -> None:
    ledger.mark_failed(database, payload["export_id"], f"导出未能完成：{error}"[:500])


def _mail(ctx: JobContext) -> None:
    writer = ctx.database.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    mail.deliver_due(writer, ctx.settings)


def _notice_periods(ctx: JobContext) -> None:
    with ctx.database.unit_of_work() as session:
        certification.take_effect_when_due(session=session)


def _expire_orders(ctx: JobContext) -> None:
    with ctx.database.unit_of_work() as session:
        orders.expire_overdue(
            session=session, now=utcnow(), confirm_hours=ctx.settings.order_confirm_hours
        )


def _retention(ctx: JobContext) -> None:
    with ctx.database.unit_of_work() as session:
        retention.purge_expired(session=session, actor=SYSTEM, now=utcnow(), settings=ctx.settings)


def _export_files(ctx: JobContext) -> None:
    ledger_jobs.purge_old_exports(ctx.database, ctx.settings, actor=SYSTEM, now=utcnow())


HANDLERS: dict[str, Handler] = {
    ledger.EXPORT_KIND: Handler(_export, _export_failed),
    mail.DELIVER_KIND: Handler(_mail),
    "certification.notice_periods": Handler(_notice_periods),
    "orders.expire": Handler(_expire_orders),
    "retention.purge": Handler(_retention),
    "ledger.export_files": Handler(_export_files),
}


@dataclass(frozen=True, slots=True)
class Periodic:
    kind: str
    seconds: Callable[[Settings], int]


# One row per period: a missed or failed period is made up by the next one, never retried.
PERIODIC = (
    Periodic("certification.notice_periods", lambda s: s.mail_retry_seconds),
    Periodic(mail.DELIVER_KIND, lambda s: s.mail_retry_seconds),
    Periodic("orders.expire", lambda s: s.mail_retry_seconds),
    Periodic("retention.purge", lambda s: s.retention_interval_seconds),
    Periodic("ledger.export_files", lambda s: s.retention_interval_seconds),
)


# The runner --------------------------------------------------------------------------------


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:120]


class JobRunner:
    """Claims and runs due jobs of ``database``, one at a time, until ``stop`` is set."""

    def __init__(self, database: Database, settings: Settings, name: str | None = None):
        self.database = database
        self.settings = settings
        self.name = name or runner_name()
        self.stop = threading.Event()
        # The period each periodic kind was last scheduled for by this runner: one insert (a
        # write) per period, not per poll.
        self._scheduled: dict[str, object] = {}

    def schedule(self) -> None:
        """Insert this period's row of each periodic job (if no runner did yet)."""
        now = utcnow()
        for periodic in PERIODIC:
            seconds = periodic.seconds(self.settings)
            start = jobs.period_start(now, seconds)
            if self._scheduled.get(periodic.kind) == start:
                continue
            jobs.ensure_period(self.database, periodic.kind, seconds, now, max_attempts=1)
            self._scheduled[periodic.kind] = start

    def run_one(self) -> bool:
        """Run the next due job; False when there was none."""
        if not jobs.has_due(self.database, utcnow()):
            return False
        for job in jobs.abandon_expired(self.database, utcnow()):
            self._failed_for_good(job, jobs.ABANDONED)
        job = jobs.claim(self.database, self.name, self.settings.job_lease_seconds, utcnow())
        if job is None:
            return False
        handler = HANDLERS.get(job.kind)
        log.info("job %s (%s) attempt %s started by %s", job.id, job.kind, job.attempts, self.name)
        try:
            if handler is None:
                raise LookupError(f"未知的任务类型 {job.kind}")
            with self._lease(job):
                handler.run(JobContext(self.database, self.settings, job, self.stop))
        except jobs.Interrupted:
            log.info("job %s (%s) interrupted; back in the queue", job.id, job.kind)
            jobs.release(self.database, job, self.name)
        except Exception as exc:
            log.exception("job %s (%s) failed", job.id, job.kind)
            error = f"{type(exc).__name__}: {exc}"
            if jobs.fail(self.database, job, self.name, error) == jobs.JobState.failed:
                self._failed_for_good(job, error)
        else:
            jobs.complete(self.database, job, self.name)
            log.info("job %s (%s) done", job.id, job.kind)
        return True

    def _failed_for_good(self, job: jobs.Claimed, error: str) -> None:
        handler = HANDLERS.get(job.kind)
        if handler is not None and handler.on_failed is not None:
            try:
                handler.on_failed(self.database, job.payload, error)
            except Exception:
                log.exception("marking job %s (%s) failed did not work", job.id, job.kind)

    @contextmanager
    def _lease(self, job: jobs.Claimed) -> Iterator[None]:
        """Renew the job's lease every third of it while the job runs."""
        done = threading.Event()
        every = self.settings.job_lease_seconds / 3

        def renew() -> None:
            while not done.wait(every):
                try:
                    if not jobs.renew(
                        self.database, job, self.name, self.settings.job_lease_seconds
                    ):
                        log.warning("job %s: lease lost to another runner", job.id)
                        return
                except Exception:
                    log.exception("job %s: renewing the lease failed", job.id)

        thread = threading.Thread(target=renew, name=f"lease-{job.id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def run_pending(self, limit: int = 1000, *, periodic: bool = True) -> int:
        """Schedule this period's jobs (unless not ``periodic``), then run every due job (at most
        ``limit``); how many ran."""
        if periodic:
            self.schedule()
        ran = 0
        while ran < limit and not self.stop.is_set() and self.run_one():
            ran += 1
        return ran

    def run_until_stopped(self) -> None:
        while not self.stop.is_set():
            try:
                self.run_pending()
            except Exception:
                log.exception("the job runner failed; trying again shortly")
            self.stop.wait(self.settings.job_poll_seconds)


class Background:
    """A job runner in a thread of its own, and the search drain beside it, once started."""

    def __init__(self, database: Database, settings: Settings, search: "SearchService | None"):
        self.database = database
        self.search = search
        self.runner = JobRunner(database, settings)
        self.drain: PeriodicDrain | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.drain = start_search_drain(self.search, self.database)
        self.thread = threading.Thread(
            target=self.runner.run_until_stopped, name="job-runner", daemon=True
        )
        self.thread.start()

    async def stop(self) -> None:
        """Stop taking jobs; a running export is given back to the queue at its next section."""
        self.runner.stop.set()
        if self.thread is not None:
            await run_in_threadpool(self.thread.join)
        if self.drain is not None:
            await self.drain.stop()


async def run_worker(database: Database, settings: Settings, stop: asyncio.Event) -> None:
    """``cunqi worker``: run jobs (and drain the search outbox) until ``stop`` is set."""
    search = await run_in_threadpool(start_search, database, settings)
    background = Background(database, settings, search)
    background.start()
    log.info("worker %s running jobs", background.runner.name)
    started = time.monotonic()
    try:
        await stop.wait()
    finally:
        await background.stop()
        log.info(
            "worker %s stopped after %.0f s", background.runner.name, time.monotonic() - started
        )
