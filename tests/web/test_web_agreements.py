"""Agreement pages: proposing with inline validation, the detail page and its lifecycle actions."""

import re

import pytest
from sqlmodel import select

from app.models import Enterprise, Event, PairingAgreement
from app.models.enums import AgreementStatus
from app.services.pairing.capacity import open_agreement_count
from tests.web.pairing_web import build_site, hx_post, post


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path))


def _proposal(site, **overrides) -> dict:
    return {
        "village_id": str(site.village_id),
        "help_kinds": ["sales", "employment"],
        "start_on": "2027-01-01",
        "end_on": "2029-12-31",
        "commit_purchase": "200000",
        "commit_jobs": "10",
    } | overrides


def _propose(site, client) -> int:
    response = post(client, "/agreements", _proposal(site))
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_the_proposal_form_preselects_what_the_village_needs(site):
    page = site.client("qiye").get(f"/agreements/new?village_id={site.village_id}")
    assert page.template.name == "pairing/proposal.html"
    assert "向南坡村提出结对帮扶" in page.text
    assert 'name="help_kinds" value="sales" checked' in page.text
    assert 'name="help_kinds" value="industry">' in page.text
    assert 'hx-post="/agreements/validate"' in page.text


def test_a_bad_proposal_comes_back_with_errors_by_the_fields_and_the_input_kept(site):
    client = site.client("qiye")
    data = _proposal(site, end_on="2027-06-30", commit_purchase="12.345", note="首批采购苹果")
    response = post(client, "/agreements", data)
    assert response.status_code == 422
    assert response.template.name == "pairing/proposal.html"
    assert (
        '<p class="field__error" id="field-end_on-error" aria-live="polite">帮扶期限应为 1 至 5 年</p>'
        in response.text
    )
    assert (
        'id="field-commit_purchase-error" aria-live="polite">采购帮销金额最多保留两位小数（精确到分）</p>'
        in response.text
    )
    assert 'value="12.345"' in response.text and "首批采购苹果" in response.text
    assert 'name="help_kinds" value="sales" checked' in response.text
    with site.database.read_only() as session:
        assert (
            session.exec(
                select(PairingAgreement).where(PairingAgreement.village_id == site.village_id)
            ).all()
            == []
        )


def test_an_htmx_submission_gets_only_the_form_back(site):
    client = site.client("qiye")
    response = hx_post(client, "/agreements", _proposal(site, help_kinds=[]))
    assert response.status_code == 422
    assert response.template.name == "pairing/_proposal_form.html"
    assert "<html" not in response.text
    assert (
        'id="field-help_kinds-error" aria-live="polite">请至少选择一项帮扶方式</p>' in response.text
    )


def test_inline_validation_fills_and_clears_error_slots_out_of_band(site):
    client = site.client("qiye")
    response = hx_post(
        client,
        "/agreements/validate",
        _proposal(site, end_on="2026-12-01", commit_jobs="-3", commit_funding_welfare=""),
    )
    assert response.status_code == 200
    slots = dict(
        re.findall(
            r'id="field-(\w+)-error" aria-live="polite" hx-swap-oob="true">([^<]*)</p>',
            response.text,
        )
    )
    assert slots["end_on"] == "结束日期应晚于开始日期"
    assert slots["commit_jobs"] == "带动就业人数不能小于 0"
    # Fields that are fine, or still empty, are cleared rather than blamed.
    assert slots["commit_funding_welfare"] == "" and slots["start_on"] == "" and slots["note"] == ""
    assert len(slots) == 10
    fine = hx_post(client, "/agreements/validate", _proposal(site))
    assert set(re.findall(r'hx-swap-oob="true">([^<]*)</p>', fine.text)) == {""}


def test_propose_then_the_village_signs_and_the_bureau_files(site):
    enterprise = site.client("qiye")
    agreement_id = _propose(site, enterprise)
    detail = enterprise.get(f"/agreements/{agreement_id}")
    assert (
        "结对提议" in detail.text
        and '<span class="badge badge--pending">待签约</span>' in detail.text
    )
    assert 'name="confirm" value="withdraw"' in detail.text
    assert 'name="confirm" value="sign"' not in detail.text

    village = site.client("nanpo")
    page = village.get(f"/agreements/{agreement_id}")
    assert 'name="confirm" value="sign"' in page.text
    assert 'name="confirm" value="withdraw"' not in page.text
    signed = hx_post(
        village, f"/agreements/{agreement_id}/sign", {"confirmed": "1", "version": "1"}
    )
    assert signed.status_code == 200
    assert signed.template.name == "pairing/_agreement.html"
    assert "<html" not in signed.text
    assert (
        'hx-swap-oob="beforeend"><p class="flash flash--success">已签约，等待乡村振兴局备案</p>'
        in signed.text
    )
    assert '<span class="badge badge--pending">待备案</span>' in signed.text

    bureau = site.client("pinglu")
    filed = post(bureau, f"/agreements/{agreement_id}/file", {"confirmed": "1", "version": "2"})
    assert (filed.status_code, filed.headers["location"]) == (303, f"/agreements/{agreement_id}")
    page = bureau.get(f"/agreements/{agreement_id}")
    assert "已备案，协议进入履行期" in page.text
    assert '<span class="badge badge--ok">履行中</span>' in page.text
    for action in ("提出结对", "村签约", "备案生效"):
        assert action in page.text


def test_a_double_click_gets_the_conflict_message_not_a_second_transition(site):
    agreement_id = _propose(site, site.client("qiye"))
    village = site.client("nanpo")
    confirmed = {"confirmed": "1", "version": "1"}
    assert post(village, f"/agreements/{agreement_id}/sign", confirmed).status_code == 303
    again = post(village, f"/agreements/{agreement_id}/sign", confirmed)
    assert again.status_code == 303
    assert "该协议已被他人修改，请刷新后再试" in village.get(f"/agreements/{agreement_id}").text
    htmx = hx_post(village, f"/agreements/{agreement_id}/sign", {"confirmed": "1", "version": "1"})
    assert htmx.status_code == 409
    assert "该协议已被他人修改，请刷新后再试" in htmx.text
    with site.database.read_only() as session:
        actions = session.exec(
            select(Event.action).where(
                Event.object_type == "PairingAgreement", Event.object_id == str(agreement_id)
            )
        ).all()
    assert actions == ["agreement.propose", "agreement.sign"]


def test_termination_without_a_reason_shows_the_error_by_the_reason(site):
    client = site.client("qiye")
    response = post(
        client,
        f"/agreements/{site.active_id}/terminate",
        {"confirmed": "1", "version": "1", "reason": " "},
    )
    assert response.status_code == 422
    assert response.template.name == "pairing/agreement.html"
    assert "请填写终止原因</p>" in response.text
    assert '<section class="card section confirm" id="confirm"' in response.text
    assert 'name="confirmed" value="1"' in response.text


@pytest.mark.parametrize("username", ["ruicheng", "nanpo"])
def test_outsiders_get_the_missing_page_on_the_detail_and_the_actions(site, username):
    client = site.client(username)
    assert client.get(f"/agreements/{site.active_id}").status_code == 404
    response = post(
        client,
        f"/agreements/{site.active_id}/terminate",
        {"confirmed": "1", "version": "1", "reason": "x"},
    )
    assert response.status_code == 404
    with site.database.read_only() as session:
        assert session.get(PairingAgreement, site.active_id).status == AgreementStatus.active


def test_the_list_is_scoped_and_swaps_its_results(site):
    enterprise = site.client("qiye")
    page = enterprise.get("/agreements")
    assert page.template.name == "pairing/agreements.html"
    assert "共 <strong>1</strong> 份协议" in page.text
    partial = enterprise.get("/agreements?status=proposed", headers={"HX-Request": "true"})
    assert partial.template.name == "pairing/_agreement_results.html"
    assert "没有符合条件的协议" in partial.text and "<html" not in partial.text
    assert "共 <strong>0</strong> 份协议" in site.client("nanpo").get("/agreements").text
    assert "共 <strong>0</strong> 份协议" in site.client("ruicheng").get("/agreements").text


def test_overdue_agreements_are_highlighted_in_the_list(site):
    # The active agreement has a report for 2026Q1 only; any later date makes it overdue.
    html = site.client("pinglu").get("/agreements?overdue=1").text
    assert "成效报告逾期" in html and "row--overdue" in html


def test_revising_a_proposal_with_a_stale_version_is_refused(site):
    client = site.client("qiye")
    agreement_id = _propose(site, client)
    form = client.get(f"/agreements/{agreement_id}/edit")
    assert form.template.name == "pairing/proposal.html"
    assert 'value="200000.00"' in form.text
    saved = post(
        client, f"/agreements/{agreement_id}/edit", _proposal(site, version="1", commit_jobs="12")
    )
    assert saved.status_code == 303
    stale = post(
        client, f"/agreements/{agreement_id}/edit", _proposal(site, version="1", commit_jobs="99")
    )
    assert stale.status_code == 409
    assert "该协议已被他人修改，请刷新后再试" in stale.text
    assert 'value="99"' in stale.text


def test_a_proposal_beyond_the_enterprise_s_limit_shows_the_limit_and_saves_nothing(site):
    with site.database.unit_of_work() as session:
        enterprise = session.get(Enterprise, site.enterprise_id)
        taken = open_agreement_count(session, enterprise.id)
        enterprise.max_villages = taken
        session.add(enterprise)
    response = post(site.client("qiye"), "/agreements", _proposal(site))
    assert response.status_code == 409
    assert response.template.name == "pairing/proposal.html"
    assert f"同时结对帮扶的村数上限为 {taken} 个" in response.text
    with site.database.read_only() as session:
        assert open_agreement_count(session, site.enterprise_id) == taken


def test_signing_beyond_the_enterprise_s_limit_shows_the_limit_on_the_agreement(site):
    agreement_id = _propose(site, site.client("qiye"))
    with site.database.unit_of_work() as session:
        enterprise = session.get(Enterprise, site.enterprise_id)
        enterprise.max_villages = open_agreement_count(
            session, enterprise.id, excluding=agreement_id
        )
        session.add(enterprise)
    village = site.client("nanpo")
    # A conflict goes back to the agreement with the message flashed; htmx gets it with 409.
    response = post(village, f"/agreements/{agreement_id}/sign", {"confirmed": "1", "version": "1"})
    assert response.status_code == 303
    assert "同时结对帮扶的村数上限为" in village.get(f"/agreements/{agreement_id}").text
    htmx = hx_post(village, f"/agreements/{agreement_id}/sign", {"confirmed": "1", "version": "1"})
    assert htmx.status_code == 409
    assert "同时结对帮扶的村数上限为" in htmx.text
    with site.database.read_only() as session:
        assert session.get(PairingAgreement, agreement_id).status == AgreementStatus.proposed
