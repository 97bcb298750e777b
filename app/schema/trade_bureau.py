"""Views over 消费帮扶 beyond plain lists: suggestions for a demand with their reasons, the
certification queue, price flags (质次价高), consumption figures and reserved shares (预留份额)."""

from datetime import date, datetime, timedelta
from typing import Annotated

import strawberry

from app import models
from app.labels import CERTIFICATION_STATUS
from app.models.enums import CertificationStatus as DomainCertificationStatus
from app.schema import enums
from app.schema.context import Info
from app.schema.node import Node, is_type_of, parse_id
from app.schema.organisations import Enterprise, enterprise_reference
from app.schema.pairing import PairingAgreement, visible_agreement
from app.schema.scalars import Money
from app.schema.trade import PriceCheck, Product, visible_product
from app.schema.trade import visible_application as visible_application
from app.services import certification, clock, consumption, matching, pricing
from app.services.matching import Suggestion

CertificationStatus = enums.graphql_enum(
    DomainCertificationStatus,
    CERTIFICATION_STATUS,
    "消费帮扶产品认定申请的状态",
)
Year = Annotated[int | None, strawberry.argument(description="年份，默认今年（北京时间）")]


@strawberry.type(
    description="消费帮扶产品认定申请。申请的合作社、产品所在县的乡村振兴局和管理员可见"
)
class CertificationApplication(Node):
    is_type_of = is_type_of(models.CertificationApplication)

    status: CertificationStatus = strawberry.field(description="状态")
    note: str = strawberry.field(description="申请说明")
    expires_on: date | None = strawberry.field(description="认定有效期至（认定后）")
    notice_ends_at: datetime | None = strawberry.field(
        description="公示期截止时间（审核通过后公示；期满且无未处理的异议才生效）"
    )
    reason: str = strawberry.field(description="未通过的原因")
    applied_at: datetime = strawberry.field(description="申请时间")
    decided_at: datetime | None = strawberry.field(description="审核时间")

    @strawberry.field(description="申请认定的产品；无权查看时为空")
    async def product(self, root: models.CertificationApplication, info: Info) -> Product | None:
        return await visible_product(info.context, root.product_id)


@strawberry.type(description="推荐理由：一项匹配条件及是否满足")
class SuggestionReason:
    text: str = strawberry.field(description="中文说明，如 库存 500 斤，满足 300 斤的需求")
    met: bool = strawberry.field(description="是否满足")


@strawberry.type(description="为采购需求推荐的产品，附推荐理由")
class ProductSuggestion:
    score: int = strawberry.field(description="匹配分：满足的条件的分值之和")
    paired: bool = strawberry.field(description="是否来自与采购方结对的村（购买计入结对帮销）")
    village_name: str = strawberry.field(description="产地村")
    county_name: str = strawberry.field(description="产地县")
    reasons: list[SuggestionReason] = strawberry.field(description="推荐理由，满足的在前")

    @strawberry.field(description="推荐的产品（在售）")
    def product(self, root: Suggestion) -> Product:
        return root.product  # type: ignore[return-value]


@strawberry.type(description="价格偏高的在售产品（按标准数量高于本县同品种中位价的 2 倍）")
class PriceFlag:
    product: Product = strawberry.field(description="产品")
    check: PriceCheck = strawberry.field(description="与同类中位价的比较")


@strawberry.type(description="价格偏高产品的一页，及其总数")
class PriceFlagPage:
    total: int = strawberry.field(description="价格偏高的产品总数（本辖区）")
    page: int = strawberry.field(description="页码，从 1 开始")
    pages: int = strawberry.field(description="总页数")
    items: list[PriceFlag] = strawberry.field(description="本页的产品，偏高最多的在前")


@strawberry.type(description="一个县的消费帮扶实绩：已收货订单按产品产地汇总")
class CountyConsumption:
    code: str = strawberry.field(description="县级代码")
    name: str = strawberry.field(description="县名")
    orders: int = strawberry.field(description="已收货订单数")
    amount_fen: Money = strawberry.field(name="amount", description="金额（元）")
    paired_amount_fen: Money = strawberry.field(
        name="pairedAmount", description="其中计入结对帮销的金额（元）"
    )


@strawberry.type(description="一份结对协议的结对帮销实绩：收货时计入该协议的订单")
class AgreementConsumption:
    number: str = strawberry.field(description="协议编号")
    enterprise_name: str = strawberry.field(description="帮扶主体")
    village_name: str = strawberry.field(description="帮扶村")
    orders: int = strawberry.field(description="订单数")
    amount_fen: Money = strawberry.field(name="amount", description="金额（元）")
    commit_purchase_fen: Money = strawberry.field(
        name="commitPurchase", description="协议承诺的采购帮销金额（元）"
    )

    @strawberry.field(description="协议")
    async def agreement(
        self, root: consumption.AgreementConsumption, info: Info
    ) -> PairingAgreement | None:
        return await visible_agreement(info.context, root.agreement_id)


@strawberry.type(description="年度预留采购份额的完成情况（机关事业单位、国有企业）")
class ReservedShare:
    year: int = strawberry.field(description="年份")
    reserved_fen: Money = strawberry.field(name="reserved", description="预留份额（元）")
    bought_fen: Money = strawberry.field(name="bought", description="当年已收货的采购额（元）")
    percent: int | None = strawberry.field(description="完成百分比（取整）；未设份额时为空")

    @strawberry.field(description="采购方")
    def enterprise(self, root: consumption.ReservedShare, info: Info) -> Enterprise:
        return enterprise_reference(info.context, root.enterprise_id)


def _bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Local calendar days, both inclusive, as the instants the services compare with."""
    for day, field in ((since, "since"), (until, "until")):
        if day is not None:
            clock.valid_year(day.year, field=field)
    start = clock.start_of_day(since) if since else None
    end = clock.start_of_day(until + timedelta(days=1)) if until else None
    return start, end


Since = Annotated[date | None, strawberry.argument(description="收货日期不早于（北京时间）")]
Until = Annotated[date | None, strawberry.argument(description="收货日期不晚于（北京时间）")]


@strawberry.type
class TradeBureauQueries:
    @strawberry.field(description="为采购需求推荐的产品，附推荐理由（合作社只看到自己的产品）")
    async def demand_suggestions(
        self,
        info: Info,
        demand_id: Annotated[strawberry.ID, strawberry.argument(description="采购需求")],
        limit: Annotated[int, strawberry.argument(description="最多几个，1–20")] = 20,
    ) -> list[ProductSuggestion]:
        key = parse_id(demand_id, "Demand", field="demandId")
        actor = info.context.actor
        size = min(max(limit, 1), 20)
        _, found = await info.context.read(
            lambda s: matching.suggest_products(session=s, actor=actor, demand_id=key, limit=size)
        )
        return found  # type: ignore[return-value]

    @strawberry.field(description="待审核的消费帮扶产品认定申请，先申请的在前（乡村振兴局）")
    async def certification_applications(self, info: Info) -> list[CertificationApplication]:
        actor = info.context.actor
        rows = await info.context.read(
            lambda s: certification.certification_queue(session=s, actor=actor)
        )
        loaders = info.context.loaders
        for row in rows:
            loaders.product_by_id.prime(row.product_id, row.product)
            loaders.village_by_id.prime(row.product.village_id, row.product.village)
        return rows  # type: ignore[return-value]

    @strawberry.field(description="价格偏高的在售产品，偏高最多的在前（乡村振兴局，限本辖区）")
    async def price_flags(
        self,
        info: Info,
        page: Annotated[int, strawberry.argument(description="页码，从 1 开始")] = 1,
        per_page: Annotated[int, strawberry.argument(description="每页条数，1–200")] = 50,
    ) -> PriceFlagPage:
        actor = info.context.actor
        found = await info.context.read(
            lambda s: pricing.price_flags(session=s, actor=actor, page=page, per_page=per_page)
        )
        loaders = info.context.loaders
        for flag in found.items:
            loaders.product_by_id.prime(flag.product.id, flag.product)
            loaders.village_by_id.prime(flag.product.village_id, flag.product.village)
        return PriceFlagPage(
            total=found.total,
            page=found.page,
            pages=found.pages,
            items=found.items,  # type: ignore[arg-type]
        )

    @strawberry.field(description="各县消费帮扶实绩（乡村振兴局，限本辖区；管理员）")
    async def consumption_by_county(
        self, info: Info, since: Since = None, until: Until = None
    ) -> list[CountyConsumption]:
        actor, (start, end) = info.context.actor, _bounds(since, until)
        return await info.context.read(
            lambda s: consumption.consumption_by_county(
                session=s, actor=actor, since=start, until=end
            )
        )

    @strawberry.field(
        description="各结对协议的结对帮销实绩，金额大的在前（协议双方看自己的；乡村振兴局限本辖区）"
    )
    async def consumption_by_agreement(
        self, info: Info, since: Since = None, until: Until = None
    ) -> list[AgreementConsumption]:
        actor, (start, end) = info.context.actor, _bounds(since, until)
        return await info.context.read(
            lambda s: consumption.consumption_by_agreement(
                session=s, actor=actor, since=start, until=end
            )
        )

    @strawberry.field(description="各机关事业单位、国有企业的预留份额完成情况，完成少的在前")
    async def reserved_shares(self, info: Info, year: Year = None) -> list[ReservedShare]:
        actor = info.context.actor
        return await info.context.read(
            lambda s: consumption.reserved_share_overview(session=s, actor=actor, year=year)
        )

    @strawberry.field(description="一个采购方的预留份额完成情况（本单位、本县乡村振兴局、管理员）")
    async def reserved_share(
        self,
        info: Info,
        enterprise_id: Annotated[strawberry.ID, strawberry.argument(description="采购方")],
        year: Year = None,
    ) -> ReservedShare:
        key = parse_id(enterprise_id, "Enterprise", field="enterpriseId")
        actor = info.context.actor
        return await info.context.read(
            lambda s: consumption.reserved_share_progress(
                session=s, actor=actor, enterprise_id=key, year=year
            )
        )
