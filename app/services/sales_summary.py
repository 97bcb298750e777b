"""The ``sales_monthly`` summary: received orders per month, origin county and category.

``add_receipt`` is called by ``orders.receive_order`` in the transaction that receives the
order, so the summary commits or rolls back with it; receipt is the only way an order becomes
received, and a received order never changes status again (cancellation stops at shipping).
The county and category are those of the product at the time of receipt. Bulk loads (the seed,
migration 0008) call ``rebuild_sales_summary`` once instead.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.models import Order, Product, SalesMonthly, Village
from app.models.enums import OrderStatus
from app.services import clock

TABLE = SalesMonthly.__table__
GROUP = ("month", "county_code", "category")
FIGURES = ("orders", "amount_fen", "paired_fen")


def month_of(moment: datetime) -> str:
    """``YYYY-MM`` of a moment in Asia/Shanghai."""
    return clock.local_date(moment).strftime("%Y-%m")


def local_month(session: Session, column) -> sa.ColumnElement[str]:
    """``YYYY-MM`` of a UTC timestamp column in Asia/Shanghai, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column, "+8 hours")


def add_receipt(session: Session, order: Order, product: Product, county_code: str) -> None:
    """Add one received order to its month, county and category; safe under concurrency (one
    ``INSERT … ON CONFLICT DO UPDATE`` that adds to the row another transaction may have made)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(TABLE).values(
        month=month_of(order.received_at),
        county_code=county_code,
        category=product.category,
        orders=1,
        amount_fen=order.amount_fen,
        paired_fen=order.amount_fen if order.agreement_id is not None else 0,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(GROUP),
            set_={name: TABLE.c[name] + statement.excluded[name] for name in FIGURES},
        )
    )


def rebuild_sales_summary(session: Session) -> None:
    """Recompute the whole summary from the received orders (after a bulk load)."""
    session.execute(sa.delete(TABLE))
    session.execute(TABLE.insert().from_select([*GROUP, *FIGURES], summary_select(session)))


def summary_select(session: Session) -> sa.Select:
    """The summary's rows computed from the orders, products and villages as they are now."""
    month = local_month(session, Order.received_at)
    paired = sa.case((Order.agreement_id.is_not(None), Order.amount_fen), else_=0)
    return (
        sa.select(
            month,
            Village.county_code,
            Product.category,
            sa.func.count(Order.id),
            sa.func.sum(Order.amount_fen),
            sa.func.sum(paired),
        )
        .join(Product, Product.id == Order.product_id)
        .join(Village, Village.id == Product.village_id)
        .where(Order.status == OrderStatus.received)
        .group_by(month, Village.county_code, Product.category)
    )
