"""The agreement page shows the jobs 劳务协作 recorded (hires by its enterprise from its village)
next to the jobs its reports state."""

from app.models import Enterprise, PairingAgreement, Village
from app.models.labour import ApplicationStatus
from tests.labour_factories import make_application, make_posting, make_supply
from tests.web.pairing_web import build_site


def test_the_agreement_page_shows_recorded_and_reported_jobs(fresh_db, make_settings, tmp_path):
    site = build_site(fresh_db, make_settings(upload_dir=tmp_path))
    with fresh_db.unit_of_work() as session:
        agreement = session.get(PairingAgreement, site.active_id)
        village = session.get(Village, agreement.village_id)
        posting = make_posting(session, enterprise=session.get(Enterprise, agreement.enterprise_id))
        for status, hired in ((ApplicationStatus.hired, 4), (ApplicationStatus.stable, 3)):
            make_application(
                session,
                make_supply(session, village),
                posting,
                status=status,
                hired_count=hired,
                retained_count=hired if status == ApplicationStatus.stable else 0,
                agreement_id=agreement.id,
            )
        make_application(session, make_supply(session, village), posting)
    page = site.client("qiye").get(f"/agreements/{site.active_id}")
    assert page.status_code == 200
    assert "系统记录就业 <strong>7</strong> 人（劳务协作录用）" in page.text
    assert "报告 <strong>" in page.text
