"""Orders (订单): placed → confirmed → shipped → received, or cancelled before shipping.

Stock is reserved when the cooperative confirms, by one conditional UPDATE … WHERE stock >= :q
whose row count says whether it succeeded: concurrent confirmations are serialised by the row
lock (PostgreSQL) or the write lock (SQLite) and the condition is re-checked, so stock never goes
below zero. Every transition checks the version the user saw (optimistic locking).
"""

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Demand, Enterprise, Order, PairingAgreement, Product, Village
from app.models.base import utcnow
from app.models.enums import AgreementStatus, DemandStatus, OrderStatus, ProductStatus
from app.money import MAX_AMOUNT_FEN, yuan_label
from app.permissions import (
    ORDERS,
    can_see_order,
    is_enterprise_staff,
)
from app.services import clock
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import OrderEvent
from app.services.inputs import ErrorCollector, MultilineText, RowId, Text, parse
from app.services.numbering import order_number
from app.services.order_states import ORDER, OrderCase
from app.services.paging import Page, paginate
from app.services.products import MAX_QUANTITY, check_unit

# Agreements whose purchases an order can count toward (结对帮销).
COUNTING_AGREEMENT_STATUSES = (AgreementStatus.active, AgreementStatus.completed)


class OrderInput(BaseModel):
    quantity: int = Field(title="订购数量", gt=0, le=MAX_QUANTITY)
    unit: Text = Field(title="计量单位")
    shipping_address: Text = Field(title="收货地址", min_length=1, max_length=200)
    note: MultilineText = Field(default="", title="备注", max_length=500)
    demand_id: RowId | None = Field(default=None, title="采购需求")

    _unit = field_validator("unit")(check_unit)

    @field_validator("shipping_address", "note", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("demand_id", mode="before")
    @classmethod
    def _blank_demand(cls, value):
        return None if value in ("", None) else value


class RatingInput(BaseModel):
    rating: int = Field(title="评分", ge=1, le=5)
    comment: MultilineText = Field(default="", title="评价", max_length=500)


def place_order(
    *,
    session: Session,
    actor: Actor,
    product_id: int,
    data: dict,
    now: datetime | None = None,
) -> Order:
    """A buyer orders a listed product at today's price; stock is reserved on confirmation."""
    buyer = session.get(Enterprise, actor.enterprise_id) if actor.enterprise_id else None
    ORDER.authorize("place", actor, buyer)
    product = session.get(Product, product_id)
    if product is None or product.status != ProductStatus.listed:
        raise NotFoundError("产品不存在或已下架")
    errors = ErrorCollector()  # every problem of the form at once
    form = errors.check(parse, OrderInput, data)
    if form is not None:
        errors.check(_check_quantity, product, form)
    elif "unit" not in errors.fields():
        errors.check(_check_unit, product, str(data.get("unit") or "").strip())
    errors.raise_any()
    demand = _answered_demand(session, actor, form.demand_id)
    now = now or utcnow()
    order = Order(
        number=order_number(session, clock.day_stamp(now)),
        buyer_id=buyer.id,
        product_id=product.id,
        demand_id=demand.id if demand else None,
        quantity=form.quantity,
        unit_price_fen=product.price_fen,
        amount_fen=form.quantity * product.price_fen,
        shipping_address=form.shipping_address,
        note=form.note,
        placed_at=now,
        updated_at=now,
    )
    session.add(order)
    _record(session, actor, "order.place", order, product, f"{buyer.name}下单")
    if demand is not None and demand.status == DemandStatus.open:
        demand.status = DemandStatus.matched
        demand.updated_at = now
    return order


def confirm_order(*, session: Session, actor: Actor, order_id: int, expected_version: int) -> Order:
    """The cooperative accepts the order and its stock is reserved, or refused if too little."""
    order, product, before = _take(session, actor, order_id, expected_version, "confirm")
    order.confirmed_at = utcnow()
    _save(session, order)
    _reserve(session, product, order.quantity)
    _record(
        session, actor, "order.confirm", order, product, "确认订单并预留库存", before, stock=True
    )
    return order


def ship_order(*, session: Session, actor: Actor, order_id: int, expected_version: int) -> Order:
    """The cooperative has sent the goods."""
    order, product, before = _take(session, actor, order_id, expected_version, "ship")
    order.shipped_at = utcnow()
    _save(session, order)
    _record(session, actor, "order.ship", order, product, "订单已发货", before)
    return order


def receive_order(
    *,
    session: Session,
    actor: Actor,
    order_id: int,
    expected_version: int,
    now: datetime | None = None,
) -> Order:
    """The buyer confirms receipt; a purchase from a paired village counts for its agreement."""
    order, product = _load(session, order_id)
    case = OrderCase(order, product)
    ORDER.check("receive", actor, case, expected_version)
    before = snapshot(order)
    now = now or utcnow()
    # Looked up before the order changes: a query would autoflush a half-made change.
    agreement_id = _covering_agreement(session, order.buyer_id, product.village_id, now)
    ORDER.move("receive", case)
    order.received_at, order.agreement_id = now, agreement_id
    _save(session, order)
    summary = "确认收货" + ("，计入结对帮销" if order.agreement_id else "")
    _record(session, actor, "order.receive", order, product, summary, before)
    return order


def cancel_order(
    *, session: Session, actor: Actor, order_id: int, expected_version: int, reason: str = ""
) -> Order:
    """Buyer or cooperative cancels before shipping; reserved stock goes back on sale."""
    order, product = _load(session, order_id)
    case = OrderCase(order, product)
    ORDER.check("cancel", actor, case, expected_version)
    reason = reason.strip()
    if len(reason) > 200:
        raise ValidationError("取消原因不能超过 200 个字符", code="reason_too_long", field="reason")
    before = snapshot(order)
    was_reserved = order.status == OrderStatus.confirmed
    ORDER.move("cancel", case)
    order.cancelled_at, order.cancel_reason = utcnow(), reason
    _save(session, order)
    if was_reserved:
        _release(session, product, order.quantity)
    summary = (
        "取消订单" + (f"：{reason}" if reason else "") + ("，库存已退回" if was_reserved else "")
    )
    _record(session, actor, "order.cancel", order, product, summary, before, stock=was_reserved)
    return order


def rate_order(
    *, session: Session, actor: Actor, order_id: int, expected_version: int, data: dict
) -> Order:
    """After receipt the buyer rates the order once (1–5); the product's rating follows."""
    order, product = _load(session, order_id)
    ORDER.check("rate", actor, OrderCase(order, product), expected_version)
    form = parse(RatingInput, {**data, "comment": str(data.get("comment", "")).strip()})
    before = snapshot(order)
    order.rating, order.rating_comment = form.rating, form.comment
    order.updated_at = utcnow()
    _save(session, order)
    table = Product.__table__
    session.execute(
        sa.update(table)
        .where(table.c.id == product.id)
        .values(
            rating_total=table.c.rating_total + form.rating,
            rating_count=table.c.rating_count + 1,
        )
    )
    # No version bump: a rating is no one's edit, and no form writes these columns back.
    session.expire(product, ["rating_total", "rating_count"])
    rated = f"评价 {form.rating} 星"
    _record(session, actor, "order.rate", order, product, rated, before, stock=True)
    return order


def order_actions(actor: Actor, order: Order, product: Product) -> tuple[str, ...]:
    """What the actor may do with the order now: confirm, ship, receive, cancel, rate."""
    return tuple(ORDER.allowed(actor, OrderCase(order, product)))


def get_order(*, session: Session, actor: Actor, order_id: int) -> Order:
    """An order the actor may see, with its product, origin village and buyer loaded."""
    order, product = _load(session, order_id)
    village = session.get(Village, product.village_id)
    if not can_see_order(actor, order.buyer_id, product.cooperative_id, village.county_code):
        raise NotFoundError("订单不存在")
    # Loaded through the order: the session's identity map holds objects weakly, so a product
    # reached only from a local variable would be gone (and unloaded) once this returns.
    _ = order.buyer, order.product.cooperative, order.product.village.county, order.agreement
    return order


def list_orders(
    *, session: Session, actor: Actor, status: OrderStatus | None = None, page: int = 1
) -> Page[Order]:
    """The buyer's orders, the cooperative's incoming orders, or the bureau's region's."""
    visible = ORDERS.where(
        actor,
        buyer_id=Order.buyer_id,
        cooperative_id=Product.cooperative_id,
        county_code=Village.county_code,
    )
    query = select(Order).join(Product, Product.id == Order.product_id)
    if Village.__table__ in find_tables(visible, check_columns=True):
        query = query.join(Village, Village.id == Product.village_id)
    query = query.where(visible)
    if status is not None:
        query = query.where(Order.status == status)
    query = query.options(
        selectinload(Order.product).selectinload(Product.cooperative),
        selectinload(Order.buyer),
    ).order_by(Order.placed_at.desc(), Order.id.desc())
    return paginate(session, query, number=page)


def _check_unit(product: Product, unit: str) -> None:
    if unit != product.unit:
        raise ValidationError(
            f"该产品按“{product.unit}”销售，请按{product.unit}填写数量",
            code="unit_mismatch",
            field="unit",
        )


def _check_quantity(product: Product, form: OrderInput) -> None:
    unit = product.unit
    _check_unit(product, form.unit)
    if form.quantity < product.min_order:
        raise ValidationError(
            f"起订量为 {product.min_order} {unit}", code="below_min_order", field="quantity"
        )
    if form.quantity * product.price_fen > MAX_AMOUNT_FEN:
        raise ValidationError(
            f"订单金额不能超过 {yuan_label(MAX_AMOUNT_FEN)}，请分多笔订购",
            code="amount_too_large",
            field="quantity",
        )
    if form.quantity > product.stock:
        raise ValidationError(
            f"库存不足：当前最多可订 {product.stock} {unit}",
            code="quantity_above_stock",
            field="quantity",
        )


def _answered_demand(session: Session, actor: Actor, demand_id: int | None) -> Demand | None:
    if demand_id is None:
        return None
    demand = session.get(Demand, demand_id)
    if demand is None or not is_enterprise_staff(actor, demand.buyer_id):
        raise NotFoundError("采购需求不存在", field="demand_id")
    if demand.status == DemandStatus.closed:
        raise ConflictError("该采购需求已关闭", code="demand_closed", field="demand_id")
    return demand


def _reserve(session: Session, product: Product, quantity: int) -> None:
    # The product's version moves with its stock: a product form read before the sale is refused
    # (decision 0015) instead of writing back the stock it showed.
    table = Product.__table__
    result = session.execute(
        sa.update(table)
        .where(table.c.id == product.id, table.c.stock >= quantity)
        .values(stock=table.c.stock - quantity, version=table.c.version + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:
        session.refresh(product, ["stock"])
        raise ConflictError(
            f"库存不足：订单需要 {quantity} {product.unit}，当前库存仅 {product.stock} "
            f"{product.unit}，请补充库存后再确认",
            code="insufficient_stock",
        )
    session.expire(product, ["stock", "version", "updated_at"])


def _release(session: Session, product: Product, quantity: int) -> None:
    table = Product.__table__
    session.execute(
        sa.update(table)
        .where(table.c.id == product.id)
        .values(stock=table.c.stock + quantity, version=table.c.version + 1, updated_at=utcnow())
    )
    session.expire(product, ["stock", "version", "updated_at"])


def _covering_agreement(
    session: Session, buyer_id: int, village_id: int, received_at: datetime
) -> int | None:
    day = clock.local_date(received_at)
    return session.exec(
        select(PairingAgreement.id)
        .where(
            PairingAgreement.enterprise_id == buyer_id,
            PairingAgreement.village_id == village_id,
            PairingAgreement.status.in_(COUNTING_AGREEMENT_STATUSES),
            PairingAgreement.start_on <= day,
            PairingAgreement.end_on >= day,
        )
        .order_by(PairingAgreement.start_on.desc(), PairingAgreement.id.desc())
    ).first()


def _load(session: Session, order_id: int) -> tuple[Order, Product]:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFoundError("订单不存在")
    return order, session.get(Product, order.product_id)


def _take(
    session: Session, actor: Actor, order_id: int, version: int, name: str
) -> tuple[Order, Product, dict]:
    """Check and take a step that changes nothing else before it; returns the order's snapshot
    from before it."""
    order, product = _load(session, order_id)
    case = OrderCase(order, product)
    ORDER.check(name, actor, case, version)
    before = snapshot(order)
    ORDER.move(name, case)
    return order, product, before


def _save(session: Session, order: Order) -> None:
    order.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise _stale() from None


def _stale() -> ConflictError:
    return ConflictError(ORDER.stale, code="stale_version")


def _record(
    session: Session,
    actor: Actor,
    action: str,
    order: Order,
    product: Product,
    summary: str,
    before: dict | None = None,
    *,
    stock: bool = False,
) -> None:
    """Publish the order's change; ``stock``: the product changed with it (stock, rating)."""
    publish(
        session,
        OrderEvent.by(
            actor,
            action=action,
            obj=order,
            product=product,
            product_changed=stock,
            summary=f"订单 {order.number}（{product.name}）{summary}",
            before=before,
            after=snapshot(order),
            county_code=session.get(Village, product.village_id).county_code,
        ),
    )
