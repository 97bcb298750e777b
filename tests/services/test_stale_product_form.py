"""A product form read before sales never writes back the stock it showed (decision 0015):
confirming or cancelling an order moves the product's version with its stock."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.errors import ConflictError
from app.models import CertificationApplication, Event, Product
from app.models.enums import CertificationStatus, OrderStatus
from app.services import certification, orders, products
from app.services.versioning import PRODUCT_STALE
from tests.edit_paths import product_form
from tests.factories import make_cooperative, make_enterprise
from tests.trade_factories import (
    buyer_actor,
    cooperative_actor,
    make_listed_product,
    make_order,
)

# What happened between opening the form and saving it: orders (quantity, cancelled after
# confirmation?) and the stock left.
SALES = {
    "one confirmed": ([(10, False)], 90),
    "two confirmed": ([(10, False), (25, False)], 65),
    "confirmed then cancelled": ([(10, True)], 100),
}


def _stale_full_form(session, actor, product_id, version):
    data = product_form(1) | {"stock": "100"}  # the stock the form showed
    return products.update_product(
        session=session, actor=actor, product_id=product_id, expected_version=version, data=data
    )


def _stale_inline_edit(session, actor, product_id, version):
    return products.update_price_and_stock(
        session=session,
        actor=actor,
        product_id=product_id,
        expected_version=version,
        data={"price": "36", "stock": "100"},
    )


@pytest.mark.parametrize("save", [_stale_full_form, _stale_inline_edit], ids=["form", "inline"])
@pytest.mark.parametrize("sales", SALES.values(), ids=SALES.keys())
def test_a_stale_product_form_after_confirmed_orders_leaves_stock_untouched(fresh_db, sales, save):
    (placed, stock_left) = sales
    with fresh_db.unit_of_work() as session:
        cooperative = make_cooperative(session)
        product = make_listed_product(session, cooperative=cooperative, stock=100)
        buyer = make_enterprise(session)
        seller, purchaser = cooperative_actor(cooperative), buyer_actor(buyer)
        product_id = product.id
    # Given the cooperative opened the product's form (stock 100) ...
    with fresh_db.read_only() as session:
        opened_at = session.get(Product, product_id).version
    # ... and orders were then confirmed (and perhaps cancelled) by any path
    for quantity, cancelled in placed:
        with fresh_db.unit_of_work() as session:
            order = orders.place_order(
                session=session,
                actor=purchaser,
                product_id=product_id,
                data={
                    "quantity": quantity,
                    "unit": "斤",
                    "recipient_name": "王主任",
                    "recipient_phone": "13903591234",
                    "shipping_address": "运城市盐湖区",
                },
            )
            session.flush()
            orders.confirm_order(
                session=session, actor=seller, order_id=order.id, expected_version=order.version
            )
            if cancelled:
                orders.cancel_order(
                    session=session,
                    actor=purchaser,
                    order_id=order.id,
                    expected_version=order.version,
                )
    with fresh_db.read_only() as session:
        after_sales = session.get(Product, product_id)
        assert after_sales.stock == stock_left
        events = session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one()
    # When the form is saved with the stock it read
    with pytest.raises(ConflictError) as caught, fresh_db.unit_of_work() as session:
        save(session, seller, product_id, opened_at)
    # Then it is refused, the stock is what the sales left, and nothing was recorded
    assert (caught.value.code, caught.value.message) == ("stale_version", PRODUCT_STALE)
    with fresh_db.read_only() as session:
        product = session.get(Product, product_id)
        assert (product.stock, product.price_fen, product.name) == (
            stock_left,
            3500,
            "平陆杜马百合",
        )
        assert product.version == after_sales.version
        actions = session.exec(select(Event.action).where(Event.object_type == "product")).all()
        assert not any(a.startswith("product.update") for a in actions)
        assert session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one() == (
            events
        )


def test_a_rating_and_a_certification_taking_effect_leave_an_open_form_valid(fresh_db):
    # Given a received order and a certification whose notice period is over
    with fresh_db.unit_of_work() as session:
        cooperative = make_cooperative(session)
        product = make_listed_product(session, cooperative=cooperative, stock=100)
        buyer = make_enterprise(session)
        order = make_order(session, buyer, product, status=OrderStatus.received)
        session.add(
            CertificationApplication(
                product_id=product.id,
                status=CertificationStatus.publicised,
                expires_on=date.today() + timedelta(days=365),
                notice_ends_at=datetime.now(UTC) - timedelta(days=1),
            )
        )
        product_id, order_id, opened_at = product.id, order.id, product.version
    # When, after the cooperative opened the form, the buyer rates and the certification
    # comes into force (writes to columns no form edits)
    with fresh_db.unit_of_work() as session:
        orders.rate_order(
            session=session,
            actor=buyer_actor(buyer),
            order_id=order_id,
            expected_version=1,
            data={"rating": 5},
        )
        assert certification.take_effect_when_due(session=session) == 1
    # Then the form opened before still saves: only edits and stock move the version
    with fresh_db.unit_of_work() as session:
        saved = _stale_inline_edit(session, cooperative_actor(cooperative), product_id, opened_at)
        assert (saved.stock, saved.rating_count, saved.version) == (100, 1, opened_at + 1)
        assert saved.assistance_certified_until == date.today() + timedelta(days=365)
