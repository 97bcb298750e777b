"""Getting back into an account whose password is lost (忘记密码).

Two ways (docs/decisions/0034-user-administration-and-recovery.md):

- **A one-time code** an officer issues and hands over (many village accounts have no email):
  eight digits, shown once, kept only as a keyed digest, valid for ``CODE_LIFETIME``, once.
- **A one-time link** mailed, on request, to the address the account subscribed notifications
  to (``mail_subscriptions``), through the mail outbox; valid for ``LINK_LIFETIME``, once. The
  request answers the same whether or not the account exists or has an address.

Redeeming either sets the new password, ends every session and API token of the account, and is
counted against per-address and per-account limits (a wrong code counts too: the adapter
commits the failure and shows it, as a failed sign-in does). The new password is hashed by
``prepare_reset`` before the write transaction opens (decision 0016).
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.config import get_settings
from app.errors import ConflictError, ValidationError
from app.models import MailMessage, MailSubscription, PasswordReset, User
from app.models.base import utcnow
from app.services import jobs, limits
from app.services.accounts import check_password_strength
from app.services.bus import publish
from app.services.domain_events import AccountEvent
from app.services.mail import DELIVER_KIND
from app.services.passwords import hash_password
from app.services.user_admin import managed_user, user_county
from app.services.user_sessions import revoke_user_sessions, revoke_user_tokens

CODE_LIFETIME = timedelta(hours=72)
LINK_LIFETIME = timedelta(hours=1)
CODE_FAILED = "用户名或重置码不正确，或重置码已使用、已过期"
LINK_FAILED = "重置链接无效、已使用或已过期，请重新申请"
REQUEST_LIMITS = (
    limits.Limit("password_reset.request_address", 10, 3600),
    limits.Limit("password_reset.request_account", 3, 3600),
)
ATTEMPT_LIMITS = (
    limits.Limit("password_reset.attempt_address", 20, 3600),
    limits.Limit("password_reset.attempt_account", 10, 3600),
)


def _digest(secret: str) -> str:
    """Keyed, so a copy of the table alone cannot try the eight-digit codes offline."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()


def _code_digest(user_id: int, code: str) -> str:
    return _digest(f"code:{user_id}:{code}")


def _link_digest(token: str) -> str:
    return _digest(f"link:{token}")


def normalise_code(raw: str) -> str:
    """The digits of a code as typed (``1234 5678``, ``1234-5678``)."""
    return re.sub(r"[\s-]", "", raw or "")[:16]


def _retire(session: Session, user_id: int, now: datetime) -> None:
    """An account has one live reset at a time: a new one ends the older ones."""
    session.execute(
        sa.update(PasswordReset)
        .where(
            PasswordReset.user_id == user_id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
    )


def issue_reset_code(
    *, session: Session, actor: Actor, user_id: int, now: datetime | None = None
) -> tuple[PasswordReset, str]:
    """A one-time reset code for an account the officer manages; returns the code, which is
    shown once and never stored."""
    now = now or utcnow()
    user = managed_user(session=session, actor=actor, user_id=user_id)
    if user.id == actor.user_id:
        raise ValidationError("自己的密码请在“我的账号”中修改", code="own_account")
    if not user.is_active:
        raise ConflictError("该账号已停用，请先启用再重置密码", code="inactive")
    _retire(session, user.id, now)
    code = f"{secrets.randbelow(10**8):08d}"
    reset = PasswordReset(
        user_id=user.id,
        kind="code",
        secret_digest=_code_digest(user.id, code),
        issued_by_id=actor.user_id,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    session.add(reset)
    publish(
        session,
        AccountEvent.by(
            actor,
            action="account.issue_reset_code",
            obj=user,
            summary=f"为账号 {user.username} 生成一次性密码重置码",
            county_code=user_county(session, user),
        ),
    )
    return reset, f"{code[:4]} {code[4:]}"


def request_reset_link(
    *,
    session: Session,
    username: str,
    address: str,
    link_base: str,
    now: datetime | None = None,
) -> bool:
    """Mail a one-time reset link when the account exists, is active and has an address.

    Counted per client address and per username whatever the answer; the caller tells the
    user the same thing either way. Returns whether a mail was queued (for tests and logs).
    """
    now = now or utcnow()
    username = (username or "").strip()[:40]
    per_address, per_account = REQUEST_LIMITS
    what = "找回密码的请求过于频繁"
    limits.hit(session, per_address, limits.address_key(address), now=now, what=what)
    limits.hit(session, per_account, f"user:{username.lower()}", now=now, what=what)
    row = session.exec(
        select(User, MailSubscription.address)
        .join(MailSubscription, MailSubscription.user_id == User.id)
        .where(sa.func.lower(User.username) == username.lower(), User.is_active)
    ).first()
    if row is None or not username or not get_settings().mail_enabled:
        return False
    user, mail_address = row
    _retire(session, user.id, now)
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(
            user_id=user.id,
            kind="link",
            secret_digest=_link_digest(token),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    link = f"{link_base.rstrip('/')}/password/reset?token={token}"
    session.add(
        MailMessage(
            recipient=mail_address,
            subject="【村企通】重置登录密码",
            body=(
                f"{user.display_name}，您好：\n\n有人为账号 {user.username} 申请了重置密码。"
                "如果是您本人，请在 1 小时内打开下面的链接设置新密码（只能使用一次）：\n\n"
                f"{link}\n\n如果不是您本人申请，请忽略本邮件，您的密码不会改变。\n\n"
                "（本邮件由系统自动发送，请勿回复）"
            ),
        )
    )
    jobs.enqueue(session, DELIVER_KIND)
    publish(
        session,
        AccountEvent(
            actor_id=None,
            actor_label=f"{user.display_name}（找回密码）",
            action="account.request_reset",
            obj=user,
            summary=f"账号 {user.username} 申请通过邮件重置密码",
            county_code=user_county(session, user),
        ),
    )
    return True


@dataclass(frozen=True, slots=True)
class ResetAttempt:
    """A reset as typed, checked and with the new password already hashed (no session needed)."""

    username: str
    secret: str  # the code's digits, or the link's token
    kind: str  # "code" or "link"
    new_hash: str


def prepare_reset(*, username: str, secret: str, new_password: str, kind: str) -> ResetAttempt:
    """Check the new password and hash it (slow): call before the write transaction opens."""
    try:
        check_password_strength(new_password)
    except ValueError as exc:
        raise ValidationError(str(exc), code="weak_password", field="new_password") from None
    secret = normalise_code(secret) if kind == "code" else (secret or "").strip()[:100]
    return ResetAttempt((username or "").strip()[:40], secret, kind, hash_password(new_password))


def redeem_reset(
    *, session: Session, attempt: ResetAttempt, address: str, now: datetime | None = None
) -> User | None:
    """Set the new password with a live code or link: the reset is used up, every session and
    API token of the account ends. A wrong, used or expired secret returns None (the attempt
    stays counted when the caller commits)."""
    now = now or utcnow()
    per_address, per_account = ATTEMPT_LIMITS
    what = "尝试次数过多"
    limits.hit(session, per_address, limits.address_key(address), now=now, what=what)
    if attempt.kind == "code":
        limits.hit(session, per_account, f"user:{attempt.username.lower()}", now=now, what=what)
        user_id = session.exec(
            select(User.id).where(sa.func.lower(User.username) == attempt.username.lower())
        ).first()
        if user_id is None or not attempt.secret.isdigit():
            return None
        digest = _code_digest(user_id, attempt.secret)
    else:
        digest = _link_digest(attempt.secret)
    reset = session.exec(
        select(PasswordReset).where(
            PasswordReset.secret_digest == digest,
            PasswordReset.kind == attempt.kind,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
    ).first()
    user = session.get(User, reset.user_id) if reset is not None else None
    if user is None or not user.is_active:
        return None
    reset.used_at = now
    user.password_hash = attempt.new_hash
    user.auth_version += 1
    sessions = revoke_user_sessions(session=session, user_id=user.id)
    tokens = revoke_user_tokens(session=session, user_id=user.id)
    how = "一次性重置码" if attempt.kind == "code" else "邮件中的重置链接"
    publish(
        session,
        AccountEvent(
            actor_id=user.id,
            actor_label=user.display_name,
            action="account.reset_password",
            obj=user,
            summary=f"用{how}重置登录密码；{sessions} 处登录和 {tokens} 个接口令牌已失效",
            county_code=user_county(session, user),
        ),
    )
    return user
