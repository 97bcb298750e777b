"""Counties, villages and their needs: types, queries and the createVillage mutation."""

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app import models
from app.permissions import Party, can_see_private_village_data
from app.schema import enums
from app.schema.contacts import CONTACT_NAME, CONTACT_PHONE, contact_name, contact_phone
from app.schema.context import Context, Info
from app.schema.lists import list_field
from app.schema.loaders import PageArgs, ready
from app.schema.lookahead import node_fields
from app.schema.node import Node, is_type_of, parse_id, register
from app.schema.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Connection,
    First,
    PageRequest,
    page_request,
)
from app.schema.payloads import data_mutation, payload_type
from app.schema.scalars import Money
from app.services import villages
from app.services.queries import pairing as pairing_queries
from app.services.queries import regions as queries

if TYPE_CHECKING:
    from app.schema.pairing import PairingAgreement

AgreementRef = Annotated["PairingAgreement", strawberry.lazy("app.schema.pairing")]
StatusArgument = Annotated[
    list[enums.AgreementStatus] | None, strawberry.argument(description="只看这些状态")
]

VillageOrder = enums.graphql_enum(
    queries.VillageOrder,
    {
        queries.VillageOrder.code: "按村级统计代码",
        queries.VillageOrder.name: "按村名",
        queries.VillageOrder.population_desc: "按户籍人口从多到少",
        queries.VillageOrder.updated_desc: "最近修改的在前",
    },
    "村列表的排序",
)


def agreements_page(loader, key, info: Info, request: PageRequest, status) -> Awaitable[Connection]:
    """A page of one village's or enterprise's agreements the reader may see, newest first;
    what the page asks of each agreement is read with it."""
    filters = pairing_queries.AgreementFilter(statuses=enums.domains(status))
    include = node_fields(info) & loader.PREFETCHED
    args = PageArgs(request, filters, pairing_queries.AgreementOrder.newest, include)
    return loader.load((key, args))


@strawberry.type(description="县（市、区），GB/T 2260 代码")
class County(Node):
    is_type_of = is_type_of(models.County)

    code: str = strawberry.field(description="6 位县级行政区划代码，如 140829")
    name: str = strawberry.field(description="名称，如 平陆县")
    category: enums.CountyCategory = strawberry.field(
        description="类别：先行示范县、整体推进县或重点帮扶县"
    )


@strawberry.type(description="乡镇（街道），9 位统计用区划代码")
class Township:
    code: str = strawberry.field(description="9 位乡镇代码")
    name: str = strawberry.field(description="名称")


@strawberry.type(description="帮扶需求（需求清单中的一项），与村的公开信息一样公开")
class VillageNeed(Node):
    is_type_of = is_type_of(models.VillageNeed)

    kind: enums.HelpKind = strawberry.field(description="需要的帮扶方式")
    description: str = strawberry.field(description="需求说明")
    amount_fen: Money | None = strawberry.field(name="amount", description="所需金额（元）")
    headcount: int | None = strawberry.field(description="所需人数")
    status: enums.NeedStatus = strawberry.field(description="状态")
    created_at: datetime = strawberry.field(description="提出时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")
    version: int = strawberry.field(
        description="版本号；修改时原样传回（expectedVersion），用于发现他人的并发修改"
    )

    @strawberry.field(description="提出需求的村")
    def village(self, root: models.VillageNeed, info: Info) -> "Village":
        return info.context.loaders.village_by_id.load(root.village_id)


def _private(info: Info, village: models.Village, value):
    allowed = can_see_private_village_data(info.context.actor, village.id, village.county_code)
    return value if allowed else None


@strawberry.type(description="行政村。公开信息人人可见；联系人和防返贫监测户数仅限有权限的用户")
class Village(Node):
    is_type_of = is_type_of(models.Village)

    code: str = strawberry.field(description="12 位村级统计代码")
    name: str = strawberry.field(description="村名")
    key_village: bool = strawberry.field(description="是否重点帮扶村")
    lifted_village: bool = strawberry.field(description="是否脱贫村")
    relocation_site: bool = strawberry.field(description="是否易地搬迁安置区")
    pv_station: bool = strawberry.field(description="是否有村级光伏电站")
    tourism_demo: bool = strawberry.field(description="是否旅游示范村")
    population: int = strawberry.field(description="户籍人口")
    households: int = strawberry.field(description="户数")
    lifted_households: int = strawberry.field(description="脱贫户数")
    main_industries: str = strawberry.field(description="主导产业")
    resources: str = strawberry.field(description="资源禀赋")
    introduction: str = strawberry.field(description="村情简介")
    created_at: datetime = strawberry.field(description="登记时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")
    version: int = strawberry.field(
        description="版本号；修改时原样传回（expectedVersion），用于发现他人的并发修改"
    )

    @strawberry.field(description="所属县（市、区）")
    def county(self, root: models.Village, info: Info) -> County:
        return ready(info.context.loaders.county_by_code, root.county_code)

    @strawberry.field(description="所属乡镇（街道）")
    def township(self, root: models.Village, info: Info) -> Township:
        return info.context.loaders.township_by_code.load(root.township_code)

    @strawberry.field(
        description="防返贫监测户数（仅本村、本县乡村振兴局和已审核的帮扶主体、合作社可见）"
    )
    def monitored_households(self, root: models.Village, info: Info) -> int | None:
        return _private(info, root, root.monitored_households)

    @strawberry.field(description=CONTACT_NAME)
    async def contact_name(self, root: models.Village, info: Info) -> str | None:
        return await contact_name(info, Party.village, root)

    @strawberry.field(description=CONTACT_PHONE)
    async def contact_phone(self, root: models.Village, info: Info) -> str | None:
        return await contact_phone(info, Party.village, root)

    @strawberry.field(description="帮扶需求（需求清单），新提出的在前")
    def needs(
        self,
        root: models.Village,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        status: Annotated[
            enums.NeedStatus | None, strawberry.argument(description="只看此状态，默认待对接")
        ] = enums.NeedStatus.OPEN,
        kind: Annotated[
            enums.HelpKind | None, strawberry.argument(description="只看此帮扶方式")
        ] = None,
    ) -> Connection[VillageNeed]:
        request = page_request(first, after)
        args = PageArgs(request, (enums.domain(status), enums.domain(kind)))
        return info.context.loaders.needs_by_village.load((root.id, args))

    @strawberry.field(
        description="该村的结对协议（只含您有权查看的：协议双方、本县乡村振兴局、管理员），新提出的在前"
    )
    def agreements(
        self,
        root: models.Village,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        status: StatusArgument = None,
    ) -> Connection[AgreementRef]:
        loader = info.context.loaders.agreements_by_village
        return agreements_page(loader, root.id, info, page_request(first, after), status)


# Queries --------------------------------------------------------------------------------------


@strawberry.input(description="村列表的筛选条件；各项同时满足")
class VillageFilter:
    county_code: str | None = strawberry.field(default=None, description="县级代码，如 140829")
    county_category: enums.CountyCategory | None = strawberry.field(
        default=None, description="县的类别"
    )
    key_village: bool | None = strawberry.field(default=None, description="是否重点帮扶村")
    paired: bool | None = strawberry.field(
        default=None, description="true：已结对（有履行中的协议）；false：未结对"
    )
    need_kind: enums.HelpKind | None = strawberry.field(
        default=None, description="有此帮扶方式的待对接需求"
    )

    def to_filter(self) -> queries.VillageFilter:
        return queries.VillageFilter(
            county_code=self.county_code,
            county_category=enums.domain(self.county_category),
            key_village=self.key_village,
            paired=self.paired,
            need_kind=enums.domain(self.need_kind),
        )


async def visible_village(context: Context, key: int) -> models.Village | None:
    return await context.loaders.village_by_id.load(key)


async def visible_county(context: Context, key: str) -> models.County | None:
    return await context.loaders.county_by_code.load(key)


async def visible_need(context: Context, key: int) -> models.VillageNeed | None:
    return await context.loaders.village_need_by_id.load(key)


register("County", models.County, visible_county, key="code", parse=str)
register("Village", models.Village, visible_village)
register("VillageNeed", models.VillageNeed, visible_need)


def _select_villages(*, actor, filters: queries.VillageFilter, order: queries.VillageOrder):
    """Every village's public profile is visible to everyone: the actor narrows nothing."""
    return queries.select_villages(filters, order)


def _county_prefetch(info: Info):
    """The counties of a page of villages, read with it when the page asks for them."""
    if "county" not in node_fields(info):
        return None
    loaders = info.context.loaders

    def prefetch(session, villages: list[models.Village]) -> None:
        codes = {village.county_code for village in villages}
        loaders.county_by_code.prime_many(queries.counties_by_code(session, codes))

    return prefetch


@strawberry.type
class RegionQueries:
    @strawberry.field(description="运城市的 13 个县（市、区），按代码排序")
    async def counties(self, info: Info) -> list[County]:
        return await info.context.read(queries.all_counties)

    villages = list_field(
        Village,
        "行政村列表（公开信息）",
        VillageFilter,
        "village_by_id",
        select=_select_villages,
        order=(VillageOrder.CODE, "排序，默认按代码"),
        prefetch=_county_prefetch,
    )

    @strawberry.field(description="按全局编号或 12 位村级统计代码查一个村")
    async def village(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="全局编号")] = None,
        code: Annotated[str | None, strawberry.argument(description="村级统计代码")] = None,
    ) -> Village | None:
        if id is not None:
            return await visible_village(info.context, parse_id(id, "Village", field="id"))
        if code is not None:
            return await info.context.read(lambda s: queries.village_by_code(s, code))
        return None


# Mutations ------------------------------------------------------------------------------------


@strawberry.input(description="新增行政村")
class CreateVillageInput:
    code: str = strawberry.field(description="12 位村级统计代码（前 9 位为所属乡镇代码）")
    name: str = strawberry.field(description="村名")
    county_code: str = strawberry.field(description="所属县级代码")
    key_village: bool = strawberry.field(default=False, description="是否重点帮扶村")
    lifted_village: bool = strawberry.field(default=False, description="是否脱贫村")
    relocation_site: bool = strawberry.field(default=False, description="是否易地搬迁安置区")
    pv_station: bool = strawberry.field(default=False, description="是否有村级光伏电站")
    tourism_demo: bool = strawberry.field(default=False, description="是否旅游示范村")
    population: int = strawberry.field(default=0, description="户籍人口")
    households: int = strawberry.field(default=0, description="户数")
    lifted_households: int = strawberry.field(default=0, description="脱贫户数")
    monitored_households: int = strawberry.field(default=0, description="防返贫监测户数")
    main_industries: str = strawberry.field(default="", description="主导产业")
    resources: str = strawberry.field(default="", description="资源禀赋")
    introduction: str = strawberry.field(default="", description="村情简介")
    contact_name: str = strawberry.field(default="", description="联系人")
    contact_phone: str = strawberry.field(default="", description="联系电话")


CreateVillagePayload = payload_type(
    "CreateVillagePayload", "village", Village, description="新增行政村的结果", label="新增的村"
)


@strawberry.type
class RegionMutations:
    create_village = data_mutation(
        villages.create_village,
        CreateVillagePayload,
        CreateVillageInput,
        "新增行政村（乡村振兴局，限本辖区）",
    )
