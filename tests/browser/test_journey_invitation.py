"""The bureau downloads the invitation list for a seeded cooperative; its staff open /invite on
a phone, enter the code and work for the cooperative at once."""

import csv
import io

import pytest

from app.db import Database, create_db_engine
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from tests.factories import make_cooperative, valid_credit_code


def _seeded_cooperative(url: str, name: str) -> None:
    database = Database(create_db_engine(url))
    with database.unit_of_work() as session:
        make_cooperative(session, name=name, credit_code=valid_credit_code("93140829"))
    database.dispose()


@pytest.mark.slow
def test_an_invitation_is_accepted(live_server, browser, shots):
    base = live_server["base"]
    name = "邀请测试养殖专业合作社"
    _seeded_cooperative(live_server["url"], name)

    bureau = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True).new_page()
    bureau.goto(f"{base}/login")
    bureau.fill("#field-username", "shiju")
    bureau.fill("#field-password", PASSWORD)
    bureau.click("#login-form button[type=submit]")
    bureau.wait_for_url(f"{base}/dashboard")
    bureau.goto(f"{base}/registrations")
    bureau.click("a[href='/invitations']")
    bureau.select_option("#field-kind", "cooperative")
    bureau.select_option("#field-format", "csv")
    shots(bureau, "generate")
    with bureau.expect_download() as download_info:
        bureau.click("form[action='/invitations/generate'] button[type=submit]")
    path = download_info.value.path()
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["名称", "统一社会信用代码/村代码", "邀请码", "有效期至"]
    [code] = [row[2] for row in rows[1:] if row[0] == name]

    staff = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    staff.goto(f"{base}/login")
    staff.click("a[href='/invite']")
    staff.fill("#field-code", code)
    staff.fill("#field-username", "yaoqing_coop")
    staff.fill("#field-display_name", "孙社长")
    staff.fill("#field-password", PASSWORD)
    staff.fill("#field-password_again", PASSWORD)
    staff.check("input[name=privacy_consent]")
    shots(staff, "invite")
    staff.click("form[action='/invite'] button[type=submit]")
    staff.wait_for_url(f"{base}/my/products")  # the cooperative's home
    assert staff.locator(".whoami__org").inner_text().startswith(name)
    shots(staff, "working")

    bureau.goto(f"{base}/invitations")
    assert "已使用" in bureau.locator("tr", has_text=name).first.inner_text()
