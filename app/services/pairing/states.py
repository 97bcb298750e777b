"""The lifecycles of 千企帮千村: pairing agreements and their quarterly outcome reports.

    draft ─accept (enterprise)─▶ proposed ─sign (village)─▶ signed ─file 备案 (bureau)─▶ active
      │ refuse (enterprise)          │ decline (village)       │ return 退回修改     │
      ▼   ▶ declined                 │   ▶ declined            ▼ (bureau, reason)  │ complete
                                     │ withdraw (enterprise)  returned             ▼ (bureau)
                                     │   ▶ withdrawn           │ resubmit        completed
                                     ◀─────────────────────────┘ (enterprise)
    terminate (either party or bureau, with a reason): signed or active ▶ terminated

A draft comes from the bureau's coverage plan; the enterprise completes its commitments
(``revise``) and accepts it, or refuses it. Accepting and resubmitting hold the commitment rule
(``app.services.pairing.commitments``) on the stored values.

    (enterprise) submit ─▶ submitted ─confirm (village)─▶ confirmed ─verify (bureau)─▶ verified
                             │ return (village)             │ return (bureau)
                             ▼                              ▼
                          returned ◀────────────────────────┘    resubmit (enterprise) ─▶ submitted
    verified ─correct 更正 (enterprise; the verified version is kept)─▶ submitted

The services (``lifecycle``, ``proposals``, ``reports``) take these steps; the detail pages show a
button for each step ``allowed`` returns, so a page never offers what the service would refuse.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.errors import ValidationError
from app.labels import AGREEMENT_ACTION, REPORT_ACTION
from app.models import OutcomeReport, PairingAgreement
from app.models.enums import AgreementStatus, ReportStatus
from app.permissions import (
    can_complete_agreement,
    can_confirm_report,
    can_file_agreement,
    can_plan_for_county,
    can_propose_agreement,
    can_revise_proposal,
    can_sign_agreement,
    can_submit_report,
    can_terminate_agreement,
    can_verify_report,
    can_withdraw_agreement,
)
from app.services.pairing.commitments import commitments_message, stored_commitments_hold
from app.services.state_machine import Guard, Machine, Transition

A = AgreementStatus
R = ReportStatus


@dataclass(frozen=True, slots=True)
class AgreementCase:
    """An agreement with what its rules read: the village's county (which bureau is responsible)
    and, for completing, whether the term has ended and which quarters of the term have neither
    a verified report nor a waiver (免报)."""

    agreement: PairingAgreement
    county_code: str
    term_ended: bool = False
    # Asked only once the term has ended; completion needs it empty.
    unsettled: Callable[[], Sequence] = lambda: ()


def _term_ended_message(case: AgreementCase) -> str:
    end = case.agreement.end_on
    return f"协议期限至 {end.year}年{end.month}月{end.day}日，期满后才能办结"


def _unsettled_message(case: AgreementCase) -> str:
    quarters = "、".join(f"{q.year}年第{q.quarter}季度" for q in case.unsettled())
    return f"以下季度尚无核实的成效报告，也未免报，不能办结：{quarters}"


def _village(actor, case: AgreementCase) -> bool:
    return can_sign_agreement(actor, case.agreement.village_id)


def _own_enterprise(actor, case: AgreementCase) -> bool:
    return can_revise_proposal(actor, case.agreement.enterprise_id)


_COMMITTED = Guard(
    lambda case: stored_commitments_hold(case.agreement),
    lambda case: commitments_message(case.agreement),
    "commitments_invalid",
    error=ValidationError,
)


def _agreement_step(name: str, sources, target, allowed, **more) -> Transition:
    return Transition(
        name, sources, target, allowed, f"agreement.{name}", AGREEMENT_ACTION[name], **more
    )


AGREEMENT = Machine(
    name="agreement",
    model="PairingAgreement",
    states=tuple(A),
    initial=(A.draft, A.proposed),
    terminal=(A.completed, A.declined, A.withdrawn, A.terminated),
    entity=lambda case: case.agreement,
    wrong_state="协议当前为“{state}”，不能{action}",
    stale="该协议已被他人修改，请刷新后再试",
    transitions=(
        # Created by the enterprise (subject: the enterprise) or from the bureau's coverage
        # plan (subject: the village's county code).
        Transition(
            "propose",
            (),
            A.proposed,
            lambda actor, enterprise: can_propose_agreement(
                actor, enterprise.id, enterprise.status
            ),
            "agreement.propose",
            "提出结对",
            offered=False,
        ),
        Transition(
            "plan",
            (),
            A.draft,
            can_plan_for_county,
            "agreement.plan",
            "覆盖规划生成草案",
            offered=False,
        ),
        _agreement_step(
            "accept",
            (A.draft,),
            A.proposed,
            _own_enterprise,
            guards=(_COMMITTED,),
            button="确认结对，提交村签约",
            done="已确认，等待村签约",
        ),
        _agreement_step("refuse", (A.draft,), A.declined, _own_enterprise, done="已谢绝该规划结对"),
        _agreement_step(
            "sign", (A.proposed,), A.signed, _village, done="已签约，等待乡村振兴局备案"
        ),
        _agreement_step("decline", (A.proposed,), A.declined, _village, done="已婉拒该结对提议"),
        _agreement_step(
            "revise",
            (A.draft, A.proposed, A.returned),
            A.proposed,  # never moved: a revision keeps the agreement's state
            _own_enterprise,
            wrong_state="协议已签约或已结束，不能再修改",
        ),
        _agreement_step(
            "withdraw",
            (A.proposed, A.returned),
            A.withdrawn,
            lambda actor, case: can_withdraw_agreement(actor, case.agreement.enterprise_id),
            button="撤回提议",
            done="已撤回结对提议",
        ),
        _agreement_step(
            "file",
            (A.signed,),
            A.active,
            lambda actor, case: can_file_agreement(actor, case.county_code),
            done="已备案，协议进入履行期",
        ),
        _agreement_step(
            "return",
            (A.signed,),
            A.returned,
            lambda actor, case: can_file_agreement(actor, case.county_code),
            button="退回修改",
            done="已退回，等待帮扶主体修改后重新提交签约",
        ),
        _agreement_step(
            "resubmit",
            (A.returned,),
            A.proposed,
            _own_enterprise,
            guards=(_COMMITTED,),
            button="重新提交村签约",
            done="已重新提交，等待村签约",
        ),
        _agreement_step(
            "complete",
            (A.active,),
            A.completed,
            lambda actor, case: can_complete_agreement(actor, case.county_code),
            guards=(
                Guard(
                    lambda case: case.term_ended,
                    _term_ended_message,
                    "term_not_ended",
                    error=ValidationError,
                ),
                Guard(
                    lambda case: not case.unsettled(),
                    _unsettled_message,
                    "quarters_unsettled",
                    error=ValidationError,
                ),
            ),
            button="期满办结",
            done="协议已办结",
        ),
        _agreement_step(
            "terminate",
            (A.signed, A.active),
            A.terminated,
            lambda actor, case: can_terminate_agreement(
                actor, case.agreement.enterprise_id, case.agreement.village_id, case.county_code
            ),
            button="终止协议",
            done="协议已终止",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class ReportCase:
    """A report with its agreement and the county of the agreement's village."""

    report: OutcomeReport
    agreement: PairingAgreement
    county_code: str


def _enterprise(actor, case) -> bool:
    agreement = case if isinstance(case, PairingAgreement) else case.agreement
    return can_submit_report(actor, agreement.enterprise_id)


def _village_staff(actor, case: ReportCase) -> bool:
    return can_confirm_report(actor, case.agreement.village_id)


def _bureau(actor, case: ReportCase) -> bool:
    return can_verify_report(actor, case.county_code)


def _report_step(name: str, sources, target, allowed, **more) -> Transition:
    return Transition(name, sources, target, allowed, f"report.{name}", REPORT_ACTION[name], **more)


REPORT = Machine(
    name="report",
    model="OutcomeReport",
    states=tuple(R),
    initial=(R.submitted,),
    # None: a verified report is locked, but its enterprise may correct it (更正), which keeps the
    # verified version and sends the corrected one round the review again.
    terminal=(),
    entity=lambda case: case.report,
    wrong_state="报告当前为“{state}”，不能{action}",
    stale="该报告已被他人处理，请刷新后再试",
    transitions=(
        # Created by the helping enterprise (subject: the agreement), once the agreement is in
        # force.
        _report_step(
            "submit",
            (),
            R.submitted,
            _enterprise,
            guards=(
                Guard(
                    lambda agreement: agreement.status == A.active,
                    "协议备案生效后才能报送成效",
                    "invalid_state",
                ),
            ),
            offered=False,
        ),
        _report_step("resubmit", (R.returned,), R.submitted, _enterprise),
        _report_step(
            "confirm",
            (R.submitted,),
            R.confirmed,
            _village_staff,
            button="确认属实",
            done="已确认该成效报告，等待乡村振兴局核实",
        ),
        _report_step(
            "verify",
            (R.confirmed,),
            R.verified,
            _bureau,
            button="核实通过",
            done="已核实该成效报告",
        ),
        _report_step(
            "correct",
            (R.verified,),
            R.submitted,
            _enterprise,
            button="更正报告",
            done="已提交更正，等待村确认和乡村振兴局重新核实",
        ),
        # Each reviewer returns at its own stage; a stale version is a conflict for either.
        _report_step(
            "return",
            (R.submitted, R.confirmed),
            R.returned,
            lambda actor, case: _village_staff(actor, case) or _bureau(actor, case),
            by_state={R.submitted: _village_staff, R.confirmed: _bureau},
            done="已退回，等待帮扶主体修改后重新提交",
        ),
    ),
)
