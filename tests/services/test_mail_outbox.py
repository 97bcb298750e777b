"""Email of notifications against a real local SMTP server (aiosmtpd) started by the tests."""

import socket
from datetime import date, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from app.actors import SYSTEM
from app.config import Settings, get_settings
from app.jobs import JobRunner
from app.models import CertificationApplication, Job, MailMessage, Notification, Product
from app.models.base import utcnow
from app.models.enums import CertificationStatus, UserRole
from app.services import accounts, mail, notifications
from app.services.pairing.lifecycle import transition_agreement
from tests.factories import make_agreement, make_cooperative
from tests.pairing_factories import village_actor
from tests.trade_factories import make_listed_product


class Inbox:
    """What the SMTP server received."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refused@"):
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    """A local SMTP server on a port of its own, not yet started (tests start and stop it)."""
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=_free_port())
    controller.received = received
    yield controller
    if controller._thread is not None:
        controller.stop()
    controller.loop.close()


@pytest.fixture
def mail_settings(smtp, monkeypatch):
    """Email switched on and pointed at the test server, for services reading get_settings()."""
    monkeypatch.setenv("CUNQI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CUNQI_SMTP_PORT", str(smtp.port))
    monkeypatch.setenv("CUNQI_SMTP_TIMEOUT_SECONDS", "2")
    from app.config import get_settings

    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def _subscribe(session, enterprise_id, username, address):
    user = accounts.create_user(
        session=session,
        actor=SYSTEM,
        account={"username": username, "display_name": username, "password": "Huanghe2026"},
        role=UserRole.enterprise,
        enterprise_id=enterprise_id,
    )
    actor = accounts.actor_for(user)
    notifications.set_mail_address(session=session, actor=actor, address=address)


def _sign(db, agreement_id, village_id, *, run_jobs=True):
    """Sign the agreement, then run the jobs it queued as a worker would."""
    with db.unit_of_work() as session:
        transition_agreement(
            session=session,
            actor=village_actor(village_id),
            agreement_id=agreement_id,
            expected_version=1,
            action="sign",
        )
    if run_jobs:
        JobRunner(db, get_settings()).run_pending(periodic=False)


def _world(db):
    with db.unit_of_work() as session:
        agreement = make_agreement(session)
        _subscribe(session, agreement.enterprise_id, "qiye1", "qiye1@example.cn")
        _subscribe(session, agreement.enterprise_id, "qiye2", "qiye2@example.cn")
        return agreement.id, agreement.village_id


def _outbox(db):
    with db.read_only() as session:
        return session.exec(select(MailMessage).order_by(MailMessage.id)).all()


def _subject(envelope) -> str:
    return str(make_header(decode_header(message_from_bytes(envelope.content)["Subject"])))


def test_mail_is_sent_after_commit_to_each_subscribed_staff_member(fresh_db, smtp, mail_settings):
    agreement_id, village_id = _world(fresh_db)
    smtp.start()
    _sign(fresh_db, agreement_id, village_id)
    rows = _outbox(fresh_db)
    assert [(m.recipient, m.attempts, m.sent_at is not None) for m in rows] == [
        ("qiye1@example.cn", 1, True),
        ("qiye2@example.cn", 1, True),
    ]
    assert sorted(e.rcpt_tos[0] for e in smtp.received.messages) == [
        "qiye1@example.cn",
        "qiye2@example.cn",
    ]
    assert _subject(smtp.received.messages[0]) == "【村企通】结对提议已签约"
    with fresh_db.read_only() as session:
        note = session.exec(select(Notification)).one()
    assert {m.notification_id for m in rows} == {note.id}
    assert f"/agreements/{agreement_id}" in rows[0].body


def test_the_action_only_queues_its_mail_and_a_job_sends_it(fresh_db, smtp, mail_settings):
    agreement_id, village_id = _world(fresh_db)
    smtp.start()
    _sign(fresh_db, agreement_id, village_id, run_jobs=False)
    assert [(m.attempts, m.sent_at) for m in _outbox(fresh_db)] == [(0, None), (0, None)]
    assert smtp.received.messages == []
    with fresh_db.read_only() as session:
        [job] = session.exec(select(Job).where(Job.kind == mail.DELIVER_KIND)).all()
    assert (job.state, job.period_start) == ("queued", None)
    assert JobRunner(fresh_db, mail_settings).run_pending(periodic=False) == 1
    assert len(smtp.received.messages) == 2
    with fresh_db.read_only() as session:
        assert session.get(Job, job.id).state == "done"


def test_with_the_server_down_the_action_succeeds_and_mail_goes_out_once_it_is_back(
    fresh_db, smtp, mail_settings
):
    agreement_id, village_id = _world(fresh_db)
    # The server is not running: the action still commits.
    _sign(fresh_db, agreement_id, village_id)
    rows = _outbox(fresh_db)
    assert [(m.attempts, m.sent_at) for m in rows] == [(1, None), (1, None)]
    assert all(m.last_error.startswith("ConnectionRefusedError") for m in rows)
    assert all(m.next_attempt_at > utcnow() for m in rows)
    # Before the retry time nothing is attempted, even with the server back.
    smtp.start()
    assert mail.deliver_due(fresh_db.engine, mail_settings) == 0
    assert smtp.received.messages == []
    # The periodic retry sends them once due, and never again.
    later = utcnow() + timedelta(minutes=2)
    assert mail.deliver_due(fresh_db.engine, mail_settings, now=later) == 2
    assert mail.deliver_due(fresh_db.engine, mail_settings, now=later) == 0
    assert len(smtp.received.messages) == 2
    assert [(m.attempts, m.sent_at is not None) for m in _outbox(fresh_db)] == [
        (2, True),
        (2, True),
    ]


def test_failed_attempts_back_off_and_stop_after_the_limit(fresh_db, smtp, mail_settings):
    agreement_id, village_id = _world(fresh_db)
    _sign(fresh_db, agreement_id, village_id)
    now = utcnow()
    for attempt in range(2, mail.MAX_ATTEMPTS + 1):
        now += mail.retry_delay(attempt - 1)
        assert mail.deliver_due(fresh_db.engine, mail_settings, now=now) == 0
        assert {m.attempts for m in _outbox(fresh_db)} == {attempt}
    smtp.start()
    assert mail.deliver_due(fresh_db.engine, mail_settings, now=now + timedelta(days=1)) == 0
    assert smtp.received.messages == []
    assert [mail.retry_delay(n) for n in (1, 2, 3, 10)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=6),
    ]


def test_email_is_off_without_smtp_settings(fresh_db, smtp):
    agreement_id, village_id = _world(fresh_db)
    _sign(fresh_db, agreement_id, village_id)
    assert _outbox(fresh_db) == []
    off = Settings(secret_key="x" * 40)
    assert off.mail_enabled is False
    assert mail.deliver_due(fresh_db.engine, off) == 0


def test_the_periodic_job_ends_due_notice_periods_and_retries_mail(fresh_db, smtp, mail_settings):
    agreement_id, village_id = _world(fresh_db)
    _sign(fresh_db, agreement_id, village_id)  # server down: the mail waits
    with fresh_db.unit_of_work() as session:
        cooperative = make_cooperative(session)
        product = make_listed_product(session, cooperative=cooperative)
        application = CertificationApplication(
            product_id=product.id,
            status=CertificationStatus.publicised,
            expires_on=date(2027, 6, 30),
            notice_ends_at=utcnow() - timedelta(seconds=1),
        )
        session.add(application)
        session.flush()
        application_id, product_id = application.id, product.id
    with fresh_db.unit_of_work() as session:
        for message in session.exec(select(MailMessage)).all():
            message.next_attempt_at = utcnow() - timedelta(seconds=1)
    smtp.start()
    JobRunner(fresh_db, mail_settings).run_pending()
    with fresh_db.read_only() as session:
        assert session.get(CertificationApplication, application_id).status == "approved"
        assert session.get(Product, product_id).assistance_certified_until == date(2027, 6, 30)
    assert len(smtp.received.messages) == 2


def test_a_refused_recipient_fails_alone_and_the_others_are_sent(fresh_db, smtp, mail_settings):
    with fresh_db.unit_of_work() as session:
        agreement = make_agreement(session)
        _subscribe(session, agreement.enterprise_id, "qiye1", "refused@example.cn")
        _subscribe(session, agreement.enterprise_id, "qiye2", "qiye2@example.cn")
        agreement_id, village_id = agreement.id, agreement.village_id
    smtp.start()
    _sign(fresh_db, agreement_id, village_id)
    rows = _outbox(fresh_db)
    assert [(m.recipient, m.sent_at is not None) for m in rows] == [
        ("refused@example.cn", False),
        ("qiye2@example.cn", True),
    ]
    assert rows[0].last_error.startswith("SMTPRecipientsRefused")
    assert [e.rcpt_tos for e in smtp.received.messages] == [["qiye2@example.cn"]]
