from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS, SYSTEM, Actor, Role
from app.config import get_settings
from app.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
    ValidationError,
)
from app.models import ApiToken, Enterprise, Event, LoginAttempt, User
from app.models.enums import UserRole
from app.services import passwords
from app.services.accounts import (
    actor_for,
    create_user,
    pending_registrations,
    register_account,
    review_registration,
)
from app.services.api_tokens import create_api_token, revoke_api_token, user_for_token
from app.services.credentials import authenticate, change_password, user_for_session
from app.services.inputs import InputErrors
from tests.factories import make_county, make_village, valid_credit_code

PASSWORD = "Huanghe2026"
T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
CITY_BUREAU = Actor(role=Role.bureau, user_id=900, name="市局", region_code="140800")
PINGLU_BUREAU = Actor(role=Role.bureau, user_id=901, name="平陆县局", region_code="140829")
RUICHENG_BUREAU = Actor(role=Role.bureau, user_id=902, name="芮城县局", region_code="140830")


def _count(session, model) -> int:
    return session.exec(select(sa.func.count()).select_from(model)).one()


def _register_enterprise(session, username="zhangsan", **org) -> User:
    make_county(session)
    return register_account(
        session=session,
        kind=UserRole.enterprise,
        account={
            "username": username,
            "display_name": "张三",
            "password": PASSWORD,
            "privacy_consent": True,
        },
        organisation={
            "credit_code": valid_credit_code(),
            "name": "平陆县黄河果业有限公司",
            "kind": "private",
            "industry": "A",
            "county_code": "140829",
        }
        | org,
    )


def _user(session, username="lisi", password=PASSWORD) -> User:
    return create_user(
        session=session,
        actor=SYSTEM,
        account={"username": username, "display_name": "李四", "password": password},
        role=UserRole.bureau,
        region_code="140800",
    )


def test_self_registration_is_pending_and_acts_without_its_organisation(session):
    user = _register_enterprise(session)
    assert (user.status, user.enterprise.status) == ("pending", "pending")
    actor = actor_for(user)
    assert (actor.role, actor.enterprise_id) == (Role.enterprise, None)
    assert session.exec(select(Event.action).order_by(Event.id)).all() == [
        "enterprise.register",
        "account.register",
    ]


def test_the_county_bureau_approves_and_the_organisation_goes_live(session):
    user = _register_enterprise(session)
    assert pending_registrations(session=session, actor=PINGLU_BUREAU) == [user]
    assert pending_registrations(session=session, actor=RUICHENG_BUREAU) == []
    review_registration(session=session, actor=PINGLU_BUREAU, user_id=user.id, approve=True)
    assert (user.status, user.enterprise.status) == ("approved", "approved")
    assert actor_for(user).enterprise_id == user.enterprise_id
    with pytest.raises(ConflictError):
        review_registration(session=session, actor=CITY_BUREAU, user_id=user.id, approve=True)


def test_two_officers_deciding_at_once_is_already_reviewed_for_the_second(fresh_db):
    # Given a pending enterprise registration, loaded by one officer's transaction
    with fresh_db.unit_of_work() as session:
        user_id = _register_enterprise(session).id
    with pytest.raises(ConflictError) as caught, fresh_db.unit_of_work() as session:
        user = session.get(User, user_id)
        enterprise = session.get(Enterprise, user.enterprise_id)
        # When another officer's decision lands on the enterprise in between (PostgreSQL's race)
        table = Enterprise.__table__
        session.connection().execute(
            sa.update(table).where(table.c.id == enterprise.id).values(version=table.c.version + 1)
        )
        review_registration(session=session, actor=PINGLU_BUREAU, user_id=user_id, approve=True)
    # Then the second decision is "already reviewed" and nothing of it was written
    assert (caught.value.code, caught.value.message) == (
        "already_reviewed",
        "该申请已处理，请刷新页面",
    )
    with fresh_db.read_only() as session:
        user = session.get(User, user_id)
        assert (user.status, user.enterprise.status) == ("pending", "pending")
        assert (
            session.exec(select(Event.action).where(Event.action == "account.approve")).all() == []
        )


def test_another_countys_bureau_may_not_review_and_nothing_is_written(session):
    user = _register_enterprise(session)
    events = _count(session, Event)
    with pytest.raises(PermissionDeniedError) as caught:
        review_registration(session=session, actor=RUICHENG_BUREAU, user_id=user.id, approve=True)
    assert caught.value.message == "您没有权限执行此操作"
    assert user.status == "pending"
    assert _count(session, Event) == events


def test_rejection_needs_a_reason_and_records_it(session):
    user = _register_enterprise(session)
    with pytest.raises(ValidationError) as caught:
        review_registration(session=session, actor=CITY_BUREAU, user_id=user.id, approve=False)
    assert caught.value.message == "请填写不通过的原因"
    review_registration(
        session=session, actor=CITY_BUREAU, user_id=user.id, approve=False, reason="营业执照不清晰"
    )
    assert (user.status, user.status_reason) == ("rejected", "营业执照不清晰")
    event = session.exec(select(Event).where(Event.action == "account.reject")).one()
    assert event.summary == "驳回 张三 的注册申请：营业执照不清晰"


def test_external_enterprises_are_reviewed_by_the_city_bureau_only(session):
    user = _register_enterprise(session, county_code=None, external_region="北京市朝阳区")
    with pytest.raises(PermissionDeniedError):
        review_registration(session=session, actor=PINGLU_BUREAU, user_id=user.id, approve=True)
    review_registration(session=session, actor=CITY_BUREAU, user_id=user.id, approve=True)
    assert user.status == "approved"


def test_village_staff_register_for_an_existing_village(session):
    village = make_village(session)
    user = register_account(
        session=session,
        kind=UserRole.village,
        account={
            "username": "cungan01",
            "display_name": "王书记",
            "password": PASSWORD,
            "privacy_consent": True,
        },
        organisation={"village_id": str(village.id)},
    )
    assert (user.village_id, user.status) == (village.id, "pending")
    assert actor_for(user).village_id is None


def test_duplicate_username_weak_password_and_bad_credit_code_write_nothing(session):
    _register_enterprise(session)
    rows = _count(session, User), _count(session, Enterprise)
    with pytest.raises(ConflictError):
        _register_enterprise(session, username="ZhangSan")
    with pytest.raises(InputErrors) as caught:
        register_account(
            session=session,
            kind=UserRole.enterprise,
            account={"username": "wangwu", "display_name": "王五", "password": "12345678"},
            organisation={},
        )
    assert caught.value.message == "密码至少 8 位，且须同时包含字母和数字"
    with pytest.raises(ValidationError) as caught:
        _register_enterprise(session, username="zhaoliu", credit_code="91350100M000100Y44")
    assert caught.value.field == "credit_code"
    assert (_count(session, User), _count(session, Enterprise)) == rows


def test_sign_in_succeeds_with_the_right_password_in_any_letter_case_of_the_name(session):
    user = _user(session)
    assert authenticate(session=session, username="LiSi", password=PASSWORD, ip="1.2.3.4") is user
    assert user.last_login_at is not None


@pytest.mark.parametrize(("username", "password"), [("lisi", "wrong-pass1"), ("nobody", PASSWORD)])
def test_failures_say_the_same_thing_whether_or_not_the_account_exists(session, username, password):
    _user(session)
    with pytest.raises(AuthenticationError) as caught:
        authenticate(session=session, username=username, password=password, ip="1.2.3.4")
    assert caught.value.message == "用户名或密码不正确"


def test_unknown_accounts_still_spend_a_password_verification(session, monkeypatch):
    burned = []
    monkeypatch.setattr(
        "app.services.credentials.burn_verification", lambda password: burned.append(password)
    )
    with pytest.raises(AuthenticationError):
        authenticate(session=session, username="ghost", password="Secret123", ip="1.2.3.4")
    assert burned == ["Secret123"]


def test_after_five_failures_the_next_attempt_from_that_address_waits_but_not_the_owners(session):
    # Progressive delays, not a lock (docs/decisions/0018-abuse-limits.md).
    _user(session)
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            authenticate(
                session=session, username="lisi", password="bad-pass1", ip="10.0.0.9", now=T0
            )
    with pytest.raises(ThrottledError) as caught:
        authenticate(session=session, username="lisi", password=PASSWORD, ip="10.0.0.9", now=T0)
    assert caught.value.retry_after == 1
    assert caught.value.message == "尝试次数过多，请 1 秒后再试"
    assert authenticate(session=session, username="lisi", password=PASSWORD, ip="10.0.0.10", now=T0)


def test_an_address_is_throttled_across_accounts(session):
    for i in range(get_settings().login_max_failures_per_ip):
        with pytest.raises(AuthenticationError):
            authenticate(session=session, username=f"guess{i}", password="x", ip="10.9.9.9", now=T0)
    with pytest.raises(ThrottledError) as caught:
        authenticate(session=session, username="someone", password="x", ip="10.9.9.9", now=T0)
    assert caught.value.retry_after == 1
    assert _count(session, LoginAttempt) == 2 * get_settings().login_max_failures_per_ip


def test_success_clears_the_accounts_failures(session):
    _user(session)
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            authenticate(session=session, username="lisi", password="bad-pass1", ip="10.0.0.9")
    authenticate(session=session, username="lisi", password=PASSWORD, ip="10.0.0.9")
    for _ in range(4):
        with pytest.raises(AuthenticationError):
            authenticate(session=session, username="lisi", password="bad-pass1", ip="10.0.0.9")
    assert authenticate(session=session, username="lisi", password=PASSWORD, ip="10.0.0.9")


def test_a_hash_with_old_parameters_is_replaced_at_sign_in(session, monkeypatch):
    user = _user(session)
    old_hash = user.password_hash
    monkeypatch.setenv("CUNQI_PASSWORD_TIME_COST", "2")
    get_settings.cache_clear()
    try:
        assert passwords.needs_rehash(old_hash)
        authenticate(session=session, username="lisi", password=PASSWORD, ip="1.1.1.1")
        assert user.password_hash != old_hash
        assert "t=2" in user.password_hash
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_changing_the_password_ends_every_other_session(session):
    user = _user(session)
    actor = actor_for(user)
    assert user_for_session(session=session, user_id=user.id, auth_version=1) is user
    with pytest.raises(ValidationError) as caught:
        change_password(session=session, actor=actor, old_password="nope", new_password="Abcdef123")
    assert caught.value.message == "原密码不正确"
    change_password(session=session, actor=actor, old_password=PASSWORD, new_password="Fenhe2027x")
    assert user_for_session(session=session, user_id=user.id, auth_version=1) is None
    assert user_for_session(session=session, user_id=user.id, auth_version=2) is user
    assert authenticate(session=session, username="lisi", password="Fenhe2027x", ip="1.1.1.1")


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(session):
    user = _user(session)
    token, raw = create_api_token(session=session, actor=actor_for(user), name="省级系统对接")
    assert raw.startswith("cq_") and len(raw) > 40
    assert raw not in {token.token_digest, token.prefix} and raw.startswith(token.prefix)
    assert user_for_token(session=session, raw=raw) is user
    assert user_for_token(session=session, raw=raw + "x") is None
    revoke_api_token(session=session, actor=actor_for(user), token_id=token.id)
    assert user_for_token(session=session, raw=raw) is None
    assert _count(session, ApiToken) == 1


def test_only_the_owner_may_revoke_a_token(session):
    owner, other = _user(session), _user(session, username="other")
    token, raw = create_api_token(session=session, actor=actor_for(owner), name="分析")
    with pytest.raises(NotFoundError) as caught:
        revoke_api_token(session=session, actor=actor_for(other), token_id=token.id)
    assert caught.value.code == "not_found"
    assert user_for_token(session=session, raw=raw) is owner


def test_only_admins_and_the_system_create_users(session):
    for actor in (ANONYMOUS, CITY_BUREAU):
        with pytest.raises(PermissionDeniedError):
            create_user(
                session=session,
                actor=actor,
                account={"username": "x1234", "display_name": "某", "password": PASSWORD},
                role=UserRole.admin,
            )
    assert _count(session, User) == 0
