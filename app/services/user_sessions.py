"""Server-side sign-in sessions: opened at sign-in, checked on every request, revocable.

The session cookie (signed, not encrypted) carries a random key; the table keeps only its
SHA-256 digest, so a copy of the database does not sign anyone in. A revoked or idle session is
refused on the next request, whatever the cookie says.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.config import get_settings
from app.errors import NotFoundError
from app.models import ApiToken, User, UserSession
from app.models.base import utcnow
from app.permissions import require
from app.services.bus import publish
from app.services.domain_events import AccountEvent

# last_seen_at is written at most this often per session: not a write on every request.
TOUCH_INTERVAL = timedelta(minutes=5)
USER_AGENT_LENGTH = 200


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def open_session(
    *, session: Session, user_id: int, client_address: str = "", user_agent: str = ""
) -> str:
    """Record a new sign-in for ``user_id``; returns the key the cookie carries (never stored)."""
    raw = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            key_digest=_digest(raw),
            user_id=user_id,
            client_address=client_address[:64],
            user_agent=user_agent[:USER_AGENT_LENGTH],
        )
    )
    return raw


def live_session(
    *, session: Session, user_id: int, key: str, now: datetime | None = None
) -> tuple[User, UserSession] | None:
    """The user and session a cookie names, if the session is live: one indexed lookup."""
    now = now or utcnow()
    row = session.exec(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.key_digest == _digest(key))
    ).first()
    if row is None:
        return None
    user_session, user = row
    idle_limit = timedelta(seconds=get_settings().session_max_age_seconds)
    if (
        user.id != user_id
        or not user.is_active
        or user_session.revoked_at is not None
        or user_session.last_seen_at + idle_limit < now
    ):
        return None
    return user, user_session


def touch_session(*, session: Session, session_id: int, now: datetime | None = None) -> bool:
    """Record that the session was seen, unless that was recorded less than TOUCH_INTERVAL ago."""
    now = now or utcnow()
    result = session.execute(
        sa.update(UserSession)
        .where(UserSession.id == session_id, UserSession.last_seen_at < now - TOUCH_INTERVAL)
        .values(last_seen_at=now)
    )
    return result.rowcount > 0


def needs_touch(user_session: UserSession, now: datetime | None = None) -> bool:
    return user_session.last_seen_at < (now or utcnow()) - TOUCH_INTERVAL


def active_sessions(*, session: Session, actor: Actor) -> list[UserSession]:
    """The actor's live sessions, most recently seen first."""
    if actor.user_id is None:
        return []
    since = utcnow() - timedelta(seconds=get_settings().session_max_age_seconds)
    return list(
        session.exec(
            select(UserSession)
            .where(
                UserSession.user_id == actor.user_id,
                UserSession.revoked_at.is_(None),
                UserSession.last_seen_at >= since,
            )
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        ).all()
    )


def end_session(*, session: Session, session_id: int) -> None:
    """Sign-out: the session's cookie, and any copy of it, stops working."""
    session.execute(
        sa.update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def revoke_session(*, session: Session, actor: Actor, session_id: int) -> UserSession:
    """Sign out one of the actor's own sessions (another device) from the account page."""
    require(actor.user_id is not None)
    target = session.get(UserSession, session_id)
    if target is None or target.user_id != actor.user_id:
        raise NotFoundError("登录会话不存在")
    if target.revoked_at is None:
        target.revoked_at = utcnow()
        publish(
            session,
            AccountEvent.by(
                actor,
                action="session.revoke",
                obj=target,
                summary=f"退出一处登录（{target.client_address or '未知地址'}）",
            ),
        )
    return target


def revoke_all_sessions(*, session: Session, actor: Actor) -> int:
    """Sign out everywhere: every session of the actor, this one included."""
    require(actor.user_id is not None)
    user = session.get(User, actor.user_id)
    require(user is not None)
    count = revoke_user_sessions(session=session, user_id=actor.user_id)
    publish(
        session,
        AccountEvent.by(
            actor,
            action="session.revoke_all",
            obj=user,
            summary=f"退出所有设备（{count} 处登录）",
        ),
    )
    return count


def revoke_user_sessions(*, session: Session, user_id: int, keep_id: int | None = None) -> int:
    """Revoke the user's live sessions except ``keep_id``; how many were revoked."""
    query = sa.update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if keep_id is not None:
        query = query.where(UserSession.id != keep_id)
    return session.execute(query.values(revoked_at=utcnow())).rowcount


def revoke_user_tokens(*, session: Session, user_id: int) -> int:
    """Revoke every API token of the user still in force; how many were revoked."""
    return session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
