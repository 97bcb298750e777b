"""Public disclosure (信息公示) in GraphQL: what anyone may see without signing in."""

from datetime import date, datetime
from typing import Annotated

import strawberry

from app.schema import enums
from app.schema.context import Info
from app.schema.node import global_id_of
from app.schema.scalars import Money
from app.services import disclosure
from app.services.paging import Page

PageNumber = Annotated[int, strawberry.argument(description="页码，从 1 开始")]
CountyCode = Annotated[str, strawberry.argument(description="县级代码，如 140829")]


@strawberry.type(description="一个县履行中的结对帮扶数")
class CountyPairingCount:
    code: str = strawberry.field(description="县级代码")
    name: str = strawberry.field(description="县名")
    count: int = strawberry.field(description="履行中的结对帮扶协议数")


@strawberry.type(description="公示的结对帮扶：帮扶单位、帮扶村、帮扶方式和期限")
class PublicPairing:
    number: str = strawberry.field(description="协议编号")
    enterprise: str = strawberry.field(description="帮扶单位")
    village: str = strawberry.field(description="帮扶村")
    township: str = strawberry.field(description="乡镇")
    start_on: date = strawberry.field(description="帮扶起始日")
    end_on: date = strawberry.field(description="帮扶截止日")

    @strawberry.field(description="帮扶方式")
    def help_kinds(self, root: disclosure.PublicPairing) -> list[enums.HelpKind]:
        return [enums.HelpKind(kind.value) for kind in root.help_kinds]


@strawberry.type(description="一页公示的结对帮扶")
class PublicPairingList:
    items: list[PublicPairing] = strawberry.field(description="本页的结对帮扶")
    total: int = strawberry.field(description="总数")
    page: int = strawberry.field(description="页码")


@strawberry.type(description="公示的消费帮扶认定产品（认定有效或在公示期内）")
class PublicProduct:
    product: str = strawberry.field(description="产品名称")
    cooperative: str = strawberry.field(description="合作社")
    village: str = strawberry.field(description="产地村")
    county: str = strawberry.field(description="产地县")
    expires_on: date = strawberry.field(description="认定有效期至")
    notice_ends_at: datetime | None = strawberry.field(description="公示截止时间")

    @strawberry.field(description="认定申请的全局编号（提出异议时使用）")
    def application_id(self, root: disclosure.PublicProduct) -> strawberry.ID:
        return strawberry.ID(global_id_of("CertificationApplication", root.application_id))


@strawberry.type(description="一页已认定的产品")
class PublicProductList:
    items: list[PublicProduct] = strawberry.field(description="本页的产品，先到期的在前")
    total: int = strawberry.field(description="总数")
    page: int = strawberry.field(description="页码")


@strawberry.type(description="一个县一个季度经核实的帮扶成效合计")
class OutcomeTotal:
    county_code: str = strawberry.field(description="县级代码")
    county: str = strawberry.field(description="县名")
    year: int = strawberry.field(description="年份")
    quarter: int = strawberry.field(description="季度 1–4")
    reports: int = strawberry.field(description="已核实的报告数")
    funding_fen: Money = strawberry.field(name="funding", description="帮扶资金（元）")
    jobs: int = strawberry.field(description="带动就业（人）")
    trainees: int = strawberry.field(description="培训（人次）")
    purchase_fen: Money = strawberry.field(name="purchase", description="帮销采购（元）")
    beneficiaries: int = strawberry.field(description="受益人数")


@strawberry.type(description="信息公示：无需登录，不含个人信息，成效只计已核实的")
class Disclosure:
    @strawberry.field(description="各县履行中的结对帮扶数")
    async def pairing_counts(self, info: Info) -> list[CountyPairingCount]:
        return await info.context.read(lambda s: disclosure.pairing_counts(session=s))

    @strawberry.field(description="一个县履行中的结对帮扶，按乡镇、村排列，每页 50 条")
    async def pairings(
        self, info: Info, county_code: CountyCode, page: PageNumber = 1
    ) -> PublicPairingList:
        found = await info.context.read(
            lambda s: disclosure.active_pairings(session=s, county_code=county_code, page=page)
        )
        return _page(PublicPairingList, found)

    @strawberry.field(description="认定有效期内的在售产品，先到期的在前，每页 50 条")
    async def certified_products(self, info: Info, page: PageNumber = 1) -> PublicProductList:
        found = await info.context.read(
            lambda s: disclosure.certified_products(session=s, page=page)
        )
        return _page(PublicProductList, found)

    @strawberry.field(description="公示期内的产品认定（可提出异议），先截止的在前")
    async def products_on_notice(self, info: Info) -> list[PublicProduct]:
        return await info.context.read(lambda s: disclosure.products_on_notice(session=s))

    @strawberry.field(description="经核实的帮扶成效，按县和季度汇总，新季度在前")
    async def verified_outcomes(
        self,
        info: Info,
        county_code: Annotated[
            str | None, strawberry.argument(description="只看一个县（县级代码）")
        ] = None,
    ) -> list[OutcomeTotal]:
        return await info.context.read(
            lambda s: disclosure.verified_outcomes(session=s, county_code=county_code)
        )


def _page(kind, found: Page):
    return kind(items=found.items, total=found.total, page=found.number)  # type: ignore[call-arg]
