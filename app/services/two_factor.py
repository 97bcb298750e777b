"""Two-factor sign-in: enrolling an authenticator (TOTP), recovery codes, the second step of a
sign-in and turning it off (docs/decisions/0035-claims-invitations-and-two-factor.md).

Enrolment is two requests: the page shows a fresh secret (as a QR code) that the browser keeps
sealed in its session until the owner confirms it with a code; only then is anything written.
The secret is stored sealed (``app.services.totp``) and never shown again. API tokens are not
affected: a token is its own credential, created by a signed-in (and so verified) owner.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.config import get_settings
from app.errors import AuthenticationError, ValidationError
from app.models import LoginAttempt, RecoveryCode, User
from app.models.base import utcnow
from app.models.enums import UserRole
from app.permissions import require
from app.services import limits, totp
from app.services.accounts import actor_for
from app.services.bus import publish
from app.services.domain_events import AccountEvent
from app.services.passwords import verify_password

RECOVERY_CODES = 10
WRONG_CODE = "验证码不正确或已使用"
STAFF_ROLES = (UserRole.bureau, UserRole.admin)


def is_enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None


def must_enrol(user: User | None, *, required: bool | None = None) -> bool:
    """A bureau or admin account without two-factor sign-in, where the setting requires it
    (``required``: the application's ``totp_required_for_staff``; the current settings' if None)."""
    if user is None or is_enrolled(user) or user.role not in STAFF_ROLES:
        return False
    return get_settings().totp_required_for_staff if required is None else required


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A secret offered for enrolment: shown once (QR code and text), kept sealed meanwhile."""

    secret: str
    sealed: str
    uri: str


def _own_user(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id) if actor.user_id else None
    require(user is not None and actor.is_authenticated)
    return user


def offer_enrolment(*, session: Session, actor: Actor, sealed: str | None = None) -> Enrolment:
    """The secret to enrol: the one already offered (``sealed``, from the browser's session) or a
    fresh one. Reads only."""
    user = _own_user(session, actor)
    if is_enrolled(user):
        raise ValidationError("已开启两步验证", code="already_enrolled")
    secret = totp.unseal(sealed) if sealed else None
    if secret is None:
        secret = totp.new_secret()
        sealed = totp.seal(secret)
    return Enrolment(secret, sealed, totp.provisioning_uri(secret, user.username))


def enable_two_factor(
    *, session: Session, actor: Actor, sealed: str, code: str, now: datetime | None = None
) -> list[str]:
    """Confirm the offered secret with a code from the app; returns the ten recovery codes, which
    are shown once and stored as digests only."""
    user = _own_user(session, actor)
    if is_enrolled(user):
        raise ValidationError("已开启两步验证", code="already_enrolled")
    secret = totp.unseal(sealed or "")
    if secret is None:
        raise ValidationError("请重新扫描二维码", code="enrolment_expired")
    moment = (now or utcnow()).timestamp()
    step = totp.matching_step(totp.secret_bytes(secret), code, moment)
    if step is None:
        raise ValidationError(WRONG_CODE, code="wrong_code", field="code")
    user.totp_secret = totp.seal(secret)
    user.totp_enabled_at = now or utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(session, user)
    publish(
        session,
        AccountEvent.by(
            actor, action="account.enable_two_factor", obj=user, summary="开启两步验证"
        ),
    )
    return codes


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [totp.new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(user_id=user.id, code_digest=totp.recovery_digest(c)) for c in codes
    )
    return codes


@dataclass(frozen=True, slots=True)
class DisableCheck:
    """The password verified (slowly, with a read-only session) before turning it off."""

    user_id: int
    verified_hash: str


def check_disable_two_factor(*, session: Session, actor: Actor, password: str) -> DisableCheck:
    user = _own_user(session, actor)
    if not verify_password(user.password_hash, password):
        raise ValidationError("密码不正确", code="wrong_password", field="password")
    return DisableCheck(user.id, user.password_hash)


def disable_two_factor(
    *,
    session: Session,
    actor: Actor,
    checked: DisableCheck,
    code: str,
    now: datetime | None = None,
) -> User:
    """Turn it off with the password (checked) and a current code or an unused recovery code.

    Where the setting requires it of staff, their next page sends them to enrol again."""
    user = _own_user(session, actor)
    require(user.id == checked.user_id)
    if user.password_hash != checked.verified_hash:
        raise ValidationError("密码不正确", code="wrong_password", field="password")
    if not is_enrolled(user):
        raise ValidationError("尚未开启两步验证", code="not_enrolled")
    if not _accept_code(session, user, code, now):
        raise ValidationError(WRONG_CODE, code="wrong_code", field="code")
    user.totp_secret = ""
    user.totp_enabled_at = None
    user.totp_last_step = 0
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    publish(
        session,
        AccountEvent.by(
            actor, action="account.disable_two_factor", obj=user, summary="关闭两步验证"
        ),
    )
    return user


def turn_off_two_factor(
    *, session: Session, actor: Actor, password: str, code: str, now: datetime | None = None
) -> User:
    """Both steps in one session (tests); the page verifies the password before writing."""
    checked = check_disable_two_factor(session=session, actor=actor, password=password)
    return disable_two_factor(session=session, actor=actor, checked=checked, code=code, now=now)


def _accept_code(session: Session, user: User, code: str, now: datetime | None) -> bool:
    """A code of the authenticator (each step once) or an unused recovery code (then used up)."""
    secret = totp.unseal(user.totp_secret)
    if secret is not None:
        moment = (now or utcnow()).timestamp()
        key = totp.secret_bytes(secret)
        step = totp.matching_step(key, code, moment, after=user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return True
    digest = totp.recovery_digest(code)
    recovery = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_digest == digest,
            RecoveryCode.used_at.is_(None),
        )
    ).first()
    if recovery is None:
        return False
    recovery.used_at = now or utcnow()
    left = _unused_recovery_codes(session, user.id)
    publish(
        session,
        AccountEvent.by(
            actor_for(user),
            action="account.use_recovery_code",
            obj=user,
            summary=f"使用恢复码登录或验证（剩余 {left} 个）",
        ),
    )
    return True


def _unused_recovery_codes(session: Session, user_id: int) -> int:
    session.flush()
    return session.execute(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def unused_recovery_codes(*, session: Session, actor: Actor) -> int:
    """How many of the actor's recovery codes are left (the account page shows it)."""
    return _unused_recovery_codes(session, _own_user(session, actor).id)


def second_step_key(user_id: int) -> str:
    """The throttle's account key for code attempts: spaced like password attempts."""
    return f"totp#{user_id}"


def refuse_waiting_second_step(*, session: Session, user_id: int, ip: str) -> None:
    limits.refuse_waiting_sign_in(session, username=second_step_key(user_id), address=ip)


def complete_sign_in(
    *,
    session: Session,
    user_id: int,
    auth_version: int,
    code: str,
    ip: str,
    now: datetime | None = None,
) -> User:
    """The second step of a sign-in: a code from the app or a recovery code.

    Attempts are claimed and spaced like password attempts (per account and address, and per
    address); a failure is kept as a ``LoginAttempt`` and raises AuthenticationError. A password
    changed or an account disabled since the first step fails it.
    """
    key = second_step_key(user_id)
    limits.claim_sign_in(session, username=key, address=ip, now=now)
    user = session.get(User, user_id)
    usable = (
        user is not None
        and user.is_active
        and user.auth_version == auth_version
        and is_enrolled(user)
    )
    if not usable or not _accept_code(session, user, code, now):
        for attempt_key in (key, f"ip:{ip}"[:80]):
            session.add(LoginAttempt(key=attempt_key))
        raise AuthenticationError(WRONG_CODE)
    limits.clear_sign_in(session, username=key, address=ip, now=now)
    user.last_login_at = now or utcnow()
    return user
