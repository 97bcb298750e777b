"""The agreement lifecycle: every transition, allowed and forbidden per role, state and version."""

import threading
from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import ANONYMOUS, Actor
from app.db import Database
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import Enterprise, Event, PairingAgreement, SearchOutbox, Village
from app.models.enums import AgreementStatus, ReportStatus
from app.services.pairing.lifecycle import allowed_actions, transition_agreement
from tests.factories import make_county, make_enterprise, make_village
from tests.pairing_factories import (
    ADMIN,
    bureau_actor,
    enterprise_actor,
    make_active,
    make_report,
    village_actor,
)

A = AgreementStatus
# After the 2026–2027 term of make_active: completing is possible.
AFTER_TERM = date(2028, 1, 5)


@dataclass
class Parties:
    enterprise: Enterprise
    village: Village
    other_enterprise: Enterprise
    other_village: Village

    def actor(self, name: str) -> Actor:
        return {
            "enterprise": enterprise_actor(self.enterprise),
            "other_enterprise": enterprise_actor(self.other_enterprise),
            "village": village_actor(self.village),
            "other_village": village_actor(self.other_village),
            "county_bureau": bureau_actor("140829"),
            "city_bureau": bureau_actor("140800"),
            "other_bureau": bureau_actor("140830"),
            "admin": ADMIN,
            "anonymous": ANONYMOUS,
        }[name]

    def agreement(self, session: Session, status: A, **overrides) -> PairingAgreement:
        return make_active(
            session, enterprise=self.enterprise, village=self.village, status=status, **overrides
        )


ACTOR_NAMES = (
    "enterprise",
    "other_enterprise",
    "village",
    "other_village",
    "county_bureau",
    "city_bureau",
    "other_bureau",
    "admin",
    "anonymous",
)
BUREAUS = frozenset({"county_bureau", "city_bureau"})
# action, from, to, timestamp column, who may
CASES = [
    ("sign", A.proposed, A.signed, "signed_at", frozenset({"village"})),
    ("decline", A.proposed, A.declined, "ended_at", frozenset({"village"})),
    ("withdraw", A.proposed, A.withdrawn, "ended_at", frozenset({"enterprise"})),
    ("file", A.signed, A.active, "filed_at", BUREAUS),
    ("terminate", A.signed, A.terminated, "ended_at", BUREAUS | {"enterprise", "village"}),
    ("terminate", A.active, A.terminated, "ended_at", BUREAUS | {"enterprise", "village"}),
    ("complete", A.active, A.completed, "ended_at", BUREAUS),
]


@pytest.fixture
def parties(session) -> Parties:
    make_county(session, code="140830", name="芮城县", category="overall")
    return Parties(
        make_enterprise(session),
        make_village(session),
        make_enterprise(session),
        make_village(session),
    )


def _count(session, model) -> int:
    return session.exec(select(sa.func.count()).select_from(model)).one()


def _ready(session, parties: Parties, status: A) -> PairingAgreement:
    agreement = parties.agreement(session, status)
    if status == A.active:
        # Every quarter's report is verified, so the agreement may be completed after its term.
        for year in (2026, 2027):
            for quarter in (1, 2, 3, 4):
                make_report(session, agreement, year, quarter, status=ReportStatus.verified)
    return agreement


@pytest.mark.parametrize("who", ACTOR_NAMES)
@pytest.mark.parametrize(
    ("action", "source", "target", "stamp", "allowed"), CASES, ids=lambda v: str(v)
)
def test_each_transition_is_taken_only_by_those_allowed(
    session, parties, who, action, source, target, stamp, allowed
):
    agreement = _ready(session, parties, source)
    events_before = _count(session, Event)

    def act():
        return transition_agreement(
            session=session,
            actor=parties.actor(who),
            agreement_id=agreement.id,
            expected_version=1,
            action=action,
            reason="村里另有安排",
            today=AFTER_TERM,
        )

    if who in allowed:
        result = act()
        assert (result.status, result.version) == (target, 2)
        assert getattr(result, stamp) is not None
        event = session.exec(select(Event).order_by(Event.id.desc())).first()
        assert (event.action, event.object_id, event.county_code) == (
            f"agreement.{action}",
            str(agreement.id),
            "140829",
        )
        assert (event.before["status"], event.after["status"]) == (source, target)
        assert session.exec(select(SearchOutbox.doc_id)).all()[-1] == parties.village.id
        return
    with pytest.raises(PermissionDeniedError):
        act()
    session.refresh(agreement)
    assert (agreement.status, agreement.version) == (source, 1)
    assert _count(session, Event) == events_before


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("sign", A.active, "协议当前为“履行中”，不能签约"),
        ("decline", A.signed, "协议当前为“待备案”，不能婉拒"),
        ("withdraw", A.signed, "协议当前为“待备案”，不能撤回"),
        ("file", A.proposed, "协议当前为“待签约”，不能备案"),
        ("complete", A.signed, "协议当前为“待备案”，不能办结"),
        ("terminate", A.completed, "协议当前为“已完成”，不能终止"),
        ("terminate", A.proposed, "协议当前为“待签约”，不能终止"),
    ],
)
def test_a_transition_from_the_wrong_state_is_a_conflict(session, parties, action, status, message):
    agreement = parties.agreement(session, status)
    who = {"sign": "village", "decline": "village", "withdraw": "enterprise"}.get(
        action, "county_bureau"
    )
    with pytest.raises(ConflictError) as caught:
        transition_agreement(
            session=session,
            actor=parties.actor(who),
            agreement_id=agreement.id,
            expected_version=1,
            action=action,
            reason="理由",
            today=AFTER_TERM,
        )
    assert (caught.value.code, caught.value.message) == ("invalid_state", message)


def test_a_stale_version_is_a_conflict_and_changes_nothing(session, parties):
    agreement = parties.agreement(session, A.proposed)
    with pytest.raises(ConflictError) as caught:
        transition_agreement(
            session=session,
            actor=parties.actor("village"),
            agreement_id=agreement.id,
            expected_version=2,
            action="sign",
        )
    assert caught.value.message == "该协议已被他人修改，请刷新后再试"
    assert agreement.status == A.proposed
    assert _count(session, Event) == 0


def test_termination_needs_a_reason_which_is_kept(session, parties):
    agreement = parties.agreement(session, A.active)
    with pytest.raises(ValidationError) as caught:
        transition_agreement(
            session=session,
            actor=parties.actor("enterprise"),
            agreement_id=agreement.id,
            expected_version=1,
            action="terminate",
            reason="   ",
        )
    assert (caught.value.field, caught.value.message) == ("reason", "请填写终止原因")
    terminated = transition_agreement(
        session=session,
        actor=parties.actor("enterprise"),
        agreement_id=agreement.id,
        expected_version=1,
        action="terminate",
        reason="企业经营困难",
    )
    assert terminated.status_reason == "企业经营困难"
    event = session.exec(select(Event)).one()
    assert event.summary == f"结对协议 {agreement.number} 提前终止：企业经营困难"


def test_declining_without_a_reason_is_allowed(session, parties):
    agreement = parties.agreement(session, A.proposed)
    declined = transition_agreement(
        session=session,
        actor=parties.actor("village"),
        agreement_id=agreement.id,
        expected_version=1,
        action="decline",
    )
    assert (declined.status, declined.status_reason) == (A.declined, "")


ALL_QUARTERS = "、".join(f"{y}年第{q}季度" for y in (2026, 2027) for q in (1, 2, 3, 4))
EARLIER_QUARTERS = ALL_QUARTERS.removesuffix("、2027年第4季度")


@pytest.mark.parametrize(
    ("today", "report_status", "code", "message"),
    [
        (
            date(2027, 12, 30),
            ReportStatus.verified,
            "term_not_ended",
            "协议期限至 2027年12月31日，期满后才能办结",
        ),
        (
            date(2027, 12, 31),
            None,
            "quarters_unsettled",
            f"以下季度尚无核实的成效报告，也未免报，不能办结：{ALL_QUARTERS}",
        ),
        (
            date(2028, 3, 1),
            ReportStatus.confirmed,
            "quarters_unsettled",
            f"以下季度尚无核实的成效报告，也未免报，不能办结：{ALL_QUARTERS}",
        ),
        (
            date(2028, 3, 1),
            ReportStatus.verified,
            "quarters_unsettled",
            f"以下季度尚无核实的成效报告，也未免报，不能办结：{EARLIER_QUARTERS}",
        ),
    ],
)
def test_completion_waits_for_the_end_of_the_term_and_every_quarter_settled(
    session, parties, today, report_status, code, message
):
    agreement = parties.agreement(session, A.active)
    if report_status is not None:
        make_report(session, agreement, 2027, 4, status=report_status)
    with pytest.raises(ValidationError) as caught:
        transition_agreement(
            session=session,
            actor=parties.actor("county_bureau"),
            agreement_id=agreement.id,
            expected_version=1,
            action="complete",
            today=today,
        )
    assert (caught.value.code, caught.value.message) == (code, message)


def test_completion_on_the_last_day_of_the_term(session, parties):
    agreement = _ready(session, parties, A.active)
    completed = transition_agreement(
        session=session,
        actor=parties.actor("county_bureau"),
        agreement_id=agreement.id,
        expected_version=1,
        action="complete",
        today=date(2027, 12, 31),
    )
    assert completed.status == A.completed


def test_an_unknown_action_is_refused(session, parties):
    agreement = parties.agreement(session, A.proposed)
    with pytest.raises(ValidationError):
        transition_agreement(
            session=session,
            actor=parties.actor("village"),
            agreement_id=agreement.id,
            expected_version=1,
            action="approve",
        )


@pytest.mark.parametrize(
    ("status", "who", "expected"),
    [
        (A.proposed, "village", ["sign", "decline"]),
        (A.proposed, "enterprise", ["revise", "withdraw"]),
        (A.proposed, "county_bureau", []),
        (A.signed, "county_bureau", ["file", "return", "terminate"]),
        (A.signed, "other_bureau", []),
        # No commitments yet: accepting or resubmitting is not offered until they are revised.
        (A.draft, "enterprise", ["refuse", "revise"]),
        (A.draft, "village", []),
        (A.returned, "enterprise", ["revise", "withdraw"]),
        (A.returned, "county_bureau", []),
        (A.active, "enterprise", ["terminate"]),
        (A.active, "city_bureau", ["terminate"]),
        (A.completed, "county_bureau", []),
        (A.active, "admin", []),
    ],
)
def test_allowed_actions_offer_exactly_what_the_service_accepts(
    session, parties, status, who, expected
):
    agreement = parties.agreement(session, status)
    assert allowed_actions(parties.actor(who), agreement, "140829", completable=False) == expected


def test_complete_is_offered_only_when_completable(session, parties):
    agreement = parties.agreement(session, A.active)
    bureau = parties.actor("county_bureau")
    assert allowed_actions(bureau, agreement, "140829", completable=True) == [
        "complete",
        "terminate",
    ]


# Concurrency ---------------------------------------------------------------------------------


def _race(database: Database, agreement_id: int, attempts: list[tuple[Actor, str]]) -> list:
    """Run the transitions at the same moment, each in its own unit of work.

    On PostgreSQL each thread first reads the agreement (version 1), so both really hold the
    same version when they write; SQLite serialises writers, so there they simply start together.
    """
    barrier = threading.Barrier(len(attempts), timeout=10)
    outcomes: list = [None] * len(attempts)

    def run(index: int, actor: Actor, action: str) -> None:
        try:
            if database.is_sqlite:
                barrier.wait()
            with database.unit_of_work() as session:
                if not database.is_sqlite:
                    session.get(PairingAgreement, agreement_id)
                    barrier.wait()
                transition_agreement(
                    session=session,
                    actor=actor,
                    agreement_id=agreement_id,
                    expected_version=1,
                    action=action,
                    reason="重复操作",
                )
            outcomes[index] = "ok"
        except ConflictError as exc:
            outcomes[index] = exc

    threads = [
        threading.Thread(target=run, args=(i, actor, action))
        for i, (actor, action) in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _committed(database: Database) -> tuple[PairingAgreement, list[str]]:
    with database.read_only() as session:
        agreement = session.exec(select(PairingAgreement)).one()
        actions = session.exec(select(Event.action).order_by(Event.id)).all()
        return agreement, list(actions)


def _fresh_agreement(database: Database, status: A) -> tuple[int, Parties]:
    with database.unit_of_work() as session:
        parties = Parties(
            make_enterprise(session),
            make_village(session),
            make_enterprise(session),
            make_village(session),
        )
        agreement_id = parties.agreement(session, status).id
    return agreement_id, parties


def test_a_double_click_on_sign_signs_once(fresh_db):
    agreement_id, parties = _fresh_agreement(fresh_db, A.proposed)
    village = parties.actor("village")
    outcomes = _race(fresh_db, agreement_id, [(village, "sign"), (village, "sign")])
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    conflict = next(o for o in outcomes if o != "ok")
    assert conflict.message == "该协议已被他人修改，请刷新后再试"
    agreement, actions = _committed(fresh_db)
    assert (agreement.status, agreement.version) == (A.signed, 2)
    assert actions == ["agreement.sign"]


def test_sign_and_withdraw_at_once_leave_exactly_one_result(fresh_db):
    agreement_id, parties = _fresh_agreement(fresh_db, A.proposed)
    outcomes = _race(
        fresh_db,
        agreement_id,
        [(parties.actor("village"), "sign"), (parties.actor("enterprise"), "withdraw")],
    )
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    agreement, actions = _committed(fresh_db)
    winner = "sign" if outcomes[0] == "ok" else "withdraw"
    assert agreement.status == {"sign": A.signed, "withdraw": A.withdrawn}[winner]
    assert actions == [f"agreement.{winner}"]


def test_two_officers_filing_at_once_file_once(fresh_db):
    agreement_id, _parties = _fresh_agreement(fresh_db, A.signed)
    outcomes = _race(
        fresh_db,
        agreement_id,
        [(bureau_actor("140829"), "file"), (bureau_actor("140800"), "file")],
    )
    assert sorted(o == "ok" for o in outcomes) == [False, True]
    agreement, actions = _committed(fresh_db)
    assert (agreement.status, actions) == (A.active, ["agreement.file"])
