"""Sets of enumeration members stored as integer bit masks.

Help kinds, certifications and harvest months are small fixed sets that pages and the API filter on;
a bit mask filters in plain SQL on SQLite and PostgreSQL alike (``mask & :wanted != 0``).
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import TypeVar

import sqlalchemy as sa

E = TypeVar("E", bound=StrEnum)

ALL_MONTHS = (1 << 12) - 1


def to_mask(members: Iterable[E | str], enum: type[E]) -> int:
    """Turn members (or their values) into a bit mask in the enumeration's declared order."""
    order = list(enum)
    mask = 0
    for member in members:
        mask |= 1 << order.index(enum(member))
    return mask


def from_mask(mask: int, enum: type[E]) -> list[E]:
    """Return the members whose bits are set, in declared order."""
    return [member for i, member in enumerate(enum) if mask & (1 << i)]


def full_mask(enum: type[StrEnum]) -> int:
    return (1 << len(enum)) - 1


def months_to_mask(months: Iterable[int]) -> int:
    mask = 0
    for month in months:
        if not 1 <= month <= 12:
            raise ValueError(f"month out of range: {month}")
        mask |= 1 << (month - 1)
    return mask


def mask_to_months(mask: int) -> list[int]:
    return [m for m in range(1, 13) if mask & (1 << (m - 1))]


def has_any(column, mask: int):
    """SQL: the column's mask shares at least one bit with ``mask``."""
    return column.op("&")(sa.literal(mask, sa.Integer)) != 0


def has_all(column, mask: int):
    """SQL: the column's mask contains every bit of ``mask``."""
    return column.op("&")(sa.literal(mask, sa.Integer)) == mask
