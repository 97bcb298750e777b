"""What a village keeps itself (本村概况 and 需求清单): its profile and its needs list."""

import strawberry

from app.schema import enums
from app.schema.context import Info
from app.schema.node import parse_id
from app.schema.payloads import Input, data_mutation, payload_type, respond
from app.schema.regions import Village, VillageNeed
from app.schema.scalars import Money
from app.services import villages


@strawberry.input(
    description="本村概况（本村村级账号）。各项整体替换：不改的项请原样传回查询到的值"
)
class UpdateVillageProfileInput:
    village_id: strawberry.ID = strawberry.field(description="村（全局编号）")
    expected_version: int = strawberry.field(
        description="您看到的村版本号（version）；其间他人修改过时拒绝（stale_version）"
    )
    population: int = strawberry.field(description="户籍人口")
    households: int = strawberry.field(description="户数")
    lifted_households: int = strawberry.field(description="脱贫户数（不多于户数）")
    monitored_households: int = strawberry.field(description="防返贫监测户数")
    main_industries: str = strawberry.field(description="主导产业（不超过 200 个字符）")
    resources: str = strawberry.field(description="资源禀赋（不超过 2000 个字符）")
    introduction: str = strawberry.field(description="村情简介（不超过 4000 个字符）")
    contact_name: str = strawberry.field(description="联系人")
    contact_phone: str = strawberry.field(description="联系电话：数字、空格、+ 和 -")


@strawberry.input(description="需求清单中的一项")
class NeedFieldsInput:
    kind: enums.HelpKind = strawberry.field(description="需要的帮扶方式")
    description: str = strawberry.field(description="需求内容（4 至 1000 个字符）")
    amount: Money | None = strawberry.field(default=None, description="所需金额（元），可不填")
    headcount: int | None = strawberry.field(default=None, description="所需人数，可不填")


@strawberry.input(description="在本村需求清单中新增一项（待对接）")
class AddVillageNeedInput(NeedFieldsInput):
    village_id: strawberry.ID = strawberry.field(description="村（全局编号）")


@strawberry.input(description="修改需求清单中的一项（各项整体替换）")
class UpdateVillageNeedInput(NeedFieldsInput):
    need_id: strawberry.ID = strawberry.field(description="需求（全局编号）")
    expected_version: int = strawberry.field(
        description="您看到的需求版本号（version）；其间他人修改过时拒绝（stale_version）"
    )


@strawberry.input(description="改变需求的状态：已满足、撤回，或重新设为待对接")
class SetVillageNeedStatusInput:
    need_id: strawberry.ID = strawberry.field(description="需求（全局编号）")
    expected_version: int = strawberry.field(
        description="您看到的需求版本号（version）；其间他人修改过时拒绝（stale_version）"
    )
    status: enums.NeedStatus = strawberry.field(description="新状态")


UpdateVillageProfilePayload = payload_type(
    "UpdateVillageProfilePayload",
    "village",
    Village,
    description="更新本村概况的结果",
    label="更新后的村",
)
VillageNeedPayload = payload_type(
    "VillageNeedPayload", "need", VillageNeed, description="需求清单操作的结果", label="需求"
)


def _need_id(value: strawberry.ID) -> int:
    return parse_id(value, "VillageNeed", field="need_id")


@strawberry.type
class VillageMutations:
    update_village_profile = data_mutation(
        villages.update_village_profile,
        UpdateVillageProfilePayload,
        UpdateVillageProfileInput,
        "更新本村概况：人口户数、产业、资源和联系人（本村村级账号）",
        key="village_id",
        node="Village",
        versioned=True,
    )
    add_village_need = data_mutation(
        villages.add_need,
        VillageNeedPayload,
        AddVillageNeedInput,
        "在需求清单中新增一项（本村村级账号）",
        key="village_id",
        node="Village",
    )
    update_village_need = data_mutation(
        villages.update_need,
        VillageNeedPayload,
        UpdateVillageNeedInput,
        "修改需求清单中的一项（本村村级账号）",
        key="need_id",
        node="VillageNeed",
        versioned=True,
    )

    @strawberry.mutation(description="标记需求已满足、撤回需求或重新设为待对接（本村村级账号）")
    async def set_village_need_status(
        self,
        info: Info,
        input: Input[SetVillageNeedStatusInput],
    ) -> VillageNeedPayload:
        return await respond(
            info,
            VillageNeedPayload,
            lambda s, actor: villages.set_need_status(
                session=s,
                actor=actor,
                need_id=_need_id(input.need_id),
                expected_version=input.expected_version,
                status=enums.domain(input.status),
            ),
        )
