"""Writing many checked rows at once (a bulk import's): batched inserts and one ``CreatedInBulk``
event, which each subscriber answers in batches too."""

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.actors import Actor
from app.services.bus import publish
from app.services.domain_events import CreatedInBulk, Creation


def insert_new(session: Session, rows: list[SQLModel]) -> None:
    """Insert new rows of one model in batched statements and give each its id.

    A bulk import's writing must be short (SQLite has one write lock for everyone): the ORM
    inserts one row per statement there, this one statement per batch. The rows stay outside the
    session; only their ids are set.
    """
    if not rows:
        return
    table = type(rows[0]).__table__
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # SQLAlchemy cannot keep RETURNING in parameter order on SQLite and falls back to one
        # statement per row. The unit of work holds SQLite's write lock (BEGIN IMMEDIATE), so no
        # one else inserts meanwhile: the ids are given here, after the largest in the table.
        last = connection.execute(sa.select(sa.func.max(table.c.id))).scalar_one() or 0
        for offset, row in enumerate(rows, start=1):
            row.id = last + offset
        columns = [c.name for c in table.columns]
        connection.execute(
            table.insert(), [{name: getattr(row, name) for name in columns} for row in rows]
        )
        return
    columns = [c.name for c in table.columns if c.name != "id"]
    values = [{name: getattr(row, name) for name in columns} for row in rows]
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    ids = connection.execute(statement, values).scalars().all()
    for row, new_id in zip(rows, ids, strict=True):
        row.id = new_id


def add_created(session: Session, *, actor: Actor, creations: list[Creation]) -> None:
    """Write rows checked beforehand, then publish their creation: audit rows, outbox rows for
    the searchable ones, all batched."""
    insert_new(session, [c.obj for c in creations])
    if creations:
        publish(session, CreatedInBulk.by(actor, creations))
