"""Price sanity (质次价高): products priced well above comparable products, per standard quantity.

A price is compared per standard quantity (decision 0037): per 斤 when the product says what
one unit weighs (``net_weight_g``, or a unit of 斤 or 公斤), per piece when it says how many
pieces one unit holds, else per unit among products of the same unit. Comparable means listed,
of the same category, variety and county, and on the same basis: a 10斤 box of 临猗石榴 is
compared per 斤 with loose 临猗石榴 of 临猗县, not with apples, nor with pomegranates elsewhere.

Standard prices are kept in thousandths of a 分 (integers). The median is computed in SQL with
window functions, which SQLite (3.25+) and PostgreSQL both have, and is compared in integers:
price > 2 × median ⇔ price × n > 2 × (sum of the n middle prices), n being 1 or 2. Fewer than
three comparable products make no meaningful median: no flag then. Twice the median leaves room
for what honest prices vary by (a gift box costs more per 斤 than a loose 斤, a grower's per-斤
price varies about ±30 % around the county's); the seeded data, whose prices are realistic, gets
fewer than 5 % of its products flagged (tests/services/test_pricing_basis.py).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session

from app.actors import Actor
from app.models import Product, Village
from app.models.enums import ProductStatus
from app.money import fen_to_yuan
from app.permissions import REGION_ROWS, can_review_prices, require

# Flag above NUMERATOR / DENOMINATOR × median.
NUMERATOR, DENOMINATOR = 2, 1
MIN_COMPARABLES = 3
MILLI = 1000
GRAMS_PER_JIN = 500
BASIS_LABEL = {"jin": "每斤", "piece": "每个"}


@dataclass(frozen=True, slots=True)
class PriceCheck:
    """How a product's standard price compares with the median of comparable listed products."""

    product_id: int
    basis: str  # "jin", "piece" or "unit"
    unit: str
    standard_milli: int  # the product's price per standard quantity, in thousandths of a 分
    middle_sum_milli: int
    middle_count: int
    comparables: int
    has_variety: bool = True

    @property
    def price_fen(self) -> int:
        """The price per standard quantity in 分, rounded half up."""
        return (2 * self.standard_milli + MILLI) // (2 * MILLI)

    @property
    def median_fen(self) -> int:
        """The median per standard quantity in 分, rounded half up (the flag itself is exact)."""
        return (2 * self.middle_sum_milli + self.middle_count * MILLI) // (
            2 * self.middle_count * MILLI
        )

    @property
    def percent_of_median(self) -> int:
        return round(100 * self.standard_milli * self.middle_count / self.middle_sum_milli)

    @property
    def flagged(self) -> bool:
        return self.comparables >= MIN_COMPARABLES and (
            DENOMINATOR * self.standard_milli * self.middle_count
            > NUMERATOR * self.middle_sum_milli
        )

    @property
    def basis_label(self) -> str:
        return BASIS_LABEL.get(self.basis, f"每{self.unit}")

    @property
    def basis_text(self) -> str:
        """按每斤 ¥12.50，与本县同品种 8 个产品中位数 ¥6.00 比较"""
        kind = "同品种" if self.has_variety else "同品类"
        return (
            f"按{self.basis_label} ¥{fen_to_yuan(self.price_fen)}，与本县{kind} "
            f"{self.comparables} 个产品中位数 ¥{fen_to_yuan(self.median_fen)} 比较"
        )


@dataclass(frozen=True, slots=True)
class PriceFlag:
    product: Product
    check: PriceCheck


@dataclass(frozen=True, slots=True)
class PriceFlagPage:
    """One page of the flagged products and how many there are in all."""

    items: list[PriceFlag]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def number(self) -> int:
        return self.page

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _grams() -> sa.ColumnElement:
    """Grams in one unit: the product's net weight, else what a unit of 斤 or 公斤 weighs."""
    return sa.case(
        (Product.net_weight_g > 0, Product.net_weight_g),
        *((Product.unit == unit, grams) for unit, grams in UNIT_GRAMS.items()),
        else_=sa.null(),
    )


UNIT_GRAMS = {"斤": GRAMS_PER_JIN, "公斤": 2 * GRAMS_PER_JIN}


def _basis() -> sa.ColumnElement:
    return sa.case(
        (_grams() > 0, sa.literal("jin")),
        (Product.pieces_per_unit > 0, sa.literal("piece")),
        else_=sa.literal("unit"),
    )


def _standard() -> sa.ColumnElement:
    """The price per 斤, per piece or per unit, in thousandths of a 分 (integer division)."""
    return sa.case(
        (_grams() > 0, Product.price_fen * (GRAMS_PER_JIN * MILLI) / _grams()),
        (Product.pieces_per_unit > 0, Product.price_fen * MILLI / Product.pieces_per_unit),
        else_=Product.price_fen * MILLI,
    )


def _unit_key() -> sa.ColumnElement:
    """The unit matters only when neither weight nor pieces are known."""
    return sa.case((_basis() == "unit", Product.unit), else_=sa.literal(""))


def _standards() -> sa.Subquery:
    """Every product with its group (category, variety, county, basis, unit) and standard price."""
    return (
        sa.select(
            Product.id.label("id"),
            Product.status.label("status"),
            Product.category.label("category"),
            Product.variety.label("variety"),
            Village.county_code.label("county_code"),
            _basis().label("basis"),
            _unit_key().label("unit_key"),
            Product.unit.label("unit"),
            _standard().label("standard"),
        )
        .join(Village, Village.id == Product.village_id)
        .subquery("standards")
    )


GROUP = ("category", "variety", "county_code", "basis", "unit_key")


def _medians(standards: sa.Subquery) -> sa.Subquery:
    """Per group of listed products: the middle one or two standard prices and the count."""
    partition = [standards.c[g] for g in GROUP]
    ranked = (
        sa.select(
            *partition,
            standards.c.standard,
            sa.func.row_number()
            .over(partition_by=partition, order_by=(standards.c.standard, standards.c.id))
            .label("position"),
            sa.func.count().over(partition_by=partition).label("comparables"),
        )
        .where(standards.c.status == ProductStatus.listed)
        .subquery("ranked")
    )
    n = ranked.c.comparables
    return (
        sa.select(
            *(ranked.c[g] for g in GROUP),
            sa.func.sum(ranked.c.standard).label("middle_sum"),
            sa.func.count().label("middle_count"),
            sa.func.max(n).label("comparables"),
        )
        .where(ranked.c.position.in_([(n + 1) // 2, (n + 2) // 2]))
        .group_by(*(ranked.c[g] for g in GROUP))
        .subquery("medians")
    )


def _checks_query(standards: sa.Subquery, medians: sa.Subquery) -> sa.Select:
    return sa.select(
        standards.c.id,
        standards.c.status,
        standards.c.basis,
        standards.c.unit,
        standards.c.variety,
        standards.c.county_code,
        standards.c.standard,
        medians.c.middle_sum,
        medians.c.middle_count,
        medians.c.comparables,
    ).join(medians, sa.and_(*(medians.c[g] == standards.c[g] for g in GROUP)))


def _check(row) -> PriceCheck:
    return PriceCheck(
        product_id=row.id,
        basis=row.basis,
        unit=row.unit,
        standard_milli=int(row.standard),
        middle_sum_milli=int(row.middle_sum),
        middle_count=int(row.middle_count),
        comparables=int(row.comparables),
        has_variety=bool(row.variety),
    )


def price_checks(session: Session, product_ids: list[int]) -> dict[int, PriceCheck]:
    """The price check of each given product (drafts too: warn before listing), in one query."""
    if not product_ids:
        return {}
    standards = _standards()
    query = _checks_query(standards, _medians(standards)).where(standards.c.id.in_(product_ids))
    return {row.id: _check(row) for row in session.execute(query)}


def _flagged(standards: sa.Subquery, medians: sa.Subquery) -> sa.Select:
    return _checks_query(standards, medians).where(
        standards.c.status == ProductStatus.listed,
        medians.c.comparables >= MIN_COMPARABLES,
        DENOMINATOR * standards.c.standard * medians.c.middle_count
        > NUMERATOR * medians.c.middle_sum,
    )


def count_flagged(session: Session) -> tuple[int, int]:
    """(flagged, listed) over the whole database: the false-warning measure on realistic data."""
    standards = _standards()
    flagged = _flagged(standards, _medians(standards)).subquery("flagged")
    count = session.execute(sa.select(sa.func.count()).select_from(flagged)).scalar_one()
    listed = session.execute(
        sa.select(sa.func.count()).where(Product.status == ProductStatus.listed)
    ).scalar_one()
    return count, listed


def price_flags(
    *, session: Session, actor: Actor, page: int = 1, per_page: int = 50
) -> PriceFlagPage:
    """Listed products above twice their median, in the officer's region, the highest ratio
    first; one page of them and the real total."""
    require(can_review_prices(actor))
    page, per_page = max(1, page), min(max(1, per_page), 200)
    standards = _standards()
    medians = _medians(standards)
    flagged = _flagged(standards, medians).where(
        REGION_ROWS.where(actor, county_code=standards.c.county_code)
    )
    total = session.execute(
        sa.select(sa.func.count()).select_from(flagged.subquery("all_flagged"))
    ).scalar_one()
    ratio = standards.c.standard * medians.c.middle_count * 1000 / medians.c.middle_sum
    query = (
        flagged.order_by(ratio.desc(), standards.c.id).limit(per_page).offset((page - 1) * per_page)
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
    items = [PriceFlag(products[c.product_id], c) for c in checks]
    return PriceFlagPage(items, total, page, per_page)
