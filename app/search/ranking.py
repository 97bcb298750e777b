"""The first N documents of a set in a column's order, without scoring every match.

Both ways below break ties by document number, so pages stay stable.
"""

import heapq
from collections.abc import Iterable

from app.search import bits
from app.search.views import IndexView

# Per segment, walk its order when count² > WALK_FACTOR × need × segment size (see ``top``).
WALK_FACTOR = 0.5


def top(view: IndexView, mask: int, need: int, field: str, *, descending: bool) -> list[int]:
    """Up to ``need`` documents of ``mask`` by ``field`` (ascending unless ``descending``).

    Segment by segment (documents are not spread evenly: a county's products may sit in one),
    either list the segment's members and keep the best (cost: the member count), or walk the
    segment's order until ``need`` members turn up (cost: need × size ÷ member count, in cheaper
    steps), whichever is smaller; then merge the segments' candidates.
    """
    if need <= 0 or not mask:
        return []
    sign = -1 if descending else 1
    candidates: list[tuple[tuple[int, int], int]] = []
    for offset, order, values, column in view.orders(field):
        size = len(order)
        local = mask >> offset & ((1 << size) - 1)
        count = local.bit_count()
        if count == 0:
            continue
        if count * count < WALK_FACTOR * need * size:
            best = _listed(local, column, need, sign)
        else:
            best = _walked(local, order, values, need, descending)
        candidates += [((sign * value, sign * (offset + n)), offset + n) for value, n in best]
    candidates.sort()
    return [n for _key, n in candidates[:need]]


def _listed(local: int, column, need: int, sign: int) -> list[tuple[int, int]]:
    """(value, local number) of the best ``need`` members, by listing all members."""
    best = heapq.nsmallest(need, bits.ids(local), key=lambda n: (sign * column[n], sign * n))
    return [(column[n], n) for n in best]


def _walked(local: int, order, values, need: int, descending: bool) -> list[tuple[int, int]]:
    """(value, local number) of the first ``need`` members met walking the segment's order."""
    packed = local.to_bytes((len(order) >> 3) + 1, "little")
    found: list[tuple[int, int]] = []
    for i in range(len(order) - 1, -1, -1) if descending else range(len(order)):
        n = order[i]
        if packed[n >> 3] >> (n & 7) & 1:
            found.append((values[i], n))
            if len(found) == need:
                break
    return found


def top_of_tiers(
    view: IndexView, tiers: Iterable[int], need: int, field: str, *, descending: bool
) -> list[int]:
    """The first ``need`` documents taking whole tiers in turn, each in ``field`` order."""
    found: list[int] = []
    for tier in tiers:
        if len(found) >= need:
            break
        found += top(view, tier, need - len(found), field, descending=descending)
    return found
