"""Accounts: registration and its review, users created by operators.

Signing in and changing a password are in ``app.services.credentials``.
"""

import re

import sqlalchemy as sa
from sqlalchemy.orm import object_session
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from app.actors import ANONYMOUS, Actor, Role
from app.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)
from app.models import Cooperative, County, Enterprise, User, Village
from app.models.base import utcnow
from app.models.enums import CITY_CODE, RegistrationStatus, UserRole
from app.permissions import (
    can_administer_user,
    can_administer_users,
    can_review_registration,
    require,
)
from app.services import limits
from app.services.account_inputs import (  # noqa: F401  (the accounts API includes them)
    USERNAME,
    AccountForm,
    NewAccount,
    check_password_strength,
    prepare_account,
)
from app.services.bus import publish
from app.services.domain_events import AccountEvent
from app.services.inputs import ErrorCollector, clean_text
from app.services.organisations import (
    check_new_cooperative,
    check_new_enterprise,
    find_cooperative_village,
    register_cooperative,
    register_enterprise,
)
from app.services.privacy import NOTICE_VERSION

REGISTRATION_NOT_FOUND = "注册申请不存在"


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
    publish(
        session,
        AccountEvent(
            actor_id=None,
            actor_label=f"{form.display_name}（注册申请）",
            action="account.register",
            obj=user,
            summary=f"{form.display_name} 提交注册申请",
            after=_user_snapshot(user),
            county_code=registration_county(session, user),
        ),
    )
    return user


def check_registration(
    *, session: Session, kind: UserRole, organisation: dict, privacy_consent: bool
) -> None:
    """Every problem of a registration's organisation part and its consent, at once, reading only
    (the page runs it with the account's own checks, so one answer lists them all)."""
    errors = ErrorCollector()
    if not privacy_consent:
        errors.add(
            ValidationError(
                "请阅读并同意《个人信息处理说明》后再提交",
                code="consent_required",
                field="privacy_consent",
            )
        )
    if kind == UserRole.enterprise:
        errors.check(check_new_enterprise, session=session, actor=ANONYMOUS, data=organisation)
    elif kind == UserRole.cooperative:
        village = errors.check(find_cooperative_village, session, organisation)
        if village is not None:
            errors.check(
                check_new_cooperative,
                session=session,
                actor=ANONYMOUS,
                data=organisation,
                village=village,
            )
    else:
        raw = organisation.get("village_id")
        village_id = errors.check(_int, raw, "village_id", "所在村")
        if village_id is not None and session.get(Village, village_id) is None:
            errors.add(NotFoundError("所选村不存在", field="village_id"))
    errors.raise_any()


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
    publish(
        session,
        AccountEvent.by(
            actor,
            action="account.approve" if approve else "account.reject",
            obj=user,
            summary=f"{'通过' if approve else '驳回'} {user.display_name} 的注册申请"
            + (f"：{reason}" if reason else ""),
            before=before,
            after=_user_snapshot(user),
            county_code=county,
        ),
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
    """Create an approved account (``cunqi user create``, an admin, or a bureau officer for an
    organisation or village of its region: ``can_administer_user``).

    Pass ``prepare_account(...)`` from outside the unit of work; a dict is prepared here.
    """
    require(can_administer_users(actor))
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
    county = region_code if role == UserRole.bureau else None
    if role in links:
        county = registration_county(session, User(role=role, **{_LINK_FIELD[role]: link_id}))
    require(can_administer_user(actor, role=role, county_code=county))
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
    publish(
        session,
        AccountEvent.by(
            actor,
            action="account.create",
            obj=user,
            summary=f"创建账号 {user.username}",
            after=_user_snapshot(user),
            county_code=region_code,
        ),
    )
    return user


_LINK_FIELD = {
    UserRole.enterprise: "enterprise_id",
    UserRole.cooperative: "cooperative_id",
    UserRole.village: "village_id",
}


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
