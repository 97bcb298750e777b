"""Audit records (操作记录): the subscriber writing one ``Event`` row per published domain event.

It runs first of the subscribers (``app.services.bus``): a notification refers to the row it
writes. Rows written in the caller's transaction roll back with it.
"""

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel

from app.models import Event
from app.models.base import utcnow
from app.services.domain_events import CreatedInBulk, Delivery, DomainEvent, Subscription


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


def add_record(session: Session, event: DomainEvent) -> Event:
    """Write the audit row of ``event`` (flushing first, so a new object has its id)."""
    session.flush()
    record = Event(
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=type(event.obj).__name__,
        object_id=str(event.obj.id),
        county_code=event.county_code,
        summary=event.summary,
        before=event.before,
        after=event.after,
    )
    session.add(record)
    return record


def record(session: Session, delivery: Delivery) -> None:
    delivery.record = add_record(session, delivery.event)


def record_bulk(session: Session, delivery: Delivery) -> None:
    """The audit rows of rows written in bulk, in one statement per batch."""
    event: CreatedInBulk = delivery.event
    if not event.creations:
        return
    now = utcnow()
    values = [
        {
            "occurred_at": now,
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "action": c.action,
            "object_type": type(c.obj).__name__,
            "object_id": str(c.obj.id),
            "county_code": c.county_code,
            "summary": c.summary,
            "before": None,
            "after": snapshot(c.obj),
        }
        for c in event.creations
    ]
    session.connection().execute(Event.__table__.insert(), values)


SUBSCRIPTIONS = (
    Subscription(DomainEvent, record),
    Subscription(CreatedInBulk, record_bulk),
)
