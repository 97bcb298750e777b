"""Whose contact an actor sees: the rule (app.permissions.can_see_contact) with its database facts
(app.services.contacts.related_parties), masking, and the audited reveal."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS, Actor, Role
from app.errors import NotFoundError, PermissionDeniedError
from app.models import Event
from app.models.enums import AgreementStatus, OrderStatus
from app.permissions import Party, can_see_contact
from app.services.contacts import (
    CONTACT_AGREEMENT_STATUSES,
    CONTACT_ORDER_STATUSES,
    contact_for,
    mask_phone,
    related_parties,
    reveal_contact,
)
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_county,
    make_enterprise,
    make_product,
    make_village,
    valid_credit_code,
)
from tests.pairing_factories import bureau_actor, enterprise_actor, village_actor
from tests.trade_factories import buyer_actor, cooperative_actor, make_order


@pytest.fixture
def parties(session):
    make_county(session, code="140830", name="芮城县", category="overall")
    village = make_village(session, contact_name="王书记", contact_phone="13900000001")
    enterprise = make_enterprise(session, contact_name="张经理", contact_phone="13800000002")
    cooperative = make_cooperative(
        session, village=make_village(session), contact_name="李社长", contact_phone="0359-3500003"
    )
    return village, enterprise, cooperative


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0359-3500003", "035****0003"),
        ("12345", "****45"),
        ("", ""),
    ],
)
def test_a_phone_is_masked_to_its_first_three_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("status", list(AgreementStatus))
def test_an_agreement_gives_both_parties_a_purpose_unless_it_ended_without_work(
    session, parties, status
):
    village, enterprise, _ = parties
    make_agreement(session, enterprise=enterprise, village=village, status=status)
    expected = status in CONTACT_AGREEMENT_STATUSES
    as_enterprise = contact_for(
        session=session,
        actor=enterprise_actor(enterprise),
        party=Party.village,
        organisation=village,
    )
    as_village = contact_for(
        session=session,
        actor=village_actor(village),
        party=Party.enterprise,
        organisation=enterprise,
    )
    assert (as_enterprise is not None, as_village is not None) == (expected, expected)
    if expected:
        assert (as_enterprise.name, as_enterprise.phone) == ("王书记", "139****0001")
        assert (as_village.name, as_village.phone) == ("张经理", "138****0002")


@pytest.mark.parametrize("status", list(OrderStatus))
def test_an_order_gives_buyer_and_seller_a_purpose_unless_cancelled(session, parties, status):
    _, enterprise, cooperative = parties
    make_order(session, enterprise, make_product(session, cooperative=cooperative), status=status)
    expected = status in CONTACT_ORDER_STATUSES
    assert (
        (Party.cooperative, cooperative.id)
        in related_parties(session=session, actor=buyer_actor(enterprise))
    ) is expected
    assert (
        (Party.enterprise, enterprise.id)
        in related_parties(session=session, actor=cooperative_actor(cooperative))
    ) is expected


def test_a_cooperative_and_its_village_see_each_other(session, parties):
    _, _, cooperative = parties
    assert related_parties(session=session, actor=cooperative_actor(cooperative)) == {
        (Party.village, cooperative.village_id)
    }
    assert (Party.cooperative, cooperative.id) in related_parties(
        session=session, actor=village_actor(cooperative.village_id)
    )


PENDING = [
    ANONYMOUS,
    # Signed up but not approved: actor_for links no organisation.
    Actor(role=Role.enterprise, user_id=1),
    Actor(role=Role.cooperative, user_id=2),
    Actor(role=Role.village, user_id=3),
]


@pytest.mark.parametrize(
    "actor", PENDING, ids=["anonymous", "enterprise", "cooperative", "village"]
)
def test_pending_and_anonymous_accounts_see_no_contact_even_with_a_dealing(session, parties, actor):
    village, enterprise, cooperative = parties
    make_agreement(session, enterprise=enterprise, village=village, status=AgreementStatus.active)
    assert related_parties(session=session, actor=actor) == frozenset()
    for party, organisation in (
        (Party.village, village),
        (Party.enterprise, enterprise),
        (Party.cooperative, cooperative),
    ):
        assert (
            contact_for(session=session, actor=actor, party=party, organisation=organisation)
            is None
        )
        with pytest.raises(PermissionDeniedError):
            reveal_contact(session=session, actor=actor, party=party, party_id=organisation.id)
    assert session.exec(select(sa.func.count()).select_from(Event)).one() == 0


ACTORS = {
    "admin": Actor(role=Role.admin),
    "city": bureau_actor("140800"),
    "county": bureau_actor("140829"),
    "other_county": bureau_actor("140830"),
    "own_enterprise": Actor(role=Role.enterprise, enterprise_id=1),
    "other_enterprise": Actor(role=Role.enterprise, enterprise_id=2),
    "own_village": Actor(role=Role.village, village_id=1),
    "own_cooperative": Actor(role=Role.cooperative, cooperative_id=1),
    "pending": Actor(role=Role.enterprise),
    "anonymous": ANONYMOUS,
    "system": Actor(role=Role.system),
}


@pytest.mark.parametrize("name", ACTORS)
@pytest.mark.parametrize("party", list(Party))
@pytest.mark.parametrize("related", [False, True])
def test_the_rule_in_full(name, party, related):
    actor = ACTORS[name]
    own = name == f"own_{party.value}"
    by_office = name in ("admin", "city", "county")
    approved = name.startswith(("own_", "other_enterprise"))
    expected = by_office or own or (related and approved)
    assert can_see_contact(actor, party, 1, "140829", related=related) is expected


def test_an_enterprise_from_outside_the_city_is_overseen_by_the_city_bureau_only(session):
    outside = make_enterprise(
        session,
        county_code=None,
        external_region="北京市海淀区",
        credit_code=valid_credit_code("91110108"),
        contact_phone="13800000009",
    )
    for actor, seen in ((bureau_actor("140800"), True), (bureau_actor("140829"), False)):
        found = contact_for(
            session=session, actor=actor, party=Party.enterprise, organisation=outside
        )
        assert (found is not None) is seen


def test_revealing_records_who_saw_whose_contact_and_when(session, parties):
    village, enterprise, _ = parties
    make_agreement(session, enterprise=enterprise, village=village, status=AgreementStatus.signed)
    actor = enterprise_actor(enterprise, user_id=42)
    contact = reveal_contact(session=session, actor=actor, party=Party.village, party_id=village.id)
    assert (contact.name, contact.phone, contact.revealed) == ("王书记", "13900000001", True)
    event = session.exec(select(Event)).one()
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        "contact.reveal",
        42,
        "Village",
        str(village.id),
    )
    assert event.summary == f"查看 {village.name} 的完整联系电话"
    assert event.county_code == village.county_code and event.occurred_at is not None


def test_revealing_an_unknown_organisation_is_not_found(session):
    with pytest.raises(NotFoundError):
        reveal_contact(
            session=session, actor=Actor(role=Role.admin), party=Party.village, party_id=999
        )
