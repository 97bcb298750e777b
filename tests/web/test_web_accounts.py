"""Sign-in, sessions, CSRF, throttling and the account pages through real HTTP requests."""

import json
import time
from base64 import b64encode
from datetime import UTC, datetime

import pytest
from itsdangerous import TimestampSigner
from sqlmodel import select
from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.asgi import create_app
from app.http import SESSION_COOKIE
from app.models import User
from app.models.enums import UserRole
from app.services.accounts import create_user
from app.services.user_sessions import open_session
from tests.factories import make_county, make_enterprise
from tests.web.conftest import SECRET, csrf_token_of

PASSWORD = "Huanghe2026"


@pytest.fixture
def app(fresh_db, make_settings):
    with fresh_db.unit_of_work() as session:
        make_county(session)
        enterprise = make_enterprise(session, name="平陆县黄河果业有限公司")
        create_user(
            session=session,
            actor=SYSTEM,
            account={"username": "qiye", "display_name": "张经理", "password": PASSWORD},
            role=UserRole.enterprise,
            enterprise_id=enterprise.id,
        )
        create_user(
            session=session,
            actor=SYSTEM,
            account={"username": "shiju", "display_name": "李科长", "password": PASSWORD},
            role=UserRole.bureau,
            region_code="140800",
        )
    application = create_app(make_settings(), database=fresh_db)
    application.state.test_db = fresh_db
    return application


def _login(client: TestClient, username="qiye", password=PASSWORD, **extra):
    token = csrf_token_of(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token} | extra,
        follow_redirects=False,
    )


def _user_id(app, username: str) -> int:
    with app.state.test_db.read_only() as session:
        return session.exec(select(User.id).where(User.username == username)).one()


def test_sign_in_redirects_to_next_and_the_header_shows_organisation_and_role(app):
    client = TestClient(app)
    response = _login(client, next="/account")
    assert (response.status_code, response.headers["location"]) == (303, "/account")
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    page = client.get("/account")
    assert page.template.name == "accounts/account.html"
    assert '<span class="whoami__org">平陆县黄河果业有限公司</span>' in page.text
    assert '<span class="whoami__role">帮扶主体</span>' in page.text
    assert '<a href="/recommendations">推荐帮扶村</a>' in page.text


def test_next_cannot_point_to_another_site(app):
    # Another site's address is dropped: the enterprise lands on its own home.
    response = _login(TestClient(app), next="https://evil.example/")
    assert response.headers["location"] == "/agreements"


def test_wrong_password_gets_the_generic_message_with_422(app):
    client = TestClient(app)
    response = _login(client, password="wrong-pass1")
    assert response.status_code == 422
    assert "用户名或密码不正确" in response.text
    assert 'value="qiye"' in response.text
    unknown = _login(client, username="ghost")
    assert unknown.status_code == 422
    assert "用户名或密码不正确" in unknown.text


def test_htmx_sign_in_failure_returns_only_the_form(app):
    client = TestClient(app)
    token = csrf_token_of(client)
    response = client.post(
        "/login",
        data={"username": "qiye", "password": "bad-pass1"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert response.status_code == 422
    assert response.template.name == "accounts/_login_form.html"
    assert "<html" not in response.text


def test_sign_in_is_throttled_with_429_and_retry_after(app, monkeypatch):
    # The limits' clock stands still: the wait after the fifth failure is exactly one second.
    monkeypatch.setattr("app.services.limits.utcnow", lambda: datetime(2026, 12, 7, 8, tzinfo=UTC))
    client = TestClient(app)
    for _ in range(5):
        assert _login(client, password="bad-pass1").status_code == 422
    response = _login(client)  # even the right password, from this address
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert "尝试次数过多，请 1 秒后再试" in response.text
    assert 'value="qiye"' in response.text
    # Another address is not held back: the account is never locked.
    owner = TestClient(app, client=("10.20.30.40", 50000))
    assert _login(owner).status_code == 303


def test_sign_in_clears_whatever_the_session_held_before(app):
    client = TestClient(app)
    before = csrf_token_of(client)
    _login(client)
    after = csrf_token_of(client)
    assert before != after


def _cookie(payload: dict, *, age_seconds: int = 0) -> str:
    class Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - age_seconds

    data = b64encode(json.dumps(payload).encode())
    return Signer(SECRET).sign(data).decode()


def _session_key(app, username: str) -> str:
    with app.state.test_db.unit_of_work() as session:
        return open_session(session=session, user_id=_user_id(app, username))


def test_a_valid_cookie_signs_in_and_a_tampered_or_expired_one_does_not(app):
    payload = {"uid": _user_id(app, "qiye"), "av": 1, "sid": _session_key(app, "qiye")}
    good = _cookie(payload)
    client = TestClient(app, cookies={SESSION_COOKIE: good})
    assert client.get("/account", follow_redirects=False).status_code == 200

    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    client = TestClient(app, cookies={SESSION_COOKIE: tampered})
    assert client.get("/account", follow_redirects=False).status_code == 303

    forged = _cookie(payload).replace(
        b64encode(json.dumps(payload).encode()).decode(),
        b64encode(
            json.dumps({"uid": _user_id(app, "shiju"), "av": 1, "sid": payload["sid"]}).encode()
        ).decode(),
    )
    client = TestClient(app, cookies={SESSION_COOKIE: forged})
    assert client.get("/account", follow_redirects=False).status_code == 303

    expired = _cookie(payload, age_seconds=15 * 24 * 3600)
    client = TestClient(app, cookies={SESSION_COOKIE: expired})
    response = client.get("/account", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/account")


def test_changing_the_password_signs_out_every_other_session(app):
    laptop, phone = TestClient(app), TestClient(app)
    _login(laptop)
    _login(phone)
    assert phone.get("/account", follow_redirects=False).status_code == 200
    response = laptop.post(
        "/account/password",
        data={
            "old_password": PASSWORD,
            "new_password": "Fenhe2027x",
            "new_password_again": "Fenhe2027x",
            "csrf_token": csrf_token_of(laptop),
        },
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/account")
    assert laptop.get("/account", follow_redirects=False).status_code == 200
    assert phone.get("/account", follow_redirects=False).status_code == 303


def test_password_mismatch_and_wrong_old_password_are_shown_by_the_field(app):
    client = TestClient(app)
    _login(client)
    token = csrf_token_of(client)
    response = client.post(
        "/account/password",
        data={
            "old_password": "nope",
            "new_password": "Fenhe2027x",
            "new_password_again": "Fenhe2027x",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert 'id="field-old_password-error">原密码不正确</p>' in response.text


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(app):
    client = TestClient(app)
    _login(client)
    response = client.post("/account/tokens", data={"name": "对接"})
    assert response.status_code == 403
    assert "页面已过期或请求无效" in response.text
    assert "甲乙丙令牌" not in client.get("/account").text


def test_a_post_from_another_origin_is_refused_even_with_the_token(app):
    client = TestClient(app)
    _login(client)
    response = client.post(
        "/account/tokens",
        data={"name": "对接", "csrf_token": csrf_token_of(client)},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert "请求来源不被允许" in response.text


def test_the_token_works_as_a_header_for_htmx(app):
    client = TestClient(app)
    _login(client)
    response = client.post(
        "/account/tokens",
        data={"name": "分析系统"},
        headers={"X-CSRF-Token": csrf_token_of(client), "Origin": "http://testserver"},
    )
    assert response.status_code == 200
    assert "分析系统" in response.text


def test_api_tokens_are_shown_once_and_authenticate_without_cookies_or_csrf(app):
    client = TestClient(app)
    _login(client)
    page = client.post(
        "/account/tokens", data={"name": "省级系统", "csrf_token": csrf_token_of(client)}
    )
    assert page.headers["cache-control"] == "no-store"
    raw = page.context["new_token"]
    assert raw in page.text
    assert raw not in client.get("/account").text

    api = TestClient(app)
    response = api.get("/account", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert "张经理" in response.text
    created = api.post(
        "/account/tokens", data={"name": "第二个"}, headers={"Authorization": f"Bearer {raw}"}
    )
    assert created.status_code == 200
    bad = api.get("/account", headers={"Authorization": "Bearer cq_wrong"}, follow_redirects=False)
    assert bad.status_code == 303


def test_oversized_bodies_get_413(fresh_db, make_settings):
    app = create_app(make_settings(max_body_bytes=1024), database=fresh_db)
    client = TestClient(app)
    response = client.post(
        "/login",
        content=b"x" * 5000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_security_headers_on_every_page(app):
    response = TestClient(app).get("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


def test_production_allows_only_the_pinned_htmx_file_and_secure_cookies(fresh_db, make_settings):
    app = create_app(make_settings(environment="production"), database=fresh_db)
    client = TestClient(app, base_url="https://testserver")
    response = client.get("/login")
    assert (
        "script-src 'self' https://registry.npmmirror.com/htmx.org/2.0.11/files/dist/htmx.min.js;"
        in response.headers["content-security-policy"]
    )
    assert "strict-transport-security" in response.headers
    assert "secure" in response.headers["set-cookie"].lower()


def test_sign_out_ends_the_session(app):
    client = TestClient(app)
    _login(client)
    response = client.post(
        "/logout", data={"csrf_token": csrf_token_of(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/account", follow_redirects=False).status_code == 303


def test_htmx_sign_in_success_asks_htmx_to_load_the_next_page(app):
    client = TestClient(app)
    token = csrf_token_of(client)
    response = client.post(
        "/login",
        data={"username": "qiye", "password": PASSWORD, "next": "/account"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        follow_redirects=False,
    )
    assert (response.status_code, response.headers["hx-redirect"]) == (200, "/account")
    assert client.get("/account", follow_redirects=False).status_code == 200
