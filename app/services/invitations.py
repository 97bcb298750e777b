"""Invitation codes for organisations in the directory without accounts (docs/decisions/0035).

The county bureau (its region) makes one code per enterprise, cooperative or village that has no
active account and no live code, and gets them once, as a list to print or send (the codes are
kept as keyed digests only). Whoever holds a code sets up an account at ``/invite``: approved at
once and linked to the organisation, since the bureau chose whom to give it to. Codes expire, are
single use, and can be revoked or regenerated one by one.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor, Role
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Cooperative, Enterprise, Invitation, User, Village
from app.models.base import utcnow
from app.models.enums import RegistrationStatus, UserRole
from app.permissions import REGION_ROWS, is_bureau_for, require
from app.services import limits, totp
from app.services.accounts import (
    NewAccount,
    _ensure_username_free,
    _user_snapshot,
    prepare_account,
)
from app.services.bulk import add_created
from app.services.bus import publish
from app.services.domain_events import Creation, InvitationEvent
from app.services.privacy import NOTICE_VERSION

LIFETIME_DAYS = 30
MAX_LIFETIME_DAYS = 180
INVALID = "邀请码无效、已使用或已过期，请向所在县乡村振兴局索取新的邀请码"
NOT_FOUND = "邀请码不存在"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
KINDS = {"enterprise": "帮扶主体", "cooperative": "合作社", "village": "村"}
LINK = {"enterprise": "enterprise_id", "cooperative": "cooperative_id", "village": "village_id"}


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """One code as issued: shown (or exported) this once."""

    invitation_id: int
    name: str
    identifier: str  # 统一社会信用代码, or the village's 村代码
    code: str
    expires_at: datetime


def new_code() -> str:
    """Twelve characters in three groups (about 59 bits): typed from paper without confusion."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def code_digest(code: str) -> str:
    return totp.recovery_digest("invite:" + totp.normalise_code(code).upper())


def _candidates(session: Session, actor: Actor, kind: str, county_code: str | None):
    """(organisation, name, identifier, county) without an active account or a live code."""
    now = utcnow()
    if kind == "enterprise":
        model, name, ident, county = (
            Enterprise,
            Enterprise.name,
            Enterprise.credit_code,
            Enterprise.county_code,
        )
        query = sa.select(model.id, name, ident, county)
    elif kind == "cooperative":
        model, county = Cooperative, Village.county_code
        query = sa.select(
            Cooperative.id, Cooperative.name, Cooperative.credit_code, Village.county_code
        ).join(Village, Village.id == Cooperative.village_id)
    elif kind == "village":
        model, county = Village, Village.county_code
        query = sa.select(Village.id, Village.name, Village.code, Village.county_code)
    else:
        raise ValidationError("请选择单位类别", code="kind_invalid", field="kind")
    link_user = getattr(User, LINK[kind])
    link_invitation = getattr(Invitation, LINK[kind])
    has_account = sa.exists().where(link_user == model.id, User.is_active.is_(True))
    has_code = sa.exists().where(
        link_invitation == model.id,
        Invitation.used_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )
    query = query.where(~has_account, ~has_code, county.is_not(None))
    query = query.where(REGION_ROWS.where(actor, county_code=county))
    if county_code:
        query = query.where(county == county_code)
    if kind != "village":
        query = query.where(model.status == RegistrationStatus.approved)
    return session.execute(query.order_by(county, model.id)).all()


def invite_organisations(
    *,
    session: Session,
    actor: Actor,
    kind: str,
    county_code: str | None = None,
    lifetime_days: int = LIFETIME_DAYS,
    now: datetime | None = None,
) -> list[IssuedCode]:
    """A code for every organisation of ``kind`` in the officer's region (or one county of it)
    without an active account or a live code; written in batches, audited per code."""
    require(actor.role == Role.bureau)
    if county_code:
        require(is_bureau_for(actor, county_code))
    if not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise ValidationError(
            f"有效期应为 1–{MAX_LIFETIME_DAYS} 天", code="lifetime_invalid", field="lifetime_days"
        )
    now = now or utcnow()
    expires = now + timedelta(days=lifetime_days)
    issued, creations = [], []
    for org_id, name, identifier, county in _candidates(session, actor, kind, county_code):
        code = new_code()
        invitation = Invitation(
            **{LINK[kind]: org_id},
            county_code=county,
            code_digest=code_digest(code),
            created_by=actor.user_id,
            created_at=now,
            expires_at=expires,
        )
        creations.append(Creation("invitation.create", invitation, f"生成邀请码：{name}", county))
        issued.append((invitation, name, identifier, code))
    add_created(session, actor=actor, creations=creations)
    return [
        IssuedCode(inv.id, name, identifier, code, expires)
        for inv, name, identifier, code in issued
    ]


def _invitation(session: Session, actor: Actor, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFoundError(NOT_FOUND)
    require(is_bureau_for(actor, invitation.county_code))
    return invitation


def _organisation(session: Session, invitation: Invitation):
    if invitation.enterprise_id is not None:
        org = session.get(Enterprise, invitation.enterprise_id)
        return "enterprise", org, org.credit_code
    if invitation.cooperative_id is not None:
        org = session.get(Cooperative, invitation.cooperative_id)
        return "cooperative", org, org.credit_code
    org = session.get(Village, invitation.village_id)
    return "village", org, org.code


def revoke_invitation(
    *, session: Session, actor: Actor, invitation_id: int, now: datetime | None = None
) -> Invitation:
    """Withdraw an unused code (a lost printout)."""
    invitation = _invitation(session, actor, invitation_id)
    if invitation.used_at is not None or invitation.revoked_at is not None:
        raise ConflictError("该邀请码已使用或已作废", code="invitation_closed")
    invitation.revoked_at = now or utcnow()
    _, org, _ = _organisation(session, invitation)
    publish(
        session,
        InvitationEvent.by(
            actor,
            action="invitation.revoke",
            obj=invitation,
            summary=f"作废邀请码：{org.name}",
            county_code=invitation.county_code,
        ),
    )
    return invitation


def regenerate_invitation(
    *,
    session: Session,
    actor: Actor,
    invitation_id: int,
    lifetime_days: int = LIFETIME_DAYS,
    now: datetime | None = None,
) -> IssuedCode:
    """A new code for the same organisation; the old one, if still open, stops working."""
    old = _invitation(session, actor, invitation_id)
    if old.used_at is not None:
        raise ConflictError("该邀请码已使用，单位已有账号", code="invitation_used")
    now = now or utcnow()
    if old.revoked_at is None:
        old.revoked_at = now
    kind, org, identifier = _organisation(session, old)
    code = new_code()
    invitation = Invitation(
        **{LINK[kind]: org.id},
        county_code=old.county_code,
        code_digest=code_digest(code),
        created_by=actor.user_id,
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    session.add(invitation)
    publish(
        session,
        InvitationEvent.by(
            actor,
            action="invitation.regenerate",
            obj=invitation,
            summary=f"重新生成邀请码：{org.name}",
            county_code=invitation.county_code,
        ),
    )
    return IssuedCode(invitation.id, org.name, identifier, code, invitation.expires_at)


@dataclass(frozen=True, slots=True)
class InvitationRow:
    id: int
    name: str
    identifier: str
    created_at: datetime
    expires_at: datetime
    state: str


def recent_invitations(
    *, session: Session, actor: Actor, limit: int = 100, now: datetime | None = None
) -> list[InvitationRow]:
    """The latest codes of the officer's region, with their state (the page's list)."""
    require(actor.role == Role.bureau)
    now = now or utcnow()
    name = sa.func.coalesce(Enterprise.name, Cooperative.name, Village.name)
    ident = sa.func.coalesce(Enterprise.credit_code, Cooperative.credit_code, Village.code)
    rows = session.execute(
        sa.select(Invitation, name, ident)
        .outerjoin(Enterprise, Enterprise.id == Invitation.enterprise_id)
        .outerjoin(Cooperative, Cooperative.id == Invitation.cooperative_id)
        .outerjoin(Village, Village.id == Invitation.village_id)
        .where(REGION_ROWS.where(actor, county_code=Invitation.county_code))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(limit)
    ).all()
    return [
        InvitationRow(inv.id, n, i, inv.created_at, inv.expires_at, _state(inv, now))
        for inv, n, i in rows
    ]


def _state(invitation: Invitation, now: datetime) -> str:
    if invitation.used_at is not None:
        return "已使用"
    if invitation.revoked_at is not None:
        return "已作废"
    if invitation.expires_at <= now:
        return "已过期"
    return "有效"


def accept_invitation(
    *,
    session: Session,
    code: str,
    account: dict | NewAccount,
    address: str | None = None,
    now: datetime | None = None,
) -> User:
    """Set up the account the code was made for: approved, linked to its organisation.

    Attempts are limited per address like registrations, so codes cannot be guessed in bulk."""
    per_address, _ = limits.registration_limits()
    if address is not None:
        limits.hit(session, per_address, limits.address_key(address), what="尝试过于频繁")
    form = prepare_account(account)
    now = now or utcnow()
    invitation = session.exec(
        select(Invitation).where(Invitation.code_digest == code_digest(code or ""))
    ).first()
    usable = (
        invitation is not None
        and invitation.used_at is None
        and invitation.revoked_at is None
        and invitation.expires_at > now
    )
    if not usable:
        raise ValidationError(INVALID, code="invitation_invalid", field="code")
    _ensure_username_free(session, form.username)
    if not form.privacy_consent:
        raise ValidationError(
            "请阅读并同意《个人信息处理说明》后再提交",
            code="consent_required",
            field="privacy_consent",
        )
    kind, org, _ = _organisation(session, invitation)
    user = User(
        username=form.username,
        display_name=form.display_name,
        phone=form.phone,
        password_hash=form.password_hash,
        role=UserRole(kind),
        status=RegistrationStatus.approved,
        privacy_consent_at=now,
        privacy_notice_version=NOTICE_VERSION,
        **{LINK[kind]: org.id},
    )
    session.add(user)
    session.flush()
    invitation.used_at, invitation.used_by = now, user.id
    publish(
        session,
        InvitationEvent(
            actor_id=user.id,
            actor_label=f"{form.display_name}（邀请码）",
            action="invitation.accept",
            obj=invitation,
            summary=f"{form.display_name} 以邀请码开通 {org.name} 的账号",
            after=_user_snapshot(user),
            county_code=invitation.county_code,
        ),
    )
    return user
