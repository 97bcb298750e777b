"""The agreement page's confirmation of an irreversible step, in a real browser: with htmx it is
swapped in place, without JavaScript it is a page of its own; 取消 leaves the agreement as it was.
On a phone the actions sit below the commitments. Uses the showcase's active agreement and only
cancels, so the other browser tests find it unchanged."""

import pytest

from tests.browser.conftest import PHONE
from tests.browser.journey_world import SHOWCASE_ACCOUNTS, sign_in


def _top(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


@pytest.mark.slow
def test_the_confirmation_swaps_in_with_htmx_and_cancel_changes_nothing(
    journey_base, journey_world, open_page
):
    base, url = journey_base, f"{journey_base}/agreements/{journey_world['agreement']}"
    page = open_page(PHONE)
    sign_in(page, base, SHOWCASE_ACCOUNTS["village"])
    page.goto(url)
    # Phone: the village reads the terms and the commitments before any button.
    assert _top(page, "#agreement-commitments") < _top(page, "#agreement-actions")
    assert page.locator("#agreement-steps [aria-current=step]").inner_text().startswith("履行")
    page.get_by_role("button", name="终止协议", exact=True).click()
    confirm = page.locator("#confirm")
    confirm.wait_for()
    assert page.url == url  # swapped in by htmx, no navigation
    assert "确认提前终止协议？" in confirm.inner_text()
    assert page.get_by_role("button", name="确认终止协议", exact=True).is_visible()
    confirm.get_by_role("link", name="取消").click()
    page.locator("#agreement-actions").wait_for()
    assert page.locator("#confirm").count() == 0
    assert page.locator("#agreement .detail-head .badge").first.inner_text() == "履行中"


@pytest.mark.slow
def test_without_javascript_the_confirmation_is_a_page(journey_base, journey_world, browser):
    base, url = journey_base, f"{journey_base}/agreements/{journey_world['agreement']}"
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, base, SHOWCASE_ACCOUNTS["village"])
        page.goto(url)
        page.get_by_role("button", name="终止协议", exact=True).click()
        page.wait_for_url(f"{url}?confirm=terminate#confirm")
        assert "确认提前终止协议？" in page.locator("#confirm").inner_text()
        assert page.locator("#confirm textarea[name=reason][required]").count() == 1
        page.locator("#confirm").get_by_role("link", name="取消").click()
        page.wait_for_url(url)
        assert page.locator("#agreement .detail-head .badge").first.inner_text() == "履行中"
    finally:
        context.close()
