"""The to-do inbox (待办): what waits for the actor, derived from current state, never stored.

Each kind of to-do is one SQL query over the tables that hold the state (a proposal is waiting
for its village's signature as long as its status is ``proposed``), so the inbox cannot go stale
and needs no bookkeeping when something is done. Each domain declares its kinds
(``INBOX_KINDS`` in ``app/services/<domain>_domain.py``). ``inbox_count`` sums the kinds in one
statement of aggregates; ``inbox`` lists a few items of each kind, each linking to the page where
the action is taken.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session

from app.actors import Actor, Role
from app.services.domains import inbox_kinds
from app.services.pairing.periods import last_closed_quarter, local_today

ITEMS_PER_KIND = 20


@dataclass(frozen=True, slots=True)
class InboxItem:
    title: str
    detail: str
    link: str
    since: datetime | None


@dataclass(frozen=True, slots=True)
class InboxGroup:
    """One kind of to-do: its count and one page of its items (oldest first)."""

    key: str
    label: str
    count: int
    items: list[InboxItem]
    number: int = 1  # the page shown
    size: int = ITEMS_PER_KIND

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of to-do: who has it and the query of its rows.

    ``query(actor, today)`` selects ``title``, ``detail``, ``link_id`` and ``since`` columns
    (and ``period`` where an item is about one quarter); ``link`` is the page's URL with ``{id}``
    for ``link_id`` and ``{period}`` for the item's quarter (``2026Q3``).
    """

    key: str
    label: str
    role: Role
    link: str
    query: Callable[[Actor, date], sa.Select]


def kinds_for(actor: Actor) -> list[Kind]:
    """The kinds of to-do the actor's role has (none for the anonymous, admins and the system),
    in the order of the domains that declare them (``INBOX_KINDS``, app/services/domains.py)."""
    return [kind for kind in inbox_kinds() if kind.role == actor.role]


def inbox_counts(*, session: Session, actor: Actor, today: date | None = None) -> dict[str, int]:
    """How many to-dos of each kind, in one statement of aggregates."""
    kinds = kinds_for(actor)
    if not kinds:
        return {}
    today = today or local_today()
    counts = sa.union_all(*(_counted(kind.key, kind.query(actor, today)) for kind in kinds))
    return {row.key: row.n for row in session.execute(counts)}


def _counted(key: str, query: sa.Select) -> sa.Select:
    """``SELECT key, count(*)`` over the rows of ``query`` without the joins only its columns use.

    Every join of the kinds is many-to-one along a foreign key that is never null (or outer), so
    each row keeps exactly one partner and leaving out a joined table no condition reads changes no
    count; the count then reads the status index alone (a city officer's 10 000 reports to verify
    need no lookup of their agreement and village).
    """
    (source,) = query.get_final_froms()
    where = query.whereclause
    needed = set(_tables(where)) if where is not None else set()

    def prune(node):
        if not isinstance(node, sa.Join):
            return node
        if node.right not in needed:
            return prune(node.left)
        needed.update(_tables(node.onclause))
        return sa.join(prune(node.left), node.right, node.onclause, isouter=node.isouter)

    counted = sa.select(sa.literal(key).label("key"), sa.func.count().label("n"))
    counted = counted.select_from(prune(source))
    return counted.where(where) if where is not None else counted


def _tables(clause) -> list:
    return find_tables(clause, check_columns=True, include_aliases=True)


def inbox_count(*, session: Session, actor: Actor, today: date | None = None) -> int:
    """The number on the badge."""
    return sum(inbox_counts(session=session, actor=actor, today=today).values())


def inbox(
    *,
    session: Session,
    actor: Actor,
    today: date | None = None,
    size: int = ITEMS_PER_KIND,
    pages: dict[str, int] | None = None,
) -> list[InboxGroup]:
    """Every kind of to-do the actor's role has, with its count and a page of its items, oldest
    first: page 1 unless ``pages`` names another for the kind (a page past the end shows the
    last one)."""
    today = today or local_today()
    counts = inbox_counts(session=session, actor=actor, today=today)
    pages = pages or {}
    groups = []
    for kind in kinds_for(actor):
        count = counts[kind.key]
        number = min(max(1, pages.get(kind.key, 1)), max(1, -(-count // size)))
        items = _items(session, actor, kind, today, size, number) if count else []
        groups.append(InboxGroup(kind.key, kind.label, count, items, number, size))
    return groups


def inbox_group(
    *,
    session: Session,
    actor: Actor,
    key: str,
    page: int = 1,
    today: date | None = None,
    size: int = ITEMS_PER_KIND,
) -> InboxGroup | None:
    """One kind of the actor's to-dos at page ``page`` (None: the role has no such kind)."""
    groups = inbox(session=session, actor=actor, today=today, size=size, pages={key: page})
    return next((group for group in groups if group.key == key), None)


def _items(
    session: Session, actor: Actor, kind: Kind, today: date, size: int, number: int
) -> list[InboxItem]:
    query = kind.query(actor, today).order_by(
        sa.text("since"), sa.text("link_id"), sa.text("detail")
    )
    default = last_closed_quarter(today).period
    return [
        InboxItem(
            row.title,
            row.detail or "",
            kind.link.format(id=row.link_id, period=getattr(row, "period", None) or default),
            row.since,
        )
        for row in session.execute(query.limit(size).offset((number - 1) * size))
    ]
