"""Server-side sessions and API token lifetimes through real HTTP requests.

A session lives in ``user_sessions``: the cookie only names it, so revoking the row (sign-out,
sign out everywhere, a password change) refuses every copy of the cookie.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select
from starlette.testclient import TestClient

from app.http import SESSION_COOKIE
from app.models import ApiToken, Event, UserSession
from app.models.base import utcnow
from app.services.api_tokens import USE_RECORD_INTERVAL
from app.services.user_sessions import TOUCH_INTERVAL
from tests.web.conftest import csrf_token_of
from tests.web.test_web_accounts import PASSWORD, _login, _user_id, app  # noqa: F401

ME = "{ me { username } }"


def _signed_in(app, user_agent="Mozilla/5.0 Test") -> TestClient:  # noqa: F811
    client = TestClient(app, headers={"User-Agent": user_agent})
    assert _login(client).status_code == 303
    return client


def _replay(app, client: TestClient) -> TestClient:  # noqa: F811
    """Another browser holding a copy of ``client``'s session cookie."""
    return TestClient(app, cookies={SESSION_COOKIE: client.cookies[SESSION_COOKIE]})


def _post(client: TestClient, url: str, **data):
    return client.post(
        url, data=data | {"csrf_token": csrf_token_of(client)}, follow_redirects=False
    )


def _signed_in_ok(client: TestClient) -> bool:
    response = client.get("/account", follow_redirects=False)
    return response.status_code == 200


def _rows(app, model, **filters):  # noqa: F811
    with app.state.test_db.read_only() as session:
        return list(session.exec(select(model).filter_by(**filters)).all())


def _events(app, action: str) -> list[Event]:  # noqa: F811
    return _rows(app, Event, action=action)


def test_a_copied_cookie_stops_working_after_sign_out(app):  # noqa: F811
    browser = _signed_in(app)
    thief = _replay(app, browser)
    assert _signed_in_ok(thief)
    assert _post(browser, "/logout").status_code == 303
    assert not _signed_in_ok(thief)
    [row] = _rows(app, UserSession)
    assert row.revoked_at is not None


def test_sign_out_everywhere_revokes_every_session_and_is_audited(app):  # noqa: F811
    laptop, phone = _signed_in(app), _signed_in(app)
    copy = _replay(app, laptop)
    response = _post(laptop, "/account/sessions/revoke-all")
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert [_signed_in_ok(c) for c in (laptop, phone, copy)] == [False, False, False]
    [event] = _events(app, "session.revoke_all")
    assert event.summary == "退出所有设备（2 处登录）"
    assert event.actor_id == _user_id(app, "qiye")


def test_the_account_page_lists_live_sessions_and_revokes_one(app):  # noqa: F811
    laptop = _signed_in(app, "Laptop Browser")
    phone = _signed_in(app, "Phone Browser")
    page = laptop.get("/account")
    assert [s.user_agent for s in page.context["sessions"]] == ["Phone Browser", "Laptop Browser"]
    assert "Laptop Browser（本设备）" in page.text
    assert "退出所有设备" in page.text
    phone_id = next(s.id for s in page.context["sessions"] if s.user_agent == "Phone Browser")
    response = _post(laptop, f"/account/sessions/{phone_id}/revoke")
    assert (response.status_code, response.headers["location"]) == (303, "/account")
    assert (_signed_in_ok(laptop), _signed_in_ok(phone)) == (True, False)
    assert [s.user_agent for s in laptop.get("/account").context["sessions"]] == ["Laptop Browser"]
    assert len(_events(app, "session.revoke")) == 1


def test_nobody_revokes_another_users_session(app):  # noqa: F811
    victim = _signed_in(app)
    [victim_session] = _rows(app, UserSession)
    attacker = TestClient(app)
    _login(attacker, username="shiju")
    response = _post(attacker, f"/account/sessions/{victim_session.id}/revoke")
    assert response.headers["location"] == "/account"
    assert _signed_in_ok(victim)
    assert _rows(app, UserSession, id=victim_session.id)[0].revoked_at is None
    assert _events(app, "session.revoke") == []


def test_a_password_change_revokes_other_sessions_and_every_api_token(app):  # noqa: F811
    laptop, phone = _signed_in(app), _signed_in(app)
    created = laptop.post(
        "/account/tokens", data={"name": "对接", "csrf_token": csrf_token_of(laptop)}
    )
    raw = created.context["new_token"]
    api = TestClient(app, headers={"Authorization": f"Bearer {raw}"})
    assert api.post("/graphql", json={"query": ME}).json()["data"]["me"] == {"username": "qiye"}
    response = _post(
        laptop,
        "/account/password",
        old_password=PASSWORD,
        new_password="Fenhe2027x",
        new_password_again="Fenhe2027x",
    )
    assert (response.status_code, response.headers["location"]) == (303, "/account")
    assert (_signed_in_ok(laptop), _signed_in_ok(phone)) == (True, False)
    assert api.post("/graphql", json={"query": ME}).json()["data"]["me"] is None
    [token] = _rows(app, ApiToken)
    assert token.revoked_at is not None
    [event] = _events(app, "account.change_password")
    assert event.summary == "修改登录密码；其他 1 处登录和 1 个接口令牌已失效"


def test_last_seen_is_written_at_most_once_per_interval(app):  # noqa: F811
    browser = _signed_in(app)
    [row] = _rows(app, UserSession)
    for _ in range(5):
        assert _signed_in_ok(browser)
    assert _rows(app, UserSession)[0].last_seen_at == row.last_seen_at
    earlier = utcnow() - TOUCH_INTERVAL - timedelta(seconds=1)
    with app.state.test_db.unit_of_work() as session:
        session.execute(sa.update(UserSession).values(last_seen_at=earlier))
    assert _signed_in_ok(browser)
    touched = _rows(app, UserSession)[0].last_seen_at
    assert touched > earlier + TOUCH_INTERVAL
    for _ in range(3):
        assert _signed_in_ok(browser)
    assert _rows(app, UserSession)[0].last_seen_at == touched


def test_a_session_idle_past_the_limit_is_refused(app):  # noqa: F811
    browser = _signed_in(app)
    idle = utcnow() - timedelta(seconds=app.state.settings.session_max_age_seconds + 60)
    with app.state.test_db.unit_of_work() as session:
        session.execute(sa.update(UserSession).values(last_seen_at=idle))
    assert not _signed_in_ok(browser)


@pytest.fixture
def tokens(app):  # noqa: F811
    """Three tokens of qiye's: in force, expired and revoked; and their plain values."""
    browser = _signed_in(app)
    raws = {}
    for name in ("in_force", "expired", "revoked"):
        page = browser.post(
            "/account/tokens",
            data={"name": name, "lifetime_days": "30", "csrf_token": csrf_token_of(browser)},
        )
        raws[name] = page.context["new_token"]
    with app.state.test_db.unit_of_work() as session:
        session.execute(
            sa.update(ApiToken).where(ApiToken.name == "expired").values(expires_at=utcnow())
        )
        session.execute(
            sa.update(ApiToken).where(ApiToken.name == "revoked").values(revoked_at=utcnow())
        )
    return browser, raws


def test_tokens_expire_after_the_chosen_lifetime(app, tokens):  # noqa: F811
    [token] = _rows(app, ApiToken, name="in_force")
    assert token.expires_at - token.created_at == timedelta(days=30)
    _browser, raws = tokens

    def answer(raw):
        response = TestClient(app).post(
            "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {raw}"}
        )
        return response.status_code, response.content

    assert answer(raws["in_force"]) == (200, b'{"data":{"me":{"username":"qiye"}}}')
    unknown = answer("cq_" + "x" * 43)
    assert answer(raws["expired"]) == unknown
    assert answer(raws["revoked"]) == unknown


def test_the_account_page_shows_expiry_and_last_use(app, tokens):  # noqa: F811
    browser, raws = tokens
    TestClient(app).post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {raws['in_force']}"}
    )
    page = browser.get("/account")
    assert page.context["expired_tokens"] == {_rows(app, ApiToken, name="expired")[0].id}
    assert page.text.count("从未使用") == 2
    assert page.text.count("已过期") == 1
    assert '<option value="90" selected>90 天</option>' in page.text


@pytest.mark.parametrize("lifetime", ["0", "7", "366", "abc", "-90"])
def test_only_the_offered_lifetimes_are_accepted(app, lifetime):  # noqa: F811
    browser = _signed_in(app)
    page = browser.post(
        "/account/tokens",
        data={"name": "对接", "lifetime_days": lifetime, "csrf_token": csrf_token_of(browser)},
    )
    assert page.status_code == 422
    assert page.context["errors"] == {"lifetime_days": "有效期只能选择 30、90、180 或 365 天"}
    assert _rows(app, ApiToken) == []


def test_token_use_is_recorded_at_most_once_per_interval(app, tokens):  # noqa: F811
    _browser, raws = tokens
    api = TestClient(app, headers={"Authorization": f"Bearer {raws['in_force']}"})
    api.post("/graphql", json={"query": ME})
    first = _rows(app, ApiToken, name="in_force")[0].last_used_at
    assert first is not None
    for _ in range(5):
        api.post("/graphql", json={"query": ME})
    assert _rows(app, ApiToken, name="in_force")[0].last_used_at == first
    earlier = utcnow() - USE_RECORD_INTERVAL - timedelta(seconds=1)
    with app.state.test_db.unit_of_work() as session:
        session.execute(
            sa.update(ApiToken).where(ApiToken.name == "in_force").values(last_used_at=earlier)
        )
    api.post("/graphql", json={"query": ME})
    assert _rows(app, ApiToken, name="in_force")[0].last_used_at > earlier + USE_RECORD_INTERVAL


def test_revoking_this_browser_s_own_session_signs_it_out(app):  # noqa: F811
    browser = _signed_in(app)
    [row] = _rows(app, UserSession)
    response = _post(browser, f"/account/sessions/{row.id}/revoke")
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    assert not _signed_in_ok(browser)
    assert _rows(app, UserSession)[0].revoked_at is not None


def test_sessions_from_before_server_side_sessions_are_refused(app):  # noqa: F811
    """A cookie with only the user and auth version (no session key) signs nobody in."""
    from tests.web.test_web_accounts import _cookie

    stale = _cookie({"uid": _user_id(app, "qiye"), "av": 1})
    assert not _signed_in_ok(TestClient(app, cookies={SESSION_COOKIE: stale}))
