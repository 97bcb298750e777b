"""Browsing villages and enterprises: filters, paging, county counts and enterprise profiles."""

from datetime import date

import pytest

from app.actors import ANONYMOUS, Actor, Role
from app.errors import PermissionDeniedError
from app.models.enums import AgreementStatus, HelpKind, RegistrationStatus
from app.models.flags import to_mask
from app.services.pairing.directory import (
    EnterpriseFilters,
    VillageFilters,
    county_overview,
    list_enterprises,
    list_villages,
)
from app.services.pairing.profiles import enterprise_profile
from tests.factories import make_agreement, make_enterprise, make_township
from tests.pairing_factories import bureau_actor, enterprise_actor, make_need, village_actor
from tests.web.web_factories import make_yuncheng_counties, village_in

TODAY = date(2026, 5, 20)


@pytest.fixture
def villages(session):
    make_yuncheng_counties(session)
    pinglu = make_township(session)
    yanhu = make_township(session, code="140802001", name="中城街道", county_code="140802")
    v = {
        "apple": village_in(
            session, pinglu, 201, name="苹果村", key_village=True, main_industries="苹果、花椒"
        ),
        "lily": village_in(
            session, pinglu, 202, name="百合村", key_village=True, main_industries="百合"
        ),
        "plain": village_in(session, pinglu, 203, name="平安村"),
        "city": village_in(session, yanhu, 201, name="城郊村", main_industries="蔬菜"),
    }
    make_need(session, v["lily"], kind=HelpKind.sales)
    make_need(session, v["plain"], kind=HelpKind.sales, status="met")
    make_agreement(session, village=v["apple"], status=AgreementStatus.active)
    make_agreement(session, village=v["lily"], status=AgreementStatus.proposed)
    return v


def _names(page) -> list[str]:
    return [row.name for row in page.items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["城郊村", "苹果村", "百合村", "平安村"]),
        ({"county": "140802"}, ["城郊村"]),
        ({"category": "key"}, ["苹果村", "百合村", "平安村"]),
        ({"category": "demonstration"}, ["城郊村"]),
        ({"key": "1"}, ["苹果村", "百合村"]),
        # A proposal is not a partner yet: only the active agreement pairs 苹果村.
        ({"key": "1", "unpaired": "1"}, ["百合村"]),
        ({"need": "sales"}, ["百合村"]),
        ({"industry": "花椒"}, ["苹果村"]),
        ({"q": "平安"}, ["平安村"]),
        ({"industry": "%"}, []),
        ({"category": "nonsense", "need": "nonsense"}, ["城郊村", "苹果村", "百合村", "平安村"]),
    ],
)
def test_villages_are_filtered(session, villages, query, expected):
    page = list_villages(
        session=session, actor=ANONYMOUS, filters=VillageFilters.from_mapping(query)
    )
    assert _names(page) == expected
    assert page.total == len(expected)


def test_village_rows_carry_pairing_and_open_needs(session, villages):
    rows = {row.name: row for row in list_villages(session=session, actor=ANONYMOUS).items}
    assert (rows["苹果村"].paired, rows["百合村"].paired) == (True, False)
    assert rows["百合村"].need_kinds == [HelpKind.sales]
    assert rows["平安村"].need_kinds == []
    assert (rows["苹果村"].county_name, rows["苹果村"].township_name) == ("平陆县", "圣人涧镇")


def test_village_pages(session, villages):
    page = list_villages(session=session, actor=ANONYMOUS, page=2, size=3)
    assert (_names(page), page.total, page.number, page.pages) == (["平安村"], 4, 2, 2)
    assert page.has_previous and not page.has_next
    beyond = list_villages(session=session, actor=ANONYMOUS, page=9, size=3)
    assert beyond.number == 2


def test_the_county_overview_counts_paired_and_unpaired_key_villages(session, villages):
    pinglu = next(c for c in county_overview(session=session) if c.code == "140829")
    assert (pinglu.villages, pinglu.key_villages, pinglu.paired_villages) == (3, 2, 1)
    assert pinglu.unpaired_key_villages == 1


@pytest.fixture
def enterprises(session, villages):
    sales = make_enterprise(
        session, name="甲果业", offers=to_mask(["sales"], HelpKind), max_villages=1, industry="F"
    )
    make_agreement(session, enterprise=sales, village=villages["plain"])
    outside = make_enterprise(
        session, name="乙科技", county_code=None, external_region="北京市海淀区", industry="I"
    )
    make_enterprise(session, name="丙待审", status=RegistrationStatus.pending)
    return sales, outside


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"offer": "sales"}, ["甲果业"]),
        ({"county": "external"}, ["乙科技"]),
        ({"industry": "i"}, ["乙科技"]),
        ({"q": "果业"}, ["甲果业"]),
        ({"spare": "1", "q": "甲"}, []),
    ],
)
def test_enterprises_are_filtered_and_pending_ones_never_listed(
    session, enterprises, query, expected
):
    page = list_enterprises(
        session=session, actor=ANONYMOUS, filters=EnterpriseFilters.from_mapping(query), today=TODAY
    )
    assert _names(page) == expected
    everyone = list_enterprises(session=session, actor=ANONYMOUS, today=TODAY)
    assert "丙待审" not in _names(everyone)


def test_enterprise_rows_show_spare_capacity(session, enterprises):
    sales, outside = enterprises
    rows = {row.id: row for row in list_enterprises(session=session, actor=ANONYMOUS).items}
    assert (rows[sales.id].open_agreements, rows[sales.id].spare) == (1, 0)
    assert (rows[outside.id].region_name, rows[outside.id].spare) == ("北京市海淀区", 3)


@pytest.mark.parametrize(
    ("actor_of", "contact"),
    [
        (lambda e: ANONYMOUS, False),
        # A village with no agreement with the enterprise has no purpose.
        (lambda e: village_actor(1), False),
        (lambda e: Actor(role=Role.enterprise, user_id=5), False),
        (lambda e: enterprise_actor(e), True),
        (lambda e: bureau_actor("140800"), True),
        (lambda e: Actor(role=Role.admin), True),
    ],
)
def test_enterprise_contacts_are_for_parties_with_a_purpose(session, villages, actor_of, contact):
    enterprise = make_enterprise(session, contact_name="张经理", contact_phone="13800000000")
    profile = enterprise_profile(
        session=session, actor=actor_of(enterprise), enterprise_id=enterprise.id
    )
    if contact:
        assert (profile.contact.name, profile.contact.phone) == ("张经理", "138****0000")
    else:
        assert profile.contact is None


def test_a_pending_enterprise_is_seen_only_by_itself_and_the_bureau(session, villages):
    pending = make_enterprise(session, status=RegistrationStatus.pending)
    with pytest.raises(PermissionDeniedError):
        enterprise_profile(session=session, actor=ANONYMOUS, enterprise_id=pending.id)
    assert enterprise_profile(
        session=session, actor=enterprise_actor(pending), enterprise_id=pending.id
    )
    assert enterprise_profile(
        session=session, actor=bureau_actor("140829"), enterprise_id=pending.id
    )
