"""Correcting a verified report (更正): the earlier version is kept, the review runs again, the
step is audited and notified, the dashboard's actuals follow."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import Event, Notification, OutcomeReport, ReportRevision
from app.models.enums import ReportStatus
from app.services.pairing.corrections import correct_report, report_revisions
from app.services.pairing.reports import confirm_report, verify_report
from tests.factories import make_county
from tests.pairing_factories import (
    bureau_actor,
    enterprise_actor,
    make_active,
    make_report,
    village_actor,
)
from tests.services.test_pairing_summary import kept, rebuilt

R = ReportStatus
FIGURES = {
    "actual_funding_business": "2,000",
    "actual_jobs": "9",
    "narrative": "更正：本季度实际吸纳 9 名脱贫群众就业，冷库投入 2000 元。",
}


@pytest.fixture
def verified(session):
    make_county(session, code="140830", name="芮城县", category="overall")
    agreement = make_active(session)
    report = make_report(
        session, agreement, 2026, 1, status=R.verified, actual_jobs=5, actual_trainees=3
    )
    return agreement, report


def _correct(session, agreement, report, *, actor=None, version=None, reason="就业人数统计有误"):
    return correct_report(
        session=session,
        actor=actor or enterprise_actor(agreement.enterprise_id, user_id=None),
        report_id=report.id,
        expected_version=report.version if version is None else version,
        data=FIGURES,
        reason=reason,
    )


def test_a_correction_keeps_the_verified_version_and_reruns_the_review(session, verified):
    agreement, report = verified
    verified_at = report.verified_at
    corrected = _correct(session, agreement, report)
    assert (corrected.status, corrected.revision) == (R.submitted, 2)
    assert (
        corrected.actual_jobs,
        corrected.actual_funding_business_fen,
        corrected.verified_at,
    ) == (
        9,
        200_000,
        None,
    )
    [earlier] = report_revisions(session, report.id)
    assert (earlier.revision, earlier.actual_jobs, earlier.actual_trainees) == (1, 5, 3)
    assert (earlier.reason, earlier.verified_at) == ("就业人数统计有误", verified_at)
    # The village confirms and the bureau verifies again.
    confirm_report(
        session=session,
        actor=village_actor(agreement.village_id),
        report_id=report.id,
        expected_version=corrected.version,
    )
    again = verify_report(
        session=session,
        actor=bureau_actor("140829"),
        report_id=report.id,
        expected_version=corrected.version,
    )
    assert again.status == R.verified
    # A second correction adds a second earlier version.
    _correct(session, agreement, again, reason="培训人次补报")
    assert [r.revision for r in report_revisions(session, report.id)] == [2, 1]


def test_the_correction_is_audited_and_notified_like_a_submission(session, verified):
    agreement, report = verified
    _correct(session, agreement, report)
    event = session.exec(select(Event).where(Event.action == "report.correct")).one()
    assert event.object_id == str(report.id)
    assert "就业人数统计有误" in event.summary and "第 2 版" in event.summary
    notices = session.exec(
        select(Notification).where(Notification.title == "已核实的成效报告已更正，待重新确认")
    ).all()
    assert [n.link for n in notices] == [f"/reports/{report.id}"]


def test_the_dashboard_actuals_drop_the_corrected_version_until_verified_again(session, verified):
    agreement, report = verified
    assert kept(session)["pairing_actuals"] == rebuilt(session)["pairing_actuals"] != set()
    corrected = _correct(session, agreement, report)
    assert kept(session)["pairing_actuals"] == rebuilt(session)["pairing_actuals"] == set()
    confirm_report(
        session=session,
        actor=village_actor(agreement.village_id),
        report_id=report.id,
        expected_version=corrected.version,
    )
    verify_report(
        session=session,
        actor=bureau_actor("140829"),
        report_id=report.id,
        expected_version=corrected.version,
    )
    assert kept(session)["pairing_actuals"] == {("140829", 2026, 1, 1, 200_000, 0, 9, 0, 0, 0)}


@pytest.mark.parametrize("status", [R.submitted, R.confirmed, R.returned])
def test_only_a_verified_report_is_corrected(session, status):
    agreement = make_active(session)
    report = make_report(session, agreement, 2026, 1, status=status)
    with pytest.raises(ConflictError):
        _correct(session, agreement, report)
    assert session.exec(select(sa.func.count()).select_from(ReportRevision)).one() == 0


def test_a_correction_needs_a_reason_and_valid_figures_and_writes_nothing(session, verified):
    agreement, report = verified
    with pytest.raises(ValidationError) as no_reason:
        _correct(session, agreement, report, reason="  ")
    assert (no_reason.value.field, no_reason.value.message) == ("reason", "请填写更正原因")
    assert session.exec(select(sa.func.count()).select_from(ReportRevision)).one() == 0
    assert session.get(OutcomeReport, report.id).status == R.verified


def test_only_the_enterprise_corrects_and_a_stale_version_is_a_conflict(session, verified):
    agreement, report = verified
    for actor in (village_actor(agreement.village_id), bureau_actor("140829")):
        with pytest.raises(PermissionDeniedError):
            _correct(session, agreement, report, actor=actor)
    with pytest.raises(ConflictError):
        _correct(session, agreement, report, version=report.version - 1)
    assert report_revisions(session, report.id) == []


def test_the_report_quarter_rule_is_at_the_quarter_boundary(session, verified, today_is):
    """A submission on the last day of a quarter is refused; on the next day it is accepted."""
    from app.services.pairing.reports import submit_report

    agreement, _report = verified
    actor = enterprise_actor(agreement.enterprise_id, user_id=None)
    form = {"period": "2026Q4", "narrative": "本季度完成帮扶项目两项，带动就业。"}
    today_is(date(2026, 12, 31))
    with pytest.raises(ValidationError) as early:
        submit_report(session=session, actor=actor, agreement_id=agreement.id, data=form)
    assert early.value.code == "period_not_ended"
    today_is(date(2027, 1, 1))
    report = submit_report(session=session, actor=actor, agreement_id=agreement.id, data=form)
    assert report.period == "2026Q4"
