"""The 消费帮扶 lists: products, purchase demands and orders, filtered and ordered."""

from datetime import date

import strawberry

from app.money import yuan_to_fen
from app.schema import enums
from app.schema.lists import list_field
from app.schema.node import node_field, parse_id
from app.schema.scalars import Money
from app.schema.trade import Demand, Order, Product
from app.services.queries import trade as queries

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

    def to_filter(self) -> queries.DemandFilter:
        return queries.DemandFilter(
            statuses=enums.domains(self.status),
            category=enums.domain(self.category),
            buyer_id=_enterprise_key(self.buyer_id),
        )


@strawberry.input(description="订单列表的筛选条件；下单日期按北京时间，含两端")
class OrderFilter:
    status: list[enums.OrderStatus] | None = strawberry.field(
        default=None, description="只看这些状态"
    )
    placed_from: date | None = strawberry.field(default=None, description="下单日期不早于")
    placed_to: date | None = strawberry.field(default=None, description="下单日期不晚于")
    product_id: strawberry.ID | None = strawberry.field(default=None, description="产品")
    buyer_id: strawberry.ID | None = strawberry.field(default=None, description="采购方")

    def to_filter(self) -> queries.OrderFilter:
        return queries.OrderFilter(
            statuses=enums.domains(self.status),
            placed_from=self.placed_from,
            placed_to=self.placed_to,
            product_id=parse_id(self.product_id, "Product", field="productId")
            if self.product_id
            else None,
            buyer_id=_enterprise_key(self.buyer_id),
        )


def _enterprise_key(value: strawberry.ID | None) -> int | None:
    return parse_id(value, "Enterprise", field="buyerId") if value else None


@strawberry.type
class TradeQueries:
    products = list_field(
        Product,
        "产品列表（在售的公开；其余仅有权限的用户可见）",
        ProductFilter,
        "product_by_id",
        select=queries.select_products,
        order=(ProductOrder.NEWEST, "排序，默认新上架的在前"),
    )

    product = node_field(Product, "产品")

    demands = list_field(
        Demand,
        "采购需求列表（只含您有权查看的），新发布的在前",
        DemandFilter,
        "demand_by_id",
        select=queries.select_demands,
    )
    orders = list_field(
        Order,
        "订单列表（只含您有权查看的），新下单的在前",
        OrderFilter,
        "order_by_id",
        select=queries.select_orders,
    )
