"""Recommendations with their explained scores, and the bureau's coverage planner (覆盖规划).

Both rank by the same score as the pages (app/services/pairing/scoring.py); each result carries
the parts of its score in Chinese (重点帮扶县 +30, 需求匹配：产业合作 +20 …).
"""

from datetime import date
from typing import Annotated, Any

import strawberry

from app.schema import enums
from app.schema.context import Info
from app.schema.node import parse_id
from app.schema.organisations import Enterprise, enterprise_reference
from app.schema.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Connection,
    First,
    PageRequest,
    page_request,
)
from app.schema.pairing import PairingAgreement
from app.schema.payloads import Input, payload_type, respond
from app.schema.regions import Village
from app.services.pairing import planner, recommendations
from app.services.pairing.scoring import Side
from app.services.queries.batches import Slice

ScoreSide = enums.graphql_enum(
    Side,
    {
        Side.village: "取决于村（对所有帮扶主体相同）",
        Side.pair: "取决于村和帮扶主体两方",
        Side.enterprise: "取决于帮扶主体（对所有村相同）",
    },
    "推荐分的一项取决于哪一方",
)


@strawberry.type(description="推荐分的一项：满足的条件、分值和中文说明")
class ScorePart:
    criterion: str = strawberry.field(
        description="条件代码，如 key_county、need_match、industry_fit、same_county"
    )
    side: ScoreSide = strawberry.field(description="取决于哪一方")
    points: int = strawberry.field(description="分值（可为负，如帮扶主体有逾期报告）")
    text: str = strawberry.field(description="中文说明，如 需求匹配：产业合作、就业帮扶")


@strawberry.type(description="为帮扶主体推荐的村")
class VillageRecommendation:
    score: int = strawberry.field(description="推荐分：各项分值之和")
    parts: list[ScorePart] = strawberry.field(description="推荐分的各项")

    @strawberry.field(description="推荐的村")
    def village(self, root: Any, info: Info) -> Village:
        return info.context.loaders.village_by_id.load(root.candidate.id)


@strawberry.type(description="为村推荐的帮扶主体（尚有结对名额的）")
class EnterpriseRecommendation:
    score: int = strawberry.field(description="推荐分：各项分值之和")
    parts: list[ScorePart] = strawberry.field(description="推荐分的各项")

    @strawberry.field(description="推荐的帮扶主体")
    def enterprise(self, root: Any, info: Info) -> Enterprise:
        return enterprise_reference(info.context, root.candidate.id)


def _window(request: PageRequest) -> tuple[int, int]:
    """The service's (page, size) that holds the requested slice at its start or its end."""
    if request.limit and request.offset % request.limit == 0:
        return request.offset // request.limit + 1, request.limit
    return 1, request.offset + max(request.limit, 1)


def _connection(found: recommendations.Recommendations, request: PageRequest, page: int):
    """The requested slice of the service's page as a connection."""
    if page != found.number or request.limit == 0:
        # The service keeps a page number in range; past the end, a cursor finds nothing.
        rows = []
    else:
        start = request.offset - (found.number - 1) * found.size
        rows = found.items[start : start + request.limit]
    has_next = request.offset + len(rows) < found.total
    page_slice = Slice(rows=rows, total=found.total, has_next=has_next)
    return Connection(slice=page_slice, offset=request.offset)


@strawberry.type(description="覆盖规划的一条结对：村、帮扶主体和推荐分")
class PlanLine:
    score: int = strawberry.field(description="推荐分")
    parts: list[ScorePart] = strawberry.field(description="推荐分的各项")

    @strawberry.field(description="待规划的重点帮扶村")
    def village(self, root: planner.PlanLine, info: Info) -> Village:
        return info.context.loaders.village_by_id.load(root.village.id)

    @strawberry.field(description="尚有结对名额的帮扶主体")
    def enterprise(self, root: planner.PlanLine, info: Info) -> Enterprise:
        return enterprise_reference(info.context, root.enterprise.id)


@strawberry.type(
    description="覆盖规划：把待规划的重点帮扶村分给尚有名额的帮扶主体，使推荐分总和最大"
)
class CoveragePlan:
    lines: list[PlanLine] = strawberry.field(description="建议的结对，推荐分高的在前")
    villages: int = strawberry.field(
        description="参与规划的重点帮扶村数（既无履行中的协议，也无待签约、待备案的提议）"
    )
    enterprises: int = strawberry.field(description="尚有结对名额的帮扶主体数")
    places: int = strawberry.field(description="可用的结对名额")

    @strawberry.field(description="推荐分总和")
    def total_score(self, root: planner.CoveragePlan) -> int:
        return root.total_score

    @strawberry.field(description="没有分到帮扶主体的村")
    def unassigned(self, root: planner.CoveragePlan, info: Info) -> list[Village]:
        return info.context.loaders.village_by_id.load_many([v.id for v in root.unassigned])


@strawberry.type
class RecommendationQueries:
    @strawberry.field(
        description="为帮扶主体推荐的村，推荐分高的在前（本单位；乡村振兴局限本辖区的村）"
    )
    async def recommended_villages(
        self,
        info: Info,
        enterprise_id: Annotated[strawberry.ID, strawberry.argument(description="帮扶主体")],
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        county_code: Annotated[str | None, strawberry.argument(description="只看此县的村")] = None,
        key_only: Annotated[bool, strawberry.argument(description="只看重点帮扶村")] = False,
    ) -> Connection[VillageRecommendation]:
        request = page_request(first, after)
        page, size = _window(request)
        key = parse_id(enterprise_id, "Enterprise", field="enterpriseId")
        actor = info.context.actor
        found = await info.context.read(
            lambda s: recommendations.recommend_villages(
                session=s,
                actor=actor,
                enterprise_id=key,
                county_code=county_code,
                key_only=key_only,
                page=page,
                size=size,
            )
        )
        return _connection(found, request, page)

    @strawberry.field(
        description="为村推荐的帮扶主体，推荐分高的在前（本村；本县乡村振兴局；管理员）"
    )
    async def recommended_enterprises(
        self,
        info: Info,
        village_id: Annotated[strawberry.ID, strawberry.argument(description="村")],
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> Connection[EnterpriseRecommendation]:
        request = page_request(first, after)
        page, size = _window(request)
        key = parse_id(village_id, "Village", field="villageId")
        actor = info.context.actor
        found = await info.context.read(
            lambda s: recommendations.recommend_enterprises(
                session=s, actor=actor, village_id=key, page=page, size=size
            )
        )
        return _connection(found, request, page)

    @strawberry.field(description="计算覆盖规划方案供审阅（乡村振兴局，限本辖区）；不写入任何数据")
    async def coverage_plan(
        self,
        info: Info,
        county_code: Annotated[
            str | None, strawberry.argument(description="只规划此县的村")
        ] = None,
    ) -> CoveragePlan:
        actor = info.context.actor
        return await info.context.read(
            lambda s: planner.plan_coverage(session=s, actor=actor, county_code=county_code)
        )


@strawberry.input(description="采纳的一条结对")
class PlanLineInput:
    village_id: strawberry.ID = strawberry.field(description="村（全局编号）")
    enterprise_id: strawberry.ID = strawberry.field(description="帮扶主体（全局编号）")


@strawberry.input(description="把采纳的结对转为待签约的提议；全部成功或全部不生效")
class AcceptCoveragePlanInput:
    lines: list[PlanLineInput] = strawberry.field(description="采纳的结对，每个村至多一条")
    start_on: date | None = strawberry.field(default=None, description="开始日期，默认下个月 1 日")
    years: int = strawberry.field(default=3, description="帮扶年限 1–5 年")


AcceptCoveragePlanPayload = payload_type(
    "AcceptCoveragePlanPayload",
    "agreements",
    list[PairingAgreement],
    description="采纳覆盖规划的结果",
    label="生成的提议（待村签约）",
)


@strawberry.type
class RecommendationMutations:
    @strawberry.mutation(description="采纳覆盖规划：选中的结对成为待签约的提议（乡村振兴局）")
    async def accept_coverage_plan(
        self,
        info: Info,
        input: Input[AcceptCoveragePlanInput],
    ) -> AcceptCoveragePlanPayload:
        terms: dict = {"years": input.years}
        if input.start_on is not None:
            terms["start_on"] = input.start_on

        def work(session, actor):
            lines = [
                (
                    parse_id(line.village_id, "Village", field="lines"),
                    parse_id(line.enterprise_id, "Enterprise", field="lines"),
                )
                for line in input.lines
            ]
            return planner.accept_plan(session=session, actor=actor, lines=lines, data=terms)

        return await respond(info, AcceptCoveragePlanPayload, work)
