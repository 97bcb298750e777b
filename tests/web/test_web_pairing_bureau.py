"""Recommendations, enterprise pages, the bureau's review queues and the coverage planner."""

import re

import pytest
from sqlmodel import select

from app.models import Event, PairingAgreement
from app.models.enums import AgreementStatus
from tests.web.pairing_web import build_site, post


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path))


def test_an_enterprise_sees_its_recommended_villages_with_the_reasons(site):
    page = site.client("qiye").get("/recommendations")
    assert page.template.name == "pairing/recommendations.html"
    # 南坡村: key county, key village, no partner, needs sales, 特色种养, same county.
    assert "南坡村" in page.text and "北坡村" not in page.text  # 北坡村 is already its partner
    common, rows = page.text.split('<ol class="recommendation-list"')
    part = r'<span class="score-part__text">([^<]+)</span> <span class="score-part__points">([^<]+)</span>'
    # Its own overdue report marks every village down; said once, above the list.
    assert re.findall(part, common) == [("有逾期未报的成效报告", "-15")]
    parts = re.findall(part, rows)
    assert parts == [
        ("重点帮扶县", "+20"),
        ("重点帮扶村", "+20"),
        ("暂无结对帮扶单位", "+25"),
        ("需求匹配：结对帮销", "+10"),
        ("产业契合：特色种养（苹果、花椒）", "+15"),
        ("同县就近：平陆县", "+10"),
    ]
    assert '<span class="score__value">85</span>' in page.text
    partial = site.client("qiye").get("/recommendations?key=1", headers={"HX-Request": "true"})
    assert partial.template.name == "pairing/_recommendations.html"
    assert "<html" not in partial.text and "南坡村" in partial.text


def test_a_village_sees_likely_helpers(site):
    page = site.client("nanpo").get("/recommendations")
    assert "推荐帮扶企业 · 南坡村" in page.text
    assert "平陆县黄河果业有限公司" in page.text
    # The village's own parts are shown once, above the list.
    assert "以下每一项的得分都已包含本村自身的情况" in page.text


def test_the_bureau_chooses_an_enterprise_by_name(site):
    client = site.client("shiju")
    chooser = client.get("/recommendations?q=黄河")
    assert f'href="/recommendations?enterprise_id={site.enterprise_id}"' in chooser.text
    page = client.get(f"/recommendations?enterprise_id={site.enterprise_id}")
    assert "推荐帮扶村 · 平陆县黄河果业有限公司" in page.text


def test_a_cooperative_or_anonymous_visitor_has_no_recommendations(site):
    response = site.client().get("/recommendations", follow_redirects=False)
    assert response.status_code == 303


def test_the_enterprise_list_and_profile(site):
    client = site.client()
    page = client.get("/enterprises")
    assert page.template.name == "pairing/enterprises.html"
    assert "平陆县黄河果业有限公司" in page.text
    partial = client.get("/enterprises?offer=welfare", headers={"HX-Request": "true"})
    assert partial.template.name == "pairing/_enterprise_results.html"
    assert "没有符合条件的帮扶主体" in partial.text
    profile = client.get(f"/enterprises/{site.enterprise_id}")
    assert "北坡村" in profile.text and "138****0002" not in profile.text
    # Its partner village sees the contact, masked; a village it does not deal with, none.
    partner = site.client("beipo").get(f"/enterprises/{site.enterprise_id}").text
    assert "138****0002" in partner and "13800000002" not in partner
    assert "138****0002" not in site.client("nanpo").get(f"/enterprises/{site.enterprise_id}").text


def test_the_review_queues(site):
    page = site.client("pinglu").get("/review")
    assert page.template.name == "pairing/review.html"
    text = page.text
    assert "没有待备案的协议" in text
    assert "没有待核实的报告" in text
    # The active agreement has no report after 2026Q1.
    assert re.search(r'逾期未报 <span class="count count--danger">1</span>', text)
    assert site.client("qiye").get("/review").status_code == 403


def test_the_planner_shows_a_plan_and_accepted_lines_become_proposals(site):
    client = site.client("pinglu")
    page = client.get("/coverage")
    assert page.template.name == "pairing/coverage.html"
    lines = re.findall(r'name="lines" value="(\d+:\d+)" checked', page.text)
    assert lines == [f"{site.village_id}:{site.enterprise_id}"]
    assert "需求匹配：结对帮销" in page.text
    response = post(client, "/coverage", {"lines": lines, "start_on": "2027-01-01", "years": "2"})
    assert (response.status_code, response.headers["location"]) == (
        303,
        "/agreements?status=draft",
    )
    with site.database.read_only() as session:
        proposal = session.exec(
            select(PairingAgreement).where(PairingAgreement.village_id == site.village_id)
        ).one()
        assert proposal.status == AgreementStatus.draft
        assert session.exec(select(Event.action).where(Event.action == "agreement.plan")).one()
    # The enterprise now sees it among its agreements; the village has nothing left to plan.
    assert (
        "共 <strong>1</strong> 份协议" in site.client("qiye").get("/agreements?status=draft").text
    )
    assert "重点帮扶村都已有结对" in client.get("/coverage").text


def test_accepting_nothing_is_refused_by_the_form(site):
    response = post(site.client("pinglu"), "/coverage", {"start_on": "2027-01-01", "years": "2"})
    assert response.status_code == 422
    assert "请至少选择一条结对" in response.text
