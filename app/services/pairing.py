"""Pairing agreements (结对帮扶协议): proposing and revising a proposal.

The whole lifecycle (sign, decline, file, complete, terminate) arrives with the pairing issue;
every change here already checks the version the user saw, so a stale edit is a conflict.
"""

from datetime import date

from pydantic import BaseModel, Field, model_validator
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, NotFoundError
from app.models import Enterprise, PairingAgreement, Village
from app.models.base import utcnow
from app.models.enums import OPEN_AGREEMENT_STATUSES, AgreementStatus, HelpKind
from app.models.flags import to_mask
from app.permissions import can_propose_agreement, can_revise_proposal, require
from app.services.audit import record_event, snapshot
from app.services.inputs import parse
from app.services.numbering import agreement_number

MAX_TERM_YEARS = 5


class Commitments(BaseModel):
    help_kinds: list[HelpKind] = Field(title="帮扶方式", min_length=1)
    start_on: date = Field(title="开始日期")
    end_on: date = Field(title="结束日期")
    commit_funding_business_fen: int = Field(default=0, ge=0, title="经营性资金")
    commit_funding_welfare_fen: int = Field(default=0, ge=0, title="公益性资金")
    commit_jobs: int = Field(default=0, ge=0, title="带动就业人数")
    commit_trainees: int = Field(default=0, ge=0, title="培训人数")
    commit_purchase_fen: int = Field(default=0, ge=0, title="采购帮销金额")
    commit_beneficiaries: int = Field(default=0, ge=0, title="受益人数")
    note: str = Field(default="", max_length=2000, title="备注")

    @model_validator(mode="after")
    def _term(self) -> "Commitments":
        if self.end_on <= self.start_on:
            raise ValueError("结束日期应晚于开始日期")
        years = _years_between(self.start_on, self.end_on)
        if years < 1 or years > MAX_TERM_YEARS:
            raise ValueError("帮扶期限应为 1 至 5 年")
        return self


class AgreementProposal(Commitments):
    enterprise_id: int = Field(title="帮扶主体")
    village_id: int = Field(title="帮扶村")


def _years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def propose_agreement(*, session: Session, actor: Actor, data: dict) -> PairingAgreement:
    """Propose a pairing from an enterprise to a village; the village signs or declines it."""
    form = parse(AgreementProposal, data)
    enterprise = session.get(Enterprise, form.enterprise_id)
    if enterprise is None:
        raise NotFoundError("帮扶主体不存在", field="enterprise_id")
    require(can_propose_agreement(actor, enterprise.id, enterprise.status))
    village = session.get(Village, form.village_id)
    if village is None:
        raise NotFoundError("帮扶村不存在", field="village_id")
    open_pair = session.exec(
        select(PairingAgreement.id).where(
            PairingAgreement.enterprise_id == enterprise.id,
            PairingAgreement.village_id == village.id,
            PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES),
        )
    ).first()
    if open_pair is not None:
        raise ConflictError("与该村已有进行中的结对协议，请勿重复提交", code="duplicate_pairing")
    agreement = PairingAgreement(
        **form.model_dump(exclude={"help_kinds"}),
        help_kinds=to_mask(form.help_kinds, HelpKind),
        number=agreement_number(session, form.start_on.year),
        status=AgreementStatus.proposed,
    )
    session.add(agreement)
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="agreement.propose",
        obj=agreement,
        summary=f"{enterprise.name} 向 {village.name} 提出结对帮扶",
        after=snapshot(agreement),
        county_code=village.county_code,
    )
    return agreement


def revise_proposal(
    *, session: Session, actor: Actor, agreement_id: int, expected_version: int, data: dict
) -> PairingAgreement:
    """Change a proposal's commitments before the village signs; a stale version is a conflict."""
    form = parse(Commitments, data)
    agreement = session.get(PairingAgreement, agreement_id)
    if agreement is None:
        raise NotFoundError("结对协议不存在")
    require(can_revise_proposal(actor, agreement.enterprise_id))
    if agreement.version != expected_version:
        raise _stale()
    if agreement.status != AgreementStatus.proposed:
        raise ConflictError("协议已签约或已结束，不能再修改", code="invalid_state")
    before = snapshot(agreement)
    for name, value in form.model_dump(exclude={"help_kinds"}).items():
        setattr(agreement, name, value)
    agreement.help_kinds = to_mask(form.help_kinds, HelpKind)
    agreement.updated_at = utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise _stale() from None
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="agreement.revise",
        obj=agreement,
        summary=f"修改结对协议 {agreement.number} 的承诺内容",
        before=before,
        after=snapshot(agreement),
        county_code=agreement.village.county_code,
    )
    return agreement


def _stale() -> ConflictError:
    return ConflictError("该协议已被他人修改，请刷新后再试", code="stale_version")
