"""Two-factor sign-in through real HTTP requests: enrolment on the account page, the sign-in's
second step (the half-signed-in browser is anonymous), and staff sent to enrol first."""

import re
import time

from sqlmodel import select
from starlette.testclient import TestClient

from app.asgi import create_app
from app.models import RecoveryCode, User
from app.services import totp
from tests.web.conftest import csrf_token_of
from tests.web.test_web_accounts import PASSWORD, _login, app  # noqa: F401


def _post(client: TestClient, url: str, **data):
    return client.post(
        url, data=data | {"csrf_token": csrf_token_of(client)}, follow_redirects=False
    )


def _code(secret: str, offset_steps: int = 0) -> str:
    return totp.totp(totp.secret_bytes(secret), time.time() + offset_steps * totp.STEP_SECONDS)


def _enrol(client: TestClient) -> tuple[str, list[str]]:
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and "<svg" in page.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    done = _post(client, "/account/two-factor", code=_code(secret))
    assert done.status_code == 200 and done.headers["cache-control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == 10
    return secret, codes


def _signed_in(client: TestClient) -> bool:
    return client.get("/account", follow_redirects=False).status_code == 200


def test_enrol_then_sign_in_needs_the_code(app):  # noqa: F811
    browser = TestClient(app)
    assert _login(browser).status_code == 303
    secret, codes = _enrol(browser)
    # The secret is never shown again.
    assert secret not in browser.get("/account/two-factor").text
    with app.state.test_db.read_only() as session:
        user = session.exec(select(User).where(User.username == "qiye")).one()
        assert secret not in user.totp_secret
        stored = set(session.exec(select(RecoveryCode.code_digest)))
        assert not stored & set(codes)

    other = TestClient(app)
    first = _login(other, next="/account")
    assert (first.status_code, first.headers["location"]) == (303, "/login/code")
    # Half signed in: nothing is granted.
    assert not _signed_in(other)
    me = other.post(
        "/graphql",
        json={"query": "{ me { username } }"},
        headers={"X-CSRF-Token": csrf_token_of(other), "Origin": "http://testserver"},
    )
    assert me.json()["data"]["me"] is None
    wrong = _post(other, "/login/code", code="000000")
    assert wrong.status_code == 422 and "验证码不正确或已使用" in wrong.text
    right = _post(other, "/login/code", code=_code(secret, 1))
    assert (right.status_code, right.headers["location"]) == (303, "/account")
    assert _signed_in(other)


def test_a_recovery_code_signs_in_once(app):  # noqa: F811
    browser = TestClient(app)
    _login(browser)
    _secret, codes = _enrol(browser)
    first = TestClient(app)
    _login(first)
    assert _post(first, "/login/code", code=codes[3]).status_code == 303
    second = TestClient(app)
    _login(second)
    assert _post(second, "/login/code", code=codes[3]).status_code == 422
    assert not _signed_in(second)


def test_the_code_step_without_a_password_step_goes_back_to_sign_in(app):  # noqa: F811
    client = TestClient(app)
    response = client.get("/login/code", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")


def test_disable_needs_password_and_code(app):  # noqa: F811
    browser = TestClient(app)
    _login(browser)
    secret, _codes = _enrol(browser)
    refused = _post(
        browser, "/account/two-factor/disable", password="Wrong12345", code=_code(secret)
    )
    assert refused.status_code == 422 and "密码不正确" in refused.text
    done = _post(browser, "/account/two-factor/disable", password=PASSWORD, code=_code(secret, 1))
    assert (done.status_code, done.headers["location"]) == (303, "/account/two-factor")
    # Straight to the role's home: no code asked any more.
    assert _login(TestClient(app)).headers["location"] == "/agreements"


def test_the_code_step_lands_on_the_roles_home_when_nothing_was_asked_for(app):  # noqa: F811
    browser = TestClient(app)
    _login(browser)
    secret, _codes = _enrol(browser)
    other = TestClient(app)
    assert _login(other).headers["location"] == "/login/code"
    right = _post(other, "/login/code", code=_code(secret, 1))
    assert (right.status_code, right.headers["location"]) == (303, "/agreements")


def test_staff_are_sent_to_enrol_before_anything_else(fresh_db, make_settings, app):  # noqa: F811
    strict = create_app(make_settings(require_totp_for_staff=True), database=fresh_db)
    officer = TestClient(strict)
    _login(officer, username="shiju")
    response = officer.get("/inbox", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/account/two-factor")
    assert officer.post("/graphql", json={"query": "{ me { username } }"}).status_code == 403
    page = officer.get("/account/two-factor")
    assert page.status_code == 200 and "须先开启两步验证" in page.text
    # An enterprise account is not held back.
    staff_free = TestClient(strict)
    _login(staff_free)
    assert staff_free.get("/account", follow_redirects=False).status_code == 200
    # Enrolled, the officer is let through.
    _enrol(officer)
    assert officer.get("/account", follow_redirects=False).status_code == 200
