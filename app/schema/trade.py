"""Products, purchase demands and orders (消费帮扶): types and queries.

Their mutations are in product_mutations.py and order_mutations.py; the bureau's views
(certification queue, price flags, consumption figures) in trade_bureau.py.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app import models
from app.actors import Role
from app.models.enums import Certification as DomainCertification
from app.models.enums import DemandStatus as DomainDemandStatus
from app.models.enums import ProductStatus as DomainProductStatus
from app.models.flags import from_mask, mask_to_months
from app.permissions import (
    can_certify_product,
    can_manage_product,
    can_see_demand,
    can_see_order,
    can_see_product,
)
from app.schema import enums
from app.schema.context import Context, Info
from app.schema.node import Node, is_type_of, register
from app.schema.organisations import (
    Cooperative,
    Enterprise,
    cooperative_reference,
    enterprise_reference,
)
from app.schema.pairing import PairingAgreement, visible_agreement
from app.schema.regions import Village
from app.schema.scalars import Money
from app.services import clock, pricing

if TYPE_CHECKING:
    from app.schema.trade_bureau import CertificationApplication

ApplicationRef = Annotated["CertificationApplication", strawberry.lazy("app.schema.trade_bureau")]


@strawberry.type(description="产品照片：已重新编码为 JPEG（去除了拍摄位置等信息），并生成缩略图")
class ProductImage(Node):
    is_type_of = is_type_of(models.ProductImage)

    width: int = strawberry.field(description="宽（像素）")
    height: int = strawberry.field(description="高（像素）")
    position: int = strawberry.field(description="在相册中的顺序，从 0 开始")
    uploaded_at: datetime = strawberry.field(description="上传时间")

    @strawberry.field(description="照片地址（相对本站；与产品一样，在售的公开）")
    def url(self, root: models.ProductImage) -> str:
        return f"/product-images/{root.id}"

    @strawberry.field(description="缩略图地址（最长边 320 像素）")
    def thumbnail_url(self, root: models.ProductImage) -> str:
        return f"/product-images/{root.id}/thumbnail"


@strawberry.type(
    description="价格合理性：按标准数量（每斤或每个）与本县同品类、同品种在售产品的中位价比较"
)
class PriceCheck:
    comparables: int = strawberry.field(description="参与比较的同类在售产品数")

    @strawberry.field(description="比较的标准数量：每斤、每个，或（重量、个数不明时）每计量单位")
    def basis(self, root: pricing.PriceCheck) -> str:
        return root.basis_label

    @strawberry.field(description="本产品按标准数量的价格（元）")
    def standard_price(self, root: pricing.PriceCheck) -> Money:
        return root.price_fen  # type: ignore[return-value]

    @strawberry.field(description="同类产品按标准数量的中位价（元）")
    def median(self, root: pricing.PriceCheck) -> Money:
        return root.median_fen  # type: ignore[return-value]

    @strawberry.field(description="本产品标准数量价格是中位价的百分之几")
    def percent_of_median(self, root: pricing.PriceCheck) -> int:
        return root.percent_of_median

    @strawberry.field(
        description="比较依据，如 按每斤 ¥12.50，与本县同品种 8 个产品中位数 ¥6.00 比较"
    )
    def explanation(self, root: pricing.PriceCheck) -> str:
        return root.basis_text

    @strawberry.field(
        description="是否偏高：标准数量价格超过中位价的 2 倍（同类不足 3 个时不判断）。"
        "偏高的产品会提示给乡村振兴局，并向合作社显示警示（质次价高）"
    )
    def flagged(self, root: pricing.PriceCheck) -> bool:
        return root.flagged


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
    variety: str = strawberry.field(description="品种；价格按本县同品种比较")
    net_weight_g: int | None = strawberry.field(description="每个计价单位的净含量（克）")
    pieces_per_unit: int | None = strawberry.field(description="每个计价单位的个数")
    shelf_life_days: int | None = strawberry.field(description="保质期（天）")
    shipping_terms: str = strawberry.field(description="发货与运费说明")
    dispatch_place: str = strawberry.field(description="发货地")
    green_certificate_no: str = strawberry.field(description="绿色食品证书编号")
    organic_certificate_no: str = strawberry.field(description="有机产品证书编号")
    gi_certificate_no: str = strawberry.field(description="地理标志登记证书编号")
    status: enums.ProductStatus = strawberry.field(description="上架状态")
    rating_count: int = strawberry.field(description="评价数")
    created_at: datetime = strawberry.field(description="创建时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")
    version: int = strawberry.field(
        description="版本号；修改时原样传回（expectedVersion），用于发现他人的并发修改"
    )

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

    @strawberry.field(description="照片，按相册顺序（最多 8 张）")
    def images(self, root: models.Product, info: Info) -> list[ProductImage]:
        return info.context.loaders.images_by_product.load(root.id)

    @strawberry.field(
        description="最近一次消费帮扶产品认定申请；没有或无权查看（本社、本县乡村振兴局、管理员以外）时为空"
    )
    async def certification_application(
        self, root: models.Product, info: Info
    ) -> ApplicationRef | None:
        latest = await info.context.loaders.latest_application_by_product.load(root.id)
        if latest is None:
            return None
        return await visible_application(info.context, latest.id)

    @strawberry.field(description="与同类产品中位价的比较；同类产品都不在售时为空")
    def price_check(self, root: models.Product, info: Info) -> PriceCheck | None:
        return info.context.loaders.price_check_by_product.load(root.id)


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
    version: int = strawberry.field(
        description="版本号；修改时原样传回（expectedVersion），用于发现他人的并发修改"
    )

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
    recipient_name: str = strawberry.field(description="收货人")
    recipient_phone: str = strawberry.field(description="收货人电话（只有订单双方和主管部门可见）")
    carrier: str = strawberry.field(description="承运物流（发货后）")
    tracking_number: str = strawberry.field(description="运单号（发货后；自行配送时可为空）")
    stock_held: bool = strawberry.field(description="订单数量是否已从产品库存中预留")
    checkout_number: str | None = strawberry.field(
        description="一起下单的结算号（同一合作社多种产品一起下单时共用）；单独下单时为空"
    )
    note: str = strawberry.field(description="备注")
    cancel_reason: str = strawberry.field(description="取消、拒绝接单或超时失效的原因")
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


async def visible_image(context: Context, key: int) -> models.ProductImage | None:
    row = await context.loaders.product_image_by_id.load(key)
    if row is None or await visible_product(context, row.product_id) is None:
        return None
    return row


async def visible_application(context: Context, key: int) -> models.CertificationApplication | None:
    row = await context.loaders.application_by_id.load(key)
    if row is None:
        return None
    product = await context.loaders.product_by_id.load(row.product_id)
    village = await context.loaders.village_by_id.load(product.village_id)
    actor = context.actor
    allowed = (
        can_manage_product(actor, product.cooperative_id)
        or can_certify_product(actor, village.county_code)
        or actor.role == Role.admin
    )
    return row if allowed else None


register("Product", models.Product, visible_product)
register("ProductImage", models.ProductImage, visible_image)
register("CertificationApplication", models.CertificationApplication, visible_application)
register("Demand", models.Demand, visible_demand)
register("Order", models.Order, visible_order)
