"""Missing quarterly reports as mutations: reminders (催报) and waivers (免报) by the bureau."""

from datetime import datetime

import strawberry

from app import models
from app.schema.context import Info
from app.schema.node import parse_id
from app.schema.pairing import PairingAgreement
from app.schema.payloads import Input, payload_type, respond
from app.services.pairing import followup


@strawberry.type(description="一次催报：某协议的一个逾期未报季度")
class ReportReminder:
    period: str = strawberry.field(description="催报的季度，如 2026Q3")
    sent_at: datetime = strawberry.field(description="催报时间")

    @strawberry.field(description="协议")
    async def agreement(self, root: models.ReportReminder, info: Info) -> PairingAgreement:
        return await info.context.loaders.agreement_by_id.load(root.agreement_id)


@strawberry.type(description="一个季度的免报决定")
class ReportWaiver:
    period: str = strawberry.field(description="免报的季度，如 2026Q1")
    reason: str = strawberry.field(description="免报原因")
    waived_at: datetime = strawberry.field(description="决定时间")

    @strawberry.field(description="协议")
    async def agreement(self, root: models.ReportWaiver, info: Info) -> PairingAgreement:
        return await info.context.loaders.agreement_by_id.load(root.agreement_id)


@strawberry.input(description="催报一份协议的全部逾期未报季度")
class RemindReportsInput:
    agreement_id: strawberry.ID = strawberry.field(description="协议（全局编号）")


@strawberry.input(description="批量催报：选定的协议，或不选时本辖区全部逾期协议（一次至多 500 份）")
class RemindOverdueInput:
    agreement_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="要催报的协议（全局编号）；不填则催报本辖区全部逾期协议"
    )


@strawberry.input(description="免报协议期内的一个季度（须填写原因）")
class WaiveReportInput:
    agreement_id: strawberry.ID = strawberry.field(description="协议（全局编号）")
    period: str = strawberry.field(description="季度，如 2026Q1")
    reason: str = strawberry.field(description="免报原因（不超过 500 个字符）")


RemindReportsPayload = payload_type(
    "RemindReportsPayload",
    "reminders",
    list[ReportReminder],
    description="催报的结果",
    label="本次催报的季度（每份协议每个季度一条）",
)
WaiveReportPayload = payload_type(
    "WaiveReportPayload", "waiver", ReportWaiver, description="免报的结果", label="免报决定"
)


def _agreement_id(value: strawberry.ID, field: str = "agreement_id") -> int:
    return parse_id(value, "PairingAgreement", field=field)


@strawberry.type
class FollowupMutations:
    @strawberry.mutation(
        description="催报一份协议的全部逾期未报季度（协议所在县的乡村振兴局）；"
        "帮扶主体收到消息（订阅了邮件的同时收到邮件）。没有逾期季度时返回 nothing_overdue"
    )
    async def remind_reports(
        self, info: Info, input: Input[RemindReportsInput]
    ) -> RemindReportsPayload:
        return await respond(
            info,
            RemindReportsPayload,
            lambda s, actor: followup.remind_reports(
                session=s, actor=actor, agreement_id=_agreement_id(input.agreement_id)
            ),
        )

    @strawberry.mutation(
        description="批量催报（乡村振兴局）：选定的协议须都在本辖区内，其中没有逾期季度的跳过"
    )
    async def remind_overdue(
        self, info: Info, input: Input[RemindOverdueInput]
    ) -> RemindReportsPayload:
        def work(session, actor):
            ids = None
            if input.agreement_ids is not None:
                ids = [_agreement_id(v, "agreement_ids") for v in input.agreement_ids]
            return followup.remind_overdue(session=session, actor=actor, agreement_ids=ids)

        return await respond(info, RemindReportsPayload, work)

    @strawberry.mutation(
        description="免报协议期内的一个季度（履行中的协议，所在县的乡村振兴局，须填写原因）："
        "该季度不再计为逾期，也不妨碍办结"
    )
    async def waive_report(self, info: Info, input: Input[WaiveReportInput]) -> WaiveReportPayload:
        return await respond(
            info,
            WaiveReportPayload,
            lambda s, actor: followup.waive_report(
                session=s,
                actor=actor,
                agreement_id=_agreement_id(input.agreement_id),
                period=input.period,
                reason=input.reason,
            ),
        )
