"""Accounts: registration and its review, sign-in with throttling, passwords and API tokens."""

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import object_session
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app.actors import ANONYMOUS, Actor, Role
from app.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from app.models import Cooperative, County, Enterprise, LoginAttempt, User, Village
from app.models.base import utcnow
from app.models.enums import CITY_CODE, RegistrationStatus, UserRole
from app.permissions import can_manage_users, can_review_registration, require
from app.services import limits
from app.services.audit import record_event
from app.services.inputs import Text, clean_text, parse
from app.services.organisations import register_cooperative, register_enterprise
from app.services.passwords import burn_verification, hash_password, needs_rehash, verify_password
from app.services.privacy import NOTICE_VERSION
from app.services.user_sessions import revoke_user_sessions, revoke_user_tokens

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,40}$")
GENERIC_FAILURE = "用户名或密码不正确"
REGISTRATION_NOT_FOUND = "注册申请不存在"


class AccountForm(BaseModel):
    username: Text = Field(title="用户名")
    display_name: Text = Field(title="姓名", min_length=1, max_length=40)
    phone: Text = Field(default="", title="手机号", max_length=20)
    password: str = Field(title="密码")
    privacy_consent: bool = Field(default=False, title="同意《个人信息处理说明》")

    @field_validator("privacy_consent", mode="before")
    @classmethod
    def _consent(cls, value) -> bool:
        return value in (True, "1", "on", "true")

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        value = value.strip()
        if not USERNAME.match(value):
            raise ValueError("用户名应为 3–40 位字母、数字或 _ . @ -")
        return value

    @field_validator("password")
    @classmethod
    def _password(cls, value: str) -> str:
        check_password_strength(value)
        return value


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An account form, checked, with its password already hashed.

    Hashing is deliberately slow, so adapters prepare the account before their write transaction
    opens (SQLite has one write lock for everyone); the service then only writes.
    """

    username: str
    display_name: str
    phone: str
    password_hash: str
    privacy_consent: bool = False


def prepare_account(account: dict | NewAccount) -> NewAccount:
    """Check the account fields and hash the password; needs no session."""
    if isinstance(account, NewAccount):
        return account
    form = parse(AccountForm, account)
    return NewAccount(
        form.username,
        form.display_name,
        form.phone,
        hash_password(form.password),
        form.privacy_consent,
    )


def check_password_strength(password: str) -> None:
    if len(password) < 8 or not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise ValueError("密码至少 8 位，且须同时包含字母和数字")


def actor_for(user: User) -> Actor:
    """The actor a signed-in user acts as; staff of an unapproved organisation act for none.

    Reads the user's organisation, so call it while the user's session is open.
    """
    if not user.is_active:
        return ANONYMOUS
    approved = user.status == RegistrationStatus.approved
    return Actor(
        role=Role(user.role),
        user_id=user.id,
        name=user.display_name,
        enterprise_id=user.enterprise_id if approved else None,
        cooperative_id=user.cooperative_id if approved else None,
        village_id=user.village_id if approved else None,
        region_code=user.region_code,
        organisation=_organisation_name(user),
    )


def _organisation_name(user: User) -> str:
    if user.role == UserRole.bureau:
        if user.region_code == CITY_CODE:
            return "运城市乡村振兴局"
        county = (
            object_session(user).get(County, user.region_code) if object_session(user) else None
        )
        return f"{county.name}乡村振兴局" if county else "乡村振兴局"
    organisation = user.enterprise or user.cooperative or user.village
    return organisation.name if organisation is not None else ""


# Registration ---------------------------------------------------------------------------------


def register_account(
    *,
    session: Session,
    kind: UserRole,
    account: dict | NewAccount,
    organisation: dict,
    address: str | None = None,
) -> User:
    """Self-registration: a new organisation (or, for village staff, an existing village) + user.

    ``privacy_consent`` must be given: the consent to the personal-information notice, recorded
    on the user with the notice's version. ``address`` is the client's: registrations are limited
    per address and per organisation. Pass ``prepare_account(...)`` from outside the unit of
    work; a dict is prepared here.
    """
    form = prepare_account(account)
    _limit_registration(session, address, organisation)
    _ensure_username_free(session, form.username)
    if not form.privacy_consent:
        raise ValidationError(
            "请阅读并同意《个人信息处理说明》后再提交",
            code="consent_required",
            field="privacy_consent",
        )
    links: dict[str, int] = {}
    if kind == UserRole.enterprise:
        links["enterprise_id"] = register_enterprise(
            session=session, actor=ANONYMOUS, data=organisation
        ).id
    elif kind == UserRole.cooperative:
        links["cooperative_id"] = register_cooperative(
            session=session, actor=ANONYMOUS, data=organisation
        ).id
    elif kind == UserRole.village:
        village = session.get(Village, _int(organisation.get("village_id"), "village_id", "所在村"))
        if village is None:
            raise NotFoundError("所选村不存在", field="village_id")
        links["village_id"] = village.id
    else:
        raise ValidationError(
            "只能注册帮扶主体、合作社或村级账号", code="role_invalid", field="kind"
        )
    user = User(
        username=form.username,
        display_name=form.display_name,
        phone=form.phone,
        password_hash=form.password_hash,
        role=kind,
        status=RegistrationStatus.pending,
        privacy_consent_at=utcnow(),
        privacy_notice_version=NOTICE_VERSION,
        **links,
    )
    session.add(user)
    record_event(
        session,
        actor_id=None,
        actor_label=f"{form.display_name}（注册申请）",
        action="account.register",
        obj=user,
        summary=f"{form.display_name} 提交注册申请",
        after=_user_snapshot(user),
        county_code=registration_county(session, user),
    )
    return user


def _limit_registration(session: Session, address: str | None, organisation: dict) -> None:
    """Count this registration per client address and per credit code (or village), so a
    script cannot fill the bureau's review queue; past a limit nothing is written."""
    per_address, per_organisation = limits.registration_limits()
    if address is not None:
        limits.hit(session, per_address, limits.address_key(address), what="注册申请过于频繁")
    credit_code = str(organisation.get("credit_code") or "").strip().upper()
    village = str(organisation.get("village_id") or "").strip()
    key = f"credit_code:{credit_code}" if credit_code else f"village:{village}" if village else ""
    if key:
        limits.hit(session, per_organisation, key, what="该单位的注册申请过于频繁")


def registration_county(session: Session, user: User) -> str | None:
    """The county whose bureau reviews this account (None: an enterprise from outside the city)."""
    if user.enterprise_id:
        return session.get(Enterprise, user.enterprise_id).county_code
    if user.cooperative_id:
        return session.get(Cooperative, user.cooperative_id).village.county_code
    if user.village_id:
        return session.get(Village, user.village_id).county_code
    return user.region_code


def review_registration(
    *, session: Session, actor: Actor, user_id: int, approve: bool, reason: str = ""
) -> User:
    """Approve or reject a pending registration, with its organisation."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(REGISTRATION_NOT_FOUND)
    county = registration_county(session, user)
    require(can_review_registration(actor, county))
    if user.status != RegistrationStatus.pending:
        raise ConflictError("该申请已处理，请刷新页面", code="already_reviewed")
    reason = clean_text(reason, multiline=True, label="不通过的原因", field="reason")
    if not approve and not reason:
        raise ValidationError("请填写不通过的原因", code="reason_required", field="reason")
    status = RegistrationStatus.approved if approve else RegistrationStatus.rejected
    before = _user_snapshot(user)
    user.status, user.status_reason = status, reason[:200]
    organisation = user.enterprise or user.cooperative
    if organisation is not None and organisation.status == RegistrationStatus.pending:
        organisation.status, organisation.status_reason = status, reason[:200]
        # An enterprise is versioned (decision 0015): an officer deciding at the same moment
        # makes this UPDATE match no row, which is the same "already reviewed" as above.
        try:
            session.flush()
        except StaleDataError:
            raise ConflictError("该申请已处理，请刷新页面", code="already_reviewed") from None
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="account.approve" if approve else "account.reject",
        obj=user,
        summary=f"{'通过' if approve else '驳回'} {user.display_name} 的注册申请"
        + (f"：{reason}" if reason else ""),
        before=before,
        after=_user_snapshot(user),
        county_code=county,
    )
    return user


def pending_registrations(*, session: Session, actor: Actor) -> list[User]:
    """Registrations waiting for this bureau officer."""
    users = session.exec(
        select(User).where(User.status == RegistrationStatus.pending).order_by(User.created_at)
    ).all()
    return [u for u in users if can_review_registration(actor, registration_county(session, u))]


# Users created by operators -------------------------------------------------------------------


def create_user(
    *,
    session: Session,
    actor: Actor,
    account: dict | NewAccount,
    role: UserRole,
    region_code: str | None = None,
    enterprise_id: int | None = None,
    cooperative_id: int | None = None,
    village_id: int | None = None,
) -> User:
    """Create an approved account (``cunqi user create``, the admin).

    Pass ``prepare_account(...)`` from outside the unit of work; a dict is prepared here.
    """
    require(can_manage_users(actor))
    form = prepare_account(account)
    _ensure_username_free(session, form.username)
    if role == UserRole.bureau and not (region_code and re.fullmatch(r"\d{6}", region_code)):
        raise ValidationError("乡村振兴局账号须指定 6 位区划代码", code="region_required")
    links = {
        UserRole.enterprise: (enterprise_id, Enterprise, "帮扶主体"),
        UserRole.cooperative: (cooperative_id, Cooperative, "合作社"),
        UserRole.village: (village_id, Village, "村"),
    }
    if role in links:
        link_id, model, label = links[role]
        if link_id is None or session.get(model, link_id) is None:
            raise ValidationError(f"请指定账号所属的{label}（编号不存在）", code="link_required")
    user = User(
        username=form.username,
        display_name=form.display_name,
        phone=form.phone,
        password_hash=form.password_hash,
        role=role,
        region_code=region_code if role == UserRole.bureau else None,
        enterprise_id=enterprise_id,
        cooperative_id=cooperative_id,
        village_id=village_id,
    )
    session.add(user)
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="account.create",
        obj=user,
        summary=f"创建账号 {user.username}",
        after=_user_snapshot(user),
        county_code=region_code,
    )
    return user


# Sign-in --------------------------------------------------------------------------------------


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
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="account.change_password",
        obj=user,
        summary=f"修改登录密码；其他 {sessions} 处登录和 {tokens} 个接口令牌已失效",
    )
    return user


def user_for_session(*, session: Session, user_id: int, auth_version: int) -> User | None:
    """The user a session cookie names, if the cookie is still valid for them."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.auth_version != auth_version:
        return None
    return user


def _ensure_username_free(session: Session, username: str) -> None:
    taken = session.exec(
        select(User.id).where(sa.func.lower(User.username) == username.lower())
    ).first()
    if taken is not None:
        raise ConflictError("该用户名已被使用", code="username_taken", field="username")


def _user_snapshot(user: User) -> dict:
    fields = (
        "username",
        "display_name",
        "role",
        "status",
        "status_reason",
        "region_code",
        "privacy_notice_version",
    )
    return {f: str(getattr(user, f)) if getattr(user, f) is not None else None for f in fields}


def _int(value, field: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(f"请选择{label}", code="required", field=field) from None
