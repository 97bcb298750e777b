"""GraphQL ``stats``: the bureau dashboard's figures (app/services/stats), for its region only."""

import strawberry
from strawberry.types import get_object_definition

from app.errors import PermissionDeniedError
from app.permissions import can_view_statistics
from app.schema import enums
from app.schema.context import Info
from app.schema.scalars import Money
from app.schema.trade_bureau import CountyConsumption, ReservedShare
from app.services import stats


@strawberry.type(description="一个县的结对覆盖")
class CountyCoverage:
    code: str = strawberry.field(description="县级代码")
    name: str = strawberry.field(description="县名")
    category: enums.CountyCategory = strawberry.field(description="县的类别")
    villages: int = strawberry.field(description="行政村数")
    key_villages: int = strawberry.field(description="重点帮扶村数")
    paired_villages: int = strawberry.field(description="有履行中协议的村数")
    unpaired_key_villages: int = strawberry.field(description="没有履行中协议的重点帮扶村数")


@strawberry.type(description="没有履行中协议的重点帮扶村")
class UnpairedVillage:
    code: str = strawberry.field(description="村级统计代码")
    name: str = strawberry.field(description="村名")
    county_name: str = strawberry.field(description="所属县")
    households: int = strawberry.field(description="户数")


@strawberry.type(description="某一状态的协议数")
class AgreementStatusCount:
    status: enums.AgreementStatus = strawberry.field(description="协议状态")
    count: int = strawberry.field(description="协议数")


@strawberry.type(description="六项帮扶指标")
class Indicators:
    funding_business_fen: Money = strawberry.field(name="fundingBusiness", description="经营性资金")
    funding_welfare_fen: Money = strawberry.field(name="fundingWelfare", description="公益性资金")
    jobs: int = strawberry.field(description="带动就业（人）")
    trainees: int = strawberry.field(description="技能培训（人次）")
    purchase_fen: Money = strawberry.field(name="purchase", description="采购帮销")
    beneficiaries: int = strawberry.field(description="受益群众（人）")


@strawberry.type(description="承诺与实绩：一个县或一个季度")
class CommittedActual:
    key: str = strawberry.field(description="县级代码，或季度（如 2026Q3）")
    name: str = strawberry.field(description="县名，或季度")
    agreements: int = strawberry.field(description="计入承诺的协议数（履行中和已完成）")
    reports: int = strawberry.field(description="已核实的成效报告数（不含已终止协议的）")
    committed: Indicators = strawberry.field(description="承诺（按季度时为期内平均分摊）")
    actual: Indicators = strawberry.field(
        description="已核实成效报告的实绩（与承诺同口径：履行中和已完成的协议）"
    )
    terminated_actual: Indicators = strawberry.field(
        description="已终止协议的已核实实绩（承诺与实绩两边都不计，单列于此）"
    )


@strawberry.type(description="一个品类或一个月的消费帮扶销售（已收货订单）")
class SalesLine:
    key: str = strawberry.field(description="品类代码，或月份（如 2026-11）")
    orders: int = strawberry.field(description="订单数")
    amount_fen: Money = strawberry.field(name="amount", description="金额")


@strawberry.type(description="一个县逾期未报成效的协议数")
class OverdueCount:
    code: str = strawberry.field(description="县级代码")
    name: str = strawberry.field(description="县名")
    count: int = strawberry.field(description="逾期协议数")


@strawberry.type(description="逾期未报成效的协议")
class OverdueAgreement:
    number: str = strawberry.field(description="协议编号")
    enterprise_name: str = strawberry.field(description="帮扶主体")
    village_name: str = strawberry.field(description="帮扶村")
    county_name: str = strawberry.field(description="所属县")


@strawberry.type(description="活跃的帮扶主体")
class ActiveEnterprise:
    name: str = strawberry.field(description="帮扶主体")
    active_agreements: int = strawberry.field(description="履行中的协议数")
    reports: int = strawberry.field(description="近四个已结束季度的成效报告数")
    purchase_fen: Money = strawberry.field(name="purchase", description="本年在辖区内的采购额")


def _copy(cls, item):
    """A GraphQL object from a service record with the same field names."""
    names = get_object_definition(cls, strict=True).fields
    return cls(**{f.python_name: getattr(item, f.python_name) for f in names})


async def _panel(info: Info, name: str):
    context = info.context
    return await context.read(
        lambda s: stats.panel(name, session=s, actor=context.actor, reuse=True)
    )


@strawberry.type(description="乡村振兴局工作台的统计（与工作台页面数字一致），限本辖区")
class Stats:
    @strawberry.field(description="各县结对覆盖")
    async def coverage(self, info: Info) -> list[CountyCoverage]:
        return [_copy(CountyCoverage, c) for c in (await _panel(info, "coverage")).counties]

    @strawberry.field(description="未结对的重点帮扶村（按县和代码排序，最多 50 个）")
    async def unpaired_key_villages(self, info: Info) -> list[UnpairedVillage]:
        data = await _panel(info, "coverage")
        return [_copy(UnpairedVillage, v) for v in data.unpaired_key]

    @strawberry.field(description="各状态的帮扶协议数")
    async def agreements_by_status(self, info: Info) -> list[AgreementStatusCount]:
        rows = await _panel(info, "agreements")
        return [AgreementStatusCount(status=s, count=n) for s, n in rows]

    @strawberry.field(description="各县承诺与实绩")
    async def committed_by_county(self, info: Info) -> list[CommittedActual]:
        return [_committed(row) for row in (await _panel(info, "commitments")).by_county]

    @strawberry.field(description="近 8 个已结束季度的承诺（分摊）与实绩")
    async def committed_by_quarter(self, info: Info) -> list[CommittedActual]:
        return [_committed(row) for row in (await _panel(info, "commitments")).by_quarter]

    @strawberry.field(description="本年各县消费帮扶销售")
    async def sales_by_county(self, info: Info) -> list[CountyConsumption]:
        return list((await _panel(info, "sales")).by_county)

    @strawberry.field(description="本年各品类消费帮扶销售")
    async def sales_by_category(self, info: Info) -> list[SalesLine]:
        return [_copy(SalesLine, c) for c in (await _panel(info, "sales")).by_category]

    @strawberry.field(description="近 12 个月消费帮扶销售（按北京时间的月份）")
    async def sales_by_month(self, info: Info) -> list[SalesLine]:
        return [_copy(SalesLine, c) for c in (await _panel(info, "sales")).by_month]

    @strawberry.field(description="本年预留份额完成情况：完成度最低的 20 家采购单位，低的在前")
    async def reserved_shares(self, info: Info) -> list[ReservedShare]:
        return list((await _panel(info, "shares")).lowest)

    @strawberry.field(description="辖区内有预留份额义务的采购单位数（机关事业单位、国有企业）")
    async def reserving_buyers(self, info: Info) -> int:
        return (await _panel(info, "shares")).buyers

    @strawberry.field(
        description="报送期已过的最近一个季度（如 2026Q3）：它及之前的季度既无报告也未免报即为逾期"
    )
    async def overdue_quarter(self, info: Info) -> str:
        return (await _panel(info, "overdue")).quarter.period

    @strawberry.field(description="各县逾期未报成效的协议数")
    async def overdue_by_county(self, info: Info) -> list[OverdueCount]:
        rows = (await _panel(info, "overdue")).by_county
        return [OverdueCount(code=c, name=n, count=k) for c, n, k in rows]

    @strawberry.field(description="逾期未报成效的协议（最多 20 份）")
    async def overdue_agreements(self, info: Info) -> list[OverdueAgreement]:
        rows = (await _panel(info, "overdue")).agreements
        return [_copy(OverdueAgreement, a) for a in rows]

    @strawberry.field(description="最活跃的帮扶主体（最多 10 个）")
    async def active_enterprises(self, info: Info) -> list[ActiveEnterprise]:
        return [_copy(ActiveEnterprise, e) for e in await _panel(info, "enterprises")]


def _committed(row) -> CommittedActual:
    return CommittedActual(
        key=row.key,
        name=row.name,
        agreements=row.agreements,
        reports=row.reports,
        committed=_copy(Indicators, row.committed),
        actual=_copy(Indicators, row.actual),
        terminated_actual=_copy(Indicators, row.terminated_actual),
    )


@strawberry.type
class StatsQueries:
    @strawberry.field(description="工作台统计（仅乡村振兴局，限本辖区）")
    def stats(self, info: Info) -> Stats:
        if not can_view_statistics(info.context.actor):
            raise PermissionDeniedError("只有乡村振兴局可以查看统计")
        return Stats()
