"""A seeded cooperative (in the directory, no account) is claimed by its staff on a phone with a
photo of the business licence; the bureau sees the claim and its proof and approves it; the
claimant then works for the cooperative."""

import pytest

from app.db import Database, create_db_engine
from tests.browser.conftest import DESKTOP, PASSWORD, PHONE
from tests.factories import make_cooperative, valid_credit_code
from tests.image_factories import png_bytes


def _seeded_cooperative(url: str, name: str) -> str:
    database = Database(create_db_engine(url))
    with database.unit_of_work() as session:
        cooperative = make_cooperative(
            session, name=name, credit_code=valid_credit_code("93140829")
        )
        code = cooperative.credit_code
    database.dispose()
    return code


@pytest.mark.slow
def test_a_seeded_cooperative_is_claimed_and_approved(live_server, browser, shots):
    base = live_server["base"]
    name = "南坡村认领测试种植专业合作社"
    credit_code = _seeded_cooperative(live_server["url"], name)

    applicant = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    applicant.goto(f"{base}/register/claim/cooperative?credit_code={credit_code}")
    assert applicant.input_value("#field-credit_code") == credit_code
    applicant.fill("#field-username", "hezuoshe_claim")
    applicant.fill("#field-display_name", "赵社长")
    applicant.fill("#field-password", PASSWORD)
    applicant.fill("#field-password_again", PASSWORD)
    applicant.check("input[name=privacy_consent]")
    applicant.set_input_files(
        "#field-document",
        files=[{"name": "营业执照.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    shots(applicant, "claim-form")
    applicant.click("form[action='/register/claim/cooperative'] button[type=submit]")
    applicant.wait_for_url(f"{base}/account")
    assert applicant.locator(".badge").first.inner_text() == "待审核"
    shots(applicant, "pending")

    bureau = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    bureau.goto(f"{base}/login")
    bureau.fill("#field-username", "shiju")
    bureau.fill("#field-password", PASSWORD)
    bureau.click("#login-form button[type=submit]")
    bureau.wait_for_url(f"{base}/dashboard")
    bureau.goto(f"{base}/registrations")
    card = bureau.locator("li.card", has_text=name)
    assert "认领已登记单位" in card.inner_text()
    assert card.locator("a", has_text="营业执照").count() == 1
    shots(bureau, "review")
    card.get_by_role("button", name="通过", exact=True).click()
    bureau.wait_for_load_state()
    assert "已通过 赵社长 的注册申请" in bureau.locator("#flash").inner_text()

    applicant.reload()
    assert applicant.locator(".badge").first.inner_text() == "已通过"
    assert applicant.locator(".whoami__org").inner_text().startswith(name)
    shots(applicant, "working")
