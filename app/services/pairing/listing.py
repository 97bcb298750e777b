"""One page of a list: its rows, how many there are in all, and where the page sits."""

from dataclasses import dataclass
from typing import Generic, TypeVar

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


def page_number(raw: object) -> int:
    """A page number from a query string; anything odd is page 1."""
    try:
        return max(1, int(str(raw)))
    except (TypeError, ValueError):
        return 1


def clamp(number: int, total: int, size: int = PAGE_SIZE) -> int:
    """``number`` moved into 1..last page, so a stale link still shows something."""
    return min(max(1, number), max(1, -(-total // size)))
