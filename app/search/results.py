"""Pieces shared by product and pairing search: facets, pages, and the database re-check."""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from app.models import County
from app.search.documents import EXTERNAL_REGION
from app.search.views import IndexView

MAX_PER_PAGE = 100
# Deep pages cost more than they are worth; past this, narrow the query instead.
MAX_RESULT_WINDOW = 5000

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One checkbox of a facet: how many results the value would give with the other filters."""

    value: str
    label: str
    count: int
    selected: bool


def check_page(page: int, per_page: int, offset: int | None) -> tuple[int, int]:
    """(offset, limit) of a page; ``offset`` (for cursor pagination) wins over ``page``."""
    if per_page < 1 or per_page > MAX_PER_PAGE:
        raise ValueError(f"per_page must be 1–{MAX_PER_PAGE}")
    if offset is None:
        if page < 1:
            raise ValueError("page starts at 1")
        offset = (page - 1) * per_page
    if offset < 0:
        raise ValueError("offset must not be negative")
    return min(offset, MAX_RESULT_WINDOW), per_page


def all_filters(filters: dict[str, int | None], *, without: str | None = None) -> int:
    """The intersection of the active filters (-1, all bits, when none is active)."""
    mask = -1
    for name, value in filters.items():
        if value is not None and name != without:
            mask &= value
    return mask


COUNTY_NAMES_SECONDS = 600


def county_names(view: IndexView, session: Session) -> dict[str, str]:
    """County code → name, read again at most every ten minutes (counties are seeded once)."""
    cached = view.shared.get("county_names")
    if cached is None or time.monotonic() - cached[0] > COUNTY_NAMES_SECONDS:
        names = dict(session.execute(sa.select(County.code, County.name)).all())
        cached = view.shared["county_names"] = (time.monotonic(), names)
    return cached[1]


def facet(
    view: IndexView,
    scope: int,
    masks: dict[str, int],
    labels: dict[str, str],
    selected: Sequence[str],
) -> list[FacetValue]:
    """Counts of each value's documents within ``scope``, in the order of ``masks``; values with
    no results are left out unless ticked."""
    facet_values = []
    for value, mask in masks.items():
        count = (scope & mask).bit_count()
        if count or value in selected:
            facet_values.append(
                FacetValue(value, labels.get(value, value), count, value in selected)
            )
    return facet_values


def sum_masks(masks) -> int:
    """The union of masks."""
    result = 0
    for mask in masks:
        result |= mask
    return result


def county_code(value: int) -> str:
    return f"{value:06d}" if value else EXTERNAL_REGION


def county_masks(view: IndexView) -> dict[str, int]:
    """County code → its documents, for every county in the index (code order)."""
    codes = sorted(view.values("county", _county_key))
    return {code: view.value("county", code, _county_key) for code in codes}


def _county_key(value: int) -> list[str]:
    return [county_code(value)]


def fetch_page(
    candidates: Callable[[int], list[int]],
    load: Callable[[list[int]], tuple[dict[int, T], list[int]]],
    *,
    offset: int,
    limit: int,
) -> tuple[list[T], list[int]]:
    """The page's objects, re-checked against the database; and the stale document numbers.

    ``candidates(n)`` gives the first n document numbers in result order. ``load(numbers)``
    returns the objects still searchable and permitted, by document number, and the numbers
    whose objects the database no longer lets be found (the caller repairs those documents).
    Candidates before ``offset`` are skipped unchecked: a stale document on an earlier page can
    shift a page by one, but a delisted object is never shown.
    """
    page: list[T] = []
    stale: list[int] = []
    for attempt in range(4):
        # A few spare candidates in case some turn out stale; more on each retry.
        wanted = offset + limit + (limit // 4 + 2) * 4**attempt
        numbers = candidates(wanted)
        accepted, stale = load(numbers[offset:])
        page = [accepted[n] for n in numbers[offset:] if n in accepted]
        if len(page) >= limit or len(numbers) < wanted:
            break
    return page[:limit], stale
