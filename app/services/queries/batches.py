"""Loading rows in batches: by keys, a page of a list, and a page of children for many parents."""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class Slice:
    """One page of a list: its rows, the size of the whole list, and whether more follow."""

    rows: list[Any]
    total: int | None
    has_next: bool


EMPTY = Slice(rows=[], total=0, has_next=False)


@lru_cache(maxsize=64)
def _by_keys_statement(column) -> sa.Select:
    return sa.select(column.class_).where(column.in_(sa.bindparam("keys", expanding=True)))


def by_keys(session: Session, column, keys: Iterable[Hashable]) -> dict:
    """Rows of ``column``'s table whose ``column`` is one of ``keys``, keyed by it."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    rows = session.execute(_by_keys_statement(column), {"keys": wanted}).scalars()
    return {getattr(row, column.key): row for row in rows}


def page(session: Session, query: sa.Select, *, limit: int, offset: int) -> Slice:
    """``limit`` rows of ``query`` after ``offset``; the total is left to ``count``."""
    rows = list(session.execute(query.limit(limit + 1).offset(offset)).scalars())
    return Slice(rows=rows[:limit], total=None, has_next=len(rows) > limit)


def count(session: Session, query: sa.Select) -> int:
    """How many rows ``query`` returns."""
    counted = sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    return session.execute(counted).scalar_one()


def windowed(
    query: sa.Select, *, parent: sa.ColumnElement, order_by: Sequence[sa.ColumnElement]
) -> sa.Select:
    """The statement behind ``pages_by_parent``: children of the ``parents`` numbered per parent
    by a window function. Build it once and run it for many parents and pages: building and
    caching a statement this size costs more than running it.

    ``query`` selects one table model with its filters and scope applied, and no order. The first
    row of each parent comes back even when the page lies past it, so every parent with children
    learns its total.
    """
    entity = query.column_descriptions[0]["entity"]
    numbered = (
        query.where(parent.in_(sa.bindparam("parents", expanding=True)))
        .add_columns(
            parent.label("batch_parent"),
            sa.func.row_number().over(partition_by=parent, order_by=order_by).label("batch_row"),
            sa.func.count().over(partition_by=parent).label("batch_total"),
        )
        .subquery()
    )
    row = aliased(entity, numbered)
    position = numbered.c.batch_row
    in_page = position.between(sa.bindparam("first_row"), sa.bindparam("last_row"))
    return (
        sa.select(row, numbered.c.batch_parent, position, numbered.c.batch_total)
        .where(sa.or_(in_page, position == 1))
        .order_by(numbered.c.batch_parent, position)
    )


def pages_by_parent(
    session: Session,
    statement: sa.Select,
    *,
    parents: Iterable[Hashable],
    limit: int,
    offset: int,
) -> dict[Hashable, Slice]:
    """One page of children for each of many parents, with each parent's total, in one
    statement (made by ``windowed``)."""
    wanted = list(dict.fromkeys(parents))
    if not wanted:
        return {}
    params = {"parents": wanted, "first_row": offset + 1, "last_row": offset + limit}
    found: dict[Hashable, tuple[list, int]] = {}
    for obj, key, number, total in session.execute(statement, params):
        rows, _ = found.setdefault(key, ([], total))
        if number > offset:
            rows.append(obj)
    return {
        key: Slice(rows=rows, total=total, has_next=offset + len(rows) < total)
        for key, (rows, total) in found.items()
    }
