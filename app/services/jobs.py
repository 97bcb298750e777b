"""The job queue (docs/decisions/0028-durable-background-work.md): rows of ``jobs`` claimed under
a lease, safe across processes and hosts.

A claim is one conditional ``UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING``: on PostgreSQL the
subquery locks its row ``FOR UPDATE SKIP LOCKED`` so runners never wait for each other; on SQLite
the whole statement runs under the single write lock (``BEGIN IMMEDIATE``). A running job whose
lease expired belonged to a runner that died: it is claimed again, or marked failed once it has
used up its attempts. Periodic jobs get one row per (kind, period start), inserted with ``ON
CONFLICT DO NOTHING``, so each runs once per period however many runners ask.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.db import Database
from app.models import Job, JobState
from app.models.base import utcnow

log = logging.getLogger(__name__)

MAX_ERROR = 500
# A failed attempt waits this long times the attempts so far before the next one.
RETRY_STEP = timedelta(seconds=30)
ABANDONED = "执行该任务的进程已中断，且已达到最多尝试次数"


class Interrupted(Exception):
    """Raised inside a job when its runner is asked to stop: the job goes back to the queue."""


@dataclass(frozen=True, slots=True)
class Claimed:
    """A job as its runner holds it."""

    id: int
    kind: str
    payload: dict
    attempts: int
    max_attempts: int

    @property
    def is_last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts


def enqueue(
    session: Session,
    kind: str,
    payload: dict | None = None,
    *,
    max_attempts: int = 3,
    run_after: datetime | None = None,
) -> Job:
    """Add a job in the caller's unit of work: it exists exactly when the work that asked for it
    commits."""
    job = Job(
        kind=kind,
        payload=payload or {},
        max_attempts=max_attempts,
        run_after=run_after or utcnow(),
    )
    session.add(job)
    return job


def period_start(now: datetime, seconds: int) -> datetime:
    """The start of the period of ``seconds`` that ``now`` falls in (periods start at the epoch)."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


def ensure_period(
    database: Database, kind: str, seconds: int, now: datetime, *, max_attempts: int = 3
) -> bool:
    """Insert the periodic job of ``now``'s period unless some runner already did; True if this
    call inserted it."""
    start = period_start(now, seconds)
    values = {
        "kind": kind,
        "payload": {},
        "state": JobState.queued.value,
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_after": start,
        "period_start": start,
        "locked_by": "",
        "error": "",
        "created_at": now,
    }
    dialect = postgresql if database.engine.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(Job.__table__).values(**values)
    insert = insert.on_conflict_do_nothing(index_elements=["kind", "period_start"])
    insert = insert.returning(Job.__table__.c.id)  # no row back: another runner was first
    with database.unit_of_work() as session:
        return session.execute(insert).first() is not None


def has_due(database: Database, now: datetime) -> bool:
    """Whether any job is due or any lease has run out: a read, so an idle runner's poll never
    takes SQLite's write lock."""
    query = sa.select(Job.id).where(
        sa.or_(
            sa.and_(Job.state == JobState.queued, Job.run_after <= now),
            sa.and_(Job.state == JobState.running, Job.lease_expires_at < now),
        )
    )
    with database.read_only() as session:
        return session.execute(query.limit(1)).first() is not None


def claim(database: Database, runner: str, lease_seconds: int, now: datetime) -> Claimed | None:
    """Take the next due job for ``runner`` under a lease of ``lease_seconds``, or None."""
    # An alias: the subquery must read the table itself, not correlate with the UPDATE's row.
    row = Job.__table__.alias("candidate")
    due = sa.or_(
        sa.and_(row.c.state == JobState.queued, row.c.run_after <= now),
        sa.and_(
            row.c.state == JobState.running,
            row.c.lease_expires_at < now,
            row.c.attempts < row.c.max_attempts,
        ),
    )
    candidate = (
        sa.select(row.c.id)
        .where(due)
        .order_by(row.c.run_after, row.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    update = (
        sa.update(Job)
        .where(Job.id == candidate)
        .values(
            state=JobState.running,
            locked_by=runner,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=Job.attempts + 1,
            started_at=now,
        )
        .returning(Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
    )
    with database.unit_of_work() as session:
        claimed = session.execute(update).first()
    return None if claimed is None else Claimed(*claimed)


def abandon_expired(database: Database, now: datetime) -> list[Claimed]:
    """Mark failed the running jobs whose runner died on their last attempt; those jobs."""
    update = (
        sa.update(Job)
        .where(
            Job.state == JobState.running,
            Job.lease_expires_at < now,
            Job.attempts >= Job.max_attempts,
        )
        .values(state=JobState.failed, error=ABANDONED, finished_at=now, lease_expires_at=None)
        .returning(Job.id, Job.kind, Job.payload, Job.attempts, Job.max_attempts)
    )
    with database.unit_of_work() as session:
        rows = session.execute(update).all()
    for row in rows:
        log.warning("job %s (%s) abandoned by a runner that stopped; marked failed", row[0], row[1])
    return [Claimed(*row) for row in rows]


def _mine(job: Claimed, runner: str):
    return sa.and_(Job.id == job.id, Job.locked_by == runner, Job.state == JobState.running)


def renew(database: Database, job: Claimed, runner: str, lease_seconds: int) -> bool:
    """Extend the lease of a job still held by ``runner``; False if it was taken from it."""
    until = utcnow() + timedelta(seconds=lease_seconds)
    update = sa.update(Job).where(_mine(job, runner)).values(lease_expires_at=until)
    with database.unit_of_work() as session:
        return session.execute(update).rowcount == 1


def complete(database: Database, job: Claimed, runner: str) -> None:
    values = {"state": JobState.done, "finished_at": utcnow(), "lease_expires_at": None}
    with database.unit_of_work() as session:
        session.execute(sa.update(Job).where(_mine(job, runner)).values(**values))


def fail(database: Database, job: Claimed, runner: str, error: str) -> JobState:
    """Record a failed attempt: queued again after a growing wait, or failed after the last."""
    now = utcnow()
    if job.is_last_attempt:
        values = {"state": JobState.failed, "finished_at": now}
    else:
        values = {"state": JobState.queued, "run_after": now + RETRY_STEP * job.attempts}
    values |= {"error": error[:MAX_ERROR], "lease_expires_at": None, "locked_by": ""}
    with database.unit_of_work() as session:
        session.execute(sa.update(Job).where(_mine(job, runner)).values(**values))
    return values["state"]


def release(database: Database, job: Claimed, runner: str) -> None:
    """Give an interrupted job back to the queue without counting the attempt."""
    values = {
        "state": JobState.queued,
        "attempts": Job.attempts - 1,
        "lease_expires_at": None,
        "locked_by": "",
    }
    with database.unit_of_work() as session:
        session.execute(sa.update(Job).where(_mine(job, runner)).values(**values))
