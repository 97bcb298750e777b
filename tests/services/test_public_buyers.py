"""Who buys (one rule: ``can_buy``) and who reserves a share (预留份额): every approved public
buyer — 机关, 事业单位 (public schools and hospitals), 国有企业 — and no one else."""

import pytest
import sqlalchemy as sa

from app.errors import PermissionDeniedError, ValidationError
from app.models import Enterprise
from app.models.enums import EnterpriseKind, RegistrationStatus
from app.permissions import PUBLIC_BUYER_KINDS
from app.services import consumption, orders
from tests.factories import make_enterprise
from tests.trade_factories import bureau_actor, buyer_actor, make_listed_product

FORM = {
    "quantity": "10",
    "unit": "斤",
    "recipient_name": "食堂王师傅",
    "recipient_phone": "0359-2021234",
    "shipping_address": "运城市盐湖区",
}


@pytest.mark.parametrize("kind", list(EnterpriseKind))
@pytest.mark.parametrize("status", list(RegistrationStatus))
def test_every_approved_buyer_orders_whatever_its_kind(session, kind, status):
    product = make_listed_product(session, stock=100, min_order=1)
    buyer = make_enterprise(session, kind=kind, status=status)
    place = lambda: orders.place_order(  # noqa: E731
        session=session, actor=buyer_actor(buyer), product_id=product.id, data=FORM
    )
    if status != RegistrationStatus.approved:
        with pytest.raises(PermissionDeniedError):
            place()
        return
    assert place().buyer_id == buyer.id


def test_the_public_buyer_kinds_are_the_budget_units():
    assert set(PUBLIC_BUYER_KINDS) == {
        EnterpriseKind.agency,
        EnterpriseKind.school,
        EnterpriseKind.hospital,
        EnterpriseKind.state_owned,
    }
    assert consumption.RESERVING_KINDS == PUBLIC_BUYER_KINDS


@pytest.mark.parametrize("kind", list(EnterpriseKind))
def test_every_public_buyer_kind_sets_a_reserved_share(session, kind):
    buyer = make_enterprise(session, kind=kind, status=RegistrationStatus.approved)
    set_share = lambda: consumption.set_reserved_share(  # noqa: E731
        session=session,
        actor=buyer_actor(buyer),
        enterprise_id=buyer.id,
        expected_version=buyer.version,
        data={"reserved_share": "50000"},
    )
    if kind not in PUBLIC_BUYER_KINDS:
        with pytest.raises(ValidationError) as caught:
            set_share()
        assert (
            caught.value.message == "只有机关、事业单位（含公立学校、医院）和国有企业设置预留份额"
        )
        return
    assert set_share().reserved_share_fen == 5_000_000


def test_the_overview_counts_exactly_the_approved_public_buyers(session):
    for kind in EnterpriseKind:
        for status in RegistrationStatus:
            make_enterprise(session, kind=kind, status=status)
    overview = consumption.reserved_share_overview(session=session, actor=bureau_actor())
    expected = session.execute(
        sa.select(sa.func.count())
        .select_from(Enterprise)
        .where(
            Enterprise.kind.in_([k.value for k in PUBLIC_BUYER_KINDS]),
            Enterprise.status == RegistrationStatus.approved,
        )
    ).scalar_one()
    assert len(overview) == expected == len(PUBLIC_BUYER_KINDS)
    assert {s.kind for s in overview} == set(PUBLIC_BUYER_KINDS)
