"""The product's sums stay inside a signed 64-bit integer at the input bounds: the largest amount
on ten million rows (docs/decisions/0020-input-bounds.md), summed by the real aggregates."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.models import Order
from app.models.enums import EnterpriseKind, OrderStatus
from app.money import INT64_MAX, MAX_AMOUNT_FEN, MAX_SUMMED_ROWS, MAX_UNIT_PRICE_FEN
from app.services import consumption
from app.services.products import MAX_QUANTITY
from app.services.stats.sales import sales
from tests.factories import make_agreement, make_cooperative, make_enterprise, make_village
from tests.trade_factories import bureau_actor, make_listed_product, make_order

ROWS = 100
# Each row stands for MAX_SUMMED_ROWS / ROWS orders at the largest amount.
ROW_AMOUNT = MAX_AMOUNT_FEN * (MAX_SUMMED_ROWS // ROWS)
RECEIVED = datetime(2026, 6, 1, 2, tzinfo=UTC)


def test_the_bounds_leave_room_for_three_amount_columns_over_ten_million_rows():
    assert MAX_AMOUNT_FEN * MAX_SUMMED_ROWS * 3 < INT64_MAX
    assert MAX_UNIT_PRICE_FEN * MAX_QUANTITY > MAX_AMOUNT_FEN  # hence the order amount check
    assert MAX_UNIT_PRICE_FEN <= MAX_AMOUNT_FEN


@pytest.fixture
def largest_sales(session):
    """ROWS received orders whose amounts add up to ten million orders at the bound."""
    village = make_village(session)
    product = make_listed_product(
        session, cooperative=make_cooperative(session, village=village), price_fen=10**9
    )
    buyer = make_enterprise(session, kind=EnterpriseKind.agency)
    agreement = make_agreement(session, enterprise=buyer, village=village)
    quantity = ROW_AMOUNT // product.price_fen
    for _ in range(ROWS):
        make_order(
            session,
            buyer,
            product,
            quantity,
            status=OrderStatus.received,
            received_at=RECEIVED,
            agreement_id=agreement.id,
        )
    return village


def test_sums_of_the_largest_amounts_do_not_overflow(session, largest_sales):
    # Given ROWS orders adding up to MAX_SUMMED_ROWS orders at MAX_AMOUNT_FEN
    total = ROW_AMOUNT * ROWS
    assert total == MAX_AMOUNT_FEN * MAX_SUMMED_ROWS
    raw = session.execute(sa.select(sa.func.sum(Order.amount_fen))).scalar_one()
    assert int(raw) == total
    # When the bureau's consumption figures and dashboard sales add them up
    city = bureau_actor("140800")
    by_county = consumption.consumption_by_county(session=session, actor=city)
    figures = sales(session, city, date(2026, 6, 15))
    # Then every total is exact
    pinglu = next(c for c in by_county if c.code == largest_sales.county_code)
    assert (pinglu.amount_fen, pinglu.paired_amount_fen) == (total, total)
    shown = next(c for c in figures.by_county if c.code == largest_sales.county_code)
    assert (shown.amount_fen, shown.paired_amount_fen) == (total, total)
    assert sum(line.amount_fen for line in figures.by_month) == total
