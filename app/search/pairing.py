"""Search of villages and enterprises for the pairing (结对帮扶) pages.

Enterprises look for villages (unpaired key villages in one county, needing sales help…);
villages and the bureau look for enterprises. Hits are re-checked against the database: a village
must exist, an enterprise must be approved, and ``permit`` may refuse any.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from app import labels
from app.models import Enterprise, Village
from app.models.enums import HelpKind, RegistrationStatus
from app.search import bits, ranking
from app.search.attributes import PAIRING_ATTRIBUTES
from app.search.documents import ENTERPRISE, EXTERNAL_REGION, VILLAGE
from app.search.highlight import Terms, highlight, snippet
from app.search.results import (
    FacetValue,
    all_filters,
    check_page,
    county_masks,
    county_names,
    facet,
    fetch_page,
    sum_masks,
)
from app.search.suggest import suggest
from app.search.textquery import TextFields, match_text, parse
from app.search.views import IndexView

FIELDS = TextFields(name="name", text="text")
KIND_LABELS = {VILLAGE: "行政村", ENTERPRISE: "帮扶主体"}
EXTERNAL_LABEL = "市外"


class PairingSort(StrEnum):
    relevance = "relevance"
    newest = "newest"


@dataclass(frozen=True, slots=True)
class PairingQuery:
    text: str = ""
    kinds: tuple[str, ...] = ()  # "village", "enterprise"; empty: both
    county_codes: tuple[str, ...] = ()  # "external": enterprises outside the city
    county_category: str | None = None
    key_village: bool | None = None
    # Villages with (True) or without (False) a proposed, signed or active agreement.
    has_partner: bool | None = None
    # Villages with open needs of these kinds; enterprises offering them.
    help_kinds: tuple[str, ...] = ()
    enterprise_kinds: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    sort: PairingSort = PairingSort.relevance
    page: int = 1
    per_page: int = 20
    offset: int | None = None


@dataclass(frozen=True, slots=True)
class PairingHit:
    kind: str
    object_id: int
    obj: Village | Enterprise
    name: Markup
    snippet: Markup


@dataclass(frozen=True, slots=True)
class PairingResults:
    query: PairingQuery
    total: int
    hits: list[PairingHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    offset: int = 0
    available: bool = True

    def facet_counts(self, name: str) -> dict[str, int]:
        return {v.value: v.count for v in self.facets.get(name, [])}


def search_pairing(
    view: IndexView | None,
    session: Session,
    query: PairingQuery,
    *,
    permit: Callable[[Village | Enterprise], bool] | None = None,
    on_stale: Callable[[str, list[int]], None] | None = None,
) -> PairingResults:
    offset, limit = check_page(query.page, query.per_page, query.offset)
    if view is None:
        return PairingResults(query, 0, [], offset=offset, available=False)
    words = parse(query.text)
    text = match_text(view, words, FIELDS) if words else None
    base = text.mask if text else view.live
    filters = _filters(view, query)
    final = base & all_filters(filters)
    terms = Terms(text.highlight_words, text.highlight_chars) if text else Terms()

    def candidates(need: int) -> list[int]:
        if text and query.sort is PairingSort.relevance:
            tiers = [tier & final for tier in text.tiers]
            return ranking.top_of_tiers(view, tiers, need, "quality", descending=True)
        column = "quality" if query.sort is PairingSort.relevance else "created"
        return ranking.top(view, final, need, column, descending=True)

    def load(numbers: list[int]):
        return _load(view, session, numbers, permit)

    found, stale = fetch_page(candidates, load, offset=offset, limit=limit)
    if stale and on_stale:
        for kind in (VILLAGE, ENTERPRISE):
            ids = [i for k, i in (_doc_key(view, n) for n in stale) if k == kind]
            if ids:
                on_stale(kind, ids)
    hits = [
        PairingHit(kind, obj.id, obj, highlight(obj.name, terms), snippet(_summary(obj), terms))
        for kind, obj in found
    ]
    total = final.bit_count()
    suggestion = None
    if total == 0 and words:
        suggestion = suggest(view, words, FIELDS, view.live & all_filters(filters))
    facets = _facets(view, session, query, base, filters)
    return PairingResults(query, total, hits, facets, suggestion, offset)


def warm(view: IndexView) -> None:
    """Fill the per-segment caches of what most pairing queries use."""
    county_masks(view)
    _attribute(view, "kind", VILLAGE)
    for column in ("created", "quality"):
        view.orders(column)
    view.words_with_char(FIELDS.name, "村")
    view.words_with_char(FIELDS.text, "村")


def _attribute(view: IndexView, part: str, value: str) -> int:
    return view.value("attrs", (part, value), PAIRING_ATTRIBUTES.decode)


def _any_attribute(view: IndexView, part: str, values) -> int | None:
    if not values:
        return None
    mask = 0
    for value in values:
        mask |= _attribute(view, part, str(value))
    return mask


def _village_flag(view: IndexView, part: str, wanted: bool | None) -> int | None:
    """Villages with (or, for False, without) a flag; enterprises never match either."""
    if wanted is None:
        return None
    flagged = _attribute(view, part, "1")
    return flagged if wanted else _attribute(view, "kind", VILLAGE) & ~flagged


def _filters(view: IndexView, query: PairingQuery) -> dict[str, int | None]:
    counties = county_masks(view)
    return {
        "kind": _any_attribute(view, "kind", query.kinds),
        "county": sum_masks(counties.get(code, 0) for code in query.county_codes)
        if query.county_codes
        else None,
        "help": _any_attribute(view, "help", query.help_kinds),
        "county_category": _any_attribute(
            view, "county_category", [query.county_category] if query.county_category else []
        ),
        "key_village": _village_flag(view, "key_village", query.key_village),
        "has_partner": _village_flag(view, "has_partner", query.has_partner),
        "enterprise_kind": _any_attribute(view, "enterprise_kind", query.enterprise_kinds),
        "industry": _any_attribute(view, "industry", query.industries),
    }


def _facets(view, session, query, base, filters) -> dict[str, list[FacetValue]]:
    counties = {**county_names(view, session), EXTERNAL_REGION: EXTERNAL_LABEL}
    help_labels = {k.value: label for k, label in labels.HELP_KIND.items()}
    kinds = {kind: _attribute(view, "kind", kind) for kind in KIND_LABELS}
    helps = {k.value: _attribute(view, "help", k.value) for k in HelpKind}

    def scope(name: str) -> int:
        return base & all_filters(filters, without=name)

    return {
        "kind": facet(view, scope("kind"), kinds, KIND_LABELS, query.kinds),
        "county": facet(view, scope("county"), county_masks(view), counties, query.county_codes),
        "help": facet(view, scope("help"), helps, help_labels, query.help_kinds),
    }


def _doc_key(view: IndexView, n: int) -> tuple[str, int]:
    villages = view.cache.get("village_members")
    if villages is None:
        villages = view.cache["village_members"] = bits.Membership(
            _attribute(view, "kind", VILLAGE)
        )
    return (VILLAGE if n in villages else ENTERPRISE), view.key(n)


def _load(view: IndexView, session: Session, numbers: list[int], permit):
    wanted = {n: _doc_key(view, n) for n in numbers}
    village_ids = [i for kind, i in wanted.values() if kind == VILLAGE]
    enterprise_ids = [i for kind, i in wanted.values() if kind == ENTERPRISE]
    objects: dict[tuple[str, int], Village | Enterprise] = {}
    if village_ids:
        query = sa.select(Village).where(Village.id.in_(village_ids))
        for v in session.execute(query.options(selectinload(Village.county))).scalars():
            objects[(VILLAGE, v.id)] = v
    if enterprise_ids:
        query = sa.select(Enterprise).where(Enterprise.id.in_(enterprise_ids))
        for e in session.execute(query).scalars():
            if e.status == RegistrationStatus.approved:
                objects[(ENTERPRISE, e.id)] = e
    found: dict[int, tuple[str, Village | Enterprise]] = {}
    stale: list[int] = []
    for n, key in wanted.items():
        obj = objects.get(key)
        if obj is None:
            stale.append(n)
        elif permit is None or permit(obj):
            found[n] = (key[0], obj)
    return found, stale


def _summary(obj: Village | Enterprise) -> str:
    if isinstance(obj, Village):
        return "。".join(p for p in (obj.main_industries, obj.introduction, obj.resources) if p)
    return obj.introduction
