"""Orders (订单): placed → confirmed → shipped → received, or cancelled before shipping.

Stock is held when the buyer places the order (``order_stock.hold``: one conditional UPDATE …
WHERE stock >= :q, decision 0036) and given back when the order is cancelled, refused by the
cooperative or expires unconfirmed; confirming no longer fails for stock. Every transition checks
the version the user saw (optimistic locking).
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session, select

from app.actors import SYSTEM, Actor
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Demand, Enterprise, Order, PairingAgreement, Product, Village
from app.models.base import utcnow
from app.models.enums import AgreementStatus, DemandStatus, OrderStatus, ProductStatus
from app.permissions import (
    ORDERS,
    can_see_order,
    is_enterprise_staff,
)
from app.services import clock, order_stock
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import OrderEvent
from app.services.inputs import ErrorCollector, parse
from app.services.numbering import order_number
from app.services.order_inputs import (
    OrderInput,
    RatingInput,
    ShippingInput,
    check_order_unit,
    check_quantity,
)
from app.services.order_states import ORDER, OrderCase
from app.services.paging import Page, paginate

# Agreements whose purchases an order can count toward (结对帮销).
COUNTING_AGREEMENT_STATUSES = (AgreementStatus.active, AgreementStatus.completed)


def place_order(
    *,
    session: Session,
    actor: Actor,
    product_id: int,
    data: dict,
    now: datetime | None = None,
) -> Order:
    """A buyer orders a listed product at today's price; its stock is held for the order."""
    buyer = session.get(Enterprise, actor.enterprise_id) if actor.enterprise_id else None
    ORDER.authorize("place", actor, buyer)
    product = session.get(Product, product_id)
    if product is None or product.status != ProductStatus.listed:
        raise NotFoundError("产品不存在或已下架")
    errors = ErrorCollector()  # every problem of the form at once
    form = errors.check(parse, OrderInput, data)
    if form is not None:
        errors.check(check_quantity, product, form.quantity, form.unit)
    elif "unit" not in errors.fields():
        errors.check(check_order_unit, product, str(data.get("unit") or "").strip())
    errors.raise_any()
    demand = _answered_demand(session, actor, form.demand_id)
    now = now or utcnow()
    order_stock.hold(session, product, form.quantity)
    demand_id = demand.id if demand else None
    order = new_order(session, actor, buyer, product, form.quantity, form, now, demand_id=demand_id)
    if demand is not None and demand.status == DemandStatus.open:
        demand.status = DemandStatus.matched
        demand.updated_at = now
    return order


def confirm_order(*, session: Session, actor: Actor, order_id: int, expected_version: int) -> Order:
    """The cooperative accepts the order (its stock is already held; an order placed before holds
    existed takes its stock now, or is refused if too little)."""
    order, product = _load(session, order_id)
    case = OrderCase(order, product)
    ORDER.check("confirm", actor, case, expected_version)
    before = snapshot(order)
    legacy = not order.stock_held
    # Before the order changes: the product's UPDATE would autoflush a half-made change.
    order_stock.take_for_legacy_order(session, order, product)
    ORDER.move("confirm", case)
    order.confirmed_at = utcnow()
    _save(session, order)
    _record(session, actor, "order.confirm", order, product, "确认订单", before, stock=legacy)
    return order


def ship_order(
    *, session: Session, actor: Actor, order_id: int, expected_version: int, data: dict
) -> Order:
    """The cooperative has sent the goods, by a carrier (承运方) with a tracking number."""
    order, product = _load(session, order_id)
    case = OrderCase(order, product)
    ORDER.check("ship", actor, case, expected_version)
    form = parse(ShippingInput, data)
    before = snapshot(order)
    ORDER.move("ship", case)
    order.shipped_at = utcnow()
    order.carrier, order.tracking_number = form.carrier, form.tracking_number
    _save(session, order)
    waybill = f"：{form.carrier}" + (f" {form.tracking_number}" if form.tracking_number else "")
    _record(session, actor, "order.ship", order, product, "订单已发货" + waybill, before)
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
    """Buyer or cooperative cancels before shipping; the held stock goes back on sale."""
    return _end_unsold(
        session, actor, order_id, expected_version, reason, action="order.cancel", verb="取消订单"
    )


def refuse_order(
    *, session: Session, actor: Actor, order_id: int, expected_version: int, reason: str = ""
) -> Order:
    """The cooperative declines a placed order, saying why; the held stock goes back on sale."""
    if not reason.strip():
        order, product = _load(session, order_id)
        ORDER.check("refuse", actor, OrderCase(order, product), expected_version)
        raise ValidationError("请填写拒绝接单的原因", code="reason_required", field="reason")
    return _end_unsold(
        session, actor, order_id, expected_version, reason, action="order.refuse", verb="拒绝接单"
    )


def expire_overdue(*, session: Session, now: datetime, confirm_hours: int) -> int:
    """Orders left unconfirmed longer than ``confirm_hours`` expire; their stock goes back.
    Run by the periodic job ``orders.expire``; returns how many expired."""
    deadline = now - timedelta(hours=confirm_hours)
    due = session.exec(
        select(Order.id)
        .where(Order.status == OrderStatus.placed, Order.placed_at < deadline)
        .order_by(Order.placed_at, Order.id)
    ).all()
    done = 0
    for order_id in due:
        try:
            with session.begin_nested():
                order, product = _load(session, order_id)
                case = OrderCase(order, product, expire_before=deadline)
                if not ORDER.may("expire", SYSTEM, case):
                    continue  # confirmed or cancelled since it was read
                before = snapshot(order)
                ORDER.move("expire", case)
                order.cancelled_at = now
                order.cancel_reason = f"合作社超过 {confirm_hours} 小时未确认，订单自动失效"
                held, order.stock_held = order.stock_held, False
                _save(session, order)
                if held:
                    order_stock.give_back(session, product, order.quantity)
                _record(
                    session, SYSTEM, "order.expire", order, product,
                    "超时未确认，订单自动失效，库存已退回", before, stock=True,
                )  # fmt: skip
                done += 1
        except ConflictError:
            continue  # another process took a step on it first
    return done


def _end_unsold(
    session: Session, actor: Actor, order_id: int, version: int, reason: str, *, action, verb
) -> Order:
    """Cancel or refuse (``action``): the order ends unsold and its held stock goes back."""
    name = action.removeprefix("order.")
    order, product = _load(session, order_id)
    case = OrderCase(order, product)
    ORDER.check(name, actor, case, version)
    reason = reason.strip()
    if len(reason) > 200:
        label = "取消原因" if name == "cancel" else "拒绝原因"
        raise ValidationError(f"{label}不能超过 200 个字符", code="reason_too_long", field="reason")
    before = snapshot(order)
    ORDER.move(name, case)
    order.cancelled_at, order.cancel_reason = utcnow(), reason
    returned, order.stock_held = order.stock_held, False
    _save(session, order)
    if returned:
        order_stock.give_back(session, product, order.quantity)
    summary = verb + (f"：{reason}" if reason else "") + ("，库存已退回" if returned else "")
    _record(session, actor, action, order, product, summary, before, stock=returned)
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


def next_order_number(session: Session, now: datetime) -> str:
    return order_number(session, clock.day_stamp(now))


def new_order(
    session: Session,
    actor: Actor,
    buyer: Enterprise,
    product: Product,
    quantity: int,
    form,
    now: datetime,
    **links,
) -> Order:
    """A placed order whose stock the caller has held, with its event; ``form`` carries the
    recipient, the address and the note; ``links``: ``demand_id``, ``checkout_number``,
    ``number`` (taken already)."""
    links.setdefault("number", None)
    order = Order(
        **links | {"number": links["number"] or next_order_number(session, now)},
        buyer_id=buyer.id,
        product_id=product.id,
        quantity=quantity,
        unit_price_fen=product.price_fen,
        amount_fen=quantity * product.price_fen,
        shipping_address=form.shipping_address,
        recipient_name=form.recipient_name,
        recipient_phone=form.recipient_phone,
        stock_held=True,
        note=form.note,
        placed_at=now,
        updated_at=now,
    )
    session.add(order)
    _record(session, actor, "order.place", order, product, f"{buyer.name}下单", stock=True)
    return order


def _answered_demand(session: Session, actor: Actor, demand_id: int | None) -> Demand | None:
    if demand_id is None:
        return None
    demand = session.get(Demand, demand_id)
    if demand is None or not is_enterprise_staff(actor, demand.buyer_id):
        raise NotFoundError("采购需求不存在", field="demand_id")
    if demand.status == DemandStatus.closed:
        raise ConflictError("该采购需求已关闭", code="demand_closed", field="demand_id")
    return demand


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
