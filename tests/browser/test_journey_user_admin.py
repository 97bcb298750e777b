"""用户管理 end to end: the city bureau creates a village cadre's account, the cadre forgets the
password, the bureau issues a one-time reset code, the cadre sets a new password with it and
signs in; and every role lands on its own home after signing in."""

import re

import pytest
from sqlmodel import select

from app.actors import SYSTEM
from app.db import Database, create_db_engine
from app.models import User
from app.models.enums import UserRole
from app.services.accounts import create_user
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from tests.browser.journey_world import SHOWCASE_ACCOUNTS, sign_in

NEW_PASSWORD = "Zhongtiao2027"


def _sign_in_with(page, base, username, password) -> None:
    page.goto(f"{base}/login")
    page.fill("#field-username", username)
    page.fill("#field-password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_bureau_officer_resets_a_village_users_password_with_a_one_time_code(
    journey_base, journey_world, open_page, shots, viewport
):
    base, username = journey_base, f"cunguan{viewport['width']}"

    # The city bureau lands on its 工作台 and opens 用户管理 from the menu.
    officer = open_page(DESKTOP)
    sign_in(officer, base, "shiju")
    assert officer.url == f"{base}/dashboard"
    officer.get_by_role("navigation", name="主导航").get_by_role("link", name="用户管理").click()
    officer.wait_for_url(f"{base}/users")
    shots(officer, "users")

    # It creates the village cadre's account.
    officer.get_by_role("link", name="新建账号").first.click()
    officer.wait_for_url(f"{base}/users/new")
    officer.fill("#field-username", username)
    officer.fill("#field-display_name", "王会计")
    officer.select_option("#field-role", "village")
    officer.fill("#field-link_id", str(journey_world["village"]))
    officer.fill("#field-password", PASSWORD)
    officer.fill("#field-password_again", PASSWORD)
    officer.get_by_role("button", name="创建账号").click()
    officer.wait_for_url(re.compile(rf"{base}/users/\d+$"))
    assert f"已创建账号 {username}" in officer.locator("#flash").inner_text()
    shots(officer, "created")

    # The cadre forgot the password: the sign-in page sends it to the county bureau.
    cadre = open_page(viewport)
    cadre.goto(f"{base}/login")
    cadre.get_by_role("link", name="忘记密码？").click()
    cadre.wait_for_url(f"{base}/password/forgot")
    assert "乡村振兴局" in cadre.locator("main").inner_text()
    shots(cadre, "forgot")

    # The officer issues a one-time code, shown once.
    officer.get_by_role("button", name="生成重置码").click()
    code = officer.locator("#reset-code").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4}", code)
    shots(officer, "code")

    # The cadre enters it with a new password, and signs in with the new password.
    cadre.get_by_role("link", name="输入重置码设置新密码").click()
    cadre.wait_for_url(f"{base}/password/reset")
    cadre.fill("#field-username", username)
    cadre.fill("#field-code", code)
    cadre.fill("#field-new_password", NEW_PASSWORD)
    cadre.fill("#field-new_password_again", NEW_PASSWORD)
    cadre.get_by_role("button", name="设置新密码").click()
    cadre.wait_for_url(f"{base}/login")
    assert "密码已重置" in cadre.locator("#flash").inner_text()
    shots(cadre, "reset")
    _sign_in_with(cadre, base, username, NEW_PASSWORD)
    assert cadre.url == f"{base}/village"
    shots(cadre, "home")

    # The code was single use.
    other = open_page(viewport)
    other.goto(f"{base}/password/reset")
    other.fill("#field-username", username)
    other.fill("#field-code", code)
    other.fill("#field-new_password", "Another2028x")
    other.fill("#field-new_password_again", "Another2028x")
    other.get_by_role("button", name="设置新密码").click()
    other.locator(".form-error").filter(has_text="重置码").wait_for()


@pytest.fixture(scope="module")
def admin_account(live_server) -> str:
    """An admin in the live server's database (the journeys' world has none)."""
    database = Database(create_db_engine(live_server["url"]))
    with database.unit_of_work() as session:
        if session.exec(select(User.id).where(User.username == "guanli")).first() is None:
            create_user(
                session=session,
                actor=SYSTEM,
                account={"username": "guanli", "display_name": "管理员", "password": PASSWORD},
                role=UserRole.admin,
            )
    database.dispose()
    return "guanli"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("who", "home", "menu"),
    [
        ("bureau", "/dashboard", "首页"),
        ("village", "/village", "本村概况"),
        ("cooperative", "/my/products", "我的产品"),
        ("enterprise", "/agreements", "特色产品"),
        ("admin", "/users", "用户管理"),
    ],
)
def test_each_role_lands_on_its_home(journey_base, admin_account, open_page, who, home, menu):
    username = admin_account if who == "admin" else SHOWCASE_ACCOUNTS[who]
    page = open_page(DESKTOP)
    sign_in(page, journey_base, username)
    assert page.url == f"{journey_base}{home}"
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name=menu, exact=True).count() == 1
