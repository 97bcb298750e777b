"""API tokens for GraphQL clients: shown once, stored as a SHA-256 digest, revocable, expiring."""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import NotFoundError, ValidationError
from app.models import ApiToken, User
from app.models.base import utcnow
from app.permissions import require
from app.services.bus import publish
from app.services.domain_events import AccountEvent
from app.services.inputs import clean_text

TOKEN_PREFIX = "cq_"
# The lifetimes offered at creation, in days; a token never lives longer than a year.
LIFETIME_DAYS = (30, 90, 180, 365)
DEFAULT_LIFETIME_DAYS = 90
# last_used_at is written at most this often per token: GraphQL's hot path does not write.
USE_RECORD_INTERVAL = timedelta(minutes=5)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(
    *, session: Session, actor: Actor, name: str, lifetime_days: int = DEFAULT_LIFETIME_DAYS
) -> tuple[ApiToken, str]:
    """Create a token for the actor; the plain value is returned once and never stored."""
    require(actor.user_id is not None)
    name = clean_text(name, label="令牌用途", field="name")
    if not name or len(name) > 60:
        raise ValidationError(
            "请填写令牌用途（不超过 60 个字符）", code="name_invalid", field="name"
        )
    if lifetime_days not in LIFETIME_DAYS:
        raise ValidationError(
            "有效期只能选择 30、90、180 或 365 天", code="lifetime_invalid", field="lifetime_days"
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=actor.user_id,
        name=name,
        token_digest=_digest(raw),
        prefix=raw[:10],
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    session.add(token)
    publish(
        session,
        AccountEvent.by(
            actor,
            action="api_token.create",
            obj=token,
            summary=f"创建接口令牌“{name}”（{lifetime_days} 天有效）",
        ),
    )
    return token, raw


def revoke_api_token(*, session: Session, actor: Actor, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.user_id:
        raise NotFoundError("接口令牌不存在")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        publish(
            session,
            AccountEvent.by(
                actor,
                action="api_token.revoke",
                obj=token,
                summary=f"吊销接口令牌“{token.name}”",
            ),
        )
    return token


def list_api_tokens(*, session: Session, actor: Actor) -> list[ApiToken]:
    """The actor's own tokens, newest first (revoked ones included, marked)."""
    if actor.user_id is None:
        return []
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == actor.user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).all()
    )


def token_in_force(
    *, session: Session, raw: str, now: datetime | None = None
) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token and the token, or None: unknown, revoked and
    expired tokens are refused alike (one indexed lookup)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    now = now or utcnow()
    row = session.exec(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_digest == _digest(raw))
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or is_expired(token, now) or not user.is_active:
        return None
    return user, token


def user_for_token(*, session: Session, raw: str) -> User | None:
    """The active user behind a bearer token in force, or None."""
    found = token_in_force(session=session, raw=raw)
    return found[0] if found is not None else None


def is_expired(token: ApiToken, now: datetime | None = None) -> bool:
    return token.expires_at is None or token.expires_at <= (now or utcnow())


def needs_use_record(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return token.last_used_at is None or token.last_used_at < now - USE_RECORD_INTERVAL


def record_use(*, session: Session, token_id: int, now: datetime | None = None) -> bool:
    """Record the token's use, unless that was recorded less than USE_RECORD_INTERVAL ago."""
    now = now or utcnow()
    result = session.execute(
        sa.update(ApiToken)
        .where(
            ApiToken.id == token_id,
            sa.or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at < now - USE_RECORD_INTERVAL,
            ),
        )
        .values(last_used_at=now)
    )
    return result.rowcount > 0
