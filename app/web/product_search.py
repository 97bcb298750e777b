"""The public product search page ``/products`` (特色产品): search as you type, facets, filters.

The whole query lives in the URL, so a search can be shared and back/forward work: without
JavaScript the page is a plain GET form; with htmx the search box (debounced) and every filter
swap the results region and push the URL. The region holds the facet checkboxes too, because
their counts change with the query; the search box and the other filters stay put while typing.
"""

import re
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response

from app.errors import ValidationError
from app.http import current_actor
from app.labels import COUNTY_CATEGORY
from app.models import Product
from app.models.enums import ProductCategory
from app.money import yuan_to_fen
from app.permissions import PRODUCTS
from app.search.products import (
    CERTIFICATIONS,
    MAX_QUERY_LENGTH,
    SORT_LABELS,
    ProductQuery,
    ProductSort,
)
from app.search.results import MAX_RESULT_WINDOW
from app.services import clock, product_images
from app.services.paging import Page, page_number
from app.web.forms import read_only
from app.web.requests import wants_partial
from app.web.templating import render

PER_PAGE = 20
MONTHS = [(str(m), f"{m}月") for m in range(1, 13)]
_COUNTY_CODE = re.compile(r"\d{6}")
# Facet (also its URL parameter) → heading.
FACETS = {"category": "类别", "county": "产地", "certification": "认证"}
CATEGORIES = {c.value for c in ProductCategory}


@dataclass(frozen=True, slots=True)
class SearchForm:
    """What the URL asked for, as typed: the form shows it back, ``to_query`` checks it."""

    q: str = ""
    category: tuple[str, ...] = ()
    county: tuple[str, ...] = ()
    certification: tuple[str, ...] = ()
    county_category: str = ""
    price_min: str = ""
    price_max: str = ""
    in_stock: bool = False
    month: str = ""
    sort: str = ProductSort.relevance.value
    page: int = 1

    @classmethod
    def from_params(cls, params: QueryParams) -> "SearchForm":
        def many(name: str, allowed) -> tuple[str, ...]:
            return tuple(dict.fromkeys(v for v in params.getlist(name) if allowed(v)))

        sort = params.get("sort", "")
        return cls(
            q=params.get("q", "").strip()[:MAX_QUERY_LENGTH],
            category=many("category", CATEGORIES.__contains__),
            county=many("county", _COUNTY_CODE.fullmatch),
            certification=many("certification", CERTIFICATIONS.__contains__),
            county_category=_known(params.get("county_category", ""), COUNTY_CATEGORY),
            price_min=params.get("price_min", "").strip(),
            price_max=params.get("price_max", "").strip(),
            in_stock=params.get("in_stock") == "1",
            month=params.get("month", "").strip(),
            sort=sort if sort in SORT_LABELS else ProductSort.relevance.value,
            page=_page_number(params.get("page")),
        )

    def to_query(self) -> tuple[ProductQuery, dict[str, str]]:
        """The search to run, and a message per field that could not be used (then ignored)."""
        errors: dict[str, str] = {}
        price_min = _price(self.price_min, "price_min", "最低价", errors)
        price_max = _price(self.price_max, "price_max", "最高价", errors)
        if price_min is not None and price_max is not None and price_min > price_max:
            errors["price_max"] = "最高价不能低于最低价"
            price_max = None
        month = None
        if self.month:
            if self.month.isdigit() and 1 <= int(self.month) <= 12:
                month = int(self.month)
            else:
                errors["month"] = "采收月份应为 1 到 12"
        query = ProductQuery(
            text=self.q,
            categories=self.category,
            county_codes=self.county,
            county_category=self.county_category or None,
            certifications=self.certification,
            price_min=price_min,
            price_max=price_max,
            in_stock=self.in_stock,
            harvest_month=month,
            sort=ProductSort(self.sort),
            page=self.page,
            per_page=PER_PAGE,
        )
        return query, errors

    def params(self, **changes) -> list[tuple[str, str]]:
        """The URL parameters of this search (with ``changes``), defaults left out."""
        form = replace(self, **changes)
        pairs: list[tuple[str, str]] = []
        if form.q:
            pairs.append(("q", form.q))
        for name in ("category", "county", "certification"):
            pairs += [(name, value) for value in getattr(form, name)]
        for name in ("county_category", "price_min", "price_max", "month"):
            if getattr(form, name):
                pairs.append((name, getattr(form, name)))
        if form.in_stock:
            pairs.append(("in_stock", "1"))
        if form.sort != ProductSort.relevance.value:
            pairs.append(("sort", form.sort))
        if form.page > 1:
            pairs.append(("page", str(form.page)))
        return pairs

    def url(self, **changes) -> str:
        query = urlencode(self.params(**changes))
        return "/products" + (f"?{query}" if query else "")

    @property
    def filtered(self) -> bool:
        return self != SearchForm(q=self.q, sort=self.sort, page=self.page)


def _known(value: str, allowed) -> str:
    return value if value in {str(k) for k in allowed} else ""


def _page_number(raw: str | None) -> int:
    return min(page_number(raw), MAX_RESULT_WINDOW // PER_PAGE)


def _price(raw: str, field: str, label: str, errors: dict[str, str]) -> int | None:
    if not raw:
        return None
    try:
        return yuan_to_fen(raw, field=field, label=label)
    except ValidationError as exc:
        errors[field] = exc.message
        return None


async def product_search(request: Request) -> Response:
    actor = current_actor(request)
    form = SearchForm.from_params(request.query_params)
    query, errors = form.to_query()
    service = request.app.state.search

    def permit(product: Product) -> bool:
        return PRODUCTS.allows(
            actor,
            status=product.status,
            cooperative_id=product.cooperative_id,
            county_code=product.village.county_code,
        )

    def work(session):
        if service is None:
            return None, {}
        results = service.search_products(session, query, permit=permit)
        images = product_images.images_of(session, [hit.product_id for hit in results.hits])
        return results, images

    results, images = await read_only(request, work)
    context = {
        "form": form,
        "errors": errors,
        "results": results,
        "images": images,
        "pager": _pager(form, results),
        "form_page_url": lambda number: form.url(page=number),
        "today": clock.today(),
        "facets": _facet_groups(results),
        "county_names": _county_names(results),
        "sorts": list(SORT_LABELS.items()),
        "county_categories": list(COUNTY_CATEGORY.items()),
        "months": MONTHS,
    }
    return render(
        request,
        "products/search.html",
        context,
        partial="products/_search_results.html",
        status_code=422 if errors else 200,
        # htmx would push the form as sent, empty fields and all: push the tidy URL instead.
        headers={"HX-Push-Url": form.url()} if wants_partial(request) else None,
    )


def _pager(form: SearchForm, results) -> Page:
    """Page numbers for the pager; deep pages stop at the search's result window."""
    total = 0 if results is None else min(results.total, MAX_RESULT_WINDOW)
    return Page(items=[], total=total, number=form.page, size=PER_PAGE)


def _facet_groups(results) -> list[tuple[str, str, list]]:
    if results is None:
        return []
    return [(name, heading, results.facets.get(name, [])) for name, heading in FACETS.items()]


def _county_names(results) -> dict[str, str]:
    if results is None:
        return {}
    return {value.value: value.label for value in results.facets.get("county", [])}
