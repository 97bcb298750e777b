"""An officer turns on two-factor sign-in on a phone (QR code, confirm, recovery codes), then
signs in with password and code; a recovery code signs in once when the phone is away."""

import re
import time

import pytest

from app.actors import SYSTEM
from app.db import Database, create_db_engine
from app.models.enums import UserRole
from app.services import totp
from app.services.accounts import create_user
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE


def _officer(url: str, username: str) -> None:
    database = Database(create_db_engine(url))
    with database.unit_of_work() as session:
        create_user(
            session=session,
            actor=SYSTEM,
            account={"username": username, "display_name": "王科员", "password": PASSWORD},
            role=UserRole.bureau,
            region_code="140829",
        )
    database.dispose()


def _code(secret: str, offset_steps: int = 0) -> str:
    return totp.totp(totp.secret_bytes(secret), time.time() + offset_steps * totp.STEP_SECONDS)


def _password_step(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#field-username", username)
    page.fill("#field-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/login/code")


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_enrol_and_sign_in_with_a_code(live_server, browser, shots, viewport):
    base = live_server["base"]
    username = f"wang2fa{viewport['width']}"
    _officer(live_server["url"], username)
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#field-username", username)
    page.fill("#field-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/dashboard")
    page.goto(f"{base}/account")
    page.click("a[href='/account/two-factor']")
    assert page.locator("figure.qr-code svg").count() == 1
    secret = page.locator("#totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    shots(page, "scan")
    page.fill("#field-code", "123")
    page.click("form[action='/account/two-factor'] button[type=submit]")
    assert page.locator("#field-code-error").inner_text() == "验证码不正确或已使用"
    page.fill("#field-code", _code(secret))
    page.click("form[action='/account/two-factor'] button[type=submit]")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shots(page, "recovery-codes")
    context.close()

    # Next sign-in: the password, then the code; before the code nothing is open.
    other = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    _password_step(other, base, username)
    shots(other, "code-step")
    other.goto(f"{base}/account")
    assert other.url.startswith(f"{base}/login")
    _password_step(other, base, username)
    other.fill("#field-code", _code(secret, 1))
    other.click("#login-code-form button[type=submit]")
    other.wait_for_url(f"{base}/dashboard")
    other.goto(f"{base}/account")
    assert "已开启" in other.locator("#two-factor-title + p").inner_text()
    shots(other, "signed-in")

    # The phone is away: a recovery code, once.
    away = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    _password_step(away, base, username)
    away.fill("#field-code", codes[0])
    away.click("#login-code-form button[type=submit]")
    away.wait_for_url(f"{base}/dashboard")
    again = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    _password_step(again, base, username)
    again.fill("#field-code", codes[0])
    again.click("#login-code-form button[type=submit]")
    assert again.locator("#field-code-error").inner_text() == "验证码不正确或已使用"
