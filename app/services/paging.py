"""One page of a list: the rows, how many there are in all, and where this page sits."""

from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

T = TypeVar("T")
PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


MAX_PAGE = 1_000_000


def page_number(raw: object) -> int:
    """A page number from a query string; anything odd is page 1."""
    text = str(raw)
    try:
        number = int(text) if len(text) <= 12 else 1
    except (TypeError, ValueError):
        return 1
    # A page past MAX_PAGE would ask the database for an OFFSET beyond its integers.
    return min(max(1, number), MAX_PAGE)


def paginate(session: Session, query: sa.Select, *, number: int, size: int = PAGE_SIZE) -> Page:
    """Run ``query`` (ordered, one entity per row) for one page, with the total count."""
    total = session.execute(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    rows = session.execute(query.limit(size).offset((number - 1) * size)).scalars().all()
    return Page(items=list(rows), total=total, number=number, size=size)
