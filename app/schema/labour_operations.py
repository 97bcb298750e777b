"""The 劳务协作 domain's GraphQL fields: supply groups, postings, matches both ways, applications
and their steps, and the jobs an agreement's hires recorded (decision 0038)."""

from datetime import date

import strawberry

from app.errors import DomainError, NotFoundError, ValidationError
from app.schema.context import Info
from app.schema.labour import (
    JobPosting,
    LabourApplication,
    LabourMatch,
    LabourMonthFigures,
    LabourSupply,
    PostingKind,
    to_match,
)
from app.schema.node import IdArgument, parse_id
from app.schema.payloads import Input, data_mutation, payload_type, respond, step_mutation
from app.services import clock
from app.services.labour import figures, hiring, matching, postings, supply
from app.services.pairing import details

PAGE = 50


@strawberry.type
class LabourQueries:
    @strawberry.field(description="招聘中的招工岗位（最新 50 条）")
    async def job_postings(self, info: Info) -> list[JobPosting]:
        actor = info.context.actor
        return await info.context.read(
            lambda s: postings.visible_postings(session=s, actor=actor, status="open").items[:PAGE]
        )

    @strawberry.field(description="可见的劳务组（村：本村的；企业、合作社：可务工的；局：本辖区）")
    async def labour_supplies(self, info: Info) -> list[LabourSupply]:
        actor = info.context.actor
        return await info.context.read(
            lambda s: supply.visible_supplies(session=s, actor=actor).items[:PAGE]
        )

    @strawberry.field(description="可见的劳务报名（最近更新的 50 条）")
    async def labour_applications(self, info: Info) -> list[LabourApplication]:
        actor = info.context.actor
        return await info.context.read(
            lambda s: hiring.visible_applications(session=s, actor=actor).items[:PAGE]
        )

    @strawberry.field(description="适合某劳务组的招工岗位，按匹配度排序，附理由")
    async def postings_for_supply(self, info: Info, supply_id: IdArgument) -> list[LabourMatch]:
        actor = info.context.actor

        def work(session):
            key = parse_id(supply_id, "LabourSupply", field="supply_id")
            return matching.postings_for_supply(session=session, actor=actor, supply_id=key)

        return [to_match(m) for m in await _or_empty(info, work)]

    @strawberry.field(
        description="适合某岗位的劳务组，按匹配度排序，附理由（发布单位和乡村振兴局）"
    )
    async def supplies_for_posting(self, info: Info, posting_id: IdArgument) -> list[LabourMatch]:
        actor = info.context.actor

        def work(session):
            key = parse_id(posting_id, "JobPosting", field="posting_id")
            return matching.supplies_for_posting(session=session, actor=actor, posting_id=key)

        return [to_match(m) for m in await _or_empty(info, work)]

    @strawberry.field(
        description="劳务协作按县、月统计：发布岗位、录用、就近占比、六个月稳定就业率"
        "（乡村振兴局本辖区、管理员；其他人为空列表）"
    )
    async def labour_figures(self, info: Info) -> list[LabourMonthFigures]:
        actor = info.context.actor
        return await info.context.read(
            lambda s: figures.labour_by_county_month(s, actor, clock.today())
        )

    @strawberry.field(
        description="结对协议的系统记录就业人数：结对企业通过劳务协作录用本村劳动力的人数"
        "（与成效报告中的带动就业对照）；协议不可见时为空"
    )
    async def agreement_recorded_jobs(self, info: Info, agreement_id: IdArgument) -> int | None:
        actor = info.context.actor

        def work(session):
            key = parse_id(agreement_id, "PairingAgreement", field="agreement_id")
            try:
                details.get_agreement(session=session, actor=actor, agreement_id=key)
            except NotFoundError:
                return None
            return hiring.hires_for_agreement(session, key)

        return await _or_none(info, work)


async def _or_empty(info: Info, work):
    def guarded(session):
        try:
            return work(session)
        except DomainError:
            return []

    return await info.context.read(guarded)


async def _or_none(info: Info, work):
    def guarded(session):
        try:
            return work(session)
        except DomainError:
            return None

    return await info.context.read(guarded)


@strawberry.input(
    description="发布劳务供给（村级用户，本村）：人数、技能和可务工月份，不填个人身份信息"
)
class PublishLabourSupplyInput:
    title: str = strawberry.field(description="名称（2 至 80 个字符）")
    head_count: int = strawberry.field(description="人数")
    available_months: list[int] = strawberry.field(description="可务工月份（1–12，至少一个）")
    skills: str = strawberry.field(default="", description="技能，以顿号分隔")
    can_travel: bool = strawberry.field(default=False, description="可外出务工")
    note: str = strawberry.field(default="", description="补充说明")


@strawberry.input(description="撤回本村的劳务组")
class WithdrawLabourSupplyInput:
    supply_id: strawberry.ID = strawberry.field(description="劳务组（全局编号）")
    expected_version: int = strawberry.field(description="您看到的版本号（version）")


@strawberry.input(description="发布招工岗位（已审核的帮扶主体或合作社）；月薪以分填写")
class PublishJobPostingInput:
    title: str = strawberry.field(description="岗位名称")
    township_code: str = strawberry.field(description="工作地点乡镇代码（9 位）")
    wage_min_fen: int = strawberry.field(description="最低月薪（分）")
    wage_max_fen: int = strawberry.field(description="最高月薪（分）")
    start_month: int = strawberry.field(description="开始月份（1–12）")
    term_months: int = strawberry.field(description="用工期限（月，1–36）")
    head_count: int = strawberry.field(description="招聘人数")
    kind: PostingKind = strawberry.field(description="岗位类型")
    housing: bool = strawberry.field(default=False, description="提供住宿")
    meals: bool = strawberry.field(default=False, description="提供餐食")
    skills: str = strawberry.field(default="", description="技能要求")
    positions: str = strawberry.field(default="", description="岗位说明")


@strawberry.input(description="关闭本单位的招工岗位")
class CloseJobPostingInput:
    posting_id: strawberry.ID = strawberry.field(description="岗位（全局编号）")
    expected_version: int = strawberry.field(description="您看到的版本号（version）")


@strawberry.input(description="村里为本村劳务组报名岗位")
class ApplyForJobInput:
    posting_id: strawberry.ID = strawberry.field(description="岗位（全局编号）")
    supply_id: strawberry.ID = strawberry.field(description="本村劳务组（全局编号）")
    head_count: int = strawberry.field(description="报名人数（不超过劳务组人数）")
    note: str = strawberry.field(default="", description="备注")


@strawberry.input(
    description="劳务报名的一步：invite、hire、decline、withdraw、confirm_retained、confirm_stable"
)
class LabourApplicationStepInput:
    application_id: strawberry.ID = strawberry.field(description="报名（全局编号）")
    action: str = strawberry.field(description="操作")
    expected_version: int = strawberry.field(description="您看到的版本号（version）")
    interview_on: date | None = strawberry.field(default=None, description="面试日期（invite）")
    hired_count: int | None = strawberry.field(default=None, description="录用人数（hire）")
    hired_on: date | None = strawberry.field(default=None, description="录用日期（hire）")
    count: int | None = strawberry.field(
        default=None, description="仍在岗人数（confirm_retained、confirm_stable）"
    )


LabourSupplyPayload = payload_type(
    "LabourSupplyPayload", "supply", LabourSupply, description="劳务供给操作的结果", label="劳务组"
)
JobPostingPayload = payload_type(
    "JobPostingPayload", "posting", JobPosting, description="招工岗位操作的结果", label="岗位"
)
LabourApplicationPayload = payload_type(
    "LabourApplicationPayload",
    "application",
    LabourApplication,
    description="劳务报名操作的结果",
    label="报名",
)


async def _apply(info: Info, input: Input[ApplyForJobInput]) -> LabourApplicationPayload:
    def work(session, actor):
        return hiring.apply(
            session=session,
            actor=actor,
            posting_id=parse_id(input.posting_id, "JobPosting", field="posting_id"),
            supply_id=parse_id(input.supply_id, "LabourSupply", field="supply_id"),
            data={"head_count": input.head_count, "note": input.note},
        )

    return await respond(info, LabourApplicationPayload, work)


async def _step(info: Info, input: Input[LabourApplicationStepInput]) -> LabourApplicationPayload:
    def work(session, actor):
        common = {
            "session": session,
            "actor": actor,
            "application_id": parse_id(
                input.application_id, "LabourApplication", field="application_id"
            ),
            "expected_version": input.expected_version,
        }
        if input.action == "invite":
            return hiring.invite(**common, data={"interview_on": input.interview_on})
        if input.action == "hire":
            data = {"hired_count": input.hired_count, "hired_on": input.hired_on}
            return hiring.hire(**common, data=data)
        if input.action in ("confirm_retained", "confirm_stable"):
            return hiring.confirm_check(**common, data={"count": input.count})
        if input.action == "decline":
            return hiring.decline(**common)
        if input.action == "withdraw":
            return hiring.withdraw(**common)
        raise ValidationError("不支持的操作", code="unknown_action", field="action")

    return await respond(info, LabourApplicationPayload, work)


@strawberry.type
class LabourMutations:
    publish_labour_supply = data_mutation(
        supply.publish_supply,
        LabourSupplyPayload,
        PublishLabourSupplyInput,
        "村里发布劳务供给",
    )
    withdraw_labour_supply = step_mutation(
        supply.withdraw_supply,
        LabourSupplyPayload,
        WithdrawLabourSupplyInput,
        "撤回劳务组",
        key="supply_id",
        node="LabourSupply",
    )
    publish_job_posting = data_mutation(
        postings.publish_posting,
        JobPostingPayload,
        PublishJobPostingInput,
        "发布招工岗位",
    )
    close_job_posting = step_mutation(
        postings.close_posting,
        JobPostingPayload,
        CloseJobPostingInput,
        "关闭招工岗位",
        key="posting_id",
        node="JobPosting",
    )
    apply_for_job = strawberry.mutation(resolver=_apply, description="村里为劳务组报名岗位")
    take_labour_application_step = strawberry.mutation(
        resolver=_step, description="劳务报名的一步（安排面试、录用、不录用、撤回、在岗确认）"
    )


QUERIES = (LabourQueries,)
MUTATIONS = (LabourMutations,)
