"""催报 and 免报 on the pages: the agreement page's section and actions, the review queue's bulk
reminder, each for the bureau of the village's county only."""

import pytest
from sqlmodel import select

from app.models import Notification, ReportReminder, ReportWaiver
from tests.web.pairing_web import build_site, hx_post, post


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _rows(site, model):
    with site.database.read_only() as session:
        return session.exec(select(model)).all()


def test_the_county_bureau_reminds_from_the_agreement_page(site):
    client = site.client("pinglu")
    url = f"/agreements/{site.active_id}"
    page = client.get(url)
    assert "季度报送情况" in page.text and "未催报" in page.text
    assert f'action="{url}/remind"' in page.text
    response = post(client, f"{url}/remind")
    assert (response.status_code, response.headers["location"]) == (303, url)
    reminded = _rows(site, ReportReminder)
    assert reminded and {r.agreement_id for r in reminded} == {site.active_id}
    assert "未催报" not in client.get(url).text
    notes = [n for n in _rows(site, Notification) if n.kind == "agreement.remind"]
    assert [n.recipient_kind for n in notes] == ["enterprise"]


@pytest.mark.parametrize("username", ["qiye", "beipo", "ruicheng"])
def test_others_cannot_remind_nor_waive(site, username):
    client = site.client(username)
    url = f"/agreements/{site.active_id}"
    page = client.get(url)
    assert f'action="{url}/remind"' not in page.text
    assert f'action="{url}/waive"' not in page.text
    assert post(client, f"{url}/remind").status_code in (403, 404)
    assert post(client, f"{url}/waive", {"period": "2026Q2", "reason": "无"}).status_code in (
        403,
        404,
    )
    assert _rows(site, ReportReminder) == [] and _rows(site, ReportWaiver) == []


def test_a_waiver_needs_a_reason_and_then_shows_on_the_page(site):
    client = site.client("pinglu")
    url = f"/agreements/{site.active_id}"
    refused = hx_post(client, f"{url}/waive", {"period": "2026Q2", "reason": ""})
    assert refused.status_code == 422
    assert "请填写免报原因" in refused.text
    assert _rows(site, ReportWaiver) == []
    done = hx_post(client, f"{url}/waive", {"period": "2026Q2", "reason": "村里遭受洪灾"})
    assert done.status_code == 200 and "已免报该季度" in done.text
    assert "2026年第2季度：村里遭受洪灾" in done.text


def test_the_review_queue_reminds_the_selected_or_every_overdue_agreement(site):
    client = site.client("pinglu")
    review = client.get("/review")
    assert 'action="/review/remind"' in review.text
    response = post(client, "/review/remind", {"scope": "all"})
    assert (response.status_code, response.headers["location"]) == (303, "/review")
    assert {r.agreement_id for r in _rows(site, ReportReminder)} == {site.active_id}
    # Another county's officer may not remind this county's agreements, even by choosing them.
    other = site.client("ruicheng")
    before = len(_rows(site, ReportReminder))
    refused = post(other, "/review/remind", {"agreement_ids": str(site.active_id)})
    assert refused.status_code == 403
    assert len(_rows(site, ReportReminder)) == before
    assert post(site.client("qiye"), "/review/remind", {"scope": "all"}).status_code in (403, 404)
