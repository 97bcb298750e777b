"""Proposing a pairing (结对帮扶协议) and revising the proposal before the village signs.

Amounts are entered in 元 (pages and the API alike) and stored in 分. Every change checks the
version the user saw, so a stale edit is a conflict; the partial unique index on open pairs turns
a double submission into a conflict too, even when two requests race.
"""

from datetime import date, timedelta

import sqlalchemy as sa
from pydantic import BaseModel, Field, ValidationInfo, field_validator
from sqlmodel import Session, select

from app.actors import Actor
from app.db_errors import constraint_keys, integrity_error
from app.errors import ConflictError, DomainError, NotFoundError
from app.models import Enterprise, PairingAgreement, Village
from app.models.base import utcnow
from app.models.enums import OPEN_AGREEMENT_STATUSES, AgreementStatus, HelpKind
from app.models.flags import to_mask
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import AgreementEvent
from app.services.inputs import BoundedDate, InputErrors, MultilineText, RowId, parse
from app.services.numbering import agreement_number
from app.services.pairing.capacity import hold_capacity
from app.services.pairing.commitments import commitment_rule
from app.services.pairing.common import (
    blank_as_zero,
    flush_versioned,
    load_agreement,
    yuan_validator,
)
from app.services.pairing.states import AGREEMENT, AgreementCase
from app.services.pairing.terms import check_start

MIN_TERM_YEARS = 1
MAX_TERM_YEARS = 5
OPEN_PAIR = constraint_keys(
    "pairing_agreements", "uq_pairing_agreements_open_pair", "enterprise_id", "village_id"
)
DUPLICATE_MESSAGE = "与该村已有进行中的结对协议，请勿重复提交"


class Terms(BaseModel):
    """An agreement's help kinds, term and commitments, without the commitment rule (a draft
    from the coverage plan); money fields are typed in 元 and held in 分."""

    help_kinds: list[HelpKind] = Field(title="帮扶方式", min_length=1)
    start_on: BoundedDate = Field(title="开始日期")
    end_on: BoundedDate = Field(title="结束日期")
    commit_funding_business: int = Field(default=0, ge=0, title="经营性资金")
    commit_funding_welfare: int = Field(default=0, ge=0, title="公益性资金")
    commit_jobs: int = Field(default=0, ge=0, le=1_000_000, title="带动就业人数")
    commit_trainees: int = Field(default=0, ge=0, le=1_000_000, title="培训人次")
    commit_purchase: int = Field(default=0, ge=0, title="采购帮销金额")
    commit_beneficiaries: int = Field(
        default=0, ge=0, le=10_000_000, title="受益人数", validate_default=True
    )
    note: MultilineText = Field(default="", max_length=2000, title="备注")

    _money = yuan_validator("commit_funding_business", "commit_funding_welfare", "commit_purchase")
    _counts = blank_as_zero("commit_jobs", "commit_trainees", "commit_beneficiaries")

    @field_validator("end_on")
    @classmethod
    def _term(cls, end_on: date, info: ValidationInfo) -> date:
        start_on = info.data.get("start_on")
        if start_on is None:  # start_on has its own error
            return end_on
        if end_on <= start_on:
            raise ValueError("结束日期应晚于开始日期")
        shortest = add_years(start_on, MIN_TERM_YEARS) - timedelta(days=1)
        longest = add_years(start_on, MAX_TERM_YEARS) - timedelta(days=1)
        if not shortest <= end_on <= longest:
            raise ValueError("帮扶期限应为 1 至 5 年")
        return end_on

    def columns(self) -> dict:
        """The agreement's column values (``commit_*_fen`` for money)."""
        return {
            "help_kinds": to_mask(self.help_kinds, HelpKind),
            "start_on": self.start_on,
            "end_on": self.end_on,
            "commit_funding_business_fen": self.commit_funding_business,
            "commit_funding_welfare_fen": self.commit_funding_welfare,
            "commit_jobs": self.commit_jobs,
            "commit_trainees": self.commit_trainees,
            "commit_purchase_fen": self.commit_purchase,
            "commit_beneficiaries": self.commit_beneficiaries,
            "note": self.note.strip(),
        }


class Commitments(Terms):
    """What the enterprise commits to: at least one non-zero commitment, each allowed by a chosen
    help kind (``app.services.pairing.commitments``)."""

    _allowed_commitments, _something_committed = commitment_rule()


class AgreementProposal(Commitments):
    enterprise_id: RowId = Field(title="帮扶主体")
    village_id: RowId = Field(title="帮扶村")


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_term(today: date, years: int = 3) -> tuple[date, date]:
    """A term starting on the first of next month and running ``years`` whole years."""
    start = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return start, add_years(start, years) - timedelta(days=1)


def check_commitments(*, data: dict) -> list[DomainError]:
    """The field errors a proposal or revision would get, without touching the database."""
    try:
        parse(Commitments, data)
    except InputErrors as exc:
        return list(exc.errors)
    return []


def propose_agreement(
    *, session: Session, actor: Actor, data: dict, today: date | None = None
) -> PairingAgreement:
    """Propose a pairing from an enterprise to a village; the village signs or declines it."""
    form = parse(AgreementProposal, data)
    enterprise = session.get(Enterprise, form.enterprise_id)
    if enterprise is None:
        raise NotFoundError("帮扶主体不存在", field="enterprise_id")
    AGREEMENT.authorize("propose", actor, enterprise)
    village = session.get(Village, form.village_id)
    if village is None:
        raise NotFoundError("帮扶村不存在", field="village_id")
    return insert_proposal(
        session,
        actor,
        enterprise=enterprise,
        village=village,
        commitments=form,
        action="agreement.propose",
        summary=f"{enterprise.name} 向 {village.name} 提出结对帮扶",
        today=today,
    )


def insert_proposal(
    session: Session,
    actor: Actor,
    *,
    enterprise: Enterprise,
    village: Village,
    commitments: Terms,
    action: str,
    summary: str,
    status: AgreementStatus = AgreementStatus.proposed,
    today: date | None = None,
) -> PairingAgreement:
    """Add a proposed agreement (or a draft from the coverage plan) after the caller's
    permission check; duplicates are conflicts, and so is one beyond the enterprise's
    ``max_villages`` (a draft holds a place too); a start outside the window of
    ``terms.check_start`` is refused."""
    late_start = check_start(commitments.start_on, today=today)
    if has_open_agreement(session, enterprise.id, village.id):
        raise ConflictError(DUPLICATE_MESSAGE, code="duplicate_pairing")
    hold_capacity(session, enterprise.id)
    agreement = PairingAgreement(
        **commitments.columns(),
        enterprise_id=enterprise.id,
        village_id=village.id,
        number=agreement_number(session, commitments.start_on.year),
        status=status,
        late_start=late_start,
    )
    try:
        # A racing twin passes the check above; the partial unique index stops it here.
        with session.begin_nested():
            session.add(agreement)
            session.flush()
    except sa.exc.IntegrityError as exc:
        duplicate = ConflictError(DUPLICATE_MESSAGE, code="duplicate_pairing")
        raise integrity_error(exc, dict.fromkeys(OPEN_PAIR, duplicate)) from None
    publish(
        session,
        AgreementEvent.by(
            actor,
            action=action,
            obj=agreement,
            village=village,
            summary=summary,
            after=snapshot(agreement),
            county_code=village.county_code,
        ),
    )
    return agreement


def has_open_agreement(session: Session, enterprise_id: int, village_id: int) -> bool:
    return (
        session.exec(
            select(PairingAgreement.id).where(
                PairingAgreement.enterprise_id == enterprise_id,
                PairingAgreement.village_id == village_id,
                PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES),
            )
        ).first()
        is not None
    )


def revise_proposal(
    *,
    session: Session,
    actor: Actor,
    agreement_id: int,
    expected_version: int,
    data: dict,
    today: date | None = None,
) -> PairingAgreement:
    """Change a proposal's commitments before the village signs; a stale version is a conflict.
    A new start date must be within ``terms.check_start``'s window (an unchanged one stays)."""
    form = parse(Commitments, data)
    agreement, village = load_agreement(session, agreement_id)
    AGREEMENT.check(
        "revise", actor, AgreementCase(agreement, village.county_code), expected_version
    )
    late_start = agreement.late_start
    if form.start_on != agreement.start_on:
        late_start = check_start(form.start_on, today=today)
    before = snapshot(agreement)
    for name, value in form.columns().items():
        setattr(agreement, name, value)
    agreement.late_start = late_start
    agreement.updated_at = utcnow()
    flush_versioned(session)
    publish(
        session,
        AgreementEvent.by(
            actor,
            action="agreement.revise",
            obj=agreement,
            village=village,
            was=agreement.status,
            summary=f"修改结对协议 {agreement.number} 的承诺内容",
            before=before,
            after=snapshot(agreement),
            county_code=village.county_code,
        ),
    )
    return agreement
