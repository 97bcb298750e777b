"""消费帮扶 figures: received orders by county, category and month, and reserved shares.

One statement reads the ``sales_monthly`` summary (app/services/sales_summary.py) for the last
twelve months and this calendar year: received (已收货) orders by origin county, product category
and Asia/Shanghai month, as they were at receipt. The county, category and month totals are sums
over those few hundred rows. app/services/consumption.py's county record is reused.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import County, SalesMonthly
from app.models.enums import ProductCategory
from app.services.consumption import CountyConsumption
from app.services.stats.scope import in_region

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


def sales(session: Session, actor: Actor, today: date) -> Sales:
    """Received orders of this calendar year by county and category, and of the last
    MONTHS_SHOWN months by month, read from the ``sales_monthly`` summary (a few hundred rows,
    kept by ``orders.receive_order``; the county and category are those at receipt)."""
    months = shown_months(today)
    first = min(months[0], f"{today.year:04d}-01")
    last = f"{today.year:04d}-12"
    rows = session.execute(
        sa.select(
            SalesMonthly.county_code,
            SalesMonthly.category,
            SalesMonthly.month,
            SalesMonthly.orders,
            SalesMonthly.amount_fen,
            SalesMonthly.paired_fen,
        ).where(
            SalesMonthly.month >= first,
            SalesMonthly.month <= last,
            in_region(actor, SalesMonthly.county_code),
        )
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
