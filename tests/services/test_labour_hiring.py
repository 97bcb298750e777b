"""劳务对接: apply (the village, for a group), interview, hire, the stable-employment checks at 3
and 6 months (due dates from the hire date, across quarter and year boundaries), notices, to-dos,
and hires by a paired enterprise counted into its agreement."""

from datetime import date

import pytest
from sqlmodel import select

from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import Event, Notification
from app.models.enums import AgreementStatus
from app.models.labour import ApplicationStatus
from app.services import clock, inbox
from app.services.labour import hiring
from tests.factories import make_agreement, make_cooperative, make_enterprise, make_village
from tests.labour_factories import make_posting, make_supply
from tests.pairing_factories import village_actor
from tests.trade_factories import buyer_actor, cooperative_actor

HIRED_ON = date(2026, 11, 30)


def _world(session, *, paired: bool = False):
    village = make_village(session)
    employer = make_enterprise(session)
    if paired:
        make_agreement(session, enterprise=employer, village=village, status=AgreementStatus.active)
    group = make_supply(session, village, head_count=12)
    posting = make_posting(session, enterprise=employer)
    return village, employer, group, posting


def _apply(session, village, group, posting, count="10"):
    return hiring.apply(
        session=session,
        actor=village_actor(village),
        posting_id=posting.id,
        supply_id=group.id,
        data={"head_count": count},
    )


def _hire(session, employer, application, count="8", on=HIRED_ON, today=HIRED_ON):
    return hiring.hire(
        session=session,
        actor=buyer_actor(employer),
        application_id=application.id,
        expected_version=application.version,
        data={"hired_count": count, "hired_on": on.isoformat()},
        today=today,
    )


def test_apply_interview_hire_with_notices(session):
    village, employer, group, posting = _world(session)
    application = _apply(session, village, group, posting)
    assert (application.status, application.enterprise_id) == ("applied", employer.id)
    hiring.invite(
        session=session,
        actor=buyer_actor(employer),
        application_id=application.id,
        expected_version=1,
        data={"interview_on": "2026-12-05"},
    )
    hired = _hire(session, employer, application)
    assert (hired.status, hired.hired_count, hired.agreement_id) == ("hired", 8, None)
    assert (hired.check_3_due, hired.check_6_due) == (date(2027, 2, 28), date(2027, 5, 30))
    actions = session.exec(select(Event.action).order_by(Event.id)).all()
    assert actions == [
        "labour_application.apply",
        "labour_application.invite",
        "labour_application.hire",
    ]
    notices = session.exec(
        select(Notification.kind, Notification.recipient_kind).order_by(Notification.id)
    ).all()
    assert notices == [
        ("labour_application.apply", "enterprise"),
        ("labour_application.invite", "village"),
        ("labour_application.hire", "village"),
    ]


def test_only_the_groups_village_applies_and_only_the_employer_hires(session):
    village, employer, group, posting = _world(session)
    with pytest.raises(PermissionDeniedError):
        _apply(session, make_village(session), group, posting)
    application = _apply(session, village, group, posting)
    with pytest.raises(PermissionDeniedError):
        _hire(session, make_enterprise(session), application)
    with pytest.raises(PermissionDeniedError):
        hiring.withdraw(
            session=session,
            actor=buyer_actor(employer),
            application_id=application.id,
            expected_version=1,
        )


def test_bad_counts_and_repeated_applications_are_refused(session):
    village, employer, group, posting = _world(session)
    with pytest.raises(ValidationError) as caught:
        _apply(session, village, group, posting, count="13")
    assert caught.value.message == "报名人数不能超过该组的 12 人"
    application = _apply(session, village, group, posting)
    with pytest.raises(ConflictError) as twice:
        _apply(session, village, group, posting)
    assert twice.value.code == "already_applied"
    with pytest.raises(ValidationError) as too_many:
        _hire(session, employer, application, count="11")
    assert too_many.value.field == "hired_count"
    with pytest.raises(ValidationError):
        _hire(session, employer, application, on=date(2026, 12, 1))
    assert session.get(type(application), application.id).status == "applied"


def test_a_cooperative_hires_from_its_own_village(session):
    village = make_village(session)
    cooperative = make_cooperative(session, village=village)
    group = make_supply(session, village)
    posting = make_posting(session, cooperative=cooperative)
    application = _apply(session, village, group, posting, count="3")
    hired = hiring.hire(
        session=session,
        actor=cooperative_actor(cooperative),
        application_id=application.id,
        expected_version=1,
        data={"hired_count": "3", "hired_on": "2026-11-01"},
        today=HIRED_ON,
    )
    assert (hired.status, hired.agreement_id) == ("hired", None)


@pytest.mark.parametrize(
    ("hired_on", "due_3", "due_6"),
    [
        (date(2026, 11, 30), date(2027, 2, 28), date(2027, 5, 30)),  # into the next year
        (date(2026, 8, 31), date(2026, 11, 30), date(2027, 2, 28)),  # Q3 → Q4 → next Q1
        (date(2027, 3, 31), date(2027, 6, 30), date(2027, 9, 30)),  # quarter ends
    ],
)
def test_checks_fall_due_across_quarter_boundaries(session, hired_on, due_3, due_6):
    village, employer, group, posting = _world(session)
    application = _apply(session, village, group, posting)
    _hire(session, employer, application, on=hired_on, today=hired_on)
    assert (application.check_3_due, application.check_6_due) == (due_3, due_6)
    actor = village_actor(village)

    def confirm(count, today):
        return hiring.confirm_check(
            session=session,
            actor=actor,
            application_id=application.id,
            expected_version=application.version,
            data={"count": count},
            today=today,
        )

    def due_todos(today):
        kinds = [k for k in inbox.kinds_for(actor) if k.key == "labour_checks_due"]
        (kind,) = kinds
        return session.execute(kind.query(actor, today)).all()

    eve = date.fromordinal(due_3.toordinal() - 1)
    assert due_todos(eve) == []
    with pytest.raises(ConflictError) as early:
        confirm("8", eve)
    assert early.value.code == "check_not_due"
    assert len(due_todos(due_3)) == 1
    confirm("7", due_3)
    assert (application.status, application.retained_count) == ("retained", 7)
    assert due_todos(due_3) == []
    with pytest.raises(ConflictError):
        confirm("7", date.fromordinal(due_6.toordinal() - 1))
    with pytest.raises(ValidationError):
        confirm("8", due_6)
    assert len(due_todos(due_6)) == 1
    confirm("6", due_6)
    assert (application.status, application.stable_count) == (ApplicationStatus.stable, 6)
    assert due_todos(due_6) == []


def test_the_due_dates_come_from_the_clock():
    assert clock.add_months(date(2026, 12, 31), 3) == date(2027, 3, 31)
    assert clock.add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_a_paired_enterprises_hire_counts_into_its_agreement(session):
    village, employer, group, posting = _world(session, paired=True)
    application = _apply(session, village, group, posting)
    hired = _hire(session, employer, application)
    assert hired.agreement_id is not None
    assert hiring.hires_for_agreement(session, hired.agreement_id) == 8
    # A second group hired under the same agreement adds; a declined one does not.
    other = make_supply(session, village, head_count=5)
    second = _apply(session, village, other, posting, count="5")
    _hire(session, employer, second, count="4")
    third = _apply(session, village, make_supply(session, village), posting, count="2")
    hiring.decline(
        session=session, actor=buyer_actor(employer), application_id=third.id, expected_version=1
    )
    assert hiring.hires_for_agreement(session, hired.agreement_id) == 12


def test_the_employers_to_do_lists_waiting_applications(session):
    village, employer, group, posting = _world(session)
    actor = buyer_actor(employer)
    (kind,) = [k for k in inbox.kinds_for(actor) if k.key == "labour_applications_enterprise"]
    assert session.execute(kind.query(actor, HIRED_ON)).all() == []
    application = _apply(session, village, group, posting)
    assert len(session.execute(kind.query(actor, HIRED_ON)).all()) == 1
    _hire(session, employer, application)
    assert session.execute(kind.query(actor, HIRED_ON)).all() == []
