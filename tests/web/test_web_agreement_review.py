"""The agreement page's review at filing (退回修改) and a planned draft's acceptance, with and
without htmx (decision 0031)."""

import pytest

from app.models import PairingAgreement
from app.models.enums import AgreementStatus
from tests.web.pairing_web import build_site, hx_post, post


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path))


def _signed(site) -> int:
    enterprise = site.client("qiye")
    response = post(
        enterprise,
        "/agreements",
        {
            "village_id": str(site.village_id),
            "help_kinds": ["sales"],
            "start_on": "2027-01-01",
            "end_on": "2029-12-31",
            "commit_purchase": "200000",
        },
    )
    assert response.status_code == 303, response.text
    agreement_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert post(
        site.client("nanpo"), f"/agreements/{agreement_id}/sign", {"version": "1", "confirmed": "1"}
    )
    return agreement_id


def test_the_bureau_returns_without_js_and_the_enterprise_resubmits_with_htmx(site):
    agreement_id = _signed(site)
    bureau = site.client("pinglu")
    page = bureau.get(f"/agreements/{agreement_id}")
    assert f'action="/agreements/{agreement_id}/return"' in page.text
    refused = post(bureau, f"/agreements/{agreement_id}/return", {"version": "2", "reason": ""})
    assert refused.status_code == 422
    assert "请填写退回修改原因</p>" in refused.text
    returned = post(
        bureau, f"/agreements/{agreement_id}/return", {"version": "2", "reason": "缺少签字页"}
    )
    assert (returned.status_code, returned.headers["location"]) == (
        303,
        f"/agreements/{agreement_id}",
    )
    enterprise = site.client("qiye")
    page = enterprise.get(f"/agreements/{agreement_id}")
    assert "乡村振兴局已退回该协议：缺少签字页" in page.text
    assert '<span class="badge badge--danger">退回修改</span>' in page.text
    resubmitted = hx_post(enterprise, f"/agreements/{agreement_id}/resubmit", {"version": "3"})
    assert resubmitted.status_code == 200
    assert resubmitted.template.name == "pairing/_agreement.html"
    assert "已重新提交，等待村签约" in resubmitted.text
    with site.database.read_only() as session:
        assert session.get(PairingAgreement, agreement_id).status == AgreementStatus.proposed


def test_a_draft_is_accepted_from_the_page_once_complete(site):
    agreement_id = _signed(site)
    with site.database.unit_of_work() as session:
        row = session.get(PairingAgreement, agreement_id)
        row.status = AgreementStatus.draft
    enterprise = site.client("qiye")
    page = enterprise.get(f"/agreements/{agreement_id}")
    assert f'action="/agreements/{agreement_id}/accept"' in page.text
    assert f'action="/agreements/{agreement_id}/refuse"' in page.text
    assert (
        f'action="/agreements/{agreement_id}/sign"'
        not in site.client("nanpo").get(f"/agreements/{agreement_id}").text
    )
    accepted = hx_post(enterprise, f"/agreements/{agreement_id}/accept", {"version": "3"})
    assert accepted.status_code == 200
    assert "已确认，等待村签约" in accepted.text
