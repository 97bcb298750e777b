"""Audit events (操作记录) and search-outbox rows, written in the caller's transaction."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel

from app.actors import Actor
from app.models import Event, SearchOutbox
from app.models.base import utcnow
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
    """Record one state change of ``obj``, and notify the parties it concerns; flushes."""
    # Imported here: the notifications module records events of its own.
    from app.services.notifications import notify_event

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


@dataclass(frozen=True, slots=True)
class Creation:
    """The audit of one new row written in bulk: what ``record_event`` would be given."""

    action: str
    obj: SQLModel
    summary: str
    county_code: str | None


def insert_new(session: Session, rows: list[SQLModel]) -> None:
    """Insert new rows of one model in batched statements and give each its id.

    A bulk import's writing must be short (SQLite has one write lock for everyone): the ORM
    inserts one row per statement there, this one statement per batch. The rows stay outside the
    session; only their ids are set.
    """
    if not rows:
        return
    table = type(rows[0]).__table__
    columns = [c.name for c in table.columns if c.name != "id"]
    values = [{name: getattr(row, name) for name in columns} for row in rows]
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    ids = session.connection().execute(statement, values).scalars().all()
    for row, new_id in zip(rows, ids, strict=True):
        row.id = new_id


def record_creations(
    session: Session, *, actor_id: int | None, actor_label: str, creations: list[Creation]
) -> None:
    """Record the events of rows written by ``insert_new``, in one statement per batch."""
    from app.services.notifications import RULES

    if any(c.action in RULES for c in creations):
        for c in creations:  # someone is notified: the one-by-one path writes the notifications
            record_event(
                session,
                actor_id=actor_id,
                actor_label=actor_label,
                action=c.action,
                obj=c.obj,
                summary=c.summary,
                after=snapshot(c.obj),
                county_code=c.county_code,
            )
        return
    now = utcnow()
    values = [
        {
            "occurred_at": now,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": c.action,
            "object_type": type(c.obj).__name__,
            "object_id": str(c.obj.id),
            "county_code": c.county_code,
            "summary": c.summary,
            "before": None,
            "after": snapshot(c.obj),
        }
        for c in creations
    ]
    if values:
        session.connection().execute(Event.__table__.insert(), values)


def enqueue_search_many(session: Session, doc_type: str, ops: list[tuple[int, OutboxOp]]) -> None:
    """``enqueue_search`` for many documents, in one statement per batch."""
    if ops:
        session.connection().execute(
            SearchOutbox.__table__.insert(),
            [{"doc_type": doc_type, "doc_id": doc_id, "op": op} for doc_id, op in ops],
        )


def add_created(
    session: Session, *, actor: Actor, creations: list[Creation], doc_type: str | None = None
) -> None:
    """Write rows checked beforehand (a bulk import's): batched inserts, their events and, for
    searchable rows, their outbox rows."""
    insert_new(session, [c.obj for c in creations])
    record_creations(session, actor_id=actor.user_id, actor_label=actor.label, creations=creations)
    if doc_type is not None:
        enqueue_search_many(session, doc_type, [(c.obj.id, OutboxOp.upsert) for c in creations])
