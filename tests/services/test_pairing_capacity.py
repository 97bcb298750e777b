"""An enterprise's maximum number of villages holds at propose, plan, sign and file."""

import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.errors import ConflictError
from app.models import PairingAgreement
from app.models.enums import AgreementStatus
from app.services.pairing import (
    file_agreement,
    propose_agreement,
    sign_agreement,
    withdraw_agreement,
)
from tests.factories import make_agreement, make_enterprise, make_village
from tests.pairing_factories import bureau_actor, enterprise_actor, village_actor


@pytest.fixture(autouse=True)
def _in_the_first_quarter_of_2026(today_is):
    """The proposals here start on 1 January 2026: they are made in that quarter."""
    today_is(date(2026, 1, 10))


def _proposal(enterprise, village) -> dict:
    return {
        "enterprise_id": enterprise.id,
        "village_id": village.id,
        "help_kinds": ["industry", "employment"],
        "start_on": "2026-01-01",
        "end_on": "2028-12-31",
        "commit_funding_business": "500,000",
        "commit_jobs": 20,
    }


def _propose(session, enterprise, village=None):
    village = village or make_village(session)
    return propose_agreement(
        session=session, actor=enterprise_actor(enterprise), data=_proposal(enterprise, village)
    )


def test_the_last_place_is_taken_then_a_proposal_is_refused_naming_the_limit(session):
    enterprise = make_enterprise(session, max_villages=2)
    make_agreement(session, enterprise=enterprise, status=AgreementStatus.active)
    _propose(session, enterprise)  # pending counts as taken
    with pytest.raises(ConflictError) as caught:
        _propose(session, enterprise)
    assert caught.value.code == "capacity_reached"
    assert "上限为 2 个" in caught.value.message
    assert "已有 2 个" in caught.value.message


@pytest.mark.parametrize(
    "status",
    [
        AgreementStatus.completed,
        AgreementStatus.terminated,
        AgreementStatus.declined,
        AgreementStatus.withdrawn,
    ],
)
def test_ended_agreements_free_their_place(session, status):
    enterprise = make_enterprise(session, max_villages=1)
    make_agreement(session, enterprise=enterprise, status=status)
    assert _propose(session, enterprise).status == AgreementStatus.proposed


def test_a_withdrawn_proposal_gives_its_place_back(session):
    enterprise = make_enterprise(session, max_villages=1)
    first = _propose(session, enterprise)
    withdraw_agreement(
        session=session,
        actor=enterprise_actor(enterprise),
        agreement_id=first.id,
        expected_version=first.version,
    )
    assert _propose(session, enterprise).status == AgreementStatus.proposed


def _over_the_limit(session):
    """An enterprise whose limit was lowered below its open agreements (e.g. by its profile)."""
    enterprise = make_enterprise(session, max_villages=2)
    village = make_village(session)
    pending = make_agreement(
        session, enterprise=enterprise, village=village, status=AgreementStatus.signed
    )
    for _ in range(2):
        make_agreement(session, enterprise=enterprise, status=AgreementStatus.active)
    return enterprise, village, pending


def test_signing_beyond_the_limit_is_refused(session):
    enterprise = make_enterprise(session, max_villages=1)
    village = make_village(session)
    proposal = make_agreement(
        session, enterprise=enterprise, village=village, status=AgreementStatus.proposed
    )
    make_agreement(session, enterprise=enterprise, status=AgreementStatus.active)
    with pytest.raises(ConflictError) as caught:
        sign_agreement(
            session=session,
            actor=village_actor(village),
            agreement_id=proposal.id,
            expected_version=proposal.version,
        )
    assert caught.value.code == "capacity_reached"
    assert session.get(PairingAgreement, proposal.id).status == AgreementStatus.proposed


def test_filing_beyond_the_limit_is_refused(session):
    _, village, pending = _over_the_limit(session)
    with pytest.raises(ConflictError) as caught:
        file_agreement(
            session=session,
            actor=bureau_actor(village.county_code),
            agreement_id=pending.id,
            expected_version=pending.version,
        )
    assert caught.value.code == "capacity_reached"
    assert "上限为 2 个" in caught.value.message


def test_signing_and_filing_the_last_place_is_allowed(session):
    enterprise = make_enterprise(session, max_villages=2)
    make_agreement(session, enterprise=enterprise, status=AgreementStatus.active)
    village = make_village(session)
    proposal = _propose(session, enterprise, village)
    signed = sign_agreement(
        session=session,
        actor=village_actor(village),
        agreement_id=proposal.id,
        expected_version=proposal.version,
    )
    filed = file_agreement(
        session=session,
        actor=bureau_actor(village.county_code),
        agreement_id=signed.id,
        expected_version=signed.version,
    )
    assert filed.status == AgreementStatus.active


def test_two_proposals_racing_for_the_last_place_exactly_one_wins(fresh_db):
    """Runs on PostgreSQL too when CUNQI_TEST_DATABASE_URL is set (row lock on the enterprise)."""
    with fresh_db.unit_of_work() as session:
        enterprise = make_enterprise(session, max_villages=2)
        make_agreement(session, enterprise=enterprise, status=AgreementStatus.active)
        data = [_proposal(enterprise, make_village(session)) for _ in range(2)]
        actor = enterprise_actor(enterprise)
        enterprise_id = enterprise.id
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def propose(values: dict) -> None:
        barrier.wait()
        try:
            with fresh_db.unit_of_work() as session:
                propose_agreement(session=session, actor=actor, data=values)
            outcomes.append("ok")
        except ConflictError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=propose, args=(values,)) for values in data]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["capacity_reached", "ok"]
    with fresh_db.read_only() as session:
        count = session.exec(
            select(sa.func.count())
            .select_from(PairingAgreement)
            .where(PairingAgreement.enterprise_id == enterprise_id)
        ).one()
        assert count == 2
