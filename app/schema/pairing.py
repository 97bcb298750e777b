"""Pairing agreements (结对帮扶协议) and outcome reports: types and queries.

An agreement, its commitments and its reports are seen by the two parties, the bureau whose
region holds the village, and admins (``can_see_agreement``); lists are scoped the same way.
"""

from datetime import date, datetime
from typing import Annotated

import strawberry

from app import models
from app.errors import PermissionDeniedError
from app.models.enums import AgreementStatus as DomainAgreementStatus
from app.models.enums import HelpKind as DomainHelpKind
from app.models.flags import from_mask
from app.permissions import can_see_agreement
from app.schema import enums
from app.schema.context import Context, Info
from app.schema.lists import list_field
from app.schema.loaders import ready
from app.schema.node import Node, is_type_of, parse_id, register
from app.schema.organisations import Enterprise, enterprise_reference
from app.schema.regions import Village
from app.schema.scalars import Money
from app.services.pairing.details import indicator_totals
from app.services.pairing.periods import (
    Quarter,
    local_today,
    missing_quarters,
    overdue_condition,
)
from app.services.pairing.terms import REVIEW_REASONS
from app.services.queries import pairing as queries

AgreementOrder = enums.graphql_enum(
    queries.AgreementOrder,
    {
        queries.AgreementOrder.newest: "新提出的在前",
        queries.AgreementOrder.start_on: "按开始日期",
        queries.AgreementOrder.end_on: "按结束日期",
        queries.AgreementOrder.number: "按协议编号",
    },
    "结对协议列表的排序",
)

REVIEW_DESCRIPTION = (
    "待核查：迁移 0017 发现的不符合日期规则的原因代码（"
    + "、".join(f"{code} {label}" for code, label in REVIEW_REASONS.items())
    + "）；空表示无需核查"
)


@strawberry.type(
    description="结对帮扶协议：一个帮扶主体与一个村之间的多年协议。"
    "仅协议双方、村所在县的乡村振兴局和管理员可见"
)
class PairingAgreement(Node):
    is_type_of = is_type_of(models.PairingAgreement)

    number: str = strawberry.field(description="协议编号，如 JD-2026-000001")
    start_on: date = strawberry.field(description="开始日期")
    end_on: date = strawberry.field(description="结束日期")
    status: enums.AgreementStatus = strawberry.field(description="状态")
    status_reason: str = strawberry.field(description="婉拒、撤回或终止的原因")
    commit_funding_business_fen: Money = strawberry.field(
        name="commitFundingBusiness", description="承诺经营性资金（元）"
    )
    commit_funding_welfare_fen: Money = strawberry.field(
        name="commitFundingWelfare", description="承诺公益性资金（元）"
    )
    commit_jobs: int = strawberry.field(description="承诺带动就业人数")
    commit_trainees: int = strawberry.field(description="承诺培训人次")
    commit_purchase_fen: Money = strawberry.field(
        name="commitPurchase", description="承诺采购帮销金额（元）"
    )
    commit_beneficiaries: int = strawberry.field(description="承诺受益人数")
    note: str = strawberry.field(description="备注")
    proposed_at: datetime = strawberry.field(description="提出时间")
    signed_at: datetime | None = strawberry.field(description="村签约时间")
    filed_at: datetime | None = strawberry.field(description="乡村振兴局备案时间")
    ended_at: datetime | None = strawberry.field(description="结束（完成、终止等）时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")
    version: int = strawberry.field(description="版本号；修改时原样传回，用于发现他人的并发修改")
    late_start: bool = strawberry.field(
        description="补录：开始日期早于提出时所在季度（在补录宽限内），备案时请核对纸质协议"
    )

    @strawberry.field(description=REVIEW_DESCRIPTION)
    def review_flags(self, root: models.PairingAgreement) -> list[str]:
        return root.review_flags.split()

    @strawberry.field(description="帮扶方式")
    def help_kinds(self, root: models.PairingAgreement) -> list[enums.HelpKind]:
        return from_mask(root.help_kinds, DomainHelpKind)

    @strawberry.field(description="承诺资金合计（经营性 + 公益性，元）")
    def commit_funding(self, root: models.PairingAgreement) -> Money:
        return root.commit_funding_fen

    @strawberry.field(description="帮扶主体")
    def enterprise(self, root: models.PairingAgreement, info: Info) -> Enterprise:
        return enterprise_reference(info.context, root.enterprise_id)

    @strawberry.field(description="帮扶村")
    def village(self, root: models.PairingAgreement, info: Info) -> Village:
        return info.context.loaders.village_by_id.load(root.village_id)

    @strawberry.field(description="最近一个季度的帮扶成效报告；尚无报告时为空")
    def latest_report(self, root: models.PairingAgreement, info: Info) -> "OutcomeReport | None":
        return ready(info.context.loaders.latest_report_by_agreement, root.id)

    @strawberry.field(description="全部帮扶成效报告，按季度先后（五年期协议至多 20 份）")
    def reports(self, root: models.PairingAgreement, info: Info) -> list["OutcomeReport"]:
        return info.context.loaders.reports_by_agreement.load(root.id)

    @strawberry.field(
        description="是否逾期：履行中，且协议期内有季度在报送期（季度结束后若干天，北京时间）"
        "过后仍既无成效报告也未免报"
    )
    async def overdue(self, root: models.PairingAgreement, info: Info) -> bool:
        return bool(await _missing(root, info))

    @strawberry.field(description='逾期未报的季度，如 ["2026Q1", "2026Q3"]，先早后晚')
    async def missing_quarters(self, root: models.PairingAgreement, info: Info) -> list[str]:
        return [q.period for q in await _missing(root, info)]

    @strawberry.field(description="乡村振兴局最近一次催报的时间；从未催报时为空")
    async def last_reminded_at(self, root: models.PairingAgreement, info: Info) -> datetime | None:
        found = await info.context.loaders.followup_by_agreement.load(root.id)
        return found.last_reminded_at

    @strawberry.field(description="乡村振兴局免报的季度及原因，先早后晚")
    async def waived_quarters(
        self, root: models.PairingAgreement, info: Info
    ) -> list["QuarterWaiver"]:
        found = await info.context.loaders.followup_by_agreement.load(root.id)
        return [
            QuarterWaiver(period=q.period, reason=reason)
            for q, reason in sorted(found.waivers.items())
        ]

    @strawberry.field(
        description="各项指标的承诺与实绩：实绩为已核实成效报告之和，随报告核实而累计"
    )
    async def figures(self, root: models.PairingAgreement, info: Info) -> list["IndicatorFigure"]:
        reports = await info.context.loaders.reports_by_agreement.load(root.id)
        return [
            IndicatorFigure(
                indicator=_camel(total.name.removesuffix("_fen")),
                label=total.label,
                committed=total.committed,
                actual=total.verified,
                ratio=total.ratio,
            )
            for total in indicator_totals(root, reports)
        ]


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


async def _missing(root: models.PairingAgreement, info: Info) -> list[Quarter]:
    if root.status != DomainAgreementStatus.active:
        return []
    found = await info.context.loaders.followup_by_agreement.load(root.id)
    return missing_quarters(
        start_on=root.start_on, end_on=root.end_on, covered=found.covered, today=local_today()
    )


@strawberry.type(description="一个免报的季度")
class QuarterWaiver:
    period: str = strawberry.field(description="季度，如 2026Q1")
    reason: str = strawberry.field(description="免报原因")


@strawberry.type(
    description="一项指标的承诺与实绩。金额类指标（fundingBusiness、fundingWelfare、purchase）"
    "以分计的整数，其余为人数或人次"
)
class IndicatorFigure:
    indicator: str = strawberry.field(
        description="指标：fundingBusiness、fundingWelfare、jobs、trainees、purchase、beneficiaries"
    )
    label: str = strawberry.field(description="指标名称，如 带动就业人数")
    committed: int = strawberry.field(description="协议承诺")
    actual: int = strawberry.field(description="已核实成效报告的实绩之和")
    ratio: float | None = strawberry.field(description="完成比例（实绩 ÷ 承诺）；未承诺时为空")


@strawberry.type(
    description="帮扶成效报告：一个季度的实绩。提交 → 村确认 → 乡村振兴局核实，或退回修改"
)
class OutcomeReport(Node):
    is_type_of = is_type_of(models.OutcomeReport)

    year: int = strawberry.field(description="年份")
    quarter: int = strawberry.field(description="季度 1–4")
    actual_funding_business_fen: Money = strawberry.field(
        name="actualFundingBusiness", description="实际经营性资金（元）"
    )
    actual_funding_welfare_fen: Money = strawberry.field(
        name="actualFundingWelfare", description="实际公益性资金（元）"
    )
    actual_jobs: int = strawberry.field(description="实际带动就业人数")
    actual_trainees: int = strawberry.field(description="实际培训人次")
    actual_purchase_fen: Money = strawberry.field(
        name="actualPurchase", description="实际采购帮销金额（元）"
    )
    actual_beneficiaries: int = strawberry.field(description="实际受益人数")
    narrative: str = strawberry.field(description="情况说明")
    status: enums.ReportStatus = strawberry.field(description="状态")
    return_comment: str = strawberry.field(description="退回时的意见")
    submitted_at: datetime = strawberry.field(description="提交时间")
    confirmed_at: datetime | None = strawberry.field(description="村确认时间")
    verified_at: datetime | None = strawberry.field(description="乡村振兴局核实时间")
    updated_at: datetime = strawberry.field(description="最后修改时间")
    version: int = strawberry.field(description="版本号；处理时原样传回，用于发现并发修改")
    revision: int = strawberry.field(description="第几版：首次报送为 1，每次更正加 1")

    @strawberry.field(description=REVIEW_DESCRIPTION)
    def review_flags(self, root: models.OutcomeReport) -> list[str]:
        return root.review_flags.split()

    @strawberry.field(description="报告期，如 2026Q3")
    def period(self, root: models.OutcomeReport) -> str:
        return root.period

    @strawberry.field(description="所属协议")
    async def agreement(self, root: models.OutcomeReport, info: Info) -> PairingAgreement:
        return await agreement_reference(info.context, root.agreement_id)

    @strawberry.field(description="证明材料（PDF、JPG 或 PNG），按上传先后")
    def evidence(self, root: models.OutcomeReport, info: Info) -> list["ReportEvidence"]:
        return info.context.loaders.evidence_by_report.load(root.id)


@strawberry.type(
    description="成效报告的证明材料。文件保存在网站目录之外，"
    "只有协议双方、本县乡村振兴局和管理员登录后可从 url 下载"
)
class ReportEvidence:
    filename: str = strawberry.field(description="文件名")
    content_type: str = strawberry.field(
        description="文件类型：application/pdf、image/jpeg 或 image/png"
    )
    size_bytes: int = strawberry.field(description="大小（字节）")
    sha256: str = strawberry.field(description="内容的 SHA-256 摘要（十六进制）")
    uploaded_at: datetime = strawberry.field(description="上传时间")

    @strawberry.field(description="下载地址（相对本站，须登录或带接口令牌）")
    def url(self, root: models.ReportEvidence) -> str:
        return f"/evidence/{root.id}"


# Visibility -----------------------------------------------------------------------------------


async def _allowed(context: Context, agreement: models.PairingAgreement) -> bool:
    village = await context.loaders.village_by_id.load(agreement.village_id)
    return can_see_agreement(
        context.actor, agreement.enterprise_id, agreement.village_id, village.county_code
    )


async def visible_agreement(context: Context, key: int) -> models.PairingAgreement | None:
    row = await context.loaders.agreement_by_id.load(key)
    return row if row is not None and await _allowed(context, row) else None


async def visible_report(context: Context, key: int) -> models.OutcomeReport | None:
    row = await context.loaders.report_by_id.load(key)
    if row is None or await visible_agreement(context, row.agreement_id) is None:
        return None
    return row


async def agreement_reference(context: Context, key: int) -> models.PairingAgreement:
    row = await visible_agreement(context, key)
    if row is None:
        raise PermissionDeniedError("您没有权限查看该结对协议")
    return row


register("PairingAgreement", models.PairingAgreement, visible_agreement)
register("OutcomeReport", models.OutcomeReport, visible_report)


# Queries --------------------------------------------------------------------------------------


@strawberry.input(description="结对协议列表的筛选条件；各项同时满足，日期范围含两端")
class AgreementFilter:
    status: list[enums.AgreementStatus] | None = strawberry.field(
        default=None, description="只看这些状态"
    )
    help_kind: enums.HelpKind | None = strawberry.field(default=None, description="含此帮扶方式")
    county_code: str | None = strawberry.field(default=None, description="村所在县级代码")
    enterprise_id: strawberry.ID | None = strawberry.field(default=None, description="帮扶主体")
    village_id: strawberry.ID | None = strawberry.field(default=None, description="帮扶村")
    start_from: date | None = strawberry.field(default=None, description="开始日期不早于")
    start_to: date | None = strawberry.field(default=None, description="开始日期不晚于")
    end_from: date | None = strawberry.field(default=None, description="结束日期不早于")
    end_to: date | None = strawberry.field(default=None, description="结束日期不晚于")
    overdue: bool | None = strawberry.field(
        default=None, description="true：只看成效报告逾期的；false：只看未逾期的"
    )

    def to_filter(self) -> queries.AgreementFilter:
        enterprise = self.enterprise_id
        village = self.village_id
        return queries.AgreementFilter(
            statuses=enums.domains(self.status),
            help_kind=enums.domain(self.help_kind),
            county_code=self.county_code,
            enterprise_id=parse_id(enterprise, "Enterprise", field="enterpriseId")
            if enterprise
            else None,
            village_id=parse_id(village, "Village", field="villageId") if village else None,
            start_from=self.start_from,
            start_to=self.start_to,
            end_from=self.end_from,
            end_to=self.end_to,
        )


def _overdue(given: AgreementFilter):
    """The ``overdue`` filter: it reads the report calendar, which the domain filter does not."""
    if given.overdue is None:
        return None
    late = overdue_condition(local_today())
    return late if given.overdue else ~late


@strawberry.input(description="帮扶成效报告列表的筛选条件；各项同时满足")
class OutcomeReportFilter:
    status: list[enums.ReportStatus] | None = strawberry.field(
        default=None, description="只看这些状态"
    )
    year: int | None = strawberry.field(default=None, description="年份")
    quarter: int | None = strawberry.field(default=None, description="季度 1–4")
    agreement_id: strawberry.ID | None = strawberry.field(default=None, description="所属协议")
    county_code: str | None = strawberry.field(default=None, description="村所在县级代码")

    def to_filter(self) -> queries.ReportFilter:
        agreement = self.agreement_id
        return queries.ReportFilter(
            statuses=enums.domains(self.status),
            year=self.year,
            quarter=self.quarter,
            agreement_id=parse_id(agreement, "PairingAgreement", field="agreementId")
            if agreement
            else None,
            county_code=self.county_code,
        )


@strawberry.type
class PairingQueries:
    agreements = list_field(
        PairingAgreement,
        "结对协议列表（只含您有权查看的）",
        AgreementFilter,
        "agreement_by_id",
        select=queries.select_agreements,
        order=(AgreementOrder.NEWEST, "排序，默认新提出的在前"),
        where=_overdue,
    )

    @strawberry.field(description="按全局编号或协议编号查一份结对协议；不存在或无权查看时为空")
    async def agreement(
        self,
        info: Info,
        id: Annotated[strawberry.ID | None, strawberry.argument(description="全局编号")] = None,
        number: Annotated[str | None, strawberry.argument(description="协议编号")] = None,
    ) -> PairingAgreement | None:
        if id is not None:
            key = parse_id(id, "PairingAgreement", field="id")
        elif number is not None:
            key = await info.context.read(lambda s: queries.agreement_id_by_number(s, number))
            if key is None:
                return None
        else:
            return None
        return await visible_agreement(info.context, key)

    outcome_reports = list_field(
        OutcomeReport,
        "帮扶成效报告列表（只含您有权查看的协议的报告），新季度在前",
        OutcomeReportFilter,
        "report_by_id",
        select=queries.select_reports,
    )
