"""The life of an agreement after it is proposed.

    proposed ─sign (village)─▶ signed ─file 备案 (bureau)─▶ active ─complete (bureau)─▶ completed
       │ decline (village) ▶ declined              │  terminate (either party or bureau,
       │ withdraw (enterprise) ▶ withdrawn         ▼  with a reason) ▶ terminated

Each transition is one row of ``TRANSITIONS``: who may take it (a predicate from app.permissions),
from which states, and what it stamps. The same table says which buttons a detail page shows, so a
page never offers what the service would refuse. Every transition checks the version the user saw:
of two people acting on the same version, exactly one succeeds and the other gets a conflict.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypedDict, Unpack

from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, ValidationError
from app.labels import AGREEMENT_ACTION, label
from app.models import OutcomeReport, PairingAgreement, Village
from app.models.base import utcnow
from app.models.enums import AgreementStatus, ReportStatus
from app.permissions import (
    can_complete_agreement,
    can_file_agreement,
    can_revise_proposal,
    can_sign_agreement,
    can_terminate_agreement,
    can_withdraw_agreement,
    require,
)
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import AgreementEvent
from app.services.inputs import clean_text
from app.services.pairing.common import (
    check_version,
    flush_versioned,
    load_agreement,
)
from app.services.pairing.periods import final_quarter, local_today

A = AgreementStatus
MAX_REASON = 500
Allowed = Callable[[Actor, PairingAgreement, str], bool]


@dataclass(frozen=True, slots=True)
class Transition:
    sources: tuple[AgreementStatus, ...]
    target: AgreementStatus
    allowed: Allowed  # (actor, agreement, the village's county code)
    stamp: str  # the timestamp column set when it happens
    reason: str  # "none", "optional" or "required"
    summary: str  # str.format(number=, village=, reason=)


TRANSITIONS: dict[str, Transition] = {
    "sign": Transition(
        (A.proposed,),
        A.signed,
        lambda actor, a, county: can_sign_agreement(actor, a.village_id),
        "signed_at",
        "none",
        "{village} 签署结对协议 {number}",
    ),
    "decline": Transition(
        (A.proposed,),
        A.declined,
        lambda actor, a, county: can_sign_agreement(actor, a.village_id),
        "ended_at",
        "optional",
        "{village} 婉拒结对协议 {number}{reason}",
    ),
    "withdraw": Transition(
        (A.proposed,),
        A.withdrawn,
        lambda actor, a, county: can_withdraw_agreement(actor, a.enterprise_id),
        "ended_at",
        "optional",
        "撤回结对协议 {number}{reason}",
    ),
    "file": Transition(
        (A.signed,),
        A.active,
        lambda actor, a, county: can_file_agreement(actor, county),
        "filed_at",
        "none",
        "结对协议 {number} 备案，进入履行期",
    ),
    "complete": Transition(
        (A.active,),
        A.completed,
        lambda actor, a, county: can_complete_agreement(actor, county),
        "ended_at",
        "none",
        "结对协议 {number} 期满办结",
    ),
    "terminate": Transition(
        (A.signed, A.active),
        A.terminated,
        lambda actor, a, county: can_terminate_agreement(
            actor, a.enterprise_id, a.village_id, county
        ),
        "ended_at",
        "required",
        "结对协议 {number} 提前终止{reason}",
    ),
}
# Display order of the buttons on a detail page.
ACTION_ORDER = ("sign", "decline", "revise", "withdraw", "file", "complete", "terminate")


def transition_agreement(
    *,
    session: Session,
    actor: Actor,
    agreement_id: int,
    expected_version: int,
    action: str,
    reason: str = "",
    today: date | None = None,
) -> PairingAgreement:
    """Take one lifecycle step (``sign``, ``decline``, ``withdraw``, ``file``, ``complete``,
    ``terminate``) on the version the actor saw."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError("不支持的操作", code="unknown_action", field="action")
    agreement, village = load_agreement(session, agreement_id)
    require(transition.allowed(actor, agreement, village.county_code))
    check_version(expected_version, agreement.version)
    if agreement.status not in transition.sources:
        raise ConflictError(
            f"协议当前为“{label(agreement.status)}”，不能{AGREEMENT_ACTION[action]}",
            code="invalid_state",
        )
    reason = _reason(transition, action, reason)
    if action == "complete":
        _check_completion(session, agreement, today or local_today())
    before, was = snapshot(agreement), agreement.status
    now = utcnow()
    agreement.status = transition.target
    setattr(agreement, transition.stamp, now)
    agreement.updated_at = now
    if reason:
        agreement.status_reason = reason
    flush_versioned(session)
    summary = transition.summary.format(
        number=agreement.number, village=village.name, reason=f"：{reason}" if reason else ""
    )
    publish(
        session,
        AgreementEvent.by(
            actor,
            action=f"agreement.{action}",
            obj=agreement,
            village=village,
            was=was,
            summary=summary,
            before=before,
            after=snapshot(agreement),
            county_code=village.county_code,
        ),
    )
    return agreement


def _reason(transition: Transition, action: str, reason: str) -> str:
    reason = clean_text(reason or "", multiline=True, label="原因", field="reason")
    if transition.reason == "none":
        return ""
    if transition.reason == "required" and not reason:
        raise ValidationError(
            f"请填写{AGREEMENT_ACTION[action]}原因", code="reason_required", field="reason"
        )
    if len(reason) > MAX_REASON:
        raise ValidationError(
            f"原因不能超过 {MAX_REASON} 个字符", code="reason_too_long", field="reason"
        )
    return reason


def _check_completion(session: Session, agreement: PairingAgreement, today: date) -> None:
    """An agreement is completed at the end of its term, once its final report is verified."""
    end = agreement.end_on
    if today < end:
        raise ValidationError(
            f"协议期限至 {end.year}年{end.month}月{end.day}日，期满后才能办结",
            code="term_not_ended",
        )
    if not final_report_verified(session, agreement):
        quarter = final_quarter(end)
        raise ValidationError(
            f"期末（{quarter.year}年第{quarter.quarter}季度）成效报告核实后才能办结",
            code="final_report_missing",
        )


def final_report_verified(session: Session, agreement: PairingAgreement) -> bool:
    quarter = final_quarter(agreement.end_on)
    status = session.exec(
        select(OutcomeReport.status).where(
            OutcomeReport.agreement_id == agreement.id,
            OutcomeReport.year == quarter.year,
            OutcomeReport.quarter == quarter.quarter,
        )
    ).first()
    return status == ReportStatus.verified


def allowed_actions(
    actor: Actor, agreement: PairingAgreement, county_code: str, *, completable: bool
) -> list[str]:
    """The steps ``actor`` may take on ``agreement`` now, in display order.

    ``completable``: the term has ended and the final report is verified (see ``complete``).
    """
    allowed = {
        name
        for name, t in TRANSITIONS.items()
        if agreement.status in t.sources and t.allowed(actor, agreement, county_code)
    }
    if not completable:
        allowed.discard("complete")
    if agreement.status == A.proposed and can_revise_proposal(actor, agreement.enterprise_id):
        allowed.add("revise")
    return [name for name in ACTION_ORDER if name in allowed]


class Step(TypedDict):
    """Who takes a lifecycle step, on which agreement, at the version they saw."""

    session: Session
    actor: Actor
    agreement_id: int
    expected_version: int


def sign_agreement(**step: Unpack[Step]) -> PairingAgreement:
    """Sign a proposal on behalf of the village it was made to."""
    return transition_agreement(**step, action="sign")


def decline_agreement(*, reason: str = "", **step: Unpack[Step]) -> PairingAgreement:
    """Decline a proposal on behalf of the village, optionally saying why."""
    return transition_agreement(**step, action="decline", reason=reason)


def withdraw_agreement(*, reason: str = "", **step: Unpack[Step]) -> PairingAgreement:
    """Withdraw the enterprise's proposal before the village signs it."""
    return transition_agreement(**step, action="withdraw", reason=reason)


def file_agreement(**step: Unpack[Step]) -> PairingAgreement:
    """File (备案) a signed agreement: it becomes active."""
    return transition_agreement(**step, action="file")


def complete_agreement(*, today: date | None = None, **step: Unpack[Step]) -> PairingAgreement:
    """Complete an agreement whose term has ended and whose final report is verified."""
    return transition_agreement(**step, action="complete", today=today)


def terminate_agreement(*, reason: str, **step: Unpack[Step]) -> PairingAgreement:
    """End a signed or active agreement early, with the reason on record."""
    return transition_agreement(**step, action="terminate", reason=reason)


def village_of(session: Session, agreement: PairingAgreement) -> Village:
    village = session.get(Village, agreement.village_id)
    assert village is not None
    return village
