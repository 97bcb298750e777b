"""Stock held by orders (decision 0036): taken at checkout, given back when an order ends unsold.

A hold is one conditional ``UPDATE products SET stock = stock - :q WHERE id = :p AND stock >= :q``
whose row count says whether it succeeded: concurrent checkouts are serialised by the row lock
(PostgreSQL) or the write lock (SQLite) and the condition is re-checked after the wait, so stock
never goes below zero and exactly the stock is sold. The product's version moves with its stock: a
product form read before the sale is refused (decision 0015) instead of writing back the stock it
showed.
"""

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from app.errors import ConflictError, ValidationError
from app.models import Order, Product
from app.models.base import utcnow

PRODUCTS = Product.__table__


def hold(session: Session, product: Product, quantity: int) -> None:
    """Take ``quantity`` out of the product's stock for a new order, or refuse by the field."""
    if not _take(session, product.id, quantity):
        session.refresh(product, ["stock"])
        raise ValidationError(
            f"库存不足：当前最多可订 {product.stock} {product.unit}",
            code="quantity_above_stock",
            field="quantity",
        )
    session.expire(product, ["stock", "version", "updated_at"])


def hold_lines(session: Session, lines: Iterable[tuple[Product, int]]) -> None:
    """Hold every line of one checkout, or none: the first short line refuses the whole cart
    (the caller's unit of work rolls back the lines already held)."""
    for product, quantity in sorted(lines, key=lambda line: line[0].id):
        # In product order: two carts holding the same products never wait for each other
        # in opposite orders (PostgreSQL row locks).
        if not _take(session, product.id, quantity):
            session.refresh(product, ["stock"])
            raise ValidationError(
                f"“{product.name}”库存不足：当前最多可订 {product.stock} {product.unit}",
                code="quantity_above_stock",
                field=f"quantity_{product.id}",
            )
        session.expire(product, ["stock", "version", "updated_at"])


def take_for_legacy_order(session: Session, order: Order, product: Product) -> None:
    """An order placed before holds existed takes its stock when confirmed, or is refused."""
    if order.stock_held:
        return
    if not _take(session, product.id, order.quantity):
        session.refresh(product, ["stock"])
        raise ConflictError(
            f"库存不足：订单需要 {order.quantity} {product.unit}，当前库存仅 {product.stock} "
            f"{product.unit}，请补充库存后再确认",
            code="insufficient_stock",
        )
    order.stock_held = True
    session.expire(product, ["stock", "version", "updated_at"])


def give_back(session: Session, product: Product, quantity: int) -> None:
    """Return an order's held stock (cancelled, refused, expired); the caller clears the order's
    ``stock_held`` in the same change of the order."""
    session.execute(
        sa.update(PRODUCTS)
        .where(PRODUCTS.c.id == product.id)
        .values(
            stock=PRODUCTS.c.stock + quantity,
            version=PRODUCTS.c.version + 1,
            updated_at=utcnow(),
        )
    )
    session.expire(product, ["stock", "version", "updated_at"])


def _take(session: Session, product_id: int, quantity: int) -> bool:
    result = session.execute(
        sa.update(PRODUCTS)
        .where(PRODUCTS.c.id == product_id, PRODUCTS.c.stock >= quantity)
        .values(
            stock=PRODUCTS.c.stock - quantity,
            version=PRODUCTS.c.version + 1,
            updated_at=utcnow(),
        )
    )
    return result.rowcount == 1
