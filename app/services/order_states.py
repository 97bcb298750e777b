"""The lifecycle of an order (订单), taken by ``app.services.orders``:

(buyer) place ─▶ placed ─confirm (cooperative)─▶ confirmed ─ship─▶ shipped ─receive (buyer)─▶
received ─rate (buyer, once)─▶ received;   cancel (buyer or cooperative) before shipping ─▶
cancelled (the cooperative only once confirmed);   placed ─refuse (cooperative) | expire (the
periodic job, unconfirmed too long)─▶ cancelled. Placing holds the stock; every way to
cancelled gives it back (decision 0036).
"""

from dataclasses import dataclass
from datetime import datetime

from app.models import Order, Product
from app.models.enums import OrderStatus
from app.permissions import can_buy, can_manage_product, is_enterprise_staff
from app.services.state_machine import Guard, Machine, Transition, anyone

S = OrderStatus


@dataclass(frozen=True, slots=True)
class OrderCase:
    """An order with its product (whose cooperative sells it)."""

    order: Order
    product: Product
    # Orders placed before this moment and still unconfirmed have expired (None: none has).
    expire_before: datetime | None = None


def _expired(case: OrderCase) -> bool:
    return case.expire_before is not None and case.order.placed_at < case.expire_before


def _seller(actor, case: OrderCase) -> bool:
    return can_manage_product(actor, case.product.cooperative_id)


def _buyer(actor, case: OrderCase) -> bool:
    return is_enterprise_staff(actor, case.order.buyer_id)


def _step(name: str, sources, target, allowed, label: str, **more) -> Transition:
    return Transition(name, sources, target, allowed, f"order.{name}", label, **more)


ORDER = Machine(
    name="order",
    model="Order",
    states=tuple(S),
    initial=(S.placed,),
    terminal=(S.cancelled,),
    entity=lambda case: case.order,
    wrong_state="订单{state}，不能{action}",
    wrong_state_code="invalid_transition",
    stale="订单已被他人处理，请刷新后再试",
    transitions=(
        # Created by an approved buyer (subject: the buyer's enterprise, None for no buyer).
        _step(
            "place",
            (),
            S.placed,
            lambda actor, buyer: buyer is not None and can_buy(actor, buyer.id, buyer.status),
            "下单",
            offered=False,
        ),
        _step(
            "confirm",
            (S.placed,),
            S.confirmed,
            _seller,
            "确认",
            button="确认接单",
            done="已确认接单",
        ),
        _step(
            "refuse",
            (S.placed,),
            S.cancelled,
            _seller,
            "拒绝接单",
            done="已拒绝接单，库存已退回",
        ),
        # Taken by the periodic job when the cooperative let the confirmation time pass.
        _step(
            "expire",
            (S.placed,),
            S.cancelled,
            anyone,
            "超时失效",
            guards=(Guard(_expired, "订单尚未超过确认时限", "not_expired"),),
            offered=False,
        ),
        _step(
            "ship",
            (S.confirmed,),
            S.shipped,
            _seller,
            "发货",
            button="标记已发货",
            done="已标记为发货",
        ),
        _step("receive", (S.shipped,), S.received, _buyer, "确认收货", done="已确认收货"),
        _step(
            "cancel",
            (S.placed, S.confirmed),
            S.cancelled,
            lambda actor, case: _buyer(actor, case) or _seller(actor, case),
            "取消",
            # A placed order the cooperative does not want is refused (with a reason), not
            # cancelled.
            by_state={S.placed: _buyer},
            button="取消订单",
            done="订单已取消",
        ),
        # Rating leaves the order received; it is taken once.
        _step(
            "rate",
            (S.received,),
            S.received,
            _buyer,
            "评价",
            guards=(
                Guard(lambda case: case.order.rating is None, "该订单已评价", "already_rated"),
            ),
            button="提交评价",
            done="感谢评价",
        ),
    ),
)
