"""千企帮千村 end to end: an enterprise proposes to a key village it found in its recommendations;
the village signs and the bureau files it; the enterprise reports the overdue quarter, the village
confirms and the bureau verifies. Every hand-off starts from the next person's to-do inbox."""

import re

import pytest

from app.services.pairing.periods import last_due_quarter, local_today
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey_world import (
    CASTS,
    act_from_inbox,
    inbox_item,
    open_inbox,
    proposal_term,
    sign_in,
)


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_pairing_from_recommendation_to_verified_report(journey_base, open_page, shots, viewport):
    base, cast = journey_base, CASTS[viewport["width"]]
    # The term starts with the latest quarter past its reporting window: exactly one is owed.
    quarter = last_due_quarter(local_today())

    # The enterprise finds the key village among its recommendations and proposes.
    enterprise = open_page(viewport)
    sign_in(enterprise, base, cast.enterprise_user)
    nav = enterprise.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="推荐帮扶村").click()
    enterprise.wait_for_url(f"{base}/recommendations")
    card = enterprise.locator("li.recommendation", has_text=cast.village)
    assert "重点帮扶村" in card.inner_text()
    shots(enterprise, "recommendations")
    card.get_by_role("link", name="提出结对").click()
    enterprise.check("input[name=help_kinds][value=industry]")
    enterprise.check("input[name=help_kinds][value=sales]")
    enterprise.check("input[name=help_kinds][value=employment]")  # allows 带动就业
    start_on, end_on = proposal_term()
    enterprise.fill("#field-start_on", start_on)
    enterprise.fill("#field-end_on", end_on)
    enterprise.fill("#field-commit_jobs", "5")
    enterprise.fill("#field-commit_purchase", "20000")
    shots(enterprise, "proposal")
    enterprise.get_by_role("button", name="提交结对提议").click()
    enterprise.wait_for_url(re.compile(rf"{base}/agreements/\d+$"))
    agreement_url = enterprise.url
    assert enterprise.locator("#agreement .detail-head .badge").first.inner_text() == "待签约"
    shots(enterprise, "proposed")

    # The village cadre finds it in the inbox and signs.
    village = open_page(viewport)
    sign_in(village, base, cast.village_user)
    proposal = ("待签约的结对提议", cast.enterprise)
    act_from_inbox(village, base, proposal, agreement_url, ("#agreement", "签约", "待备案", True))
    shots(village, "signed")

    # The bureau files it from its inbox.
    bureau = open_page(viewport)
    sign_in(bureau, base, "shiju")
    filing = ("待备案的结对协议", cast.village)
    act_from_inbox(bureau, base, filing, agreement_url, ("#agreement", "备案", "履行中", True))
    shots(bureau, "filed")

    # The enterprise's inbox now asks for that quarter's report; it files it.
    open_inbox(enterprise, base)
    shots(enterprise, "overdue-in-inbox")
    inbox_item(enterprise, "逾期未报的成效报告", cast.village).click()
    enterprise.select_option("#field-period", quarter.period)
    enterprise.fill("#field-actual_jobs", "3")
    enterprise.fill("#field-actual_purchase", "5000")
    enterprise.fill("#field-narrative", "本季度收购村里百合两万斤，组织三名脱贫户到加工车间就业。")
    shots(enterprise, "report-form")
    enterprise.get_by_role("button", name="提交报告").click()
    enterprise.wait_for_url(re.compile(rf"{base}/reports/\d+$"))
    report_url = enterprise.url
    assert enterprise.locator("#report .detail-head .badge").first.inner_text() == "待村确认"
    open_inbox(enterprise, base)
    assert inbox_item(enterprise, "逾期未报的成效报告", cast.village).count() == 0

    # The village confirms it, the bureau verifies it: each from the inbox.
    to_confirm = ("待确认的成效报告", cast.village)
    act_from_inbox(village, base, to_confirm, report_url, ("#report", "确认属实", "待审核"))
    shots(village, "report-confirmed")
    to_verify = ("待核实的成效报告", cast.village)
    act_from_inbox(bureau, base, to_verify, report_url, ("#report", "核实通过", "已核实"))
    shots(bureau, "report-verified")
    enterprise.goto(report_url)
    assert enterprise.locator("#report .detail-head .badge").first.inner_text() == "已核实"
    shots(enterprise, "verified")
