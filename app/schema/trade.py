"""Products, purchase demands and orders (消费帮扶): types and read-only queries.

The trade services' mutations (products, certification, demands, orders) join here in the same
payload shape once they land.
"""

from datetime import date, datetime
from typing import Annotated

import strawberry

from app import models
from app.models.enums import Certification as DomainCertification
from app.models.enums import DemandStatus as DomainDemandStatus
from app.models.enums import ProductStatus as DomainProductStatus
from app.models.flags import from_mask, mask_to_months
from app.money import yuan_to_fen
from app.permissions import can_see_demand, can_see_order, can_see_product
from app.schema import enums
from app.schema.context import Context, Info
from app.schema.node import Node, is_type_of, parse_id, register
from app.schema.organisations import (
    Cooperative,
    Enterprise,
    cooperative_reference,
    enterprise_reference,
)
from app.schema.pagination import (
    AFTER_DESCRIPTION,
    DEFAULT_PAGE_SIZE,
    FIRST_DESCRIPTION,
    Connection,
    list_connection,
    page_request,
)
from app.schema.pairing import PairingAgreement, visible_agreement
from app.schema.regions import Village
from app.schema.scalars import Money
from app.services import clock
from app.services.queries import trade as queries

First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]

ProductOrder = enums.graphql_enum(
    queries.ProductOrder,
    {
        queries.ProductOrder.newest: "新上架的在前",
        queries.ProductOrder.price_asc: "价格从低到高",
        queries.ProductOrder.price_desc: "价格从高到低",
        queries.ProductOrder.rating_desc: "评分从高到低（未评分的在后）",
        queries.ProductOrder.name: "按名称",
    },
    "产品列表的排序",
)


@strawberry.type(
    description="特色农产品。在售的公开；草稿和已下架的仅本合作社、本县乡村振兴局和管理员可见"
)
class Product(Node):
    is_type_of = is_type_of(models.Product)

    name: str = strawberry.field(description="产品名称")
    category: enums.ProductCategory = strawberry.field(description="类别")
    unit: str = strawberry.field(description="计价单位，如 斤、箱")
    price_fen: Money = strawberry.field(name="price", description="单价（元）")
    min_order: int = strawberry.field(description="起订量（按计价单位）")
    stock: int = strawberry.field(description="可售库存（按计价单位）")
    assistance_certified_until: date | None = strawberry.field(
        description="消费帮扶产品认定的有效期至"
    )
    description: str = strawberry.field(description="产品介绍")
    status: enums.ProductStatus = strawberry.field(description="上架状态")
    rating_count: int = strawberry.field(description="评价数")
    created_at: datetime = strawberry.field(description="创建时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")

    @strawberry.field(description="采收月份 1–12")
    def harvest_months(self, root: models.Product) -> list[int]:
        return mask_to_months(root.harvest_months)

    @strawberry.field(description="第三方认证：绿色食品、有机产品、地理标志")
    def certifications(self, root: models.Product) -> list[enums.Certification]:
        return from_mask(root.certifications, DomainCertification)

    @strawberry.field(description="今天（北京时间）是否在消费帮扶产品认定的有效期内")
    def assistance_certified(self, root: models.Product) -> bool:
        return root.is_assistance_certified(clock.today())

    @strawberry.field(description="平均评分 1–5；尚无评价时为空")
    def rating(self, root: models.Product) -> float | None:
        return root.rating

    @strawberry.field(description="发布的合作社")
    def cooperative(self, root: models.Product, info: Info) -> Cooperative:
        return cooperative_reference(info.context, root.cooperative_id)

    @strawberry.field(description="产地村")
    def village(self, root: models.Product, info: Info) -> Village:
        return info.context.loaders.village_by_id.load(root.village_id)


@strawberry.type(
    description="采购需求。发布方可见自己的全部需求；合作社、乡村振兴局和管理员可见征集中的需求"
)
class Demand(Node):
    is_type_of = is_type_of(models.Demand)

    title: str = strawberry.field(description="标题")
    category: enums.ProductCategory = strawberry.field(description="产品类别")
    keywords: str = strawberry.field(description="关键词")
    quantity: int = strawberry.field(description="数量（按单位）")
    unit: str = strawberry.field(description="单位")
    max_unit_price_fen: Money | None = strawberry.field(
        name="maxUnitPrice", description="最高单价（元）；不限时为空"
    )
    deliver_by: date = strawberry.field(description="最晚交货日期")
    destination_region: str = strawberry.field(description="收货地区")
    note: str = strawberry.field(description="备注")
    status: enums.DemandStatus = strawberry.field(description="状态")
    created_at: datetime = strawberry.field(description="发布时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")

    @strawberry.field(description="发布需求的采购方")
    def buyer(self, root: models.Demand, info: Info) -> Enterprise:
        return enterprise_reference(info.context, root.buyer_id)


@strawberry.type(description="订单。采购方、供货合作社、产品所在县的乡村振兴局和管理员可见")
class Order(Node):
    is_type_of = is_type_of(models.Order)

    number: str = strawberry.field(description="订单号")
    quantity: int = strawberry.field(description="数量（按产品的计价单位）")
    unit_price_fen: Money = strawberry.field(name="unitPrice", description="下单时的单价（元）")
    amount_fen: Money = strawberry.field(name="amount", description="金额（元）")
    status: enums.OrderStatus = strawberry.field(description="状态")
    shipping_address: str = strawberry.field(description="收货地址")
    note: str = strawberry.field(description="备注")
    cancel_reason: str = strawberry.field(description="取消原因")
    rating: int | None = strawberry.field(description="收货后的评分 1–5")
    rating_comment: str = strawberry.field(description="评价")
    placed_at: datetime = strawberry.field(description="下单时间")
    confirmed_at: datetime | None = strawberry.field(description="确认时间")
    shipped_at: datetime | None = strawberry.field(description="发货时间")
    received_at: datetime | None = strawberry.field(description="收货时间")
    cancelled_at: datetime | None = strawberry.field(description="取消时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")
    version: int = strawberry.field(description="版本号；处理时原样传回，用于发现并发修改")

    @strawberry.field(description="采购方")
    def buyer(self, root: models.Order, info: Info) -> Enterprise:
        return enterprise_reference(info.context, root.buyer_id)

    @strawberry.field(description="产品；已下架且您无权查看时为空")
    async def product(self, root: models.Order, info: Info) -> Product | None:
        return await visible_product(info.context, root.product_id)

    @strawberry.field(description="来自哪条采购需求；无或无权查看时为空")
    async def demand(self, root: models.Order, info: Info) -> Demand | None:
        return (
            None if root.demand_id is None else await visible_demand(info.context, root.demand_id)
        )

    @strawberry.field(description="计入哪份结对协议的结对帮销；无或无权查看时为空")
    async def agreement(self, root: models.Order, info: Info) -> PairingAgreement | None:
        if root.agreement_id is None:
            return None
        return await visible_agreement(info.context, root.agreement_id)


# Visibility -----------------------------------------------------------------------------------


async def visible_product(context: Context, key: int) -> models.Product | None:
    row = await context.loaders.product_by_id.load(key)
    if row is None:
        return None
    village = await context.loaders.village_by_id.load(row.village_id)
    listed = row.status == DomainProductStatus.listed
    allowed = can_see_product(context.actor, row.cooperative_id, village.county_code, listed=listed)
    return row if allowed else None


async def visible_demand(context: Context, key: int) -> models.Demand | None:
    row = await context.loaders.demand_by_id.load(key)
    if row is None:
        return None
    is_open = row.status == DomainDemandStatus.open
    return row if can_see_demand(context.actor, row.buyer_id, is_open=is_open) else None


async def visible_order(context: Context, key: int) -> models.Order | None:
    row = await context.loaders.order_by_id.load(key)
    if row is None:
        return None
    product = await context.loaders.product_by_id.load(row.product_id)
    village = await context.loaders.village_by_id.load(product.village_id)
    allowed = can_see_order(
        context.actor, row.buyer_id, product.cooperative_id, village.county_code
    )
    return row if allowed else None


register("Product", models.Product, visible_product)
register("Demand", models.Demand, visible_demand)
register("Order", models.Order, visible_order)


# Queries --------------------------------------------------------------------------------------


@strawberry.input(description="产品列表的筛选条件；各项同时满足，价格范围含两端")
class ProductFilter:
    category: enums.ProductCategory | None = strawberry.field(default=None, description="类别")
    certification: enums.Certification | None = strawberry.field(
        default=None, description="有此第三方认证"
    )
    assistance_certified: bool | None = strawberry.field(
        default=None, description="今天是否在消费帮扶产品认定有效期内"
    )
    price_min: Money | None = strawberry.field(default=None, description="最低单价（元）")
    price_max: Money | None = strawberry.field(default=None, description="最高单价（元）")
    status: list[enums.ProductStatus] | None = strawberry.field(
        default=None, description="只看这些状态（草稿、已下架的仅有权限的用户可见）"
    )
    county_code: str | None = strawberry.field(default=None, description="产地县级代码")
    cooperative_id: strawberry.ID | None = strawberry.field(default=None, description="合作社")
    village_id: strawberry.ID | None = strawberry.field(default=None, description="产地村")

    def to_filter(self) -> queries.ProductFilter:
        def price(value: Money | None, field: str) -> int | None:
            return None if value is None else yuan_to_fen(value, field=field, label="价格")

        return queries.ProductFilter(
            category=enums.domain(self.category),
            certification=enums.domain(self.certification),
            assistance_certified=self.assistance_certified,
            price_min_fen=price(self.price_min, "priceMin"),
            price_max_fen=price(self.price_max, "priceMax"),
            statuses=enums.domains(self.status),
            county_code=self.county_code,
            cooperative_id=parse_id(self.cooperative_id, "Cooperative", field="cooperativeId")
            if self.cooperative_id
            else None,
            village_id=parse_id(self.village_id, "Village", field="villageId")
            if self.village_id
            else None,
        )


@strawberry.input(description="采购需求列表的筛选条件")
class DemandFilter:
    status: list[enums.DemandStatus] | None = strawberry.field(
        default=None, description="只看这些状态"
    )
    category: enums.ProductCategory | None = strawberry.field(default=None, description="产品类别")
    buyer_id: strawberry.ID | None = strawberry.field(default=None, description="采购方")


@strawberry.input(description="订单列表的筛选条件；下单日期按北京时间，含两端")
class OrderFilter:
    status: list[enums.OrderStatus] | None = strawberry.field(
        default=None, description="只看这些状态"
    )
    placed_from: date | None = strawberry.field(default=None, description="下单日期不早于")
    placed_to: date | None = strawberry.field(default=None, description="下单日期不晚于")
    product_id: strawberry.ID | None = strawberry.field(default=None, description="产品")
    buyer_id: strawberry.ID | None = strawberry.field(default=None, description="采购方")


def _enterprise_key(value: strawberry.ID | None) -> int | None:
    return parse_id(value, "Enterprise", field="buyerId") if value else None


@strawberry.type
class TradeQueries:
    @strawberry.field(description="产品列表（在售的公开；其余仅有权限的用户可见）")
    async def products(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        filter: Annotated[ProductFilter | None, strawberry.argument(description="筛选条件")] = None,
        order_by: Annotated[
            ProductOrder, strawberry.argument(description="排序，默认新上架的在前")
        ] = ProductOrder.NEWEST,
    ) -> Connection[Product]:
        filters = filter.to_filter() if filter else queries.ProductFilter()
        query = queries.select_products(
            actor=info.context.actor, filters=filters, order=enums.domain(order_by)
        )
        loader = info.context.loaders.product_by_id
        return await list_connection(info, query, page_request(first, after), prime=loader)

    @strawberry.field(description="按全局编号查一个产品；不存在或无权查看时为空")
    async def product(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="全局编号")]
    ) -> Product | None:
        return await visible_product(info.context, parse_id(id, "Product", field="id"))

    @strawberry.field(description="采购需求列表（只含您有权查看的），新发布的在前")
    async def demands(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        filter: Annotated[DemandFilter | None, strawberry.argument(description="筛选条件")] = None,
    ) -> Connection[Demand]:
        given = filter or DemandFilter()
        filters = queries.DemandFilter(
            statuses=enums.domains(given.status),
            category=enums.domain(given.category),
            buyer_id=_enterprise_key(given.buyer_id),
        )
        query = queries.select_demands(actor=info.context.actor, filters=filters)
        loader = info.context.loaders.demand_by_id
        return await list_connection(info, query, page_request(first, after), prime=loader)

    @strawberry.field(description="订单列表（只含您有权查看的），新下单的在前")
    async def orders(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        filter: Annotated[OrderFilter | None, strawberry.argument(description="筛选条件")] = None,
    ) -> Connection[Order]:
        given = filter or OrderFilter()
        filters = queries.OrderFilter(
            statuses=enums.domains(given.status),
            placed_from=given.placed_from,
            placed_to=given.placed_to,
            product_id=parse_id(given.product_id, "Product", field="productId")
            if given.product_id
            else None,
            buyer_id=_enterprise_key(given.buyer_id),
        )
        query = queries.select_orders(actor=info.context.actor, filters=filters)
        loader = info.context.loaders.order_by_id
        return await list_connection(info, query, page_request(first, after), prime=loader)
