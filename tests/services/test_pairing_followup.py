"""Reminders (催报) and waivers (免报) of missing quarterly reports, and completion, which needs
every quarter of the term verified or waived."""

from datetime import date

import pytest
from sqlmodel import select

from app.actors import SYSTEM
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import Event, MailMessage, Notification, ReportReminder, ReportWaiver
from app.models.enums import AgreementStatus, ReportStatus, UserRole
from app.services import accounts, notifications
from app.services.pairing.details import get_agreement
from app.services.pairing.followup import remind_overdue, remind_reports, waive_report
from app.services.pairing.lifecycle import transition_agreement
from tests.factories import make_county, make_township, make_village
from tests.pairing_factories import (
    ADMIN,
    bureau_actor,
    enterprise_actor,
    make_active,
    make_report,
    village_actor,
)

TODAY = date(2026, 11, 29)  # 2026Q1–Q3 are past their reporting window


@pytest.fixture
def world(session):
    make_county(session)
    make_county(session, code="140830", name="芮城县", category="overall")
    here = make_active(session)  # 平陆 (140829), 2026–2027, no report
    make_report(session, here, 2026, 2, status=ReportStatus.verified)
    make_township(session, code="140830100", name="古魏镇", county_code="140830")
    elsewhere = make_village(
        session, code="140830100201", township_code="140830100", county_code="140830"
    )
    there = make_active(session, village=elsewhere)
    return here, there


def _reminded(session, agreement_id):
    rows = session.exec(
        select(ReportReminder).where(ReportReminder.agreement_id == agreement_id)
    ).all()
    return sorted(r.period for r in rows)


def test_a_reminder_covers_every_missing_quarter_and_tells_the_enterprise(session, world):
    here, _there = world
    rows = remind_reports(
        session=session, actor=bureau_actor("140829"), agreement_id=here.id, today=TODAY
    )
    assert sorted(r.period for r in rows) == ["2026Q1", "2026Q3"]
    event = session.exec(select(Event).where(Event.action == "agreement.remind")).one()
    assert event.summary == (f"催报结对协议 {here.number} 的成效报告：2026年第1季度、2026年第3季度")
    note = session.exec(select(Notification).where(Notification.event_id == event.id)).one()
    assert (note.recipient_kind, note.recipient_id, note.title) == (
        "enterprise",
        here.enterprise_id,
        "乡村振兴局催报成效报告",
    )
    detail = get_agreement(
        session=session, actor=bureau_actor("140829"), agreement_id=here.id, today=TODAY
    )
    assert detail.followup.last_reminded_at == rows[0].sent_at
    assert [q.period for q in detail.missing] == ["2026Q1", "2026Q3"]


@pytest.mark.parametrize(
    "actor",
    [
        bureau_actor("140830"),  # another county's officer
        ADMIN,
        SYSTEM,
    ],
    ids=["other_county", "admin", "system"],
)
def test_only_the_bureau_of_the_villages_county_may_remind(session, world, actor):
    here, _there = world
    with pytest.raises(PermissionDeniedError):
        remind_reports(session=session, actor=actor, agreement_id=here.id, today=TODAY)
    assert _reminded(session, here.id) == []


def test_the_parties_may_not_remind(session, world):
    here, _there = world
    for actor in (enterprise_actor(here.enterprise_id), village_actor(here.village_id)):
        with pytest.raises(PermissionDeniedError):
            remind_reports(session=session, actor=actor, agreement_id=here.id, today=TODAY)
        with pytest.raises(PermissionDeniedError):
            remind_overdue(session=session, actor=actor, today=TODAY)


def test_the_city_bureau_reminds_in_every_county(session, world):
    here, there = world
    rows = remind_overdue(session=session, actor=bureau_actor("140800"), today=TODAY)
    assert {r.agreement_id for r in rows} >= {here.id, there.id}


def test_bulk_reminders_stay_in_the_officers_county(session, world):
    here, there = world
    remind_overdue(session=session, actor=bureau_actor("140829"), today=TODAY)
    assert _reminded(session, here.id) == ["2026Q1", "2026Q3"]
    assert _reminded(session, there.id) == []
    # Choosing an agreement of another county is refused as a whole, nothing written.
    with pytest.raises(PermissionDeniedError):
        remind_overdue(
            session=session,
            actor=bureau_actor("140829"),
            agreement_ids=[here.id, there.id],
            today=TODAY,
        )
    assert _reminded(session, there.id) == []


def test_nothing_to_remind_within_the_reporting_window(session, world):
    here, _there = world
    fresh = make_active(session, start_on=date(2026, 7, 1), end_on=date(2027, 6, 30))
    with pytest.raises(ConflictError) as caught:
        remind_reports(
            session=session,
            actor=bureau_actor("140829"),
            agreement_id=fresh.id,
            today=date(2026, 10, 15),  # 2026Q3's window ends today
        )
    assert caught.value.code == "nothing_overdue"
    rows = remind_reports(
        session=session,
        actor=bureau_actor("140829"),
        agreement_id=fresh.id,
        today=date(2026, 10, 16),
    )
    assert [r.period for r in rows] == ["2026Q3"]
    assert here.id  # the other agreement is untouched by a single reminder


def test_reminders_are_mailed_to_subscribed_staff(session, world, monkeypatch):
    from app.config import get_settings

    here, _there = world
    monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
    user = accounts.create_user(
        session=session,
        actor=SYSTEM,
        account={"username": "qiye9", "display_name": "qiye9", "password": "Huanghe2026"},
        role=UserRole.enterprise,
        enterprise_id=here.enterprise_id,
    )
    notifications.set_mail_address(
        session=session, actor=accounts.actor_for(user), address="qiye9@example.cn"
    )
    remind_reports(session=session, actor=bureau_actor("140829"), agreement_id=here.id, today=TODAY)
    mails = session.exec(select(MailMessage).where(MailMessage.recipient == "qiye9@example.cn"))
    assert [m.subject for m in mails] == ["【村企通】乡村振兴局催报成效报告"]


def test_a_waived_quarter_is_no_longer_overdue(session, world):
    here, _there = world
    bureau = bureau_actor("140829")
    waiver = waive_report(
        session=session, actor=bureau, agreement_id=here.id, period="2026Q1", reason="企业停产"
    )
    assert (waiver.period, waiver.reason) == ("2026Q1", "企业停产")
    detail = get_agreement(session=session, actor=bureau, agreement_id=here.id, today=TODAY)
    assert [q.period for q in detail.missing] == ["2026Q3"]
    event = session.exec(select(Event).where(Event.action == "agreement.waive")).one()
    assert event.summary == f"结对协议 {here.number} 2026年第1季度免报：企业停产"
    with pytest.raises(ConflictError):
        waive_report(
            session=session, actor=bureau, agreement_id=here.id, period="2026Q1", reason="再次"
        )


@pytest.mark.parametrize(
    ("period", "reason", "code"),
    [
        ("2026Q1", "  ", "reason_required"),
        ("2026Q1", "长" * 501, "reason_too_long"),
        ("2025Q4", "不在期内", "period_invalid"),
        ("2026Q9", "无效", "period_invalid"),
    ],
)
def test_a_waiver_needs_a_reason_and_a_quarter_of_the_term(session, world, period, reason, code):
    here, _there = world
    with pytest.raises(ValidationError) as caught:
        waive_report(
            session=session,
            actor=bureau_actor("140829"),
            agreement_id=here.id,
            period=period,
            reason=reason,
        )
    assert caught.value.code == code
    assert session.exec(select(ReportWaiver)).all() == []


def test_a_verified_quarter_needs_no_waiver_and_only_the_bureau_waives(session, world):
    here, _there = world
    with pytest.raises(ConflictError):
        waive_report(
            session=session,
            actor=bureau_actor("140829"),
            agreement_id=here.id,
            period="2026Q2",
            reason="已核实",
        )
    for actor in (bureau_actor("140830"), enterprise_actor(here.enterprise_id), ADMIN):
        with pytest.raises(PermissionDeniedError):
            waive_report(
                session=session, actor=actor, agreement_id=here.id, period="2026Q1", reason="x"
            )


def test_completion_with_every_quarter_verified_or_waived(session, world):
    here, _there = world
    bureau = bureau_actor("140829")
    for year, quarter in ((2026, 1), (2026, 3), (2026, 4), (2027, 1), (2027, 2), (2027, 3)):
        make_report(session, here, year, quarter, status=ReportStatus.verified)
    after = date(2028, 1, 5)
    with pytest.raises(ValidationError) as caught:
        transition_agreement(
            session=session,
            actor=bureau,
            agreement_id=here.id,
            expected_version=1,
            action="complete",
            today=after,
        )
    assert caught.value.message == ("以下季度尚无核实的成效报告，也未免报，不能办结：2027年第4季度")
    detail = get_agreement(session=session, actor=bureau, agreement_id=here.id, today=after)
    assert "complete" not in detail.actions
    assert detail.completion_blocked == "以下季度的成效报告核实或免报后可办结：2027年第4季度"
    waive_report(
        session=session, actor=bureau, agreement_id=here.id, period="2027Q4", reason="企业注销"
    )
    detail = get_agreement(session=session, actor=bureau, agreement_id=here.id, today=after)
    assert "complete" in detail.actions
    completed = transition_agreement(
        session=session,
        actor=bureau,
        agreement_id=here.id,
        expected_version=here.version,
        action="complete",
        today=after,
    )
    assert completed.status == AgreementStatus.completed


def test_the_other_county_cannot_waive_nor_remind_through_the_page(session, world):
    _here, there = world
    detail = get_agreement(
        session=session, actor=bureau_actor("140830"), agreement_id=there.id, today=TODAY
    )
    assert (detail.may_remind, detail.may_waive) == (True, True)
    enterprise = get_agreement(
        session=session,
        actor=enterprise_actor(there.enterprise_id),
        agreement_id=there.id,
        today=TODAY,
    )
    assert (enterprise.may_remind, enterprise.may_waive, enterprise.unsettled) == (
        False,
        False,
        [],
    )
