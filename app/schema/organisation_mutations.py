"""Registering enterprises and cooperatives as the bureau (self-registration is a page)."""

import strawberry

from app.money import yuan_to_fen
from app.schema import enums
from app.schema.context import Info
from app.schema.errors import input_data, require_signed_in
from app.schema.node import parse_id
from app.schema.organisations import Cooperative, Enterprise
from app.schema.payloads import Input, payload_type, respond
from app.schema.scalars import Money
from app.services import organisations as services


@strawberry.input(description="登记帮扶主体（乡村振兴局录入，直接通过审核）")
class RegisterEnterpriseInput:
    credit_code: str = strawberry.field(description="统一社会信用代码（18 位，校验位须正确）")
    name: str = strawberry.field(description="单位名称")
    kind: enums.EnterpriseKind = strawberry.field(description="单位类型")
    industry: str = strawberry.field(description="所属行业门类字母 A–T")
    county_code: str | None = strawberry.field(
        default=None, description="所在县级代码；市外单位留空并填写所在地区"
    )
    external_region: str = strawberry.field(default="", description="市外单位的所在地区")
    offers: list[enums.HelpKind] = strawberry.field(
        default_factory=list, description="可提供的帮扶方式"
    )
    reserved_share: Money | None = strawberry.field(
        default=None, description="年度预留采购份额（元）"
    )
    introduction: str = strawberry.field(default="", description="单位简介")
    contact_name: str = strawberry.field(default="", description="联系人")
    contact_phone: str = strawberry.field(default="", description="联系电话")


@strawberry.input(description="登记合作社（乡村振兴局录入，直接通过审核）")
class RegisterCooperativeInput:
    credit_code: str = strawberry.field(description="统一社会信用代码（18 位，校验位须正确）")
    name: str = strawberry.field(description="合作社名称")
    village_id: strawberry.ID = strawberry.field(description="所在村（全局编号）")
    members: int = strawberry.field(default=0, description="成员数")
    lifted_members: int = strawberry.field(default=0, description="其中脱贫户成员数")
    introduction: str = strawberry.field(default="", description="简介")
    contact_name: str = strawberry.field(default="", description="联系人")
    contact_phone: str = strawberry.field(default="", description="联系电话")


RegisterEnterprisePayload = payload_type(
    "RegisterEnterprisePayload",
    "enterprise",
    Enterprise,
    description="登记帮扶主体的结果",
    label="登记的帮扶主体",
)
RegisterCooperativePayload = payload_type(
    "RegisterCooperativePayload",
    "cooperative",
    Cooperative,
    description="登记合作社的结果",
    label="登记的合作社",
)


@strawberry.type
class OrganisationMutations:
    @strawberry.mutation(description="登记帮扶主体（乡村振兴局，限本辖区；自行注册请用网页）")
    async def register_enterprise(
        self,
        info: Info,
        input: Input[RegisterEnterpriseInput],
    ) -> RegisterEnterprisePayload:
        data = input_data(input, skip=("reserved_share",))

        def work(session, actor):
            require_signed_in(actor)
            share = input.reserved_share or "0"
            data["reserved_share_fen"] = yuan_to_fen(
                share, field="reserved_share", label="预留份额"
            )
            return services.register_enterprise(session=session, actor=actor, data=data)

        return await respond(info, RegisterEnterprisePayload, work)

    @strawberry.mutation(description="登记合作社（乡村振兴局，限本辖区；自行注册请用网页）")
    async def register_cooperative(
        self,
        info: Info,
        input: Input[RegisterCooperativeInput],
    ) -> RegisterCooperativePayload:
        data = input_data(input, skip=("village_id",))

        def work(session, actor):
            require_signed_in(actor)
            data["village_id"] = parse_id(input.village_id, "Village", field="village_id")
            return services.register_cooperative(session=session, actor=actor, data=data)

        return await respond(info, RegisterCooperativePayload, work)
