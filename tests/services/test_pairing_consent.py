"""Decision 0031: the commitment rule, drafts from the coverage plan, and returns at filing."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import Event, Notification, PairingAgreement
from app.models.enums import AgreementStatus
from app.services.inbox import inbox_counts
from app.services.inputs import InputErrors
from app.services.pairing import (
    accept_draft,
    file_agreement,
    propose_agreement,
    refuse_draft,
    resubmit_agreement,
    return_agreement,
    revise_proposal,
    sign_agreement,
)
from app.services.pairing.capacity import open_agreement_count
from tests.factories import make_agreement, make_enterprise, make_village
from tests.pairing_factories import bureau_actor, current_term, enterprise_actor, village_actor

A = AgreementStatus
START, END = current_term()


def _proposal(enterprise, village, **overrides) -> dict:
    return {
        "enterprise_id": enterprise.id,
        "village_id": village.id,
        "help_kinds": ["industry"],
        "start_on": START,
        "end_on": END,
    } | overrides


def _count(session) -> int:
    return session.exec(select(sa.func.count()).select_from(PairingAgreement)).one()


# The commitment rule ----------------------------------------------------------------------------


def test_a_proposal_without_any_commitment_is_refused_and_writes_nothing(session):
    enterprise, village = make_enterprise(session), make_village(session)
    with pytest.raises(InputErrors) as caught:
        propose_agreement(
            session=session,
            actor=enterprise_actor(enterprise),
            data=_proposal(enterprise, village, commit_jobs="0", commit_purchase=""),
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        (
            "commit_beneficiaries",
            "请至少填写一项大于 0 的承诺（资金、带动就业、培训、采购帮销或受益人数）",
        )
    ]
    assert _count(session) == 0


def test_every_commitment_not_allowed_by_the_help_kinds_is_named_at_once(session):
    enterprise, village = make_enterprise(session), make_village(session)
    data = _proposal(
        enterprise,
        village,
        help_kinds=["talent"],
        commit_funding_business="100",
        commit_funding_welfare="100",
        commit_jobs=3,
        commit_trainees=5,
        commit_purchase="100",
        end_on="2020-01-01",
    )
    with pytest.raises(InputErrors) as caught:
        propose_agreement(session=session, actor=enterprise_actor(enterprise), data=data)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("end_on", "结束日期应晚于开始日期"),
        (
            "commit_funding_business",
            "经营性资金需选择帮扶方式“产业合作”或“资金支持”，或将经营性资金填为 0",
        ),
        (
            "commit_funding_welfare",
            "公益性资金需选择帮扶方式“资金支持”或“公益帮扶”，或将公益性资金填为 0",
        ),
        ("commit_jobs", "带动就业人数需选择帮扶方式“劳务协作”，或将带动就业人数填为 0"),
        ("commit_purchase", "采购帮销金额需选择帮扶方式“结对帮销”，或将采购帮销金额填为 0"),
    ]
    assert _count(session) == 0


@pytest.mark.parametrize(
    ("kinds", "field"),
    [
        (["industry"], "commit_funding_business"),
        (["funding"], "commit_funding_business"),
        (["funding"], "commit_funding_welfare"),
        (["welfare"], "commit_funding_welfare"),
        (["employment"], "commit_jobs"),
        (["employment"], "commit_trainees"),
        (["talent"], "commit_trainees"),
        (["sales"], "commit_purchase"),
        (["talent"], "commit_beneficiaries"),
    ],
)
def test_each_help_kind_allows_its_commitments(session, kinds, field):
    enterprise, village = make_enterprise(session), make_village(session)
    agreement = propose_agreement(
        session=session,
        actor=enterprise_actor(enterprise),
        data=_proposal(enterprise, village, help_kinds=kinds, **{field: "12"}),
    )
    assert agreement.status == A.proposed


def test_a_revision_holds_the_rule_too(session):
    enterprise, village = make_enterprise(session), make_village(session)
    agreement = propose_agreement(
        session=session,
        actor=enterprise_actor(enterprise),
        data=_proposal(enterprise, village, commit_funding_business="10"),
    )
    session.flush()
    with pytest.raises(InputErrors) as caught:
        revise_proposal(
            session=session,
            actor=enterprise_actor(enterprise),
            agreement_id=agreement.id,
            expected_version=agreement.version,
            data={"help_kinds": ["sales"], "start_on": START, "end_on": END},
        )
    assert [e.field for e in caught.value.errors] == ["commit_beneficiaries"]


# Drafts from the coverage plan ------------------------------------------------------------------


def _draft(session):
    enterprise, village = make_enterprise(session, max_villages=1), make_village(session)
    draft = make_agreement(session, enterprise=enterprise, village=village, status=A.draft)
    return enterprise, village, draft


def test_a_draft_is_accepted_once_its_commitments_are_complete(session):
    enterprise, village, draft = _draft(session)
    actor = enterprise_actor(enterprise)
    assert inbox_counts(session=session, actor=actor).get("drafts_to_accept") == 1
    with pytest.raises(ValidationError) as caught:
        accept_draft(session=session, actor=actor, agreement_id=draft.id, expected_version=1)
    assert caught.value.code == "commitments_invalid"
    assert caught.value.message.startswith("请先修改承诺内容：请至少填写一项大于 0 的承诺")
    with pytest.raises(ConflictError, match="待企业确认"):  # the village cannot sign a draft
        sign_agreement(
            session=session, actor=village_actor(village), agreement_id=draft.id, expected_version=1
        )
    revise_proposal(
        session=session,
        actor=actor,
        agreement_id=draft.id,
        expected_version=1,
        data={
            "help_kinds": ["industry"],
            "start_on": START,
            "end_on": END,
            "commit_funding_business": "50000",
        },
    )
    session.flush()
    assert draft.status == A.draft
    accept_draft(session=session, actor=actor, agreement_id=draft.id, expected_version=2)
    session.flush()
    assert draft.status == A.proposed
    notified = session.exec(
        select(Notification.recipient_kind).join(Event).where(Event.action == "agreement.accept")
    ).all()
    assert notified == ["village"]
    sign_agreement(
        session=session, actor=village_actor(village), agreement_id=draft.id, expected_version=3
    )
    assert draft.status == A.signed


def test_only_the_enterprise_accepts_or_refuses_its_draft(session):
    _enterprise, village, draft = _draft(session)
    other = make_enterprise(session)
    for actor in (enterprise_actor(other), village_actor(village), bureau_actor("140829")):
        with pytest.raises(PermissionDeniedError):
            refuse_draft(session=session, actor=actor, agreement_id=draft.id, expected_version=1)


def test_a_draft_holds_a_place_until_refused(session):
    enterprise, _village, draft = _draft(session)
    assert open_agreement_count(session, enterprise.id) == 1
    with pytest.raises(ConflictError) as caught:
        propose_agreement(
            session=session,
            actor=enterprise_actor(enterprise),
            data=_proposal(enterprise, make_village(session), commit_funding_business="10"),
        )
    assert caught.value.code == "capacity_reached"
    refuse_draft(
        session=session,
        actor=enterprise_actor(enterprise),
        agreement_id=draft.id,
        expected_version=1,
        reason="今年产能已满",
    )
    session.flush()
    assert (draft.status, draft.status_reason) == (A.declined, "今年产能已满")
    assert open_agreement_count(session, enterprise.id) == 0


# Review at filing -------------------------------------------------------------------------------


def _signed(session):
    enterprise, village = make_enterprise(session), make_village(session)
    signed = make_agreement(
        session,
        enterprise=enterprise,
        village=village,
        status=A.signed,
        commit_funding_business_fen=1_000_000,
    )
    return enterprise, village, signed


def test_the_bureau_returns_a_signed_agreement_with_a_reason_and_it_is_signed_again(session):
    enterprise, village, signed = _signed(session)
    bureau = bureau_actor("140829")
    with pytest.raises(ValidationError) as caught:
        return_agreement(
            session=session, actor=bureau, agreement_id=signed.id, expected_version=1, reason=" "
        )
    assert (caught.value.code, caught.value.message) == ("reason_required", "请填写退回修改原因")
    return_agreement(
        session=session,
        actor=bureau,
        agreement_id=signed.id,
        expected_version=1,
        reason="缺少签字页",
    )
    session.flush()
    assert (signed.status, signed.status_reason) == (A.returned, "缺少签字页")
    event = session.exec(select(Event).where(Event.action == "agreement.return")).one()
    assert "缺少签字页" in event.summary
    told = session.exec(
        select(Notification.recipient_kind).where(Notification.event_id == event.id)
    ).all()
    assert sorted(told) == ["enterprise", "village"]
    actor = enterprise_actor(enterprise)
    assert inbox_counts(session=session, actor=actor).get("returned_agreements") == 1
    with pytest.raises(ConflictError, match="退回修改"):  # not filed while returned
        file_agreement(session=session, actor=bureau, agreement_id=signed.id, expected_version=2)
    resubmit_agreement(session=session, actor=actor, agreement_id=signed.id, expected_version=2)
    session.flush()
    assert (signed.status, signed.status_reason) == (A.proposed, "")
    sign_agreement(
        session=session, actor=village_actor(village), agreement_id=signed.id, expected_version=3
    )
    file_agreement(session=session, actor=bureau, agreement_id=signed.id, expected_version=4)
    assert signed.status == A.active


def test_only_the_county_bureau_returns_and_only_the_enterprise_resubmits(session):
    enterprise, village, signed = _signed(session)
    for actor in (bureau_actor("140830"), enterprise_actor(enterprise), village_actor(village)):
        with pytest.raises(PermissionDeniedError):
            return_agreement(
                session=session, actor=actor, agreement_id=signed.id, expected_version=1, reason="x"
            )
    return_agreement(
        session=session,
        actor=bureau_actor("140829"),
        agreement_id=signed.id,
        expected_version=1,
        reason="x",
    )
    session.flush()
    with pytest.raises(ConflictError) as stale:
        resubmit_agreement(
            session=session,
            actor=enterprise_actor(enterprise),
            agreement_id=signed.id,
            expected_version=1,
        )
    assert stale.value.code == "stale_version"
    for actor in (village_actor(village), bureau_actor("140829")):
        with pytest.raises(PermissionDeniedError):
            resubmit_agreement(
                session=session, actor=actor, agreement_id=signed.id, expected_version=2
            )
