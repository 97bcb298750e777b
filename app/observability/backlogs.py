"""The database's queues, measured when asked (``/metrics`` and ``/readyz``), never cached.

Each backlog is a count of rows still waiting; a new queue (a jobs table, say) is one more entry
in ``BACKLOGS`` (or ``register_backlog``) and appears in both endpoints. Counting at scrape time
keeps the numbers right however many worker processes serve: they all read the same database.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models.audit import SearchOutbox
from app.models.base import utcnow
from app.models.exports import ExportJob, ExportStatus
from app.models.jobs import Job, JobState
from app.models.notifications import MailMessage


@dataclass(frozen=True)
class Backlog:
    name: str  # the metric's label and the readiness check's name
    description: str
    count: Callable[[Session], int]


def _count(session: Session, model, *where) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


BACKLOGS: list[Backlog] = [
    Backlog(
        "search_outbox",
        "search-index changes not yet applied",
        lambda session: _count(session, SearchOutbox),
    ),
    Backlog(
        "mail_outbox",
        "mails not yet sent",
        lambda session: _count(session, MailMessage, MailMessage.sent_at.is_(None)),
    ),
    Backlog(
        "export_jobs",
        "ledger exports queued or running",
        lambda session: _count(
            session,
            ExportJob,
            ExportJob.status.in_([ExportStatus.queued, ExportStatus.running]),
        ),
    ),
    Backlog(
        "jobs",
        "background jobs queued and due",
        lambda session: _count(
            session, Job, Job.state == JobState.queued, Job.run_after <= utcnow()
        ),
    ),
]


def register_backlog(backlog: Backlog) -> None:
    """Add a queue to the metrics and the readiness checks (once per name)."""
    if all(known.name != backlog.name for known in BACKLOGS):
        BACKLOGS.append(backlog)


def backlog_counts(session: Session) -> dict[str, int]:
    return {backlog.name: backlog.count(session) for backlog in BACKLOGS}


def search_lag_seconds(session: Session, now: datetime | None = None) -> float:
    """How long the oldest search-index change has been waiting (0 when none waits)."""
    oldest = session.execute(sa.select(sa.func.min(SearchOutbox.created_at))).scalar_one()
    if oldest is None:
        return 0.0
    return max(0.0, ((now or utcnow()) - oldest).total_seconds())
