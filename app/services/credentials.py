"""Credentials: signing in (spaced attempts, no lock) and changing a password.

Both verify or hash with argon2, which is deliberately slow, so each comes in two steps: the slow
check with a read-only session, then a short write that checks again what can have changed since
(docs/decisions/0016). ``authenticate`` and ``change_password`` run both steps in one session.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import AuthenticationError, ValidationError
from app.models import LoginAttempt, User
from app.models.base import utcnow
from app.permissions import require
from app.services import limits
from app.services.accounts import check_password_strength
from app.services.bus import publish
from app.services.domain_events import AccountEvent
from app.services.passwords import burn_verification, hash_password, needs_rehash, verify_password
from app.services.user_sessions import revoke_user_sessions, revoke_user_tokens

GENERIC_FAILURE = "用户名或密码不正确"


@dataclass(frozen=True, slots=True)
class SignInCheck:
    """What a sign-in attempt found, before anything about it is written."""

    username: str
    address: str
    user_id: int | None  # set only when the password matched an active account
    verified_hash: str | None  # the hash the password matched (to notice a change since)
    new_hash: str | None  # a rehash under the current parameters, when they changed


def authenticate(
    *, session: Session, username: str, password: str, ip: str, now: datetime | None = None
) -> User:
    """Check a sign-in and record it in one session (tests, the CLI); pages use the two steps."""
    attempt = check_sign_in(session=session, username=username, password=password, ip=ip, now=now)
    return record_sign_in(session=session, attempt=attempt, now=now)


def check_sign_in(
    *, session: Session, username: str, password: str, ip: str, now: datetime | None = None
) -> SignInCheck:
    """The slow half of a sign-in, with a read-only session: the wait due, then the password.

    Attempts are spaced per (account, address) and per address (``app.services.limits``); a wait
    still due refuses before any hashing. Unknown accounts cost one dummy verification, so they
    answer as slowly as known ones.
    """
    username = (username or "").strip()
    limits.refuse_waiting_sign_in(session, username=username, address=ip, now=now)
    user = session.exec(
        select(User).where(sa.func.lower(User.username) == username.lower())
    ).first()
    if user is None:
        burn_verification(password)
    if user is None or not verify_password(user.password_hash, password) or not user.is_active:
        return SignInCheck(username, ip, None, None, None)
    new_hash = hash_password(password) if needs_rehash(user.password_hash) else None
    return SignInCheck(username, ip, user.id, user.password_hash, new_hash)


def record_sign_in(*, session: Session, attempt: SignInCheck, now: datetime | None = None) -> User:
    """The short write of a sign-in: claim the attempt, then count a failure
    (AuthenticationError, kept as ``LoginAttempt`` rows) or record a success.

    The claim is made again here, in the writing transaction, so concurrent attempts cannot slip
    past the free ones; the result of one whose claim is refused is never told. A password
    changed or an account disabled since the check makes the attempt a failure.
    """
    username, address = attempt.username, attempt.address
    limits.claim_sign_in(session, username=username, address=address, now=now)
    user = session.get(User, attempt.user_id) if attempt.user_id is not None else None
    if user is None or not user.is_active or user.password_hash != attempt.verified_hash:
        for key in (f"user:{username.lower()}"[:80], f"ip:{address}"[:80]):
            session.add(LoginAttempt(key=key))
        raise AuthenticationError(GENERIC_FAILURE)
    if attempt.new_hash is not None:
        user.password_hash = attempt.new_hash
    limits.clear_sign_in(session, username=username, address=address, now=now)
    user.last_login_at = utcnow()
    return user


@dataclass(frozen=True, slots=True)
class PasswordChange:
    """A checked change of the actor's password: the old one verified, the new one hashed."""

    user_id: int
    verified_hash: str
    new_hash: str


def change_password(
    *,
    session: Session,
    actor: Actor,
    old_password: str,
    new_password: str,
    keep_session_id: int | None = None,
) -> User:
    """Change the actor's password in one session (tests); adapters use the two steps."""
    change = check_password_change(
        session=session, actor=actor, old_password=old_password, new_password=new_password
    )
    return apply_password_change(
        session=session, actor=actor, change=change, keep_session_id=keep_session_id
    )


def check_password_change(
    *, session: Session, actor: Actor, old_password: str, new_password: str
) -> PasswordChange:
    """The slow half, with a read-only session: verify the old password, hash the new one."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    require(user is not None)
    if not verify_password(user.password_hash, old_password):
        raise ValidationError("原密码不正确", code="wrong_password", field="old_password")
    try:
        check_password_strength(new_password)
    except ValueError as exc:
        raise ValidationError(str(exc), code="weak_password", field="new_password") from None
    return PasswordChange(user.id, user.password_hash, hash_password(new_password))


def apply_password_change(
    *,
    session: Session,
    actor: Actor,
    change: PasswordChange,
    keep_session_id: int | None = None,
) -> User:
    """Store the new password; every other session (all but ``keep_session_id``) and every API
    token of the account stop working."""
    user = session.get(User, change.user_id)
    require(user is not None and user.id == actor.user_id)
    if user.password_hash != change.verified_hash:
        # Changed by another session since the old password was checked.
        raise ValidationError("原密码不正确", code="wrong_password", field="old_password")
    user.password_hash = change.new_hash
    user.auth_version += 1
    sessions = revoke_user_sessions(session=session, user_id=user.id, keep_id=keep_session_id)
    tokens = revoke_user_tokens(session=session, user_id=user.id)
    publish(
        session,
        AccountEvent.by(
            actor,
            action="account.change_password",
            obj=user,
            summary=f"修改登录密码；其他 {sessions} 处登录和 {tokens} 个接口令牌已失效",
        ),
    )
    return user


def user_for_session(*, session: Session, user_id: int, auth_version: int) -> User | None:
    """The user a session cookie names, if the cookie is still valid for them."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.auth_version != auth_version:
        return None
    return user
