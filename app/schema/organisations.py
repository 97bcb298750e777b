"""Enterprises (帮扶主体) and cooperatives (合作社): types, queries, the bureau's registrations."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from app import models
from app.labels import INDUSTRY_SECTION
from app.models.enums import HelpKind as DomainHelpKind
from app.models.enums import RegistrationStatus as DomainStatus
from app.models.flags import from_mask
from app.permissions import (
    Party,
    can_see_cooperative,
    can_see_enterprise,
    can_see_reserved_share,
    can_see_review_outcome,
    is_cooperative_staff,
    is_enterprise_staff,
)
from app.schema import enums
from app.schema.contacts import CONTACT_NAME, CONTACT_PHONE, contact_name, contact_phone
from app.schema.context import Context, Info
from app.schema.lists import list_field
from app.schema.loaders import PageArgs, ready
from app.schema.node import Node, is_type_of, node_field, parse_id, register
from app.schema.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Connection,
    First,
    page_request,
)
from app.schema.regions import County, StatusArgument, Village, agreements_page
from app.schema.scalars import Money
from app.services.queries import organisations as queries
from app.services.queries import trade as trade_queries

if TYPE_CHECKING:
    from app.schema.pairing import PairingAgreement
    from app.schema.trade import Product

AgreementRef = Annotated["PairingAgreement", strawberry.lazy("app.schema.pairing")]
ProductRef = Annotated["Product", strawberry.lazy("app.schema.trade")]

OrganisationOrder = enums.graphql_enum(
    queries.OrganisationOrder,
    {queries.OrganisationOrder.name: "按名称", queries.OrganisationOrder.newest: "新登记的在前"},
    "帮扶主体、合作社列表的排序",
)


def _own_enterprise(context: Context, enterprise: models.Enterprise) -> bool:
    return is_enterprise_staff(context.actor, enterprise.id)


@strawberry.type(
    description="帮扶主体：民营企业、国有企业、机关事业单位、学校、医院、社会组织。"
    "已通过审核的公开；待审核的仅本单位、本县乡村振兴局和管理员可见"
)
class Enterprise(Node):
    is_type_of = is_type_of(models.Enterprise)

    credit_code: str = strawberry.field(description="统一社会信用代码（18 位）")
    name: str = strawberry.field(description="单位名称")
    kind: enums.EnterpriseKind = strawberry.field(description="单位类型")
    industry: str = strawberry.field(description="所属行业：国民经济行业分类门类字母 A–T")
    external_region: str = strawberry.field(description="市外单位的所在地区")
    max_villages: int = strawberry.field(description="同时结对帮扶的村数上限")
    introduction: str = strawberry.field(description="单位简介")
    status: enums.RegistrationStatus = strawberry.field(description="登记审核状态")
    created_at: datetime = strawberry.field(description="登记时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")
    version: int = strawberry.field(
        description="版本号；修改时原样传回（expectedVersion），用于发现他人的并发修改"
    )

    @strawberry.field(description="所属行业门类的名称，如 农、林、牧、渔业")
    def industry_name(self, root: models.Enterprise) -> str:
        return INDUSTRY_SECTION.get(root.industry, "")

    @strawberry.field(description="所在县（市、区）；市外单位为空")
    def county(self, root: models.Enterprise, info: Info) -> County | None:
        if root.county_code is None:
            return None
        return info.context.loaders.county_by_code.load(root.county_code)

    @strawberry.field(description="可提供的帮扶方式")
    def offers(self, root: models.Enterprise) -> list[enums.HelpKind]:
        return from_mask(root.offers, DomainHelpKind)

    @strawberry.field(description="年度预留采购份额（元）；仅本单位、本县乡村振兴局和管理员可见")
    def reserved_share(self, root: models.Enterprise, info: Info) -> Money | None:
        allowed = can_see_reserved_share(info.context.actor, root.id, root.county_code)
        return root.reserved_share_fen if allowed else None

    @strawberry.field(description=CONTACT_NAME)
    async def contact_name(self, root: models.Enterprise, info: Info) -> str | None:
        return await contact_name(info, Party.enterprise, root)

    @strawberry.field(description=CONTACT_PHONE)
    async def contact_phone(self, root: models.Enterprise, info: Info) -> str | None:
        return await contact_phone(info, Party.enterprise, root)

    @strawberry.field(description="审核未通过的原因；仅本单位、本县乡村振兴局和管理员可见")
    def status_reason(self, root: models.Enterprise, info: Info) -> str | None:
        own = _own_enterprise(info.context, root)
        allowed = can_see_review_outcome(info.context.actor, own=own, county_code=root.county_code)
        return root.status_reason if allowed else None

    @strawberry.field(description="该单位的结对协议（只含您有权查看的），新提出的在前")
    def agreements(
        self,
        root: models.Enterprise,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        status: StatusArgument = None,
    ) -> Connection[AgreementRef]:
        loader = info.context.loaders.agreements_by_enterprise
        return agreements_page(loader, root.id, info, page_request(first, after), status)


@strawberry.type(
    description="合作社（农民专业合作社等村级生产经营主体）。"
    "已通过审核的公开；待审核的仅本社、本县乡村振兴局和管理员可见"
)
class Cooperative(Node):
    is_type_of = is_type_of(models.Cooperative)

    credit_code: str = strawberry.field(description="统一社会信用代码（18 位）")
    name: str = strawberry.field(description="合作社名称")
    members: int = strawberry.field(description="成员数")
    lifted_members: int = strawberry.field(description="其中脱贫户成员数（联农带农）")
    introduction: str = strawberry.field(description="简介")
    status: enums.RegistrationStatus = strawberry.field(description="登记审核状态")
    created_at: datetime = strawberry.field(description="登记时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")

    @strawberry.field(description="所在村")
    def village(self, root: models.Cooperative, info: Info) -> Village:
        return info.context.loaders.village_by_id.load(root.village_id)

    @strawberry.field(description=CONTACT_NAME)
    async def contact_name(self, root: models.Cooperative, info: Info) -> str | None:
        return await contact_name(info, Party.cooperative, root)

    @strawberry.field(description=CONTACT_PHONE)
    async def contact_phone(self, root: models.Cooperative, info: Info) -> str | None:
        return await contact_phone(info, Party.cooperative, root)

    @strawberry.field(description="审核未通过的原因；仅本社、本县乡村振兴局和管理员可见")
    async def status_reason(self, root: models.Cooperative, info: Info) -> str | None:
        actor = info.context.actor
        village = await info.context.loaders.village_by_id.load(root.village_id)
        own = is_cooperative_staff(actor, root.id)
        allowed = can_see_review_outcome(actor, own=own, county_code=village.county_code)
        return root.status_reason if allowed else None

    @strawberry.field(
        description="该社的产品（在售的公开；草稿和已下架的仅本社和本县乡村振兴局可见）"
    )
    def products(
        self,
        root: models.Cooperative,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[ProductRef]:
        args = PageArgs(
            page_request(first, after),
            trade_queries.ProductFilter(),
            trade_queries.ProductOrder.newest,
        )
        return info.context.loaders.products_by_cooperative.load((root.id, args))


# Visibility, for node(id) and nested references -----------------------------------------------


async def visible_enterprise(context: Context, key: int) -> models.Enterprise | None:
    row = await context.loaders.enterprise_by_id.load(key)
    if row is None:
        return None
    approved = row.status == DomainStatus.approved
    return (
        row
        if can_see_enterprise(context.actor, row.id, row.county_code, approved=approved)
        else None
    )


async def visible_cooperative(context: Context, key: int) -> models.Cooperative | None:
    row = await context.loaders.cooperative_by_id.load(key)
    if row is None:
        return None
    village = await context.loaders.village_by_id.load(row.village_id)
    approved = row.status == DomainStatus.approved
    allowed = can_see_cooperative(context.actor, row.id, village.county_code, approved=approved)
    return row if allowed else None


def enterprise_reference(context: Context, key: int):
    """An enterprise another visible object refers to (agreements, demands and orders exist only
    for approved ones); refused, never shown, should that ever not hold."""
    return ready(context.loaders.visible_enterprise_by_id, key)


def cooperative_reference(context: Context, key: int):
    """The cooperative of a visible product: a pending load, refused like enterprises."""
    return context.loaders.visible_cooperative_by_id.load(key)


register("Enterprise", models.Enterprise, visible_enterprise)
register("Cooperative", models.Cooperative, visible_cooperative)


# Queries --------------------------------------------------------------------------------------


@strawberry.input(description="帮扶主体列表的筛选条件；各项同时满足")
class EnterpriseFilter:
    county_code: str | None = strawberry.field(default=None, description="所在县级代码")
    kind: enums.EnterpriseKind | None = strawberry.field(default=None, description="单位类型")
    offers: enums.HelpKind | None = strawberry.field(default=None, description="可提供此帮扶方式")
    status: enums.RegistrationStatus | None = strawberry.field(
        default=None, description="审核状态（待审核的仅有权限的用户可见）"
    )

    def to_filter(self) -> queries.EnterpriseFilter:
        return queries.EnterpriseFilter(
            county_code=self.county_code,
            kind=enums.domain(self.kind),
            offers=enums.domain(self.offers),
            status=enums.domain(self.status),
        )


@strawberry.input(description="合作社列表的筛选条件；各项同时满足")
class CooperativeFilter:
    county_code: str | None = strawberry.field(default=None, description="所在县级代码")
    village_id: strawberry.ID | None = strawberry.field(default=None, description="所在村")
    status: enums.RegistrationStatus | None = strawberry.field(
        default=None, description="审核状态（待审核的仅有权限的用户可见）"
    )

    def to_filter(self) -> queries.CooperativeFilter:
        village = self.village_id
        return queries.CooperativeFilter(
            county_code=self.county_code,
            village_id=village and parse_id(village, "Village", field="villageId"),
            status=enums.domain(self.status),
        )


@strawberry.type
class OrganisationQueries:
    enterprises = list_field(
        Enterprise,
        "帮扶主体列表",
        EnterpriseFilter,
        "enterprise_by_id",
        select=queries.select_enterprises,
        order=(OrganisationOrder.NAME, "排序，默认按名称"),
    )

    enterprise = node_field(Enterprise, "帮扶主体")

    cooperatives = list_field(
        Cooperative,
        "合作社列表",
        CooperativeFilter,
        "cooperative_by_id",
        select=queries.select_cooperatives,
        order=(OrganisationOrder.NAME, "排序，默认按名称"),
    )

    cooperative = node_field(Cooperative, "合作社")
