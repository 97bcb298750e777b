"""Background jobs (docs/decisions/0028-durable-background-work.md): one row per job.

A job is claimed by one runner at a time for a lease; a runner that dies leaves the lease to
expire, and the job is claimed again (or marked failed after ``max_attempts``). A periodic job
has one row per (kind, period start): the unique constraint makes it run once per period across
every process and host.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import EnumString, UTCDateTime, one_of, utcnow


class JobState(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(SQLModel, table=True):
    __tablename__ = "jobs"
    __table_args__ = (
        one_of("state", JobState),
        sa.CheckConstraint("attempts >= 0 AND max_attempts >= 1", name="attempts_valid"),
        # NULL period_start (a one-off job) never collides: NULLs are distinct in both backends.
        sa.UniqueConstraint("kind", "period_start", name="uq_jobs_kind_period_start"),
        sa.Index("ix_jobs_state_run_after", "state", "run_after"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)
    payload: dict = Field(default_factory=dict, sa_type=sa.JSON)
    state: JobState = Field(default=JobState.queued, sa_type=EnumString(JobState))
    attempts: int = Field(default=0)
    max_attempts: int = Field(default=3)
    run_after: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    period_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_by: str = Field(default="", max_length=120)
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
