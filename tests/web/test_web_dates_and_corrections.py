"""Pages for the date rules (the propose form's start-date error, the 补录 and 待核查 badges, the
bureau's filter) and for correcting a verified report (更正), with and without htmx."""

from datetime import date

import pytest
from sqlmodel import select

from app.models import Event, OutcomeReport, PairingAgreement, ReportRevision
from app.models.enums import ReportStatus
from tests.pairing_factories import make_report
from tests.web.pairing_web import build_site, hx_post, post

MESSAGE = (
    "开始日期不能早于本季度（2027年第1季度）第一天 2027年1月1日；"
    "补录已签订的纸质协议，最早可从 2026年12月2日 开始"
)


@pytest.fixture
def site(fresh_db, make_settings, tmp_path, today_is):
    today_is(date(2027, 1, 10))
    return build_site(fresh_db, make_settings(upload_dir=tmp_path))


def _proposal(site, start_on: str, end_on: str) -> dict:
    return {
        "village_id": str(site.village_id),
        "help_kinds": ["sales"],
        "start_on": start_on,
        "end_on": end_on,
        "commit_purchase": "200000",
    }


def _agreements(site) -> list[PairingAgreement]:
    with site.database.read_only() as session:
        return session.exec(
            select(PairingAgreement).where(PairingAgreement.village_id == site.village_id)
        ).all()


def test_a_start_too_early_comes_back_by_the_field_and_nothing_is_written(site):
    client = site.client("qiye")
    response = post(client, "/agreements", _proposal(site, "2026-11-01", "2029-10-31"))
    assert response.status_code == 422
    assert response.template.name == "pairing/proposal.html"
    assert f'id="field-start_on-error" aria-live="polite">{MESSAGE}</p>' in response.text
    htmx = hx_post(client, "/agreements", _proposal(site, "2026-11-01", "2029-10-31"))
    assert htmx.status_code == 422
    assert htmx.template.name == "pairing/_proposal_form.html" and "<html" not in htmx.text
    assert MESSAGE in htmx.text
    assert _agreements(site) == []


def test_a_late_start_is_marked_for_the_bureau_on_the_page_and_in_the_list(site):
    client = site.client("qiye")
    response = post(client, "/agreements", _proposal(site, "2026-12-20", "2029-12-19"))
    assert response.status_code == 303, response.text
    [agreement] = _agreements(site)
    assert agreement.late_start is True
    bureau = site.client("pinglu")
    page = bureau.get(f"/agreements/{agreement.id}")
    assert "补录·逾期起始" in page.text and "补录协议：开始日期（2026年12月20日）" in page.text
    listed = bureau.get("/agreements?review=1")
    assert f'href="/agreements/{agreement.id}"' in listed.text
    assert f'href="/agreements/{site.active_id}"' not in listed.text
    partial = bureau.get("/agreements?review=1", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and "补录·逾期起始" in partial.text


@pytest.fixture
def verified_id(site) -> int:
    with site.database.unit_of_work() as session:
        from app.models import PairingAgreement as PA

        agreement = session.get(PA, site.active_id)
        report = make_report(
            session, agreement, 2026, 2, status=ReportStatus.verified, actual_jobs=5
        )
        return report.id


def _correction(**overrides) -> dict:
    return {
        "version": "1",
        "actual_jobs": "7",
        "narrative": "更正：本季度实际吸纳 7 名脱贫群众就业。",
        "reason": "就业人数按花名册更正",
    } | overrides


def test_the_correction_form_refuses_a_missing_reason_with_and_without_htmx(site, verified_id):
    client = site.client("qiye")
    form = client.get(f"/reports/{verified_id}/correct")
    assert form.template.name == "pairing/report_form.html"
    assert 'name="reason"' in form.text and "更正 2026年第2季度成效报告" in form.text
    plain = post(client, f"/reports/{verified_id}/correct", _correction(reason=""))
    assert plain.status_code == 422
    assert 'id="field-reason-error">请填写更正原因</p>' in plain.text
    htmx = hx_post(client, f"/reports/{verified_id}/correct", _correction(reason=""))
    assert htmx.status_code == 422 and "请填写更正原因" in htmx.text
    with site.database.read_only() as session:
        assert session.get(OutcomeReport, verified_id).status == ReportStatus.verified
        assert session.exec(select(ReportRevision)).all() == []


def test_a_correction_keeps_the_earlier_version_readable_and_goes_back_to_the_village(
    site, verified_id
):
    client = site.client("qiye")
    report_page = client.get(f"/reports/{verified_id}")
    assert f'href="/reports/{verified_id}/correct"' in report_page.text
    saved = post(client, f"/reports/{verified_id}/correct", _correction())
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/reports/{verified_id}"
    village = site.client("beipo")
    page = village.get(f"/reports/{verified_id}")
    assert "更正记录（1 个早先版本）" in page.text
    assert "第 1 版" in page.text and "就业人数按花名册更正" in page.text
    assert "第 2 版（已更正）" in page.text
    assert f'action="/reports/{verified_id}/confirm"' in page.text
    with site.database.read_only() as session:
        report = session.get(OutcomeReport, verified_id)
        assert (report.status, report.actual_jobs, report.revision) == (
            ReportStatus.submitted,
            7,
            2,
        )
        assert session.exec(select(Event).where(Event.action == "report.correct")).one()
    # A second attempt on the same version is a conflict, not a second correction.
    again = hx_post(client, f"/reports/{verified_id}/correct", _correction())
    assert again.status_code in (404, 409)
