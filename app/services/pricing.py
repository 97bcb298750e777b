"""Price sanity (质次价高): products priced well above the median of comparable products.

Comparable means listed, same category and same unit (a 箱 of apples is not a 斤). The median is
computed in SQL with window functions, which SQLite (3.25+) and PostgreSQL both have, and is
compared in integers: price > 1.5 × median ⇔ 2 × price × n > 3 × (sum of the n middle prices),
n being 1 or 2. Fewer than three comparable products make no meaningful median: no flag then.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from app.actors import Actor
from app.models import Product, Village
from app.models.enums import ProductStatus
from app.permissions import REGION_ROWS, can_review_prices, require

# Flag above NUMERATOR / DENOMINATOR × median.
NUMERATOR, DENOMINATOR = 3, 2
MIN_COMPARABLES = 3


@dataclass(frozen=True, slots=True)
class PriceCheck:
    """How a product's price compares with the median of comparable listed products."""

    product_id: int
    price_fen: int
    middle_sum_fen: int
    middle_count: int
    comparables: int

    @property
    def median_fen(self) -> int:
        """The median in 分, rounded half up (for display; the flag itself is exact)."""
        return (2 * self.middle_sum_fen + self.middle_count) // (2 * self.middle_count)

    @property
    def percent_of_median(self) -> int:
        return round(100 * self.price_fen * self.middle_count / self.middle_sum_fen)

    @property
    def flagged(self) -> bool:
        return self.comparables >= MIN_COMPARABLES and (
            DENOMINATOR * self.price_fen * self.middle_count > NUMERATOR * self.middle_sum_fen
        )


@dataclass(frozen=True, slots=True)
class PriceFlag:
    product: Product
    check: PriceCheck


def _medians() -> sa.Subquery:
    """Per (category, unit) of listed products: the middle one or two prices and the count."""
    partition = (Product.category, Product.unit)
    ranked = (
        sa.select(
            Product.category,
            Product.unit,
            Product.price_fen,
            sa.func.row_number()
            .over(partition_by=partition, order_by=(Product.price_fen, Product.id))
            .label("position"),
            sa.func.count().over(partition_by=partition).label("comparables"),
        )
        .where(Product.status == ProductStatus.listed)
        .subquery("ranked")
    )
    n = ranked.c.comparables
    return (
        sa.select(
            ranked.c.category,
            ranked.c.unit,
            sa.func.sum(ranked.c.price_fen).label("middle_sum"),
            sa.func.count().label("middle_count"),
            sa.func.max(n).label("comparables"),
        )
        .where(ranked.c.position.in_([(n + 1) // 2, (n + 2) // 2]))
        .group_by(ranked.c.category, ranked.c.unit)
        .subquery("medians")
    )


def _checks_query(medians: sa.Subquery) -> sa.Select:
    return sa.select(
        Product.id,
        Product.price_fen,
        medians.c.middle_sum,
        medians.c.middle_count,
        medians.c.comparables,
    ).join(medians, sa.and_(medians.c.category == Product.category, medians.c.unit == Product.unit))


def _check(row) -> PriceCheck:
    return PriceCheck(
        product_id=row.id,
        price_fen=int(row.price_fen),
        middle_sum_fen=int(row.middle_sum),
        middle_count=int(row.middle_count),
        comparables=int(row.comparables),
    )


def price_checks(session: Session, product_ids: list[int]) -> dict[int, PriceCheck]:
    """The price check of each given product (drafts too: warn before listing), in one query."""
    if not product_ids:
        return {}
    query = _checks_query(_medians()).where(Product.id.in_(product_ids))
    return {row.id: _check(row) for row in session.execute(query)}


def price_flags(*, session: Session, actor: Actor, limit: int = 200) -> list[PriceFlag]:
    """Listed products above 1.5× their median, in the officer's region, most expensive first."""
    require(can_review_prices(actor))
    medians = _medians()
    excess = DENOMINATOR * Product.price_fen * medians.c.middle_count
    query = (
        _checks_query(medians)
        .join(Village, Village.id == Product.village_id)
        .where(
            Product.status == ProductStatus.listed,
            medians.c.comparables >= MIN_COMPARABLES,
            excess > NUMERATOR * medians.c.middle_sum,
            REGION_ROWS.where(actor, county_code=Village.county_code),
        )
        .order_by(
            (Product.price_fen * medians.c.middle_count * 1000 / medians.c.middle_sum).desc(),
            Product.id,
        )
        .limit(limit)
    )
    checks = [_check(row) for row in session.execute(query)]
    products = {
        p.id: p
        for p in session.scalars(
            sa.select(Product)
            .where(Product.id.in_([c.product_id for c in checks]))
            .options(
                selectinload(Product.village).selectinload(Village.county),
                selectinload(Product.cooperative),
            )
        )
    }
    return [PriceFlag(products[c.product_id], c) for c in checks]
