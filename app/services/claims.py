"""Claiming an organisation already in the directory (docs/decisions/0035).

The 500 seeded enterprises, the 1,500 cooperatives and everything imported have no accounts.
Registering with a credit code already registered becomes a claim: a pending account linked to
that organisation, with an uploaded proof (营业执照 or 授权书, checked and stored like report
evidence before the unit of work opens). The organisation's county bureau reviews it in the same
queue as registrations (the ``registrations`` to-do, ``accounts.review_registration``); until it
is approved the account acts for no organisation (``accounts.actor_for``), and on approval it
works on the organisation with its whole history. A claim on an organisation that already has
an active account is allowed; the review shows that account.
"""

from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import NotFoundError, ValidationError
from app.identifiers import normalize_credit_code
from app.models import Cooperative, Enterprise, OrganisationClaim, User
from app.models.base import utcnow
from app.models.enums import RegistrationStatus, UserRole
from app.permissions import can_review_registration, require
from app.services.accounts import (
    NewAccount,
    _ensure_username_free,
    _limit_registration,
    _user_snapshot,
    prepare_account,
    registration_county,
)
from app.services.bus import publish
from app.services.domain_events import AccountEvent
from app.services.pairing.evidence import StoredUpload, Upload, resolve, store_uploads
from app.services.privacy import NOTICE_VERSION

CLAIMABLE = {UserRole.enterprise: Enterprise, UserRole.cooperative: Cooperative}
NO_PROOF = "请上传营业执照或授权书（PDF、JPG 或 PNG）"
CLAIM_NOT_FOUND = "认领材料不存在"


def store_proof(filename: str, data: bytes, root: Path) -> StoredUpload:
    """Check the proof (type by its first bytes, size, pictures without metadata) and write it;
    slow work, done before the unit of work opens."""
    if not data:
        raise ValidationError(NO_PROOF, code="proof_required", field="document")
    try:
        [stored] = store_uploads([Upload(filename, data)], root)
    except ValidationError as exc:
        raise ValidationError(exc.message, code="proof_invalid", field="document") from None
    return stored


def find_organisation(session: Session, kind: UserRole, credit_code: str):
    """The enterprise or cooperative registered under ``credit_code``, or NotFoundError."""
    model = CLAIMABLE.get(kind)
    if model is None:
        raise ValidationError("只能认领帮扶主体或合作社", code="role_invalid", field="kind")
    code = normalize_credit_code(credit_code or "")
    found = session.exec(select(model).where(model.credit_code == code)).first()
    if found is None:
        raise NotFoundError("未找到以该统一社会信用代码登记的单位，请直接注册", field="credit_code")
    return found


def claim_organisation(
    *,
    session: Session,
    kind: UserRole,
    account: dict | NewAccount,
    credit_code: str,
    proof: StoredUpload | None,
    address: str | None = None,
) -> User:
    """A pending account linked to the organisation registered under ``credit_code``.

    Limited like registrations (per address, per credit code); ``proof`` was stored by
    ``store_proof``. The county bureau sees the claim in its registrations to-do."""
    form = prepare_account(account)
    _limit_registration(session, address, {"credit_code": credit_code})
    organisation = find_organisation(session, kind, credit_code)
    _ensure_username_free(session, form.username)
    if not form.privacy_consent:
        raise ValidationError(
            "请阅读并同意《个人信息处理说明》后再提交",
            code="consent_required",
            field="privacy_consent",
        )
    if proof is None:
        raise ValidationError(NO_PROOF, code="proof_required", field="document")
    link = "enterprise_id" if kind == UserRole.enterprise else "cooperative_id"
    user = User(
        username=form.username,
        display_name=form.display_name,
        phone=form.phone,
        password_hash=form.password_hash,
        role=kind,
        status=RegistrationStatus.pending,
        privacy_consent_at=utcnow(),
        privacy_notice_version=NOTICE_VERSION,
        **{link: organisation.id},
    )
    session.add(user)
    session.flush()
    session.add(
        OrganisationClaim(
            user_id=user.id,
            filename=proof.filename,
            content_type=proof.content_type,
            size_bytes=proof.size_bytes,
            sha256=proof.sha256,
            storage_key=proof.storage_key,
        )
    )
    publish(
        session,
        AccountEvent(
            actor_id=None,
            actor_label=f"{form.display_name}（认领申请）",
            action="account.claim",
            obj=user,
            summary=f"{form.display_name} 申请认领 {organisation.name}",
            after=_user_snapshot(user),
            county_code=registration_county(session, user),
        ),
    )
    return user


def claims_of(session: Session, user_ids: list[int]) -> dict[int, OrganisationClaim]:
    """The claims among these pending accounts, by account id."""
    if not user_ids:
        return {}
    rows = session.exec(select(OrganisationClaim).where(OrganisationClaim.user_id.in_(user_ids)))
    return {row.user_id: row for row in rows}


def active_accounts(session: Session, user: User) -> list[str]:
    """Usernames of the approved, active accounts already working for the claimed organisation."""
    if user.enterprise_id is not None:
        same = User.enterprise_id == user.enterprise_id
    elif user.cooperative_id is not None:
        same = User.cooperative_id == user.cooperative_id
    else:
        same = sa.and_(User.village_id.is_not(None), User.village_id == user.village_id)
    rows = session.exec(
        select(User.username).where(
            same,
            User.id != user.id,
            User.is_active.is_(True),
            User.status == RegistrationStatus.approved,
        )
    )
    return list(rows)


def open_claim_proof(
    *, session: Session, actor: Actor, user_id: int, upload_dir: Path
) -> tuple[OrganisationClaim, Path]:
    """A claim's proof, for the bureau that reviews it (others: not found, the id unconfirmed)."""
    user = session.get(User, user_id)
    claim = (
        session.exec(select(OrganisationClaim).where(OrganisationClaim.user_id == user_id)).first()
        if user is not None
        else None
    )
    if claim is None or not can_review_registration(actor, registration_county(session, user)):
        raise NotFoundError(CLAIM_NOT_FOUND)
    require(actor.is_authenticated)
    return claim, resolve(upload_dir, claim.storage_key)
