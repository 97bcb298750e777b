"""The audit trail (操作记录), the search outbox, counters and change stamps."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import EnumString, UTCDateTime, one_of, utcnow
from app.models.enums import OutboxOp


class Event(SQLModel, table=True):
    """One state change: who did what to which object, with the values before and after."""

    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_object", "object_type", "object_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor_label: str = Field(default="", max_length=120)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: str = Field(max_length=40)
    county_code: str | None = Field(default=None, max_length=6, index=True)
    summary: str = Field(default="", max_length=500)
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class SearchOutbox(SQLModel, table=True):
    """A search-index change written in the same transaction as the database change."""

    __tablename__ = "search_outbox"
    __table_args__ = (
        one_of("op", OutboxOp),
        sa.CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    doc_type: str = Field(max_length=20)
    doc_id: int
    op: OutboxOp = Field(default=OutboxOp.upsert, sa_type=EnumString(OutboxOp, 8))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    last_error: str = Field(default="", max_length=500)


class Counter(SQLModel, table=True):
    """A named counter for human-readable numbers (协议编号, 订单号), incremented atomically."""

    __tablename__ = "counters"
    __table_args__ = (sa.CheckConstraint("value >= 0", name="value_non_negative"),)

    name: str = Field(primary_key=True, max_length=40)
    value: int = Field(default=0, sa_type=sa.BigInteger)


class ChangeStamp(SQLModel, table=True):
    """A value the database's own triggers replace whenever a table of the topic changes
    (migration 0009, app/services/stamps.py): caches of figures computed from those tables are
    keyed on it."""

    __tablename__ = "change_stamps"

    topic: str = Field(primary_key=True, max_length=40)
    stamp: str = Field(max_length=40)
