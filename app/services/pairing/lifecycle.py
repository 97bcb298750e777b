"""The life of an agreement after it is proposed (the machine: ``app.services.pairing.states``).

Each step ``transition_agreement`` takes is one row of ``TRANSITIONS``: what it stamps, whether it
takes a reason, and the summary it records; who may take it, from which states and on what
conditions is the agreement machine's. The same machine says which buttons a detail page shows,
so a page never offers what the service would refuse. Every transition checks the version the user
saw: of two people acting on the same version, exactly one succeeds and the other gets a conflict.
"""

from dataclasses import dataclass
from datetime import date
from typing import TypedDict, Unpack

from sqlmodel import Session

from app.actors import Actor
from app.errors import ValidationError
from app.labels import AGREEMENT_ACTION
from app.models import PairingAgreement, Village
from app.models.base import utcnow
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import AgreementEvent
from app.services.inputs import clean_text
from app.services.pairing.capacity import hold_capacity
from app.services.pairing.common import (
    flush_versioned,
    load_agreement,
)
from app.services.pairing.followup import unsettled_quarters
from app.services.pairing.periods import local_today
from app.services.pairing.states import AGREEMENT, AgreementCase

MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Effect:
    stamp: str  # the timestamp column set when it happens
    reason: str  # "none", "optional" or "required"
    summary: str  # str.format(number=, village=, reason=)


TRANSITIONS: dict[str, Effect] = {
    "sign": Effect("signed_at", "none", "{village} 签署结对协议 {number}"),
    "decline": Effect("ended_at", "optional", "{village} 婉拒结对协议 {number}{reason}"),
    "withdraw": Effect("ended_at", "optional", "撤回结对协议 {number}{reason}"),
    "file": Effect("filed_at", "none", "结对协议 {number} 备案，进入履行期"),
    "complete": Effect("ended_at", "none", "结对协议 {number} 期满办结"),
    "terminate": Effect("ended_at", "required", "结对协议 {number} 提前终止{reason}"),
    "accept": Effect("proposed_at", "none", "确认规划结对 {number}，提交 {village} 签约"),
    "refuse": Effect("ended_at", "optional", "谢绝规划结对 {number}{reason}"),
    "return": Effect("updated_at", "required", "结对协议 {number} 备案时退回修改{reason}"),
    "resubmit": Effect(
        "updated_at", "none", "修改后重新提交结对协议 {number}，等待 {village} 签约"
    ),
}

# The steps that hold the enterprise's maximum number of villages (besides proposing).
ADDS_LOAD = frozenset({"sign", "file"})
# The steps after which the last return's reason no longer applies.
CLEARS_REASON = frozenset({"resubmit"})


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
    """Take one lifecycle step (``accept``, ``refuse``, ``sign``, ``decline``, ``withdraw``,
    ``file``, ``return``, ``resubmit``, ``complete``, ``terminate``) on the version the actor
    saw."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise ValidationError("不支持的操作", code="unknown_action", field="action")
    agreement, village = load_agreement(session, agreement_id)
    today = today or local_today()
    case = AgreementCase(
        agreement,
        village.county_code,
        term_ended=today >= agreement.end_on,
        unsettled=lambda: unsettled_quarters(session, agreement),
    )
    AGREEMENT.check(action, actor, case, expected_version, guards=False)
    reason = _reason(step, action, reason)
    AGREEMENT.check_guards(action, case)
    if action in ADDS_LOAD:
        hold_capacity(session, agreement.enterprise_id, agreement_id=agreement.id)
    before = snapshot(agreement)
    was = AGREEMENT.move(action, case)
    now = utcnow()
    setattr(agreement, step.stamp, now)
    agreement.updated_at = now
    if reason:
        agreement.status_reason = reason
    elif action in CLEARS_REASON:
        agreement.status_reason = ""
    flush_versioned(session)
    summary = step.summary.format(
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


def _reason(step: Effect, action: str, reason: str) -> str:
    reason = clean_text(reason or "", multiline=True, label="原因", field="reason")
    if step.reason == "none":
        return ""
    if step.reason == "required" and not reason:
        raise ValidationError(
            f"请填写{AGREEMENT_ACTION[action]}原因", code="reason_required", field="reason"
        )
    if len(reason) > MAX_REASON:
        raise ValidationError(
            f"原因不能超过 {MAX_REASON} 个字符", code="reason_too_long", field="reason"
        )
    return reason


def allowed_actions(
    actor: Actor, agreement: PairingAgreement, county_code: str, *, completable: bool
) -> list[str]:
    """The steps ``actor`` may take on ``agreement`` now, in display order.

    ``completable``: the term has ended and every quarter has a verified report or a waiver
    (see ``complete``).
    """
    case = AgreementCase(
        agreement,
        county_code,
        term_ended=completable,
        unsettled=lambda: () if completable else (None,),
    )
    return AGREEMENT.allowed(actor, case)


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


def accept_draft(**step: Unpack[Step]) -> PairingAgreement:
    """The enterprise accepts a draft from the coverage plan: it goes to the village to sign."""
    return transition_agreement(**step, action="accept")


def refuse_draft(*, reason: str = "", **step: Unpack[Step]) -> PairingAgreement:
    """The enterprise refuses a draft from the coverage plan, optionally saying why."""
    return transition_agreement(**step, action="refuse", reason=reason)


def return_agreement(*, reason: str, **step: Unpack[Step]) -> PairingAgreement:
    """Return a signed agreement for correction instead of filing it (退回修改), with a reason."""
    return transition_agreement(**step, action="return", reason=reason)


def resubmit_agreement(**step: Unpack[Step]) -> PairingAgreement:
    """Resubmit a returned agreement after correcting it: the village signs it again."""
    return transition_agreement(**step, action="resubmit")


def complete_agreement(*, today: date | None = None, **step: Unpack[Step]) -> PairingAgreement:
    """Complete an agreement whose term has ended and whose every quarter has a verified report
    or a waiver (免报)."""
    return transition_agreement(**step, action="complete", today=today)


def terminate_agreement(*, reason: str, **step: Unpack[Step]) -> PairingAgreement:
    """End a signed or active agreement early, with the reason on record."""
    return transition_agreement(**step, action="terminate", reason=reason)


def village_of(session: Session, agreement: PairingAgreement) -> Village:
    village = session.get(Village, agreement.village_id)
    assert village is not None
    return village
