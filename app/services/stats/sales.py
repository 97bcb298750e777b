"""消费帮扶 figures: received orders by county, category and month, and reserved shares.

One statement groups the received (已收货) orders of the last twelve months and of this calendar
year by the origin county, product category and Asia/Shanghai month: the county, category and
month totals are sums over those few hundred aggregate rows, so the orders table is read once.
Totals follow the product's origin village, as in app/services/consumption.py, whose county
record and reserved-share progress are reused.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import County, Order, Product, Village
from app.models.enums import OrderStatus, ProductCategory
from app.services import clock
from app.services.consumption import CountyConsumption
from app.services.stats.scope import in_region, orders_in_region

MONTHS_SHOWN = 12


@dataclass(frozen=True, slots=True)
class SalesLine:
    key: str  # a category, or a month like 2026-11
    orders: int
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Sales:
    year: int
    by_county: tuple[CountyConsumption, ...]
    by_category: tuple[SalesLine, ...]
    by_month: tuple[SalesLine, ...]


def shown_months(today: date) -> list[str]:
    """The MONTHS_SHOWN months ending with the current one, oldest first, as ``YYYY-MM``."""
    index = today.year * 12 + today.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - MONTHS_SHOWN + 1, index + 1)]


def _local_month(session: Session, column) -> sa.ColumnElement[str]:
    """``YYYY-MM`` of a UTC timestamp column in Asia/Shanghai, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column, "+8 hours")


def sales(session: Session, actor: Actor, today: date) -> Sales:
    """Received orders of this calendar year by county and category, and of the last
    MONTHS_SHOWN months by month (two statements: the counties, then the orders once)."""
    months = shown_months(today)
    first = date(int(months[0][:4]), int(months[0][5:]), 1)
    since = clock.start_of_day(min(first, date(today.year, 1, 1)))
    until = clock.year_bounds(today.year)[1]
    month = _local_month(session, Order.received_at)
    paired = sa.case((Order.agreement_id.is_not(None), Order.amount_fen), else_=0)
    rows = session.execute(
        sa.select(
            Village.county_code,
            Product.category,
            month,
            sa.func.count(Order.id),
            sa.func.sum(Order.amount_fen),
            sa.func.sum(paired),
        )
        .join(Product, Product.id == Order.product_id)
        .join(Village, Village.id == Product.village_id)
        .where(
            Order.status == OrderStatus.received,
            Order.received_at >= since,
            Order.received_at < until,
            orders_in_region(actor),
        )
        .group_by(Village.county_code, Product.category, month)
    ).all()
    counties = session.execute(
        sa.select(County.code, County.name)
        .where(in_region(actor, County.code))
        .order_by(County.code)
    ).all()
    this_year = str(today.year)
    county_sums = _sums(((r[0], r[3], r[4], r[5]) for r in rows if r[2][:4] == this_year), 3)
    category_sums = _sums(((r[1], r[3], r[4]) for r in rows if r[2][:4] == this_year), 2)
    month_sums = _sums(((r[2], r[3], r[4]) for r in rows), 2)
    return Sales(
        year=today.year,
        by_county=tuple(
            CountyConsumption(code, name, *county_sums.get(code, (0, 0, 0)))
            for code, name in counties
        ),
        by_category=tuple(
            SalesLine(c, *category_sums.get(c.value, (0, 0))) for c in ProductCategory
        ),
        by_month=tuple(SalesLine(m, *month_sums.get(m, (0, 0))) for m in months),
    )


def _sums(groups, width: int) -> dict[str, tuple[int, ...]]:
    """Add up aggregate rows (key, figures…) by key."""
    totals: dict[str, list[int]] = {}
    for key, *figures in groups:
        into = totals.setdefault(str(key), [0] * width)
        for i, value in enumerate(figures):
            into[i] += int(value or 0)
    return {key: tuple(values) for key, values in totals.items()}
