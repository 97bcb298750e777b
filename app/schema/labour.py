"""劳务协作 in the API: supply groups, job postings, applications and matches (decision 0038)."""

from datetime import date, datetime

import strawberry

from app.errors import NotFoundError
from app.models import labour as models
from app.models.flags import mask_to_months
from app.schema.context import Context, Info
from app.schema.enums import graphql_enum
from app.schema.node import Node, is_type_of, register
from app.schema.scalars import Money
from app.services.labour import hiring, postings, supply

PostingKind = graphql_enum(
    models.PostingKind,
    {
        models.PostingKind.workshop: "帮扶车间",
        models.PostingKind.nearby: "就近就业",
        models.PostingKind.away: "外出务工",
    },
    "招工岗位类型",
)


@strawberry.type(description="村里可务工的劳务组：人数和技能，不含个人身份信息")
class LabourSupply(Node):
    is_type_of = is_type_of(models.LabourSupply)

    title: str = strawberry.field(description="名称")
    head_count: int = strawberry.field(description="人数")
    skills: str = strawberry.field(description="技能，以“、”分隔")
    can_travel: bool = strawberry.field(description="可外出务工（否：仅本县就近）")
    county_code: str = strawberry.field(description="所在县代码")
    township_code: str = strawberry.field(description="所在乡镇代码")
    status: str = strawberry.field(description="状态：open 可务工，withdrawn 已撤回")
    version: int = strawberry.field(description="版本号；修改时原样传回（expectedVersion）")

    @strawberry.field(description="可务工月份（1–12）")
    def available_months(self, root: models.LabourSupply) -> list[int]:
        return mask_to_months(root.available_months)


@strawberry.type(description="招工岗位。招聘中的岗位公开；已关闭的仅发布单位和所在县乡村振兴局可见")
class JobPosting(Node):
    is_type_of = is_type_of(models.JobPosting)

    title: str = strawberry.field(description="岗位名称")
    positions: str = strawberry.field(description="岗位说明")
    county_code: str = strawberry.field(description="工作地点所在县代码")
    township_code: str = strawberry.field(description="工作地点乡镇代码")
    wage_min_fen: Money = strawberry.field(name="wageMin", description="最低月薪（元）")
    wage_max_fen: Money = strawberry.field(name="wageMax", description="最高月薪（元）")
    start_month: int = strawberry.field(description="开始月份")
    term_months: int = strawberry.field(description="用工期限（月）")
    housing: bool = strawberry.field(description="提供住宿")
    meals: bool = strawberry.field(description="提供餐食")
    skills: str = strawberry.field(description="技能要求")
    head_count: int = strawberry.field(description="招聘人数")
    status: str = strawberry.field(description="状态：open 招聘中，closed 已关闭")
    created_at: datetime = strawberry.field(description="发布时间")
    version: int = strawberry.field(description="版本号；修改时原样传回（expectedVersion）")

    @strawberry.field(description="岗位类型")
    def kind(self, root: models.JobPosting) -> PostingKind:
        return PostingKind(str(root.kind))


@strawberry.type(description="劳务报名：村里为劳务组报名岗位，企业面试录用，村里确认 3、6 个月在岗")
class LabourApplication(Node):
    is_type_of = is_type_of(models.LabourApplication)

    head_count: int = strawberry.field(description="报名人数")
    status: str = strawberry.field(
        description="applied 已报名、interviewing 面试中、hired 已录用、retained 三个月在岗、"
        "stable 稳定就业、declined 未录用、withdrawn 已撤回"
    )
    interview_on: date | None = strawberry.field(description="面试日期")
    hired_on: date | None = strawberry.field(description="录用日期")
    hired_count: int = strawberry.field(description="录用人数")
    check_3_due: date | None = strawberry.field(
        name="retainedCheckDue", description="三个月在岗确认的起始日期"
    )
    check_6_due: date | None = strawberry.field(
        name="stableCheckDue", description="六个月稳定就业确认的起始日期"
    )
    retained_count: int = strawberry.field(description="三个月仍在岗人数")
    stable_count: int = strawberry.field(description="六个月稳定就业人数")
    version: int = strawberry.field(description="版本号；操作时原样传回（expectedVersion）")

    @strawberry.field(description="是否计入结对协议的带动就业（结对企业录用本村劳动力）")
    def counts_for_agreement(self, root: models.LabourApplication) -> bool:
        return root.agreement_id is not None

    @strawberry.field(description="岗位")
    async def posting(self, root: models.LabourApplication, info: Info) -> JobPosting | None:
        return await visible_posting(info.context, root.posting_id)


@strawberry.type(description="劳务协作按县、月统计（乡村振兴局辖区）")
class LabourMonthFigures:
    county_code: str = strawberry.field(description="县级代码")
    county_name: str = strawberry.field(description="县（市、区）")
    month: str = strawberry.field(description="月份 YYYY-MM（岗位按发布月，录用按录用日期）")
    postings: int = strawberry.field(description="发布岗位数")
    hires: int = strawberry.field(description="录用人数")
    nearby_hires: int = strawberry.field(description="帮扶车间与就近就业录用人数")
    due_at_six: int = strawberry.field(description="满六个月应确认的录用人数")
    stable_at_six: int = strawberry.field(description="确认六个月稳定就业人数")

    @strawberry.field(description="就近就业占比（0–1）；无录用时为空")
    def nearby_share(self, root) -> float | None:
        return root.nearby_share

    @strawberry.field(description="六个月稳定就业率（0–1）；无到期确认时为空")
    def stable_rate(self, root) -> float | None:
        return root.stable_rate


@strawberry.type(description="匹配理由及其分值")
class MatchReason:
    points: int = strawberry.field(description="分值")
    text: str = strawberry.field(description="理由")


@strawberry.type(description="一条匹配：劳务组与岗位、总分和理由")
class LabourMatch:
    supply: LabourSupply = strawberry.field(description="劳务组")
    posting: JobPosting = strawberry.field(description="岗位")
    score: int = strawberry.field(description="总分")
    reasons: list[MatchReason] = strawberry.field(description="理由")


def to_match(match) -> LabourMatch:
    return LabourMatch(
        supply=match.supply,
        posting=match.posting,
        score=match.score,
        reasons=[MatchReason(points=r.points, text=r.text) for r in match.reasons],
    )


async def _visible(context: Context, fetch):
    def work(session):
        try:
            return fetch(session)
        except NotFoundError:
            return None

    return await context.read(work)


async def visible_supply(context: Context, key: int) -> models.LabourSupply | None:
    return await _visible(
        context, lambda s: supply.get_supply(session=s, actor=context.actor, supply_id=key)
    )


async def visible_posting(context: Context, key: int) -> models.JobPosting | None:
    return await _visible(
        context, lambda s: postings.get_posting(session=s, actor=context.actor, posting_id=key)
    )


async def visible_application(context: Context, key: int) -> models.LabourApplication | None:
    return await _visible(
        context,
        lambda s: hiring.get_application(session=s, actor=context.actor, application_id=key),
    )


register("LabourSupply", models.LabourSupply, visible_supply)
register("JobPosting", models.JobPosting, visible_posting)
register("LabourApplication", models.LabourApplication, visible_application)
