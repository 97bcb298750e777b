"""User administration (用户管理): admins for every account, bureau officers for the accounts
of organisations and villages in their region (docs/decisions/0034).

Listing and searching, deactivating and reactivating, and moving an account to another role or
organisation. Creating is ``app.services.accounts.create_user``; password resets are in
``app.services.password_resets``. Every change publishes an ``AccountEvent`` (the 操作记录 row).
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.actors import Actor, Role
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Cooperative, Enterprise, User, Village
from app.models.enums import RegistrationStatus, UserRole
from app.permissions import REGION_ROWS, can_administer_user, can_administer_users, require
from app.services.accounts import registration_county
from app.services.bus import publish
from app.services.domain_events import AccountEvent
from app.services.inputs import clean_text
from app.services.paging import Page, paginate
from app.services.queries.batches import Slice
from app.services.user_sessions import revoke_user_sessions, revoke_user_tokens

USER_NOT_FOUND = "账号不存在"
STATUSES = {"active": "正常", "inactive": "已停用", "pending": "待审核"}
STALE_ASSIGNMENT = "该账号的角色或所属单位已被他人修改，请刷新后再试"


@dataclass(frozen=True, slots=True)
class UserFilters:
    """What the list asks for: a search text (username, name, phone), a role, a county and a
    status (``STATUSES``); blanks ask for everything the actor may manage."""

    query: str = ""
    role: str = ""
    county_code: str = ""
    status: str = ""


def _county_column():
    """The county an account belongs to: its organisation's or village's, a bureau's region."""
    coop_village, own_village = aliased(Village), aliased(Village)
    county = sa.func.coalesce(
        Enterprise.county_code,
        coop_village.county_code,
        own_village.county_code,
        User.region_code,
    )
    joined = (
        sa.select(User)
        .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
        .outerjoin(Cooperative, Cooperative.id == User.cooperative_id)
        .outerjoin(coop_village, coop_village.id == Cooperative.village_id)
        .outerjoin(own_village, own_village.id == User.village_id)
    )
    return joined, county


def managed_users_query(actor: Actor, filters: UserFilters = UserFilters()) -> sa.Select:
    """The accounts ``actor`` may manage, filtered, newest first (one statement)."""
    query, county = _county_column()
    if actor.role == Role.bureau:
        query = query.where(
            User.role.not_in([UserRole.bureau, UserRole.admin]),
            REGION_ROWS.where(actor, county_code=county),
        )
    elif actor.role not in (Role.admin, Role.system):
        query = query.where(sa.false())
    # Printable text only: PostgreSQL refuses a NUL in a string, and a search has no use for it.
    text = "".join(ch for ch in filters.query if ch.isprintable()).strip()[:40]
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(User.username).like(pattern),
                User.display_name.like(f"%{text}%"),
                User.phone.like(f"%{text}%"),
            )
        )
    if filters.role in UserRole.__members__:
        query = query.where(User.role == UserRole(filters.role))
    if len(filters.county_code) == 6 and filters.county_code.isdigit():
        query = query.where(county == filters.county_code)
    if filters.status == "active":
        query = query.where(User.is_active, User.status == RegistrationStatus.approved)
    elif filters.status == "inactive":
        query = query.where(sa.not_(User.is_active))
    elif filters.status == "pending":
        query = query.where(User.status == RegistrationStatus.pending)
    return query.order_by(User.created_at.desc(), User.id.desc())


def list_users(
    *, session: Session, actor: Actor, filters: UserFilters = UserFilters(), page: int = 1
) -> Page[User]:
    """One page of the accounts the actor manages (admins: all; officers: their region's
    organisations and villages)."""
    require(can_administer_users(actor))
    return paginate(session, managed_users_query(actor, filters), number=page)


def users_slice(
    *,
    session: Session,
    actor: Actor,
    filters: UserFilters = UserFilters(),
    offset: int = 0,
    limit: int = 20,
) -> Slice:
    """The same list by offset and limit (the API's cursors), with its total."""
    require(can_administer_users(actor))
    query = managed_users_query(actor, filters)
    total = session.execute(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    rows = list(session.execute(query.limit(limit).offset(offset)).scalars().all())
    return Slice(rows=rows, total=total, has_next=offset + len(rows) < total)


def user_county(session: Session, user: User) -> str | None:
    """The county an account belongs to (None: an admin, or an enterprise outside the city)."""
    return registration_county(session, user)


def managed_user(*, session: Session, actor: Actor, user_id: int) -> User:
    """One account the actor may manage (a bureau or admin account, or one of another region,
    is refused: the officers are the bureau's own staff, so nothing is hidden by the refusal)."""
    require(can_administer_users(actor))
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(USER_NOT_FOUND)
    require(can_administer_user(actor, role=user.role, county_code=user_county(session, user)))
    return user


def assignment_of(user: User) -> str:
    """What a reassignment form was based on: the role and its organisation, village or region."""
    link = user.enterprise_id or user.cooperative_id or user.village_id or user.region_code or ""
    return f"{user.role}:{link}"


def _not_self(actor: Actor, user: User, what: str) -> None:
    if user.id == actor.user_id:
        raise ValidationError(f"不能{what}自己的账号", code="own_account")


def deactivate_user(*, session: Session, actor: Actor, user_id: int, reason: str = "") -> User:
    """停用: the account can no longer sign in; its sessions and API tokens stop working now."""
    user = managed_user(session=session, actor=actor, user_id=user_id)
    _not_self(actor, user, "停用")
    if not user.is_active:
        raise ConflictError("该账号已停用，请刷新页面", code="already_inactive")
    reason = clean_text(reason, label="停用原因", field="reason")[:200]
    user.is_active = False
    user.auth_version += 1
    sessions = revoke_user_sessions(session=session, user_id=user.id)
    tokens = revoke_user_tokens(session=session, user_id=user.id)
    publish(
        session,
        AccountEvent.by(
            actor,
            action="account.deactivate",
            obj=user,
            summary=f"停用账号 {user.username}"
            + (f"：{reason}" if reason else "")
            + f"；{sessions} 处登录和 {tokens} 个接口令牌已失效",
            before={"is_active": "True"},
            after={"is_active": "False"},
            county_code=user_county(session, user),
        ),
    )
    return user


def reactivate_user(*, session: Session, actor: Actor, user_id: int) -> User:
    """启用 a deactivated account again; its old sessions and tokens stay revoked."""
    user = managed_user(session=session, actor=actor, user_id=user_id)
    if user.is_active:
        raise ConflictError("该账号已是正常状态，请刷新页面", code="already_active")
    user.is_active = True
    publish(
        session,
        AccountEvent.by(
            actor,
            action="account.reactivate",
            obj=user,
            summary=f"重新启用账号 {user.username}",
            before={"is_active": "False"},
            after={"is_active": "True"},
            county_code=user_county(session, user),
        ),
    )
    return user


_LINKS = {
    UserRole.enterprise: ("enterprise_id", Enterprise, "帮扶主体"),
    UserRole.cooperative: ("cooperative_id", Cooperative, "合作社"),
    UserRole.village: ("village_id", Village, "村"),
}


def reassign_user(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    role: str,
    link_id: int | None = None,
    region_code: str | None = None,
    seen: str,
) -> User:
    """Move an account to another role and organisation, village or (bureau) region.

    ``seen`` is ``assignment_of`` the account as the form showed it: a change since is a
    conflict and nothing is written. The officer must manage the account both before and after.
    """
    user = managed_user(session=session, actor=actor, user_id=user_id)
    _not_self(actor, user, "更改")
    if seen != assignment_of(user):
        raise ConflictError(STALE_ASSIGNMENT, code="stale_version")
    if role not in UserRole.__members__:
        raise ValidationError("请选择角色", code="role_invalid", field="role")
    new_role = UserRole(role)
    links: dict[str, object] = {
        "enterprise_id": None,
        "cooperative_id": None,
        "village_id": None,
        "region_code": None,
    }
    if new_role == UserRole.bureau:
        code = (region_code or "").strip()
        if not (len(code) == 6 and code.isdigit()):
            raise ValidationError(
                "乡村振兴局账号须指定 6 位区划代码", code="region_required", field="region_code"
            )
        links["region_code"] = code
        county = code
    elif new_role in _LINKS:
        field, model, label = _LINKS[new_role]
        row = session.get(model, link_id) if link_id else None
        if row is None:
            raise ValidationError(
                f"请指定账号所属的{label}（编号不存在）", code="link_required", field="link_id"
            )
        links[field] = row.id
        county = None
    else:
        county = None
    before = assignment_of(user)
    for field, value in links.items():
        setattr(user, field, value)
    user.role = new_role
    session.flush()
    county = county or user_county(session, user)
    require(can_administer_user(actor, role=new_role, county_code=county))
    publish(
        session,
        AccountEvent.by(
            actor,
            action="account.reassign",
            obj=user,
            summary=f"调整账号 {user.username} 的角色或所属单位",
            before={"assignment": before},
            after={"assignment": assignment_of(user)},
            county_code=county,
        ),
    )
    return user
