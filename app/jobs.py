"""Work a serving process does besides answering requests, started by the composition root.

Search start-up (build or catch up the index), the periodic search drain, and the periodic jobs
(notice periods that end, mail to retry, the retention purge). Neither adapter starts any of it:
app/asgi.py runs it in the application's lifespan.
"""

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool

from app.actors import SYSTEM
from app.config import Settings
from app.db import SQLITE_BEGIN, Database
from app.models.base import utcnow
from app.services import certification, mail, retention
from app.services.retention import RetentionSchedule

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


def run_due_jobs(
    database: Database, settings: Settings, schedule: RetentionSchedule | None = None
) -> None:
    """End due notice periods, send the mails whose retry time has come, and purge what is past
    its retention period when ``schedule`` says it is time."""
    with database.unit_of_work() as session:
        certification.take_effect_when_due(session=session)
    writer = database.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    mail.deliver_due(writer, settings)
    now = utcnow()
    if schedule is not None and schedule.due(now):
        with database.unit_of_work() as session:
            retention.purge_expired(session=session, actor=SYSTEM, now=now, settings=settings)


async def periodic_jobs(database: Database, settings: Settings, stop: asyncio.Event) -> None:
    """Run ``run_due_jobs`` every ``mail_retry_seconds`` until ``stop`` is set (the lifespan).

    Shutdown sets ``stop`` and awaits this coroutine instead of cancelling it: a cancelled await
    would leave the job's thread running on while the database is disposed underneath it.
    """
    schedule = RetentionSchedule(settings)
    while not stop.is_set():
        try:
            await run_in_threadpool(run_due_jobs, database, settings, schedule)
        except Exception:
            log.exception("periodic jobs failed; retrying at the next interval")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.mail_retry_seconds)
