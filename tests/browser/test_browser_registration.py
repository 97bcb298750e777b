"""An enterprise registers on a phone; the city bureau approves on a desktop; the header changes."""

import pytest

from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from tests.factories import valid_credit_code


def _sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("#field-username", username)
    page.fill("#field-password", PASSWORD)
    page.click("button[type=submit]")
    # Each role lands on its own home (app/web/role_home.py).
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_register_approve_and_work(live_server, browser, shots, viewport):
    base = live_server["base"]
    username = f"qiye{viewport['width']}"
    applicant = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    applicant.goto(f"{base}/register")
    shots(applicant, "choose")
    applicant.click("a[href='/register/enterprise']")
    applicant.fill("#field-username", username)
    applicant.fill("#field-display_name", "张经理")
    applicant.fill("#field-password", PASSWORD)
    applicant.fill("#field-password_again", PASSWORD)
    applicant.fill("#field-name", f"平陆县黄河果业有限公司{viewport['width']}")
    applicant.fill("#field-credit_code", "91350100M000100Y44")
    applicant.select_option("#field-kind", "private")
    applicant.select_option("#field-industry", "A")
    applicant.select_option("#field-county_code", "140829")
    applicant.check("input[name=offers][value=industry]")
    applicant.check("input[name=privacy_consent]")
    applicant.click("button[type=submit]")
    error = applicant.locator("#field-credit_code-error")
    assert error.inner_text() == "统一社会信用代码校验位不正确，请核对后重新输入"
    assert applicant.input_value("#field-name") == f"平陆县黄河果业有限公司{viewport['width']}"
    shots(applicant, "credit-code-error")
    applicant.fill("#field-credit_code", valid_credit_code())
    applicant.fill("#field-password", PASSWORD)
    applicant.fill("#field-password_again", PASSWORD)
    applicant.click("button[type=submit]")
    applicant.wait_for_url(f"{base}/account")
    assert applicant.locator(".badge").first.inner_text() == "待审核"
    shots(applicant, "pending")

    bureau = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    _sign_in(bureau, base, "shiju")
    bureau.goto(f"{base}/registrations")
    card = bureau.locator("li.card", has_text=f"平陆县黄河果业有限公司{viewport['width']}")
    shots(bureau, "review-queue")
    card.get_by_role("button", name="通过", exact=True).click()
    bureau.wait_for_load_state()
    assert "已通过 张经理 的注册申请" in bureau.locator("#flash").inner_text()
    shots(bureau, "approved")

    applicant.reload()
    assert applicant.locator(".badge").first.inner_text() == "已通过"
    assert applicant.locator(".whoami__org").inner_text().startswith("平陆县黄河果业有限公司")
    shots(applicant, "working")
