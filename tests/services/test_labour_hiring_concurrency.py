"""Hires by a paired enterprise count into its agreement exactly once, even when two people hire
the same application at once and several applications are hired together (run on SQLite and,
with CUNQI_TEST_DATABASE_URL, on PostgreSQL)."""

import threading
from datetime import date

from sqlmodel import func, select

from app.errors import DomainError
from app.models import Event
from app.models.enums import AgreementStatus
from app.services.labour import hiring
from tests.factories import make_agreement, make_enterprise, make_village
from tests.labour_factories import make_posting, make_supply
from tests.pairing_factories import village_actor
from tests.trade_factories import buyer_actor

HIRED_ON = date(2026, 11, 30)


def test_concurrent_hires_count_each_application_once(fresh_db):
    with fresh_db.unit_of_work() as session:
        village = make_village(session)
        employer = make_enterprise(session)
        agreement = make_agreement(
            session, enterprise=employer, village=village, status=AgreementStatus.active
        )
        posting = make_posting(session, enterprise=employer, head_count=100)
        application_ids = []
        for count in range(1, 7):
            group = make_supply(session, village, head_count=count)
            application = hiring.apply(
                session=session,
                actor=village_actor(village),
                posting_id=posting.id,
                supply_id=group.id,
                data={"head_count": str(count)},
            )
            session.flush()
            application_ids.append(application.id)
        agreement_id = agreement.id
        counts = dict(zip(application_ids, range(1, 7), strict=True))
    actor = buyer_actor(employer)
    # Every application is hired by two threads at once: exactly one of each pair may count.
    attempts = application_ids + application_ids
    start = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def take(application_id: int) -> None:
        start.wait()
        try:
            with fresh_db.unit_of_work() as session:
                hiring.hire(
                    session=session,
                    actor=actor,
                    application_id=application_id,
                    expected_version=1,
                    data={"hired_count": str(counts[application_id]), "hired_on": "2026-11-30"},
                    today=HIRED_ON,
                )
            outcome = "hired"
        except DomainError as exc:
            outcome = exc.code
        except Exception as exc:  # anything else is a failure the assertion shows
            outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=take, args=(i,)) for i in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("hired") == len(application_ids)
    assert set(outcomes) <= {"hired", "stale_version", "invalid_transition"}
    with fresh_db.read_only() as session:
        assert hiring.hires_for_agreement(session, agreement_id) == sum(range(1, 7))
        hires = session.exec(
            select(func.count()).where(Event.action == "labour_application.hire")
        ).one()
        assert hires == len(application_ids)
