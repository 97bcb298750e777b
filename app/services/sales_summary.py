"""The received-orders summaries: ``sales_monthly`` (month, origin county, category; migration
0008) and ``purchases_yearly`` (year, buyer, origin county; migration 0011).

``add_receipt`` is called by the summaries subscriber (``app.services.summaries``) for the
``order.receive`` event, in the transaction that receives the order, so both summaries commit or
roll back with it; receipt is the only way an order becomes
received, and a received order never changes status again (cancellation stops at shipping).
The county and category are those of the product at the time of receipt. Bulk loads (the seed,
the migrations) call ``rebuild_sales_summary`` and ``rebuild_purchase_summary`` once instead.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from app.models import Order, Product, PurchasesYearly, SalesMonthly, Village
from app.models.enums import OrderStatus
from app.services import clock
from app.services.summary_rows import add_to_row

TABLE = SalesMonthly.__table__
GROUP = ("month", "county_code", "category")
FIGURES = ("orders", "amount_fen", "paired_fen")
PURCHASES = PurchasesYearly.__table__
PURCHASE_GROUP = ("year", "buyer_id", "county_code")


def month_of(moment: datetime) -> str:
    """``YYYY-MM`` of a moment in Asia/Shanghai."""
    return clock.local_date(moment).strftime("%Y-%m")


def local_month(session: Session, column) -> sa.ColumnElement[str]:
    """``YYYY-MM`` of a UTC timestamp column in Asia/Shanghai, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column, "+8 hours")


def local_year(session: Session, column) -> sa.ColumnElement[int]:
    """The Asia/Shanghai calendar year of a UTC timestamp column, in the database's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        year = sa.extract("year", sa.func.timezone("Asia/Shanghai", column))
    else:
        year = sa.func.strftime("%Y", column, "+8 hours")
    return sa.cast(year, sa.Integer)


def add_receipt(session: Session, order: Order, product: Product, county_code: str) -> None:
    """Add one received order to its month, county and category and to its year, buyer and
    county; safe under concurrency (each one ``INSERT … ON CONFLICT DO UPDATE`` that adds to
    the row another transaction may have made)."""
    figures = {
        "orders": 1,
        "amount_fen": order.amount_fen,
        "paired_fen": order.amount_fen if order.agreement_id is not None else 0,
    }
    month = month_of(order.received_at)
    key = {"month": month, "county_code": county_code, "category": product.category}
    add_to_row(session, TABLE, key, figures)
    year = clock.local_date(order.received_at).year
    key = {"year": year, "buyer_id": order.buyer_id, "county_code": county_code}
    add_to_row(session, PURCHASES, key, figures)


def rebuild_sales_summary(session: Session) -> None:
    """Recompute ``sales_monthly`` from the received orders (after a bulk load)."""
    session.execute(sa.delete(TABLE))
    session.execute(TABLE.insert().from_select([*GROUP, *FIGURES], summary_select(session)))


def rebuild_purchase_summary(session: Session) -> None:
    """Recompute ``purchases_yearly`` from the received orders (after a bulk load)."""
    session.execute(sa.delete(PURCHASES))
    columns = [*PURCHASE_GROUP, *FIGURES]
    session.execute(PURCHASES.insert().from_select(columns, purchase_select(session)))


def _figures() -> list:
    paired = sa.case((Order.agreement_id.is_not(None), Order.amount_fen), else_=0)
    return [sa.func.count(Order.id), sa.func.sum(Order.amount_fen), sa.func.sum(paired)]


def summary_select(session: Session) -> sa.Select:
    """``sales_monthly``'s rows computed from the orders, products and villages as they are now."""
    month = local_month(session, Order.received_at)
    return (
        sa.select(month, Village.county_code, Product.category, *_figures())
        .join(Product, Product.id == Order.product_id)
        .join(Village, Village.id == Product.village_id)
        .where(Order.status == OrderStatus.received)
        .group_by(month, Village.county_code, Product.category)
    )


def purchase_select(session: Session) -> sa.Select:
    """``purchases_yearly``'s rows computed from the orders, products and villages as they are
    now (a received order without a receipt time counts in no year, as in every year filter)."""
    year = local_year(session, Order.received_at)
    return (
        sa.select(year, Order.buyer_id, Village.county_code, *_figures())
        .join(Product, Product.id == Order.product_id)
        .join(Village, Village.id == Product.village_id)
        .where(Order.status == OrderStatus.received, Order.received_at.is_not(None))
        .group_by(year, Order.buyer_id, Village.county_code)
    )
