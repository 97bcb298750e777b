"""Product search: text, filters, facets, sorting, highlights, pages — for pages and GraphQL alike.

Every hit is re-checked against the database before it is returned: only listed products of
approved cooperatives (and those ``permit`` allows) are shown, whatever the index says.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import contains_eager
from sqlmodel import Session

from app import labels
from app.models import Product
from app.models.enums import Certification, ProductCategory
from app.search import ranking
from app.search.attributes import PRODUCT_ATTRIBUTES
from app.search.documents import ASSISTANCE, ASSISTANCE_LABEL, day_number, is_product_searchable
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
from app.search.textquery import TextFields, TextMatch, match_text, parse
from app.search.views import IndexView

FIELDS = TextFields(name="name", text="text", own="own")
CERTIFICATIONS = (*(c.value for c in Certification), ASSISTANCE)
FACETS = ("category", "county", "certification")
LOCAL_TIME = ZoneInfo("Asia/Shanghai")
# The longest query text the adapters accept (a search box, not a document).
MAX_QUERY_LENGTH = 100


class ProductSort(StrEnum):
    relevance = "relevance"
    price_asc = "price_asc"
    price_desc = "price_desc"
    newest = "newest"
    rating = "rating"


SORT_LABELS = {
    ProductSort.relevance: "综合排序",
    ProductSort.price_asc: "价格从低到高",
    ProductSort.price_desc: "价格从高到低",
    ProductSort.newest: "最新上架",
    ProductSort.rating: "评分最高",
}


# Sort → (column, descending). Relevance orders tiers by quality (rating, then newest).
_ORDER = {
    ProductSort.relevance: ("quality", True),
    ProductSort.price_asc: ("price", False),
    ProductSort.price_desc: ("price", True),
    ProductSort.newest: ("created", True),
    ProductSort.rating: ("quality", True),
}


@dataclass(frozen=True, slots=True)
class ProductQuery:
    """What a buyer asked for. Multi-valued filters match any of their values."""

    text: str = ""
    categories: tuple[str, ...] = ()
    county_codes: tuple[str, ...] = ()
    county_category: str | None = None
    # Certification values and/or "assistance" (the bureau's certification, in force today).
    certifications: tuple[str, ...] = ()
    price_min: int | None = None  # 分
    price_max: int | None = None  # 分
    in_stock: bool = False
    harvest_month: int | None = None
    sort: ProductSort = ProductSort.relevance
    page: int = 1
    per_page: int = 20
    # Cursor pagination: an offset wins over ``page``.
    offset: int | None = None


@dataclass(frozen=True, slots=True)
class ProductHit:
    product_id: int
    product: Product
    name: Markup
    snippet: Markup


@dataclass(frozen=True, slots=True)
class ProductResults:
    query: ProductQuery
    total: int
    hits: list[ProductHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    offset: int = 0
    # False while no index exists yet (first start, before the rebuild finishes).
    available: bool = True

    def facet_counts(self, name: str) -> dict[str, int]:
        return {v.value: v.count for v in self.facets.get(name, [])}

    @property
    def pages(self) -> int:
        return -(-self.total // self.query.per_page)


def search_products(
    view: IndexView | None,
    session: Session,
    query: ProductQuery,
    *,
    today: date | None = None,
    permit: Callable[[Product], bool] | None = None,
    on_stale: Callable[[list[int]], None] | None = None,
) -> ProductResults:
    """Search listed products; ``on_stale`` receives ids the index still had but should not."""
    offset, limit = check_page(query.page, query.per_page, query.offset)
    if view is None:
        return ProductResults(query, 0, [], offset=offset, available=False)
    today = today or datetime.now(LOCAL_TIME).date()
    words = parse(query.text)
    text = match_text(view, words, FIELDS) if words else None
    base = text.mask if text else view.live
    filters = _filters(view, query, today)
    final = base & all_filters(filters)
    facets = _facets(view, session, query, base, filters, today)
    terms = _terms(text)

    def candidates(need: int) -> list[int]:
        column, descending = _ORDER[query.sort]
        if text and query.sort is ProductSort.relevance:
            tiers = [tier & final for tier in text.tiers]
            return ranking.top_of_tiers(view, tiers, need, column, descending=descending)
        if text:
            # Whatever the sort, products matching by their own words come before those matching
            # only through their seller's or place's name (decision 0037).
            tiers = [(text.tiers[0] | text.tiers[1]) & final, text.tiers[2] & final]
            return ranking.top_of_tiers(view, tiers, need, column, descending=descending)
        return ranking.top(view, final, need, column, descending=descending)

    def load(numbers: list[int]) -> tuple[dict[int, Product], list[int]]:
        return _load_products(view, session, numbers, permit)

    products, stale = fetch_page(candidates, load, offset=offset, limit=limit)
    if stale and on_stale:
        on_stale([view.key(n) for n in stale])
    hits = [
        ProductHit(p.id, p, highlight(p.name, terms), snippet(p.description, terms))
        for p in products
    ]
    total = final.bit_count()
    suggestion = None
    if total == 0 and words:
        suggestion = suggest(view, words, FIELDS, view.live & all_filters(filters))
    return ProductResults(query, total, hits, facets, suggestion, offset)


def warm(view: IndexView) -> None:
    """Fill the per-segment caches of what most product queries use (after start or rebuild)."""
    county_masks(view)
    for category in ProductCategory:
        _attribute(view, "category", category.value)
    for column in ("price", "created", "quality"):
        view.orders(column)
    # Word lists behind pinyin, single characters and suggestions (pypinyin is slow: do it now).
    for fieldname in FIELDS.word_fields:
        view.words_with_char(fieldname, "果")


def _attribute(view: IndexView, part: str, value: str) -> int:
    return view.value("attrs", (part, value), PRODUCT_ATTRIBUTES.decode)


def _any_attribute(view: IndexView, part: str, values) -> int | None:
    if not values:
        return None
    mask = 0
    for value in values:
        mask |= _attribute(view, part, str(value))
    return mask


def _filters(view: IndexView, query: ProductQuery, today: date) -> dict[str, int | None]:
    certifications = None
    if query.certifications:
        third_party = [c for c in query.certifications if c != ASSISTANCE]
        certifications = _any_attribute(view, "certs", third_party) or 0
        if ASSISTANCE in query.certifications:
            certifications |= view.range("assisted_until", day_number(today), None)
    price = None
    if query.price_min is not None or query.price_max is not None:
        price = view.range("price", query.price_min, query.price_max)
    counties = county_masks(view)
    return {
        "category": _any_attribute(view, "category", query.categories),
        "county": sum_masks(counties.get(code, 0) for code in query.county_codes)
        if query.county_codes
        else None,
        "certification": certifications,
        "county_category": _any_attribute(view, "county_category", _present(query.county_category)),
        "price": price,
        "in_stock": _attribute(view, "in_stock", "1") if query.in_stock else None,
        "harvest_month": _any_attribute(view, "months", _present(query.harvest_month)),
    }


def _present(value) -> list[str]:
    return [] if value is None or value == "" else [str(value)]


def _facets(
    view: IndexView, session: Session, query: ProductQuery, base: int, filters: dict, today: date
) -> dict[str, list[FacetValue]]:
    """Counts per value, each facet with every filter but its own (ticking adds to the set)."""
    category_labels = {c.value: label for c, label in labels.PRODUCT_CATEGORY.items()}
    certification_labels = {c.value: label for c, label in labels.CERTIFICATION.items()}
    categories = {c.value: _attribute(view, "category", c.value) for c in ProductCategory}
    certifications = {c.value: _attribute(view, "certs", c.value) for c in Certification}
    certifications[ASSISTANCE] = view.range("assisted_until", day_number(today), None)
    certification_labels[ASSISTANCE] = ASSISTANCE_LABEL

    def scope(name: str) -> int:
        return base & all_filters(filters, without=name)

    return {
        "category": facet(
            view, scope("category"), categories, category_labels, query.categories
        ),
        "county": facet(
            view, scope("county"), county_masks(view), county_names(view, session),
            query.county_codes,
        ),
        "certification": facet(
            view, scope("certification"), certifications, certification_labels,
            query.certifications,
        ),
    }  # fmt: skip


def _terms(text: TextMatch | None) -> Terms:
    return Terms(text.highlight_words, text.highlight_chars) if text else Terms()


def _load_products(
    view: IndexView,
    session: Session,
    numbers: list[int],
    permit: Callable[[Product], bool] | None,
) -> tuple[dict[int, Product], list[int]]:
    """The searchable, permitted products among the documents; and the stale documents."""
    ids = {n: view.key(n) for n in numbers}
    query = (
        sa.select(Product)
        .join(Product.cooperative)
        .join(Product.village)
        .where(Product.id.in_(set(ids.values())))
        .options(contains_eager(Product.cooperative), contains_eager(Product.village))
    )
    products = {p.id: p for p in session.execute(query).scalars()}
    found: dict[int, Product] = {}
    stale: list[int] = []
    for n, product_id in ids.items():
        product = products.get(product_id)
        if product is None or not is_product_searchable(product):
            stale.append(n)
        elif permit is None or permit(product):
            found[n] = product
    return found, stale
