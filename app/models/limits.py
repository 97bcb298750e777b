"""Counters of rate limits, kept in the database so every process and host shares them."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, utcnow


class RateLimitCounter(SQLModel, table=True):
    """Hits of one key (an address, an account, a contact) in one window of one limit.

    Fixed-window limits have a row per window; sign-in delays keep one row per key (the window
    column holds the epoch) whose ``hits`` are the attempts not yet cleared by a success and
    ``blocked_until`` the moment the next attempt may start. A row untouched for longer than its
    window means nothing any more: ``updated_at`` is the column to purge by.
    """

    __tablename__ = "rate_limit_counters"
    __table_args__ = (
        sa.CheckConstraint("hits >= 0", name="hits_non_negative"),
        sa.Index("ix_rate_limit_counters_updated_at", "updated_at"),
    )

    scope: str = Field(primary_key=True, max_length=40)
    key: str = Field(primary_key=True, max_length=120)
    window_start: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    hits: int = Field(default=0)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
