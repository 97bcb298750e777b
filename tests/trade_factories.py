"""Factories and actors for the 消费帮扶 tests (products, demands, orders)."""

import io
import itertools
from datetime import date, timedelta

from PIL import Image
from sqlmodel import Session

from app.actors import Actor, Role
from app.models import Cooperative, Demand, Enterprise, Order, Product, Village
from app.models.enums import OrderStatus, ProductCategory, ProductStatus
from app.services import clock
from app.services.sales_summary import add_receipt
from tests.factories import make_product

_seq = itertools.count(1)


def cooperative_actor(cooperative: Cooperative, user_id: int | None = None) -> Actor:
    return Actor(role=Role.cooperative, user_id=user_id, name="社员", cooperative_id=cooperative.id)


def buyer_actor(enterprise: Enterprise, user_id: int | None = None) -> Actor:
    return Actor(role=Role.enterprise, user_id=user_id, name="采购员", enterprise_id=enterprise.id)


def bureau_actor(region_code: str = "140829") -> Actor:
    return Actor(role=Role.bureau, name="审核员", region_code=region_code)


def make_listed_product(session: Session, **overrides) -> Product:
    return make_product(session, **{"status": ProductStatus.listed} | overrides)


def make_demand(session: Session, buyer: Enterprise, **overrides) -> Demand:
    values = {
        "buyer_id": buyer.id,
        "title": f"食堂采购{next(_seq)}",
        "category": ProductCategory.vegetable,
        "quantity": 50,
        "unit": "斤",
        "deliver_by": clock.today() + timedelta(days=30),
    } | overrides
    demand = Demand(**values)
    session.add(demand)
    session.flush()
    return demand


def make_order(
    session: Session, buyer: Enterprise, product: Product, quantity: int = 10, **overrides
) -> Order:
    values = {
        "number": f"DD-20260101-{next(_seq):06d}",
        "buyer_id": buyer.id,
        "product_id": product.id,
        "quantity": quantity,
        "unit_price_fen": product.price_fen,
        "amount_fen": quantity * product.price_fen,
        "status": OrderStatus.placed,
    } | overrides
    # As migration 0022 leaves rows: confirmed and later hold their stock, a placed order made
    # here took none (the product's stock is not touched; place_order holds it).
    values.setdefault(
        "stock_held",
        values["status"] in (OrderStatus.confirmed, OrderStatus.shipped, OrderStatus.received),
    )
    order = Order(**values)
    session.add(order)
    session.flush()
    if order.status == OrderStatus.received and order.received_at is not None:
        # Counted in the summaries as orders.receive_order would have counted it.
        county_code = session.get(Village, product.village_id).county_code
        add_receipt(session, order, product, county_code)
    return order


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (640, 480), mode: str = "RGB") -> bytes:
    picture = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128))
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt)
    return buffer.getvalue()


def days_from_today(days: int) -> date:
    return clock.today() + timedelta(days=days)
