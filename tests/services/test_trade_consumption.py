"""Consumption totals by county and by agreement, and reserved-share progress."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.actors import ANONYMOUS
from app.errors import PermissionDeniedError, ValidationError
from app.models import Event, Order
from app.models.enums import AgreementStatus, EnterpriseKind, OrderStatus
from app.services import consumption
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_county,
    make_enterprise,
    make_township,
    make_village,
)
from tests.trade_factories import (
    bureau_actor,
    buyer_actor,
    cooperative_actor,
    make_listed_product,
    make_order,
)

IN_2026 = datetime(2026, 6, 1, 2, tzinfo=UTC)
# 2025-12-31 20:00 UTC is already 2026-01-01 04:00 in Shanghai.
NEW_YEAR_IN_SHANGHAI = datetime(2025, 12, 31, 20, tzinfo=UTC)
IN_2025 = datetime(2025, 12, 31, 15, tzinfo=UTC)


@pytest.fixture
def ledger(session):
    """Received, shipped and cancelled orders from 平陆 and 芮城, some through agreements."""
    make_county(session, code="140830", name="芮城县", category="overall")
    township = make_township(session, code="140830100", name="古魏镇", county_code="140830")
    pinglu_village = make_village(session)
    ruicheng_village = make_village(
        session, code="140830100201", township_code=township.code, county_code="140830"
    )
    pinglu = make_listed_product(
        session, cooperative=make_cooperative(session, village=pinglu_village)
    )
    ruicheng = make_listed_product(
        session, cooperative=make_cooperative(session, village=ruicheng_village), price_fen=1000
    )
    agency = make_enterprise(session, kind=EnterpriseKind.agency, reserved_share_fen=1_000_000)
    private = make_enterprise(session)
    agreement = make_agreement(
        session, enterprise=agency, village=pinglu_village, status=AgreementStatus.active
    )
    received = OrderStatus.received
    rows = [
        make_order(session, agency, pinglu, 10, status=received, received_at=IN_2026,
                   agreement_id=agreement.id),
        make_order(session, agency, pinglu, 4, status=received, received_at=NEW_YEAR_IN_SHANGHAI,
                   agreement_id=agreement.id),
        make_order(session, agency, ruicheng, 7, status=received, received_at=IN_2025),
        make_order(session, private, ruicheng, 3, status=received, received_at=IN_2026),
        make_order(session, agency, pinglu, 50, status=OrderStatus.shipped),
        make_order(session, private, pinglu, 60, status=OrderStatus.cancelled),
    ]  # fmt: skip
    return {"agency": agency, "private": private, "agreement": agreement, "orders": rows}


def _received_sum(session, **where) -> int:
    orders = session.exec(select(Order).where(Order.status == OrderStatus.received)).all()
    return sum(o.amount_fen for o in orders if all(getattr(o, k) == v for k, v in where.items()))


def test_totals_by_county_equal_the_sum_of_received_orders(session, ledger):
    totals = consumption.consumption_by_county(session=session, actor=bureau_actor("140800"))
    by_code = {t.code: t for t in totals}
    assert set(by_code) == {"140829", "140830"}
    assert (by_code["140829"].orders, by_code["140829"].amount_fen) == (2, 14 * 3500)
    assert by_code["140829"].paired_amount_fen == 14 * 3500
    assert (by_code["140830"].orders, by_code["140830"].amount_fen) == (2, 10 * 1000)
    assert sum(t.amount_fen for t in totals) == _received_sum(session)
    pinglu_only = consumption.consumption_by_county(session=session, actor=bureau_actor())
    assert [t.code for t in pinglu_only] == ["140829"]


def test_totals_by_county_within_a_period(session, ledger):
    since = datetime(2025, 12, 31, 16, tzinfo=UTC)  # 2026-01-01 00:00 in Shanghai
    totals = consumption.consumption_by_county(
        session=session, actor=bureau_actor("140800"), since=since
    )
    assert {t.code: t.amount_fen for t in totals} == {"140829": 14 * 3500, "140830": 3000}


def test_totals_by_agreement_equal_the_sum_of_its_received_orders(session, ledger):
    agreement = ledger["agreement"]
    totals = consumption.consumption_by_agreement(session=session, actor=bureau_actor())
    assert [(t.agreement_id, t.orders) for t in totals] == [(agreement.id, 2)]
    assert totals[0].amount_fen == _received_sum(session, agreement_id=agreement.id)
    assert totals[0].number == agreement.number
    own = consumption.consumption_by_agreement(session=session, actor=buyer_actor(ledger["agency"]))
    assert own == totals
    assert (
        consumption.consumption_by_agreement(session=session, actor=buyer_actor(ledger["private"]))
        == []
    )
    assert consumption.consumption_by_agreement(session=session, actor=bureau_actor("140830")) == []
    with pytest.raises(PermissionDeniedError):
        consumption.consumption_by_agreement(session=session, actor=ANONYMOUS)


def test_consumption_totals_are_for_the_bureau(session, ledger):
    for actor in (
        ANONYMOUS,
        buyer_actor(ledger["agency"]),
        cooperative_actor(make_cooperative(session)),
    ):
        with pytest.raises(PermissionDeniedError):
            consumption.consumption_by_county(session=session, actor=actor)


def test_reserved_share_counts_this_years_received_orders(session, ledger):
    agency = ledger["agency"]
    share = consumption.reserved_share_progress(
        session=session, actor=buyer_actor(agency), enterprise_id=agency.id, year=2026
    )
    assert (share.reserved_fen, share.bought_fen, share.percent) == (1_000_000, 49_000, 4)
    last_year = consumption.reserved_share_progress(
        session=session, actor=bureau_actor(), enterprise_id=agency.id, year=2025
    )
    assert last_year.bought_fen == 7000
    with pytest.raises(PermissionDeniedError):
        consumption.reserved_share_progress(
            session=session, actor=buyer_actor(ledger["private"]), enterprise_id=agency.id
        )
    overview = consumption.reserved_share_overview(session=session, actor=bureau_actor(), year=2026)
    assert [(s.enterprise_id, s.bought_fen) for s in overview] == [(agency.id, 49_000)]


def test_agency_and_state_owned_buyers_set_their_reserved_share(session, ledger):
    agency = ledger["agency"]
    consumption.set_reserved_share(
        session=session,
        actor=buyer_actor(agency),
        enterprise_id=agency.id,
        expected_version=agency.version,
        data={"reserved_share": "120000.50"},
    )
    assert agency.reserved_share_fen == 12_000_050
    event = session.exec(select(Event).where(Event.action == "enterprise.set_reserved_share")).one()
    assert event.after == {"reserved_share_fen": 12_000_050}
    private = ledger["private"]
    with pytest.raises(ValidationError) as caught:
        consumption.set_reserved_share(
            session=session,
            actor=buyer_actor(private),
            enterprise_id=private.id,
            expected_version=private.version,
            data={"reserved_share": "100"},
        )
    assert caught.value.field == "reserved_share"
    with pytest.raises(ValidationError) as caught:
        consumption.set_reserved_share(
            session=session,
            actor=buyer_actor(agency),
            enterprise_id=agency.id,
            expected_version=agency.version,
            data={"reserved_share": "1.001"},
        )
    assert caught.value.message == "年度预留采购份额最多保留两位小数（精确到分）"
    with pytest.raises(PermissionDeniedError):
        consumption.set_reserved_share(
            session=session,
            actor=buyer_actor(private),
            enterprise_id=agency.id,
            expected_version=agency.version,
            data={"reserved_share": "100"},
        )
