"""The lifecycle of an order (订单), taken by ``app.services.orders``:

(buyer) place ─▶ placed ─confirm (cooperative)─▶ confirmed ─ship─▶ shipped ─receive (buyer)─▶
received ─rate (buyer, once)─▶ received;   cancel (buyer or cooperative) before shipping ─▶
cancelled
"""

from dataclasses import dataclass

from app.models import Order, Product
from app.models.enums import OrderStatus
from app.permissions import can_buy, can_manage_product, is_enterprise_staff
from app.services.state_machine import Guard, Machine, Transition

S = OrderStatus


@dataclass(frozen=True, slots=True)
class OrderCase:
    """An order with its product (whose cooperative sells it)."""

    order: Order
    product: Product


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
            button="确认接单（预留库存）",
            done="已确认接单，库存已预留",
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
