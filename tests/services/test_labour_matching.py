"""Matching labour supply and job postings in both directions, with reasons: distance, skills,
season, an existing agreement between employer and village."""

import pytest

from app.actors import ANONYMOUS
from app.errors import NotFoundError, PermissionDeniedError
from app.models import Township
from app.models.enums import AgreementStatus
from app.models.flags import months_to_mask
from app.models.labour import PostingStatus, SupplyStatus
from app.services.labour import matching
from app.services.labour.fields import term_months
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_county,
    make_enterprise,
    make_village,
)
from tests.labour_factories import make_posting, make_supply
from tests.pairing_factories import bureau_actor, village_actor
from tests.trade_factories import buyer_actor


def _reasons(match) -> list[str]:
    return [reason.text for reason in match.reasons]


def _other_county(session):
    make_county(session, code="140830", name="芮城县")
    session.add(Township(code="140830100", name="古魏镇", county_code="140830"))
    session.flush()
    return {"county_code": "140830", "township_code": "140830100"}


def test_a_term_crossing_the_new_year_covers_its_months():
    assert term_months(11, 4) == [1, 2, 11, 12]
    assert term_months(5, 24) == list(range(1, 13))


def test_postings_for_a_group_are_ranked_with_their_reasons(session):
    village = make_village(session)
    group = make_supply(session, village, skills="采摘、装卸、电焊")
    paired = make_enterprise(session, name="结对企业")
    make_agreement(session, enterprise=paired, village=village, status=AgreementStatus.active)
    best = make_posting(session, enterprise=paired, skills="采摘、装卸")
    plain = make_posting(session, enterprise=make_enterprise(session), skills="瓦工")
    found = matching.postings_for_supply(
        session=session, actor=village_actor(village), supply_id=group.id
    )
    assert [m.posting.id for m in found] == [best.id, plain.id]
    assert _reasons(found[0]) == [
        "同一乡镇，可就近务工",
        "技能匹配：采摘、装卸",
        "务工月份吻合 6/6 个月",
        "双方已签结对帮扶协议",
    ]
    assert found[0].score == 30 + 20 + 20 + 25
    assert _reasons(found[1]) == ["同一乡镇，可就近务工", "务工月份吻合 6/6 个月"]


def test_a_proposed_agreement_is_not_yet_a_tie(session):
    village = make_village(session)
    group = make_supply(session, village)
    employer = make_enterprise(session)
    make_agreement(session, enterprise=employer, village=village)
    make_posting(session, enterprise=employer)
    (found,) = matching.postings_for_supply(
        session=session, actor=village_actor(village), supply_id=group.id
    )
    assert "双方已签结对帮扶协议" not in _reasons(found)


def test_the_villages_own_cooperative_is_a_tie(session):
    village = make_village(session)
    group = make_supply(session, village)
    make_posting(session, cooperative=make_cooperative(session, village=village))
    (found,) = matching.postings_for_supply(
        session=session, actor=village_actor(village), supply_id=group.id
    )
    assert "本村合作社的岗位" in _reasons(found)


def test_a_nearby_only_group_is_not_offered_work_in_another_county(session):
    village = make_village(session)
    there = _other_county(session)
    staying = make_supply(session, village, can_travel=False)
    travelling = make_supply(session, village, can_travel=True)
    away = make_posting(
        session, enterprise=make_enterprise(session), housing=True, meals=True, **there
    )
    actor = village_actor(village)
    assert matching.postings_for_supply(session=session, actor=actor, supply_id=staying.id) == []
    (found,) = matching.postings_for_supply(session=session, actor=actor, supply_id=travelling.id)
    assert found.posting.id == away.id
    assert "提供食宿" in _reasons(found)
    assert "同县就业" not in _reasons(found)


def test_the_season_must_overlap_and_a_partial_one_scores_less(session):
    village = make_village(session)
    group = make_supply(session, village, available_months=months_to_mask([11, 12, 1]))
    employer = make_enterprise(session)
    winter = make_posting(session, enterprise=employer, start_month=12, term_months=4)
    make_posting(session, enterprise=employer, start_month=5, term_months=3)
    (found,) = matching.postings_for_supply(
        session=session, actor=village_actor(village), supply_id=group.id
    )
    assert found.posting.id == winter.id
    assert "务工月份吻合 2/4 个月" in _reasons(found)


def test_groups_for_a_posting_in_the_other_direction(session):
    employer = make_enterprise(session)
    posting = make_posting(session, enterprise=employer, skills="")
    near = make_supply(session, make_village(session))
    make_supply(session, make_village(session), status=SupplyStatus.withdrawn)
    found = matching.supplies_for_posting(
        session=session, actor=buyer_actor(employer), posting_id=posting.id
    )
    assert [m.supply.id for m in found] == [near.id]
    assert "岗位无技能要求" in _reasons(found[0])
    assert matching.supplies_for_posting(
        session=session, actor=bureau_actor("140829"), posting_id=posting.id
    )


def test_only_the_employer_and_the_bureau_match_a_posting(session):
    posting = make_posting(session, enterprise=make_enterprise(session))
    for actor in (buyer_actor(make_enterprise(session)), village_actor(make_village(session))):
        with pytest.raises(PermissionDeniedError):
            matching.supplies_for_posting(session=session, actor=actor, posting_id=posting.id)
    with pytest.raises(NotFoundError):
        matching.supplies_for_posting(session=session, actor=ANONYMOUS, posting_id=-1)


def test_a_closed_posting_or_withdrawn_group_matches_nothing(session):
    village = make_village(session)
    employer = make_enterprise(session)
    closed = make_posting(session, enterprise=employer, status=PostingStatus.closed)
    withdrawn = make_supply(session, village, status=SupplyStatus.withdrawn)
    make_supply(session, village)
    assert (
        matching.supplies_for_posting(
            session=session, actor=buyer_actor(employer), posting_id=closed.id
        )
        == []
    )
    assert (
        matching.postings_for_supply(
            session=session, actor=village_actor(village), supply_id=withdrawn.id
        )
        == []
    )
    with pytest.raises(NotFoundError):
        matching.postings_for_supply(
            session=session, actor=buyer_actor(employer), supply_id=withdrawn.id
        )
