"""Recommendation scores: their parts in Chinese, ranking, exclusions, scope and query count."""

import random
from datetime import date

import pytest

from app.actors import ANONYMOUS
from app.errors import PermissionDeniedError
from app.models.enums import AgreementStatus, EnterpriseKind, HelpKind, ReportStatus
from app.models.flags import to_mask
from app.services.pairing.facts import enterprise_facts, village_facts
from app.services.pairing.recommendations import recommend_enterprises, recommend_villages
from app.services.pairing.scoring import (
    EnterpriseFacts,
    VillageFacts,
    score_matrix,
    score_parts,
    total,
)
from tests.factories import make_agreement, make_county, make_enterprise, make_township
from tests.pairing_factories import (
    bureau_actor,
    enterprise_actor,
    make_active,
    make_need,
    make_report,
    village_actor,
)
from tests.statements import recorded_statements
from tests.web.web_factories import village_in

TODAY = date(2026, 5, 20)  # the last closed quarter is 2026Q1


def _village(**overrides) -> VillageFacts:
    values = {
        "id": 1,
        "name": "南坡村",
        "county_code": "140829",
        "county_name": "平陆县",
        "township_name": "圣人涧镇",
        "key_county": True,
        "key_village": True,
        "has_partner": False,
        "partner_overdue": False,
        "needs": to_mask(["industry", "sales", "talent"], HelpKind),
        "traits": 0b0001,
        "main_industries": "苹果、花椒",
    } | overrides
    return VillageFacts(**values)


def _enterprise(**overrides) -> EnterpriseFacts:
    values = {
        "id": 7,
        "name": "平陆县黄河果业有限公司",
        "kind": EnterpriseKind.private,
        "industry": "A",
        "county_code": "140829",
        "region_name": "平陆县",
        "offers": to_mask(["industry", "sales", "funding"], HelpKind),
        "overdue": False,
        "spare": 2,
    } | overrides
    return EnterpriseFacts(**values)


def test_every_part_of_a_score_is_explained_in_chinese():
    parts = score_parts(_village(partner_overdue=True), _enterprise(overdue=True))
    assert [(p.text, p.points) for p in parts] == [
        ("重点帮扶县", 20),
        ("重点帮扶村", 20),
        ("暂无结对帮扶单位", 25),
        ("现有结对单位成效报告逾期", 10),
        ("需求匹配：产业合作、结对帮销", 20),
        ("产业契合：特色种养（苹果、花椒）", 15),
        ("同县就近：平陆县", 10),
        ("有逾期未报的成效报告", -15),
    ]
    assert total(parts) == 105
    assert [p.side for p in parts][-1] == "enterprise"


def test_a_paired_village_elsewhere_with_no_fit_scores_nothing():
    village = _village(key_county=False, key_village=False, has_partner=True, needs=0, traits=0)
    enterprise = _enterprise(industry="J", county_code=None)
    assert score_parts(village, enterprise) == ()


def test_need_matches_count_up_to_three_kinds():
    village = _village(needs=to_mask(list(HelpKind), HelpKind))
    enterprise = _enterprise(offers=to_mask(list(HelpKind), HelpKind))
    part = next(p for p in score_parts(village, enterprise) if p.criterion == "need_match")
    assert part.points == 30
    assert part.text == "需求匹配：产业合作、劳务协作、人才支援、资金支持、结对帮销、公益帮扶"


def test_the_score_matrix_equals_the_explained_parts_on_random_facts():
    rng = random.Random(20261129)
    counties = ["140829", "140830", "140802"]
    villages = [
        _village(
            id=i,
            county_code=rng.choice(counties),
            key_county=rng.random() < 0.3,
            key_village=rng.random() < 0.3,
            has_partner=rng.random() < 0.5,
            partner_overdue=rng.random() < 0.2,
            needs=rng.randrange(64),
            traits=rng.randrange(16),
        )
        for i in range(40)
    ]
    enterprises = [
        _enterprise(
            id=j,
            industry=rng.choice("ACDEFGHLRJ"),
            county_code=rng.choice([*counties, None]),
            offers=rng.randrange(64),
            overdue=rng.random() < 0.3,
        )
        for j in range(25)
    ]
    matrix = score_matrix(villages, enterprises)
    assert matrix.shape == (40, 25)
    for i, village in enumerate(villages):
        for j, enterprise in enumerate(enterprises):
            assert matrix[i, j] == total(score_parts(village, enterprise))
    assert score_matrix([], enterprises).shape == (0, 25)


# Against the database ------------------------------------------------------------------------


@pytest.fixture
def world(session):
    """平陆县 (key) and 芮城县 (overall) villages with needs, partners and overdue reports."""
    make_county(session)
    make_county(session, code="140830", name="芮城县", category="overall")
    pinglu = make_township(session)
    ruicheng = make_township(session, code="140830100", name="古魏镇", county_code="140830")
    enterprise = make_enterprise(
        session, industry="A", offers=to_mask(["industry", "sales"], HelpKind)
    )
    villages = {
        "best": village_in(session, pinglu, 201, key_village=True, main_industries="苹果"),
        "key_paired": village_in(session, pinglu, 202, key_village=True),
        "plain": village_in(session, pinglu, 203),
        "elsewhere": village_in(session, ruicheng, 201, key_village=True),
        "already_ours": village_in(session, pinglu, 204, key_village=True),
    }
    make_need(session, villages["best"], kind=HelpKind.sales)
    make_need(session, villages["best"], kind=HelpKind.welfare)
    make_need(session, villages["best"], kind=HelpKind.industry, status="met")
    partner = make_enterprise(session)
    paired = make_active(session, enterprise=partner, village=villages["key_paired"])
    make_report(session, paired, 2025, 4, status=ReportStatus.verified)  # 2026Q1 is missing
    make_agreement(session, enterprise=enterprise, village=villages["already_ours"])
    return enterprise, villages, partner


def test_village_facts_come_from_the_database(session, world):
    _enterprise_row, villages, _partner = world
    facts = {f.id: f for f in village_facts(session, today=TODAY)}
    best, paired = facts[villages["best"].id], facts[villages["key_paired"].id]
    assert (best.key_county, best.key_village, best.has_partner) == (True, True, False)
    assert best.need_kinds == [HelpKind.sales, HelpKind.welfare]  # the met need is not counted
    assert (paired.has_partner, paired.partner_overdue) == (True, True)
    assert facts[villages["elsewhere"].id].key_county is False


def test_villages_are_ranked_for_an_enterprise_with_their_reasons(session, world):
    enterprise, villages, _partner = world
    result = recommend_villages(
        session=session,
        actor=enterprise_actor(enterprise),
        enterprise_id=enterprise.id,
        today=TODAY,
    )
    names = {v.id: k for k, v in villages.items()}
    ranked = [(names[item.candidate.id], item.score) for item in result.items]
    assert ranked == [
        # key county 20 + key village 20 + no partner 25 + sales 10 + 特色种养 15 + same county 10
        ("best", 100),
        # key county 20 + key village 20 + its partner is overdue 10 + same county 10
        ("key_paired", 60),
        ("plain", 55),
        ("elsewhere", 45),
    ]
    best = result.items[0]
    assert [p.text for p in best.parts] == [
        "重点帮扶县",
        "重点帮扶村",
        "暂无结对帮扶单位",
        "需求匹配：结对帮销",
        "产业契合：特色种养（苹果）",
        "同县就近：平陆县",
    ]
    assert result.total == 4 and result.common_parts == ()


def test_enterprises_are_ranked_for_a_village_without_those_at_capacity(session, world):
    enterprise, villages, partner = world
    full = make_enterprise(session, max_villages=1, offers=to_mask(["sales"], HelpKind))
    make_agreement(session, enterprise=full, village=villages["plain"])
    late = make_enterprise(session, industry="J", county_code="140830")
    make_active(session, enterprise=late, village=villages["elsewhere"])
    result = recommend_enterprises(
        session=session,
        actor=village_actor(villages["best"]),
        village_id=villages["best"].id,
        today=TODAY,
    )
    ranked = [(item.candidate.id, item.score) for item in result.items]
    # The village's own 65, then — enterprise: sales 10, fit 15, same county 10; partner (industry
    # A, offers nothing, overdue elsewhere): fit 15, same county 10, −15; late: −15 only.
    assert ranked == [(enterprise.id, 100), (partner.id, 75), (late.id, 50)]
    assert [p.text for p in result.common_parts] == ["重点帮扶县", "重点帮扶村", "暂无结对帮扶单位"]
    assert result.items[-1].parts_of("enterprise")[0].text == "有逾期未报的成效报告"


def test_a_county_bureau_sees_only_its_villages(session, world):
    enterprise, villages, _partner = world
    result = recommend_villages(
        session=session, actor=bureau_actor("140830"), enterprise_id=enterprise.id, today=TODAY
    )
    assert [item.candidate.id for item in result.items] == [villages["elsewhere"].id]


@pytest.mark.parametrize("actor", [enterprise_actor(999), village_actor(1), ANONYMOUS])
def test_only_the_enterprise_and_the_bureau_see_its_recommendations(session, world, actor):
    enterprise, _villages, _partner = world
    with pytest.raises(PermissionDeniedError):
        recommend_villages(session=session, actor=actor, enterprise_id=enterprise.id, today=TODAY)


def test_other_villages_do_not_see_a_village_s_recommendations(session, world):
    _enterprise_row, villages, _partner = world
    with pytest.raises(PermissionDeniedError):
        recommend_enterprises(
            session=session,
            actor=village_actor(villages["plain"]),
            village_id=villages["best"].id,
            today=TODAY,
        )
    with pytest.raises(PermissionDeniedError):
        recommend_enterprises(
            session=session, actor=bureau_actor("140830"), village_id=villages["best"].id
        )


def test_enterprise_facts_count_open_agreements_against_capacity(session, world):
    enterprise, _villages, partner = world
    facts = {f.id: f for f in enterprise_facts(session, today=TODAY)}
    assert (facts[enterprise.id].spare, facts[enterprise.id].overdue) == (2, False)
    assert (facts[partner.id].spare, facts[partner.id].overdue) == (2, True)


def _cached_statements(session, hit: int, *, miss: int) -> int:
    """Statements of a cache hit; on PostgreSQL a transaction that has written never caches."""
    return miss if session.get_bind().dialect.name == "postgresql" else hit


def test_ranking_takes_the_same_few_queries_for_any_number_of_villages(session, world):
    enterprise, _villages, _partner = world
    township = make_township(session)

    def run() -> tuple[int, int]:
        with recorded_statements(session) as seen:
            found = recommend_villages(
                session=session,
                actor=enterprise_actor(enterprise),
                enterprise_id=enterprise.id,
                today=TODAY,
            )
        return len(seen), found.total

    # The enterprise, the change stamp, its partners, the villages, their open needs, their
    # partners, the page shown; then, while nothing changes, the villages come from the cache
    # (not on PostgreSQL inside this test's writing transaction: see app/services/stamps.py).
    hit = _cached_statements(session, 4, miss=7)
    (computed, total), (cached, same_total) = run(), run()
    assert (computed, cached) == (7, hit)
    assert same_total == total
    for number in range(300, 340):
        village = village_in(session, township, number, key_village=number % 2 == 0)
        make_need(session, village, kind=HelpKind.sales)
        if number % 3 == 0:
            make_active(session, village=village)
    # The inserts moved the stamp (the database's triggers): computed again, the new villages in.
    assert run() == (7, total + 40)
    assert run() == (hit, total + 40)


def test_enterprise_ranking_query_count_is_fixed(session, world):
    _enterprise_row, villages, _partner = world

    def run() -> tuple[int, int]:
        with recorded_statements(session) as seen:
            found = recommend_enterprises(
                session=session,
                actor=village_actor(villages["best"]),
                village_id=villages["best"].id,
                today=TODAY,
            )
        return len(seen), found.total

    (computed, total), (cached, _) = run(), run()
    # The village, the change stamp, its partners, the enterprises, their open agreements, the
    # active agreements, the page shown; cached: 4.
    assert (computed, cached) == (7, _cached_statements(session, 4, miss=7))
    for _ in range(25):
        make_active(session, enterprise=make_enterprise(session), status=AgreementStatus.signed)
    assert run() == (7, total + 25)
