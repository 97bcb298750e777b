"""Audit events (操作记录) and search-outbox rows, written in the caller's transaction."""

from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.models import Event, SearchOutbox
from app.models.enums import OutboxOp


def snapshot(obj: SQLModel, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A JSON-ready copy of a model's column values (or of ``fields`` only)."""
    names = fields or tuple(obj.__table__.columns.keys())
    return {name: _jsonable(getattr(obj, name)) for name in names}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def record_event(
    session: Session,
    *,
    actor_id: int | None,
    actor_label: str,
    action: str,
    obj: SQLModel,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    county_code: str | None = None,
) -> Event:
    """Record one state change of ``obj``, and notify the parties it concerns."""
    # Imported here: the notifications module records events of its own.
    from app.services.notifications import notify_event

    state = sa.inspect(obj)
    if not state.persistent or state.modified:
        # The object's id, and a versioned update's conflict, surface here. An object already
        # flushed and unchanged (a bulk import's rows) lets its event wait for the next flush.
        session.flush()
    event = Event(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(obj.id),
        county_code=county_code,
        summary=summary,
        before=before,
        after=after,
    )
    session.add(event)
    notify_event(session, event, obj)
    return event


def enqueue_search(session: Session, doc_type: str, doc_id: int, op: OutboxOp = OutboxOp.upsert):
    """Queue a search-index change in the same transaction as the database change."""
    session.add(SearchOutbox(doc_type=doc_type, doc_id=doc_id, op=op))
