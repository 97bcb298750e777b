"""Buying as mutations: purchase demands, orders from placing to rating, and the buyer's annual
reserved share (预留份额).

Order steps name the version the client saw (``expectedVersion``): a step taken by someone else
first is ``stale_version``; placing an order holds its stock atomically (``quantity_above_stock``
if short), cancelling, refusing or expiry gives it back.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import strawberry

from app.schema import enums
from app.schema.context import Info
from app.schema.errors import input_data
from app.schema.node import parse_id
from app.schema.organisations import Enterprise
from app.schema.payloads import Input, data_mutation, payload_type, respond, step_mutation
from app.schema.scalars import Money
from app.schema.trade import Demand, Order
from app.services import checkout, consumption, demands, orders


@strawberry.input(description="发布采购需求（已通过审核的帮扶主体）；最高单价以元填写")
class PostDemandInput:
    title: str = strawberry.field(description="需求标题（2 至 80 个字符）")
    category: enums.ProductCategory = strawberry.field(description="品类")
    quantity: int = strawberry.field(description="采购数量，大于 0")
    unit: str = strawberry.field(description="计量单位，如 斤、箱")
    deliver_by: date = strawberry.field(description="交货日期，不早于今天")
    keywords: str = strawberry.field(default="", description="关键词，空格或逗号分隔")
    max_unit_price: Money | None = strawberry.field(
        default=None, description="最高单价（元）；不限时不填"
    )
    destination_region: str = strawberry.field(default="", description="收货地区")
    note: str = strawberry.field(default="", description="补充说明")


@strawberry.input(description="关闭本单位的采购需求")
class CloseDemandInput:
    demand_id: strawberry.ID = strawberry.field(description="采购需求（全局编号）")
    expected_version: int = strawberry.field(
        description="您看到的采购需求版本号（version）；其间他人修改过时拒绝（stale_version）"
    )


@strawberry.input(description="按当前单价下单；下单即预留库存，合作社超时未确认则自动失效")
class PlaceOrderInput:
    product_id: strawberry.ID = strawberry.field(description="在售产品（全局编号）")
    quantity: int = strawberry.field(description="数量：不少于起订量，不多于库存")
    unit: str = strawberry.field(description="计量单位，须与产品的一致")
    recipient_name: str = strawberry.field(description="收货人")
    recipient_phone: str = strawberry.field(description="收货人电话：11 位手机号或带区号的固定电话")
    shipping_address: str = strawberry.field(description="收货地址")
    note: str = strawberry.field(default="", description="备注")
    demand_id: strawberry.ID | None = strawberry.field(
        default=None, description="响应的本单位采购需求（可不填）"
    )


@strawberry.input(description="结算中的一种产品及其数量")
class CheckoutLineInput:
    product_id: strawberry.ID = strawberry.field(description="该合作社的在售产品（全局编号）")
    quantity: int = strawberry.field(description="数量：不少于起订量，不多于库存")


@strawberry.input(
    description="同一合作社的多种产品一起下单：每种产品一笔订单，共用结算号；库存全部预留或整单不提交"
)
class CheckoutInput:
    cooperative_id: strawberry.ID = strawberry.field(description="合作社（全局编号）")
    lines: list[CheckoutLineInput] = strawberry.field(description="产品与数量（至少一种）")
    recipient_name: str = strawberry.field(description="收货人")
    recipient_phone: str = strawberry.field(description="收货人电话：11 位手机号或带区号的固定电话")
    shipping_address: str = strawberry.field(description="收货地址")
    note: str = strawberry.field(default="", description="备注")


@strawberry.input(description="对订单的一步操作")
class OrderStepInput:
    order_id: strawberry.ID = strawberry.field(description="订单（全局编号）")
    expected_version: int = strawberry.field(description="您看到的订单版本号（version）")


@strawberry.input(description="发货前取消订单（采购方；合作社在确认接单后）；预留的库存退回")
class CancelOrderInput(OrderStepInput):
    reason: str = strawberry.field(default="", description="取消原因（不超过 200 个字符）")


@strawberry.input(description="合作社拒绝接单（须说明原因）；预留的库存退回")
class RefuseOrderInput(OrderStepInput):
    reason: str = strawberry.field(description="拒绝原因（不超过 200 个字符）")


@strawberry.input(description="合作社发货：承运物流与运单号")
class ShipOrderInput(OrderStepInput):
    carrier: str = strawberry.field(description="承运物流，如 中国邮政、自行配送")
    tracking_number: str = strawberry.field(default="", description="运单号（自行配送可不填）")


@strawberry.input(description="收货后评价订单（每单一次），计入产品评分")
class RateOrderInput(OrderStepInput):
    rating: int = strawberry.field(description="评分 1–5")
    comment: str = strawberry.field(default="", description="评价（不超过 500 个字符）")


@strawberry.input(description="设置年度预留采购份额（机关事业单位、国有企业）")
class SetReservedShareInput:
    enterprise_id: strawberry.ID = strawberry.field(description="本单位（全局编号）")
    expected_version: int = strawberry.field(
        description="您看到的单位信息版本号（version）；其间他人修改过时拒绝（stale_version）"
    )
    reserved_share: Money = strawberry.field(description="年度预留采购份额（元）")


DemandPayload = payload_type(
    "DemandPayload", "demand", Demand, description="采购需求操作的结果", label="采购需求"
)
OrderPayload = payload_type(
    "OrderPayload", "order", Order, description="订单操作的结果", label="订单"
)
CheckoutPayload = payload_type(
    "CheckoutPayload",
    "orders",
    list[Order],
    description="一起下单的结果：生成的订单（共用结算号）",
    label="订单",
)
SetReservedSharePayload = payload_type(
    "SetReservedSharePayload",
    "enterprise",
    Enterprise,
    description="设置预留份额的结果",
    label="采购方",
)


def _order_id(value: strawberry.ID) -> int:
    return parse_id(value, "Order", field="order_id")


def _order_step(service: Callable, input_type: type, description: str, **fields: str) -> Any:
    """One order transition at the version the client saw."""
    return step_mutation(
        service, OrderPayload, input_type, description, key="order_id", node="Order", **fields
    )


def _rating(input: RateOrderInput) -> dict:
    return {"rating": input.rating, "comment": input.comment}


@strawberry.type
class OrderMutations:
    post_demand = data_mutation(
        demands.post_demand,
        DemandPayload,
        PostDemandInput,
        "发布采购需求；系统为其推荐产品（demandSuggestions）",
    )

    @strawberry.mutation(description="关闭本单位的采购需求")
    async def close_demand(self, info: Info, input: Input[CloseDemandInput]) -> DemandPayload:
        return await respond(
            info,
            DemandPayload,
            lambda s, actor: demands.close_demand(
                session=s,
                actor=actor,
                demand_id=parse_id(input.demand_id, "Demand", field="demand_id"),
                expected_version=input.expected_version,
            ),
        )

    @strawberry.mutation(description="下单（已通过审核的帮扶主体）")
    async def place_order(self, info: Info, input: Input[PlaceOrderInput]) -> OrderPayload:
        data = input_data(input, skip=("product_id", "demand_id"))

        def work(session, actor):
            if input.demand_id:
                data["demand_id"] = parse_id(input.demand_id, "Demand", field="demand_id")
            return orders.place_order(
                session=session,
                actor=actor,
                product_id=parse_id(input.product_id, "Product", field="product_id"),
                data=data,
            )

        return await respond(info, OrderPayload, work)

    @strawberry.mutation(description="同一合作社的多种产品一起下单（已通过审核的帮扶主体）")
    async def checkout(self, info: Info, input: Input[CheckoutInput]) -> CheckoutPayload:
        data = input_data(input, skip=("cooperative_id", "lines"))

        def work(session, actor):
            lines = {
                parse_id(line.product_id, "Product", field="lines"): line.quantity
                for line in input.lines
            }
            return checkout.checkout(
                session=session,
                actor=actor,
                cooperative_id=parse_id(
                    input.cooperative_id, "Cooperative", field="cooperative_id"
                ),
                lines=lines,
                data=data,
            )

        return await respond(info, CheckoutPayload, work)

    confirm_order = _order_step(orders.confirm_order, OrderStepInput, "合作社确认接单")
    refuse_order = _order_step(
        orders.refuse_order, RefuseOrderInput, "合作社拒绝接单；预留的库存退回", reason="reason"
    )

    @strawberry.mutation(description="合作社发货，填写承运物流与运单号")
    async def ship_order(self, info: Info, input: Input[ShipOrderInput]) -> OrderPayload:
        return await respond(
            info,
            OrderPayload,
            lambda s, actor: orders.ship_order(
                session=s,
                actor=actor,
                order_id=_order_id(input.order_id),
                expected_version=input.expected_version,
                data={"carrier": input.carrier, "tracking_number": input.tracking_number},
            ),
        )

    receive_order = _order_step(
        orders.receive_order,
        OrderStepInput,
        "采购方确认收货；来自结对村的订单自动计入该协议的结对帮销",
    )
    cancel_order = _order_step(
        orders.cancel_order, CancelOrderInput, "发货前取消订单；预留的库存退回", reason="reason"
    )

    @strawberry.mutation(description="收货后评价订单 1–5 星（采购方，每单一次）")
    async def rate_order(self, info: Info, input: Input[RateOrderInput]) -> OrderPayload:
        return await respond(
            info,
            OrderPayload,
            lambda s, actor: orders.rate_order(
                session=s,
                actor=actor,
                order_id=_order_id(input.order_id),
                expected_version=input.expected_version,
                data=_rating(input),
            ),
        )

    set_reserved_share = data_mutation(
        consumption.set_reserved_share,
        SetReservedSharePayload,
        SetReservedShareInput,
        "设置本单位的年度预留采购份额（机关事业单位、国有企业）",
        key="enterprise_id",
        node="Enterprise",
        versioned=True,
    )
