import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import Actor, Role
from app.errors import ConflictError, ValidationError
from app.models import Event, PairingAgreement
from app.services.inputs import InputErrors
from app.services.numbering import next_value
from app.services.pairing import propose_agreement, revise_proposal
from tests.factories import make_enterprise, make_village


@pytest.fixture(autouse=True)
def _in_the_first_quarter_of_2026(today_is):
    """The proposals here start on 1 January 2026: they are made in that quarter."""
    today_is(date(2026, 1, 10))


def _as(enterprise) -> Actor:
    return Actor(role=Role.enterprise, user_id=None, name="企业职员", enterprise_id=enterprise.id)


def _proposal(enterprise, village, **overrides) -> dict:
    return {
        "enterprise_id": enterprise.id,
        "village_id": village.id,
        "help_kinds": ["industry", "employment"],
        "start_on": "2026-01-01",
        "end_on": "2028-12-31",
        "commit_funding_business": "500,000",
        "commit_jobs": 20,
    } | overrides


def _revision(**overrides) -> dict:
    return {
        "help_kinds": ["employment"],
        "start_on": date(2026, 1, 1),
        "end_on": date(2028, 12, 31),
        "commit_jobs": 25,
    } | overrides


def test_propose_numbers_the_agreement_and_records_an_event(session):
    enterprise, village = make_enterprise(session), make_village(session)
    first = propose_agreement(
        session=session, actor=_as(enterprise), data=_proposal(enterprise, village)
    )
    other = make_village(session)
    second = propose_agreement(
        session=session, actor=_as(enterprise), data=_proposal(enterprise, other)
    )
    assert (first.number, second.number) == ("JD-2026-000001", "JD-2026-000002")
    assert first.status == "proposed"
    # Amounts are typed in 元 and stored in 分.
    assert (first.commit_funding_business_fen, first.commit_jobs) == (50_000_000, 20)
    assert session.exec(select(Event.action)).all() == ["agreement.propose", "agreement.propose"]


def test_a_second_open_proposal_for_the_same_village_is_refused(session):
    enterprise, village = make_enterprise(session), make_village(session)
    propose_agreement(session=session, actor=_as(enterprise), data=_proposal(enterprise, village))
    with pytest.raises(ConflictError) as caught:
        propose_agreement(
            session=session, actor=_as(enterprise), data=_proposal(enterprise, village)
        )
    assert caught.value.code == "duplicate_pairing"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_on": "2025-12-31"}, "结束日期应晚于开始日期"),
        ({"end_on": "2026-06-30"}, "帮扶期限应为 1 至 5 年"),
        ({"end_on": "2032-01-01"}, "帮扶期限应为 1 至 5 年"),
        ({"end_on": "2031-01-01"}, "帮扶期限应为 1 至 5 年"),
        ({"end_on": "2026-12-30"}, "帮扶期限应为 1 至 5 年"),
        ({"commit_purchase": "1.234"}, "采购帮销金额最多保留两位小数（精确到分）"),
        ({"help_kinds": []}, "请至少选择一项帮扶方式"),
    ],
)
def test_bad_terms_are_refused_and_write_nothing(session, overrides, message):
    enterprise, village = make_enterprise(session), make_village(session)
    with pytest.raises(ValidationError) as caught:
        propose_agreement(
            session=session, actor=_as(enterprise), data=_proposal(enterprise, village, **overrides)
        )
    assert caught.value.message == message
    assert session.exec(select(sa.func.count()).select_from(PairingAgreement)).one() == 0


def test_revising_with_the_version_seen_succeeds_and_bumps_it(session):
    enterprise, village = make_enterprise(session), make_village(session)
    agreement = propose_agreement(
        session=session, actor=_as(enterprise), data=_proposal(enterprise, village)
    )
    session.flush()
    revised = revise_proposal(
        session=session,
        actor=_as(enterprise),
        agreement_id=agreement.id,
        expected_version=1,
        data=_revision(),
    )
    assert (revised.version, revised.commit_jobs, revised.help_kinds) == (2, 25, 2)
    event = session.exec(select(Event).where(Event.action == "agreement.revise")).one()
    assert (event.before["commit_jobs"], event.after["commit_jobs"]) == (20, 25)


def test_second_editor_with_a_stale_form_gets_a_conflict_and_the_first_value_stands(fresh_db):
    with fresh_db.unit_of_work() as session:
        enterprise, village = make_enterprise(session), make_village(session)
        agreement_id = propose_agreement(
            session=session, actor=_as(enterprise), data=_proposal(enterprise, village)
        ).id
    # Both people opened the edit form at version 1.
    with fresh_db.unit_of_work() as session:
        revise_proposal(
            session=session,
            actor=_as(enterprise),
            agreement_id=agreement_id,
            expected_version=1,
            data=_revision(commit_jobs=30),
        )
    with pytest.raises(ConflictError) as caught, fresh_db.unit_of_work() as session:
        revise_proposal(
            session=session,
            actor=_as(enterprise),
            agreement_id=agreement_id,
            expected_version=1,
            data=_revision(commit_jobs=99),
        )
    assert caught.value.message == "该协议已被他人修改，请刷新后再试"
    with fresh_db.read_only() as session:
        agreement = session.get(PairingAgreement, agreement_id)
        assert (agreement.commit_jobs, agreement.version) == (30, 2)
        actions = session.exec(select(Event.action).order_by(Event.id)).all()
        assert actions == ["agreement.propose", "agreement.revise"]


def test_interleaved_transactions_cannot_overwrite_each_other(fresh_db):
    """Both load version 1 in their own transactions; the later flush is refused."""
    if fresh_db.is_sqlite:
        pytest.skip("SQLite writers are serialised by BEGIN IMMEDIATE; they cannot interleave")
    with fresh_db.unit_of_work() as session:
        enterprise, village = make_enterprise(session), make_village(session)
        agreement_id = propose_agreement(
            session=session, actor=_as(enterprise), data=_proposal(enterprise, village)
        ).id
    with fresh_db.unit_of_work() as first, fresh_db.unit_of_work() as second:
        first.get(PairingAgreement, agreement_id)
        second.get(PairingAgreement, agreement_id)
        revise_proposal(
            session=first,
            actor=_as(enterprise),
            agreement_id=agreement_id,
            expected_version=1,
            data=_revision(commit_jobs=30),
        )
        first.commit()
        with pytest.raises(ConflictError):
            revise_proposal(
                session=second,
                actor=_as(enterprise),
                agreement_id=agreement_id,
                expected_version=1,
                data=_revision(commit_jobs=99),
            )
        second.rollback()
    with fresh_db.read_only() as session:
        assert session.get(PairingAgreement, agreement_id).commit_jobs == 30


def test_concurrent_numbering_never_repeats_a_number(fresh_db):
    values: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(15):
            with fresh_db.unit_of_work() as session:
                value = next_value(session, "agreement:2026")
            with lock:
                values.append(value)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(values) == list(range(1, 61))


def test_missing_fields_are_reported_per_field(session):
    with pytest.raises(InputErrors) as caught:
        propose_agreement(session=session, actor=_as(make_enterprise(session)), data={})
    assert {e.field for e in caught.value.errors} == {
        "help_kinds",
        "start_on",
        "end_on",
        "enterprise_id",
        "village_id",
        "commit_beneficiaries",  # nothing committed: the commitment rule's error, at once
    }


@pytest.mark.parametrize("end_on", ["2026-12-31", "2030-12-31"])
def test_whole_years_from_one_to_five_are_accepted(session, end_on):
    enterprise, village = make_enterprise(session), make_village(session)
    agreement = propose_agreement(
        session=session, actor=_as(enterprise), data=_proposal(enterprise, village, end_on=end_on)
    )
    assert agreement.end_on == date.fromisoformat(end_on)


def test_a_double_submitted_proposal_makes_one_agreement(fresh_db):
    with fresh_db.unit_of_work() as session:
        enterprise, village = make_enterprise(session), make_village(session)
        data = _proposal(enterprise, village)
        actor = _as(enterprise)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def propose() -> None:
        barrier.wait()
        try:
            with fresh_db.unit_of_work() as session:
                propose_agreement(session=session, actor=actor, data=data)
            outcomes.append("ok")
        except ConflictError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=propose) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["duplicate_pairing", "ok"]
    with fresh_db.read_only() as session:
        assert session.exec(select(sa.func.count()).select_from(PairingAgreement)).one() == 1
