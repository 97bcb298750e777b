"""User administration and password recovery: every permission, deactivation, one-time resets."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import select

from app.actors import ANONYMOUS, SYSTEM, Actor
from app.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from app.models import Event, MailMessage, MailSubscription, PasswordReset, User, Village
from app.models.base import utcnow
from app.models.enums import UserRole
from app.services import password_resets, user_admin
from app.services.accounts import actor_for, create_user
from app.services.api_tokens import create_api_token, user_for_token
from app.services.credentials import authenticate, user_for_session
from app.services.user_sessions import live_session, open_session
from tests.factories import (
    make_cooperative,
    make_county,
    make_enterprise,
    make_township,
    make_village,
)

PASSWORD = "Huanghe2026"
NEW_PASSWORD = "Fenhe2027x"


@dataclass
class Users:
    ids: dict[str, int]
    actors: dict[str, Actor]


@pytest.fixture
def users(session) -> Users:
    make_county(session)
    make_county(session, code="140830", name="芮城县", category="overall")
    pinglu = make_village(session)
    make_township(session, code="140830100", name="古魏镇", county_code="140830")
    ruicheng = Village(
        code="140830100201",
        name="芮城测试村",
        township_code="140830100",
        county_code="140830",
        households=100,
        population=300,
    )
    session.add(ruicheng)
    session.flush()
    enterprise = make_enterprise(session)
    cooperative = make_cooperative(session, village=pinglu)
    specs = {
        "village": (UserRole.village, {"village_id": pinglu.id}),
        "other_village": (UserRole.village, {"village_id": ruicheng.id}),
        "enterprise": (UserRole.enterprise, {"enterprise_id": enterprise.id}),
        "cooperative": (UserRole.cooperative, {"cooperative_id": cooperative.id}),
        "bureau_county": (UserRole.bureau, {"region_code": "140829"}),
        "bureau_other": (UserRole.bureau, {"region_code": "140830"}),
        "bureau_city": (UserRole.bureau, {"region_code": "140800"}),
        "admin": (UserRole.admin, {}),
    }
    ids, actors = {}, {"anonymous": ANONYMOUS}
    for name, (role, links) in specs.items():
        user = create_user(
            session=session,
            actor=SYSTEM,
            account={"username": name, "display_name": name, "password": PASSWORD},
            role=role,
            **links,
        )
        session.flush()
        ids[name], actors[name] = user.id, actor_for(user)
    return Users(ids, actors)


def _listed(session, users, actor_name, **filters) -> set[str]:
    page = user_admin.list_users(
        session=session,
        actor=users.actors[actor_name],
        filters=user_admin.UserFilters(**filters),
    )
    return {u.username for u in page.items}


ORGANISATIONS = {"village", "other_village", "enterprise", "cooperative"}
BUREAUS = {"bureau_county", "bureau_other", "bureau_city", "admin"}


def test_a_county_officer_lists_only_its_countys_organisations(session, users):
    assert _listed(session, users, "bureau_county") == {"village", "enterprise", "cooperative"}
    assert _listed(session, users, "bureau_other") == {"other_village"}


def test_the_city_bureau_lists_every_organisation_but_no_bureau_or_admin(session, users):
    assert _listed(session, users, "bureau_city") == ORGANISATIONS


def test_an_admin_lists_everyone_and_filters(session, users):
    assert _listed(session, users, "admin") == ORGANISATIONS | BUREAUS
    assert _listed(session, users, "admin", role="bureau") == BUREAUS - {"admin"}
    assert _listed(session, users, "admin", county_code="140830") == {
        "other_village",
        "bureau_other",
    }
    assert _listed(session, users, "admin", query="VILL") == {"village", "other_village"}


@pytest.mark.parametrize("who", ["anonymous", "village", "enterprise", "cooperative"])
def test_organisations_and_visitors_cannot_open_user_administration(session, users, who):
    with pytest.raises(PermissionDeniedError):
        user_admin.list_users(session=session, actor=users.actors[who])


@pytest.mark.parametrize(
    ("who", "target", "allowed"),
    [
        ("bureau_county", "village", True),
        ("bureau_county", "other_village", False),
        ("bureau_county", "bureau_other", False),
        ("bureau_county", "admin", False),
        ("bureau_city", "other_village", True),
        ("bureau_city", "bureau_county", False),
        ("admin", "bureau_county", True),
        ("admin", "village", True),
    ],
)
def test_who_may_deactivate_whom(session, users, who, target, allowed):
    call = lambda: user_admin.deactivate_user(  # noqa: E731
        session=session, actor=users.actors[who], user_id=users.ids[target]
    )
    if allowed:
        assert call().is_active is False
    else:
        with pytest.raises(PermissionDeniedError):
            call()
        assert session.get(User, users.ids[target]).is_active


@pytest.mark.parametrize("who", ["admin", "bureau_county"])
def test_nobody_deactivates_themselves(session, users, who):
    # An admin is told why; a county officer may not manage a bureau account at all.
    with pytest.raises(ValidationError if who == "admin" else PermissionDeniedError):
        user_admin.deactivate_user(session=session, actor=users.actors[who], user_id=users.ids[who])
    assert session.get(User, users.ids[who]).is_active


def test_a_deactivated_user_cannot_sign_in_and_its_sessions_and_tokens_stop(session, users):
    user_id = users.ids["village"]
    key = open_session(session=session, user_id=user_id)
    _token, raw = create_api_token(session=session, actor=users.actors["village"], name="对接")
    session.flush()
    user_admin.deactivate_user(
        session=session, actor=users.actors["bureau_county"], user_id=user_id, reason="人员离岗"
    )
    session.flush()
    assert live_session(session=session, user_id=user_id, key=key) is None
    assert user_for_token(session=session, raw=raw) is None
    assert user_for_session(session=session, user_id=user_id, auth_version=1) is None
    with pytest.raises(AuthenticationError):
        authenticate(session=session, username="village", password=PASSWORD, ip="10.0.0.1")
    with pytest.raises(ConflictError):
        user_admin.deactivate_user(
            session=session, actor=users.actors["bureau_county"], user_id=user_id
        )
    user_admin.reactivate_user(
        session=session, actor=users.actors["bureau_county"], user_id=user_id
    )
    assert authenticate(session=session, username="village", password=PASSWORD, ip="10.0.0.2")
    actions = session.exec(
        select(Event.action).where(Event.object_type == "User", Event.object_id == user_id)
    ).all()
    assert {"account.deactivate", "account.reactivate"} <= set(actions)


@pytest.mark.parametrize(
    ("who", "role", "link", "allowed"),
    [
        ("bureau_county", UserRole.village, "pinglu", True),
        ("bureau_county", UserRole.village, "ruicheng", False),
        ("bureau_county", UserRole.bureau, "140829", False),
        ("bureau_city", UserRole.bureau, "140829", False),
        ("admin", UserRole.bureau, "140829", True),
        ("village", UserRole.village, "pinglu", False),
    ],
)
def test_who_may_create_which_account(session, users, who, role, link, allowed):
    villages = {
        "pinglu": session.get(User, users.ids["village"]).village_id,
        "ruicheng": session.get(User, users.ids["other_village"]).village_id,
    }
    links = {"region_code": link} if role == UserRole.bureau else {"village_id": villages[link]}

    def call():
        return create_user(
            session=session,
            actor=users.actors[who],
            account={"username": "xinren", "display_name": "新人", "password": PASSWORD},
            role=role,
            **links,
        )

    if allowed:
        assert call().username == "xinren"
    else:
        with pytest.raises(PermissionDeniedError):
            call()


def test_an_account_that_does_not_exist_is_not_found(session, users):
    with pytest.raises(NotFoundError):
        user_admin.deactivate_user(session=session, actor=users.actors["admin"], user_id=999999)


def test_a_county_officer_reassigns_within_its_county_only(session, users):
    officer = users.actors["bureau_county"]
    user = session.get(User, users.ids["village"])
    seen = user_admin.assignment_of(user)
    other_village = session.get(User, users.ids["other_village"]).village_id
    with pytest.raises(PermissionDeniedError):
        user_admin.reassign_user(
            session=session,
            actor=officer,
            user_id=user.id,
            role="village",
            link_id=other_village,
            seen=seen,
        )
    session.rollback()


def test_reassigning_to_a_bureau_account_is_for_admins(session, users):
    user = session.get(User, users.ids["village"])
    seen = user_admin.assignment_of(user)
    with pytest.raises(PermissionDeniedError):
        user_admin.reassign_user(
            session=session,
            actor=users.actors["bureau_city"],
            user_id=user.id,
            role="bureau",
            region_code="140829",
            seen=seen,
        )
    session.rollback()


def test_a_stale_reassignment_is_a_conflict(session, users):
    admin = users.actors["admin"]
    user_id = users.ids["enterprise"]
    seen = user_admin.assignment_of(session.get(User, user_id))
    user_admin.reassign_user(
        session=session,
        actor=admin,
        user_id=user_id,
        role="bureau",
        region_code="140829",
        seen=seen,
    )
    with pytest.raises(ConflictError):
        user_admin.reassign_user(
            session=session,
            actor=admin,
            user_id=user_id,
            role="bureau",
            region_code="140830",
            seen=seen,
        )
    assert session.get(User, user_id).region_code == "140829"


def _redeem(session, username, code, kind="code", address="10.0.0.9"):
    attempt = password_resets.prepare_reset(
        username=username, secret=code, new_password=NEW_PASSWORD, kind=kind
    )
    return password_resets.redeem_reset(session=session, attempt=attempt, address=address)


def test_a_reset_code_works_once_and_ends_the_sessions(session, users):
    user_id = users.ids["village"]
    key = open_session(session=session, user_id=user_id)
    reset, code = password_resets.issue_reset_code(
        session=session, actor=users.actors["bureau_county"], user_id=user_id
    )
    session.flush()
    # Only a digest is kept.
    assert password_resets.normalise_code(code) not in reset.secret_digest
    assert _redeem(session, "village", "0000 0000") is None
    assert _redeem(session, "village", code).id == user_id
    assert live_session(session=session, user_id=user_id, key=key) is None
    assert authenticate(session=session, username="village", password=NEW_PASSWORD, ip="10.1.1.1")
    assert _redeem(session, "village", code) is None  # used up
    action = session.exec(select(Event.action).order_by(Event.id.desc())).first()
    assert action == "account.reset_password"


def test_an_expired_or_replaced_code_does_not_work(session, users):
    officer, user_id = users.actors["bureau_county"], users.ids["village"]
    _reset, first = password_resets.issue_reset_code(
        session=session, actor=officer, user_id=user_id
    )
    reset, second = password_resets.issue_reset_code(
        session=session, actor=officer, user_id=user_id
    )
    session.flush()
    assert _redeem(session, "village", first) is None
    reset.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()
    assert _redeem(session, "village", second) is None
    assert _redeem(session, "other_village", second) is None


@pytest.mark.parametrize(
    ("who", "target", "allowed"),
    [
        ("bureau_county", "village", True),
        ("bureau_county", "other_village", False),
        ("bureau_city", "bureau_county", False),
        ("admin", "bureau_county", True),
        ("enterprise", "village", False),
    ],
)
def test_who_may_issue_a_reset_code(session, users, who, target, allowed):
    def call():
        return password_resets.issue_reset_code(
            session=session, actor=users.actors[who], user_id=users.ids[target]
        )

    if allowed:
        assert len(password_resets.normalise_code(call()[1])) == 8
    else:
        with pytest.raises(PermissionDeniedError):
            call()


def test_a_reset_link_is_mailed_only_to_an_account_with_an_address(session, users, monkeypatch):
    monkeypatch.setenv("CUNQI_SMTP_HOST", "127.0.0.1")
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        session.add(MailSubscription(user_id=users.ids["enterprise"], address="qiye@example.cn"))
        session.flush()
        ask = lambda name: password_resets.request_reset_link(  # noqa: E731
            session=session, username=name, address="10.2.2.2", link_base="http://cunqi.test"
        )
        assert ask("nobody") is False
        assert ask("village") is False
        assert ask("enterprise") is True
        mail = session.exec(select(MailMessage).order_by(MailMessage.id.desc())).first()
        assert mail.recipient == "qiye@example.cn"
        token = mail.body.split("token=")[1].split()[0]
        assert _redeem(session, "", token, kind="link").id == users.ids["enterprise"]
        assert _redeem(session, "", token, kind="link") is None
        kinds = session.exec(select(PasswordReset.kind)).all()
        assert kinds == ["link"]
    finally:
        get_settings.cache_clear()
