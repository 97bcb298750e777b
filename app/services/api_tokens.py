"""API tokens for GraphQL clients: shown once, stored as a SHA-256 digest, revocable."""

import hashlib
import secrets

from sqlmodel import Session, select

from app.actors import Actor
from app.errors import NotFoundError, ValidationError
from app.models import ApiToken, User
from app.models.base import utcnow
from app.permissions import require
from app.services.audit import record_event
from app.services.inputs import clean_text

TOKEN_PREFIX = "cq_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_api_token(*, session: Session, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Create a token for the actor; the plain value is returned once and never stored."""
    require(actor.user_id is not None)
    name = clean_text(name, label="令牌用途", field="name")
    if not name or len(name) > 60:
        raise ValidationError(
            "请填写令牌用途（不超过 60 个字符）", code="name_invalid", field="name"
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.user_id, name=name, token_digest=_digest(raw), prefix=raw[:10])
    session.add(token)
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="api_token.create",
        obj=token,
        summary=f"创建接口令牌“{name}”",
    )
    return token, raw


def revoke_api_token(*, session: Session, actor: Actor, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.user_id:
        raise NotFoundError("接口令牌不存在")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_event(
            session,
            actor_id=actor.user_id,
            actor_label=actor.label,
            action="api_token.revoke",
            obj=token,
            summary=f"吊销接口令牌“{token.name}”",
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


def user_for_token(*, session: Session, raw: str) -> User | None:
    """The active user behind a bearer token, or None."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_digest == _digest(raw))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    return user if user is not None and user.is_active else None
