"""Outcome reports (帮扶成效报告) as mutations: submit and resubmit with evidence files, then the
village's confirm, the bureau's verify, and return with a comment by either reviewer; the
enterprise's correction (更正) of a verified report.

Evidence files travel as base64 text inside the operation (multipart is off on /graphql, see
docs/decisions/0009-graphql-files-as-base64.md); the service checks their type by their first
bytes and their size, exactly as for the report form's uploads.
"""

from collections.abc import Callable
from typing import Any

import strawberry

from app.errors import DomainError
from app.schema.context import Info
from app.schema.errors import input_data, user_errors
from app.schema.node import parse_id
from app.schema.pairing import OutcomeReport
from app.schema.payloads import Input, decode_file, payload_type, respond, step_mutation
from app.schema.scalars import Money
from app.services.pairing import corrections, evidence, reports

EVIDENCE_LIMITS = (
    f"{evidence.ALLOWED_TEXT}，每个不超过 {evidence.MAX_FILE_BYTES // (1024 * 1024)} MB，"
    f"每份报告最多 {evidence.MAX_FILES_PER_REPORT} 个"
)


@strawberry.input(description=f"一个证明材料文件：{EVIDENCE_LIMITS}")
class EvidenceFileInput:
    filename: str = strawberry.field(description="文件名，如 采购合同.pdf")
    content_base64: str = strawberry.field(description="文件内容，base64 编码")


@strawberry.input(description="一个季度的实绩；金额以元填写，最多两位小数，不填为 0")
class ReportActualsInput:
    actual_funding_business: Money | None = strawberry.field(
        default=None, description="实际经营性资金（元）"
    )
    actual_funding_welfare: Money | None = strawberry.field(
        default=None, description="实际公益性资金（元）"
    )
    actual_jobs: int = strawberry.field(default=0, description="实际带动就业人数")
    actual_trainees: int = strawberry.field(default=0, description="实际培训人次")
    actual_purchase: Money | None = strawberry.field(
        default=None, description="实际采购帮销金额（元）"
    )
    actual_beneficiaries: int = strawberry.field(default=0, description="实际受益人数")
    narrative: str = strawberry.field(description="帮扶成效说明（10 至 4000 个字符）")
    evidence: list[EvidenceFileInput] = strawberry.field(
        default_factory=list, description=f"证明材料：{EVIDENCE_LIMITS}"
    )


@strawberry.input(description="报送一个季度的帮扶成效（履行中协议的帮扶主体）")
class SubmitReportInput(ReportActualsInput):
    agreement_id: strawberry.ID = strawberry.field(description="协议（全局编号）")
    period: str = strawberry.field(description="报告季度，如 2026Q3（协议期内已开始的季度）")


@strawberry.input(description="修改被退回的报告并重新报送；可补充证明材料")
class ResubmitReportInput(ReportActualsInput):
    report_id: strawberry.ID = strawberry.field(description="报告（全局编号）")
    expected_version: int = strawberry.field(description="您看到的报告版本号（version）")


@strawberry.input(
    description="更正已核实的成效报告：原版本保留在更正记录中，更正后的报告重新经村确认、"
    "乡村振兴局核实；可补充证明材料"
)
class CorrectReportInput(ReportActualsInput):
    report_id: strawberry.ID = strawberry.field(description="报告（全局编号）")
    expected_version: int = strawberry.field(description="您看到的报告版本号（version）")
    reason: str = strawberry.field(description="更正原因（必填，不超过 500 个字符）")


@strawberry.input(description="对成效报告的一步审核")
class ReportStepInput:
    report_id: strawberry.ID = strawberry.field(description="报告（全局编号）")
    expected_version: int = strawberry.field(description="您看到的报告版本号（version）")


@strawberry.input(description="退回成效报告，附退回意见")
class ReturnReportInput(ReportStepInput):
    comment: str = strawberry.field(description="退回意见（必填，不超过 500 个字符）")


OutcomeReportPayload = payload_type(
    "OutcomeReportPayload",
    "report",
    OutcomeReport,
    description="成效报告操作的结果",
    label="报告",
)
_ACTUALS_SKIP = ("evidence", "agreement_id", "report_id", "expected_version", "reason")


def _files(input: ReportActualsInput) -> list[evidence.Upload]:
    return [
        evidence.Upload(
            filename=item.filename,
            data=decode_file(
                item.content_base64, field="evidence", max_bytes=evidence.MAX_FILE_BYTES
            ),
        )
        for item in input.evidence
    ]


async def _stored(info: Info, input: ReportActualsInput, **target) -> list[evidence.StoredUpload]:
    """Permission checked with the read session, then the files decoded, checked and stored
    (hashed, fsynced) before the unit of work opens."""
    if not input.evidence:
        return []
    actor = info.context.actor
    await info.context.read(lambda s: reports.check_may_submit(session=s, actor=actor, **target))
    return evidence.store_uploads(_files(input), evidence.upload_root(info.context.upload_dir))


def _report_id(value: strawberry.ID) -> int:
    return parse_id(value, "OutcomeReport", field="report_id")


def _data(input: ReportActualsInput) -> dict:
    # Money left out is the service's blank (0), not a null it would refuse.
    return {k: v for k, v in input_data(input, skip=_ACTUALS_SKIP).items() if v is not None}


def _review(service: Callable, input_type: type, description: str, **fields: str) -> Any:
    """A review step on the report at the version the reviewer saw."""
    return step_mutation(
        service,
        OutcomeReportPayload,
        input_type,
        description,
        key="report_id",
        node="OutcomeReport",
        **fields,
    )


@strawberry.type
class ReportMutations:
    @strawberry.mutation(description="报送季度帮扶成效报告（每份协议每季度一份）")
    async def submit_report(
        self,
        info: Info,
        input: Input[SubmitReportInput],
    ) -> OutcomeReportPayload:
        root = info.context.upload_dir
        try:
            agreement_id = parse_id(input.agreement_id, "PairingAgreement", field="agreement_id")
            stored = await _stored(info, input, agreement_id=agreement_id)
        except DomainError as exc:
            return OutcomeReportPayload(report=None, errors=user_errors(exc))

        def work(session, actor):
            return reports.submit_report(
                session=session,
                actor=actor,
                agreement_id=agreement_id,
                data=_data(input) | {"period": input.period},
                files=stored,
                upload_dir=root,
            )

        return await respond(info, OutcomeReportPayload, work)

    @strawberry.mutation(description="修改被退回的成效报告并重新报送（帮扶主体）")
    async def resubmit_report(
        self,
        info: Info,
        input: Input[ResubmitReportInput],
    ) -> OutcomeReportPayload:
        root = info.context.upload_dir
        try:
            report_id = _report_id(input.report_id)
            stored = await _stored(info, input, report_id=report_id)
        except DomainError as exc:
            return OutcomeReportPayload(report=None, errors=user_errors(exc))

        def work(session, actor):
            return reports.resubmit_report(
                session=session,
                actor=actor,
                report_id=report_id,
                expected_version=input.expected_version,
                data=_data(input),
                files=stored,
                upload_dir=root,
            )

        return await respond(info, OutcomeReportPayload, work)

    @strawberry.mutation(description="更正已核实的成效报告（帮扶主体；原版本保留，重新确认和核实）")
    async def correct_report(
        self,
        info: Info,
        input: Input[CorrectReportInput],
    ) -> OutcomeReportPayload:
        root = info.context.upload_dir
        try:
            report_id = _report_id(input.report_id)
            stored = await _stored(info, input, report_id=report_id)
        except DomainError as exc:
            return OutcomeReportPayload(report=None, errors=user_errors(exc))

        def work(session, actor):
            return corrections.correct_report(
                session=session,
                actor=actor,
                report_id=report_id,
                expected_version=input.expected_version,
                data=_data(input),
                reason=input.reason,
                files=stored,
                upload_dir=root,
            )

        return await respond(info, OutcomeReportPayload, work)

    confirm_report = _review(
        reports.confirm_report, ReportStepInput, "村确认已报送的成效报告属实（本村村级账号）"
    )
    verify_report = _review(
        reports.verify_report, ReportStepInput, "乡村振兴局核实村已确认的成效报告（限本辖区）"
    )

    return_report = _review(
        reports.return_report,
        ReturnReportInput,
        "退回成效报告请帮扶主体修改：村退回待确认的，乡村振兴局退回待核实的",
        comment="comment",
    )
