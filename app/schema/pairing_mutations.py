"""The agreement lifecycle as mutations: propose, revise, then sign / decline / withdraw / file
(备案) / complete / terminate; a coverage plan's draft is accepted or refused by the enterprise, and
a signed agreement may be returned at filing (退回修改) and resubmitted.

Every step names the version the client saw (``expectedVersion``): of two clients acting on the
same version exactly one succeeds, the other gets ``stale_version`` with a Chinese message.
"""

from datetime import date
from functools import partial
from typing import Any

import strawberry

from app.schema import enums
from app.schema.context import Info
from app.schema.errors import input_data
from app.schema.node import parse_id
from app.schema.pairing import PairingAgreement
from app.schema.payloads import Input, payload_type, respond, step_mutation
from app.schema.scalars import Money
from app.services.pairing import lifecycle, proposals


@strawberry.input(description="协议的帮扶方式、期限和承诺；金额以元填写，最多两位小数")
class CommitmentsInput:
    help_kinds: list[enums.HelpKind] = strawberry.field(description="帮扶方式，至少一项")
    start_on: date = strawberry.field(description="开始日期")
    end_on: date = strawberry.field(description="结束日期（期限 1 至 5 年）")
    commit_funding_business: Money | None = strawberry.field(
        default=None, description="经营性资金（元）"
    )
    commit_funding_welfare: Money | None = strawberry.field(
        default=None, description="公益性资金（元）"
    )
    commit_jobs: int = strawberry.field(default=0, description="带动就业人数")
    commit_trainees: int = strawberry.field(default=0, description="培训人次")
    commit_purchase: Money | None = strawberry.field(default=None, description="采购帮销金额（元）")
    commit_beneficiaries: int = strawberry.field(default=0, description="受益人数")
    note: str = strawberry.field(default="", description="备注")


@strawberry.input(description="提出结对帮扶（帮扶主体向村提出，待村签约）")
class ProposeAgreementInput(CommitmentsInput):
    enterprise_id: strawberry.ID = strawberry.field(description="帮扶主体（本单位）")
    village_id: strawberry.ID = strawberry.field(description="帮扶村")


@strawberry.input(description="在村签约前修改提议的承诺内容")
class ReviseProposalInput(CommitmentsInput):
    agreement_id: strawberry.ID = strawberry.field(description="协议")
    expected_version: int = strawberry.field(description="您看到的协议版本号（version）")


@strawberry.input(description="对协议的一步操作")
class AgreementStepInput:
    agreement_id: strawberry.ID = strawberry.field(description="协议（全局编号）")
    expected_version: int = strawberry.field(description="您看到的协议版本号（version）")


@strawberry.input(description="对协议的一步操作，附原因")
class AgreementReasonInput(AgreementStepInput):
    reason: str = strawberry.field(
        default="",
        description="原因（终止、退回修改时必填，婉拒、撤回、谢绝时可填；不超过 500 个字符）",
    )


PairingAgreementPayload = payload_type(
    "PairingAgreementPayload",
    "agreement",
    PairingAgreement,
    description="结对协议操作的结果",
    label="协议",
)


def _agreement_id(value: strawberry.ID) -> int:
    return parse_id(value, "PairingAgreement", field="agreement_id")


def _step(action: str, input_type: type, description: str) -> Any:
    """The mutation for one lifecycle transition (``lifecycle.TRANSITIONS[action]``)."""
    reason = {"reason": "reason"} if input_type is AgreementReasonInput else {}
    return step_mutation(
        partial(lifecycle.transition_agreement, action=action),
        PairingAgreementPayload,
        input_type,
        description,
        key="agreement_id",
        node="PairingAgreement",
        **reason,
    )


@strawberry.type
class PairingMutations:
    @strawberry.mutation(description="提出结对帮扶（已通过审核的帮扶主体）")
    async def propose_agreement(
        self,
        info: Info,
        input: Input[ProposeAgreementInput],
    ) -> PairingAgreementPayload:
        data = input_data(input, skip=("enterprise_id", "village_id"))

        def work(session, actor):
            data["enterprise_id"] = parse_id(
                input.enterprise_id, "Enterprise", field="enterprise_id"
            )
            data["village_id"] = parse_id(input.village_id, "Village", field="village_id")
            return proposals.propose_agreement(session=session, actor=actor, data=data)

        return await respond(info, PairingAgreementPayload, work)

    @strawberry.mutation(description="修改尚未签约的提议（提出方）；版本号不符时为冲突")
    async def revise_proposal(
        self,
        info: Info,
        input: Input[ReviseProposalInput],
    ) -> PairingAgreementPayload:
        data = input_data(input, skip=("agreement_id", "expected_version"))

        def work(session, actor):
            return proposals.revise_proposal(
                session=session,
                actor=actor,
                agreement_id=_agreement_id(input.agreement_id),
                expected_version=input.expected_version,
                data=data,
            )

        return await respond(info, PairingAgreementPayload, work)

    sign_agreement = _step("sign", AgreementStepInput, "村签署待签约的协议（本村村级账号）")
    decline_agreement = _step("decline", AgreementReasonInput, "村婉拒待签约的协议，可附原因")
    withdraw_agreement = _step(
        "withdraw", AgreementReasonInput, "帮扶主体在村签约前撤回提议，可附原因"
    )
    file_agreement = _step(
        "file", AgreementStepInput, "乡村振兴局为已签约的协议备案，协议进入履行期（限本辖区）"
    )
    complete_agreement = _step(
        "complete",
        AgreementStepInput,
        "乡村振兴局办结期满的协议：每个季度须有已核实的成效报告或已免报（限本辖区）",
    )
    terminate_agreement = _step(
        "terminate",
        AgreementReasonInput,
        "提前终止已签约或履行中的协议，须填写原因（协议双方或本县乡村振兴局）",
    )
    accept_agreement_draft = _step(
        "accept",
        AgreementStepInput,
        "帮扶主体确认覆盖规划生成的结对草案（承诺内容须已填写），提交村签约",
    )
    refuse_agreement_draft = _step(
        "refuse", AgreementReasonInput, "帮扶主体谢绝覆盖规划生成的结对草案，可附原因"
    )
    return_agreement = _step(
        "return",
        AgreementReasonInput,
        "乡村振兴局不予备案，将已签约的协议退回修改，须填写原因（限本辖区）",
    )
    resubmit_agreement = _step(
        "resubmit", AgreementStepInput, "帮扶主体修改被退回的协议后重新提交，由村重新签约"
    )
