"""劳务协作 pages without JavaScript: an enterprise publishes a posting, the village publishes a
group and applies for it, the enterprise hires; the hire counts into their agreement."""

import re

from sqlmodel import select

from app.models.labour import JobPosting, LabourApplication
from app.services.labour import hiring
from tests.labour_factories import POSTING_FORM, SUPPLY_FORM
from tests.web.conftest import version_in
from tests.web.pairing_web import build_site, hx_post, post


def _site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path))


def test_post_apply_and_hire_through_the_pages(fresh_db, make_settings, tmp_path):
    site = _site(fresh_db, make_settings, tmp_path)
    employer, village = site.client("qiye"), site.client("beipo")
    # The enterprise publishes a posting (plain form post, then the posting's page).
    response = post(employer, "/labour/postings", POSTING_FORM)
    assert response.status_code == 303, response.text
    posting_url = response.headers["location"]
    assert "苹果分拣工" in site.client().get("/labour/postings").text
    # The village publishes a group of workers.
    response = post(village, "/labour/supplies", SUPPLY_FORM)
    assert response.status_code == 303, response.text
    supply_id = response.headers["location"].rsplit("/", 1)[1]
    group_page = village.get(f"/labour/supplies/{supply_id}").text
    assert "匹配的招工岗位" in group_page and "苹果分拣工" in group_page
    # … applies for it from the posting's page.
    page = village.get(posting_url).text
    assert "为本村劳务组报名" in page
    response = post(village, f"{posting_url}/apply", {"supply_id": supply_id, "head_count": "6"})
    assert response.status_code == 303, response.text
    application_url = response.headers["location"]
    # The enterprise sees it in its to-dos and hires from its page.
    page = employer.get(application_url).text
    assert "录用" in page and "安排面试" in page
    version = version_in(page, f"{application_url}/hire")
    response = post(
        employer,
        f"{application_url}/hire",
        {"version": version, "hired_count": "5", "hired_on": "2026-11-30"},
    )
    assert response.status_code == 303, response.text
    with fresh_db.read_only() as session:
        application = session.exec(select(LabourApplication)).one()
        assert (application.status, application.hired_count) == ("hired", 5)
        assert hiring.hires_for_agreement(session, site.active_id) == 5
    agreement_page = employer.get(f"/agreements/{site.active_id}").text
    assert "系统记录就业 <strong>5</strong> 人" in agreement_page


def test_a_bad_posting_form_comes_back_with_its_errors(fresh_db, make_settings, tmp_path):
    site = _site(fresh_db, make_settings, tmp_path)
    client = site.client("qiye")
    response = hx_post(client, "/labour/postings", POSTING_FORM | {"wage_min_fen": "9999999"})
    assert response.status_code == 422
    assert "最低月薪不能高于最高月薪" in response.text
    assert re.search(r'<form id="posting-form"', response.text)
    with fresh_db.read_only() as session:
        assert session.exec(select(JobPosting)).all() == []


def test_who_may_open_which_page(fresh_db, make_settings, tmp_path):
    site = _site(fresh_db, make_settings, tmp_path)
    assert site.client().get("/labour/postings").status_code == 200
    assert site.client().get("/labour/supplies", follow_redirects=False).status_code == 303
    assert post(site.client("qiye"), "/labour/supplies", SUPPLY_FORM).status_code == 405
    assert site.client("beipo").get("/labour/applications").status_code == 200
    assert site.client("beipo").get("/labour/applications/999").status_code == 404
