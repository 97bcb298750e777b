"""The 消费帮扶 domain's declarations (app/services/domains.py): to-dos of orders and the orders'
ledger sheet."""

import sqlalchemy as sa

from app.actors import Role
from app.models import Enterprise, Order, Product, Village
from app.models.enums import OrderStatus
from app.permissions import DEMANDS, ORDERS, PRODUCTS, RESERVED_SHARES
from app.services import ledger_sections, trade_notices
from app.services.inbox import Kind
from app.services.order_states import ORDER


def _orders(*conditions) -> sa.Select:
    return (
        sa.select(
            (Order.number + " · " + Product.name).label("title"),
            Enterprise.name.label("detail"),
            Order.id.label("link_id"),
            Order.updated_at.label("since"),
        )
        .join(Product, Product.id == Order.product_id)
        .join(Enterprise, Enterprise.id == Order.buyer_id)
        .join(Village, Village.id == Product.village_id)
        .where(*conditions)
    )


VISIBILITY = (PRODUCTS, DEMANDS, ORDERS, RESERVED_SHARES)
INBOX_KINDS = (
    Kind(
        "orders_to_receive",
        "待确认收货的订单",
        Role.enterprise,
        "/orders/{id}",
        lambda a, t: _orders(
            Order.status == OrderStatus.shipped, Order.buyer_id == a.enterprise_id
        ),
    ),
    Kind(
        "orders_to_confirm",
        "待确认的订单",
        Role.cooperative,
        "/orders/{id}",
        lambda a, t: _orders(
            Order.status == OrderStatus.placed, Product.cooperative_id == a.cooperative_id
        ),
    ),
    Kind(
        "orders_to_ship",
        "待发货的订单",
        Role.cooperative,
        "/orders/{id}",
        lambda a, t: _orders(
            Order.status == OrderStatus.confirmed, Product.cooperative_id == a.cooperative_id
        ),
    ),
)
LEDGER_SECTIONS = (ledger_sections.ORDERS,)
DASHBOARD_PANELS = ()
STATE_MACHINES = (ORDER,)
NOTICES = (trade_notices.NOTICES,)
