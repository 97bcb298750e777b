"""Database rows → index documents, a batch of rows per query (never one query per object).

A document carries a ``stamp``: the newest ``updated_at`` among the rows it is built from (a product
shows its cooperative's and village's names, a village its agreements and needs). ``search check``
compares stamps to find documents that fell behind the database.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app import labels
from app.models import (
    Cooperative,
    County,
    Product,
    Township,
    Village,
)
from app.models.enums import (
    Certification,
    ProductStatus,
    RegistrationStatus,
)
from app.models.flags import from_mask, mask_to_months
from app.search.attributes import PRODUCT_ATTRIBUTES

BATCH = 1000
PRODUCT = "product"
VILLAGE = "village"
ENTERPRISE = "enterprise"
COOPERATIVE = "cooperative"
# The bureau's consumption-assistance certification, a filter value next to Certification's.
ASSISTANCE = "assistance"
ASSISTANCE_LABEL = "消费帮扶认证"
EXTERNAL_REGION = "external"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime | None) -> int:
    """Exact microseconds since the epoch (a float timestamp can be off by one)."""
    return 0 if moment is None else (moment - _EPOCH) // _MICROSECOND


def day_number(day: date | None) -> int:
    return 0 if day is None else day.year * 10000 + day.month * 100 + day.day


def quality(rating_total: int, rating_count: int, created: datetime) -> int:
    """Average rating (×100, unrated lowest), then creation second, as one sortable number."""
    rating = rating_total * 100 // rating_count + 1 if rating_count else 0
    return rating << 40 | micros(created) // 1_000_000


def stamp(*moments: datetime | None) -> int:
    return max(micros(m) for m in moments)


@dataclass(frozen=True, slots=True)
class Batch:
    """Documents for the searchable objects among the requested ids; the rest are to delete."""

    documents: dict[str, dict[str, Any]]
    missing: list[str]


# Products -------------------------------------------------------------------------------------


def _product_select() -> sa.Select:
    # Plain columns, not ORM entities: a rebuild streams 100,000 rows through here.
    return (
        sa.select(
            Product.id,
            Product.name,
            Product.description,
            Product.category,
            Product.price_fen,
            Product.stock,
            Product.harvest_months,
            Product.certifications,
            Product.assistance_certified_until,
            Product.status,
            Product.rating_total,
            Product.rating_count,
            Product.created_at,
            Product.updated_at,
            Cooperative.name.label("cooperative_name"),
            Cooperative.updated_at.label("cooperative_updated"),
            Village.name.label("village_name"),
            Village.updated_at.label("village_updated"),
            Township.name.label("township_name"),
            County.code.label("county_code"),
            County.name.label("county_name"),
            County.category.label("county_category"),
        )
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .join(Village, Village.id == Product.village_id)
        .join(Township, Township.code == Village.township_code)
        .join(County, County.code == Village.county_code)
        .where(product_searchable())
    )


def product_searchable() -> sa.ColumnElement[bool]:
    """SQL: the product may be found (listed, by an approved cooperative)."""
    return sa.and_(
        Product.status == ProductStatus.listed,
        Cooperative.status == RegistrationStatus.approved,
    )


def is_product_searchable(product: Product) -> bool:
    """The same rule as ``product_searchable`` on a loaded product (with its cooperative).

    Hits are re-checked with this after loading them by primary key: with the status in the
    WHERE clause, SQLite's planner picks the status index and scans every listed product.
    """
    return (
        product.status == ProductStatus.listed
        and product.cooperative.status == RegistrationStatus.approved
    )


def _product_document(row) -> dict[str, Any]:
    certs = [c.value for c in from_mask(row.certifications, Certification)]
    own = [
        row.description,
        labels.PRODUCT_CATEGORY[row.category],
        *(labels.CERTIFICATION[Certification(c)] for c in certs),
    ]
    context = [row.county_name, row.township_name, row.village_name, row.cooperative_name]
    attrs = PRODUCT_ATTRIBUTES.encode(
        category=str(row.category),
        county_category=str(row.county_category),
        certs=certs,
        months=[str(m) for m in mask_to_months(row.harvest_months)],
        in_stock=["1"] if row.stock > 0 else [],
    )
    return {
        "id": str(row.id),
        "key": row.id,
        "name": row.name,
        "own": " ".join(own),
        "text": " ".join(context),
        "county": int(row.county_code),
        "attrs": attrs,
        "price": row.price_fen,
        "assisted_until": day_number(row.assistance_certified_until),
        "created": micros(row.created_at),
        "quality": quality(row.rating_total, row.rating_count, row.created_at),
        "stamp": stamp(row.updated_at, row.cooperative_updated, row.village_updated),
    }


def product_batch(session: Session, ids: Iterable[int]) -> Batch:
    """Documents of the listed products among ``ids``; the others are missing (to delete)."""
    wanted = sorted(set(ids))
    documents: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        for row in session.execute(_product_select().where(Product.id.in_(chunk))):
            doc = _product_document(row)
            documents[doc["id"]] = doc
    return Batch(documents, [str(i) for i in wanted if str(i) not in documents])


def all_product_documents(session: Session) -> Iterator[dict[str, Any]]:
    """Every listed product's document, streamed by one query in batches of rows."""
    query = _product_select().order_by(Product.id).execution_options(yield_per=BATCH)
    for row in session.execute(query):
        yield _product_document(row)


def product_stamps(session: Session) -> dict[str, int]:
    """Document id → stamp of every product that should be in the index."""
    query = (
        sa.select(Product.id, Product.updated_at, Cooperative.updated_at, Village.updated_at)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .join(Village, Village.id == Product.village_id)
        .where(product_searchable())
    )
    return {str(pid): stamp(*moments) for pid, *moments in session.execute(query)}


def count_products(session: Session) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(Product)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .where(product_searchable())
    )
    return session.execute(query).scalar_one()


def products_of(session: Session, *, village_ids=(), cooperative_ids=()) -> list[int]:
    """Products whose documents show these villages' or cooperatives' names."""
    conditions = []
    if village_ids:
        conditions.append(Product.village_id.in_(list(village_ids)))
    if cooperative_ids:
        conditions.append(Product.cooperative_id.in_(list(cooperative_ids)))
    if not conditions:
        return []
    return list(session.execute(sa.select(Product.id).where(sa.or_(*conditions))).scalars())
