"""Stock held at checkout (decision 0036): no oversell under concurrent checkouts, and every way
an order ends unsold (cancelled, refused, expired) gives its stock back exactly once."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.config import get_settings
from app.errors import ConflictError, DomainError, PermissionDeniedError, ValidationError
from app.jobs import JobRunner
from app.models import Event, Notification, Order, Product
from app.models.enums import OrderStatus
from app.services import orders
from tests.factories import make_cooperative, make_enterprise
from tests.trade_factories import buyer_actor, cooperative_actor, make_listed_product, make_order

NOON = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
FORM = {
    "quantity": "1",
    "unit": "斤",
    "recipient_name": "李师傅",
    "recipient_phone": "13903591234",
    "shipping_address": "运城市盐湖区河东东街 8 号",
}


def _place(session, buyer, product, quantity=10, now=NOON):
    return orders.place_order(
        session=session,
        actor=buyer_actor(buyer),
        product_id=product.id,
        data=FORM | {"quantity": str(quantity)},
        now=now,
    )


@pytest.fixture
def shop(session):
    cooperative = make_cooperative(session)
    product = make_listed_product(session, cooperative=cooperative, stock=100, min_order=1)
    return cooperative, product, make_enterprise(session)


def test_a_checkout_beyond_the_stock_is_refused_and_writes_nothing(session, shop):
    _cooperative, product, buyer = shop
    _place(session, buyer, product, quantity=90)
    with pytest.raises(ValidationError) as caught:
        _place(session, buyer, product, quantity=11)
    assert (caught.value.field, caught.value.message) == (
        "quantity",
        "库存不足：当前最多可订 10 斤",
    )
    assert product.stock == 10
    assert session.exec(select(sa.func.count()).select_from(Order)).one() == 1


def test_confirming_a_held_order_never_fails_for_stock(session, shop):
    cooperative, product, buyer = shop
    order = _place(session, buyer, product, quantity=100)
    assert product.stock == 0
    orders.confirm_order(
        session=session, actor=cooperative_actor(cooperative), order_id=order.id,
        expected_version=1,
    )  # fmt: skip
    assert (order.status, product.stock, order.version) == ("confirmed", 0, 2)


@pytest.mark.parametrize("confirmed", [False, True])
def test_cancelling_gives_the_held_stock_back_once(session, shop, confirmed):
    cooperative, product, buyer = shop
    order = _place(session, buyer, product, quantity=30)
    version = 1
    if confirmed:
        orders.confirm_order(
            session=session, actor=cooperative_actor(cooperative), order_id=order.id,
            expected_version=1,
        )  # fmt: skip
        version = 2
    assert product.stock == 70
    orders.cancel_order(
        session=session, actor=buyer_actor(buyer), order_id=order.id, expected_version=version
    )
    assert (order.status, order.stock_held, product.stock) == ("cancelled", False, 100)
    with pytest.raises(ConflictError):
        orders.cancel_order(
            session=session, actor=buyer_actor(buyer), order_id=order.id,
            expected_version=version + 1,
        )  # fmt: skip
    assert product.stock == 100


def test_the_cooperative_refuses_a_placed_order_with_a_reason_and_the_stock_comes_back(
    session, shop
):
    cooperative, product, buyer = shop
    seller = cooperative_actor(cooperative)
    order = _place(session, buyer, product, quantity=40)
    with pytest.raises(ValidationError) as caught:
        orders.refuse_order(session=session, actor=seller, order_id=order.id, expected_version=1)
    assert (caught.value.field, caught.value.message) == ("reason", "请填写拒绝接单的原因")
    # A placed order is refused by the cooperative, not cancelled.
    with pytest.raises(PermissionDeniedError):
        orders.cancel_order(session=session, actor=seller, order_id=order.id, expected_version=1)
    with pytest.raises(PermissionDeniedError):
        orders.refuse_order(
            session=session, actor=buyer_actor(buyer), order_id=order.id, expected_version=1,
            reason="不要了",
        )  # fmt: skip
    assert product.stock == 60
    orders.refuse_order(
        session=session, actor=seller, order_id=order.id, expected_version=1, reason="本周无货"
    )
    assert (order.status, order.cancel_reason, product.stock) == ("cancelled", "本周无货", 100)
    notices = session.exec(select(Notification.title)).all()
    assert "合作社拒绝接单" in notices


def test_a_legacy_placed_order_gives_nothing_back(session, shop):
    """Placed before holds existed: it took no stock, so cancelling returns none."""
    _cooperative, product, buyer = shop
    order = make_order(session, buyer, product, quantity=10)
    orders.cancel_order(
        session=session, actor=buyer_actor(buyer), order_id=order.id, expected_version=1
    )
    assert product.stock == 100


def test_unconfirmed_orders_expire_after_the_confirmation_time_and_release(session, shop):
    cooperative, product, buyer = shop
    old = _place(session, buyer, product, quantity=20, now=NOON - timedelta(hours=73))
    recent = _place(session, buyer, product, quantity=5, now=NOON - timedelta(hours=71))
    confirmed = _place(session, buyer, product, quantity=7, now=NOON - timedelta(hours=80))
    orders.confirm_order(
        session=session, actor=cooperative_actor(cooperative), order_id=confirmed.id,
        expected_version=1,
    )  # fmt: skip
    assert product.stock == 68
    assert orders.expire_overdue(session=session, now=NOON, confirm_hours=72) == 1
    assert (old.status, old.stock_held, old.version) == ("cancelled", False, 2)
    assert old.cancel_reason == "合作社超过 72 小时未确认，订单自动失效"
    assert (recent.status, confirmed.status, product.stock) == ("placed", "confirmed", 88)
    event = session.exec(select(Event).where(Event.action == "order.expire")).one()
    assert (event.actor_id, event.actor_label) == (None, "系统（系统）")
    # Run again: nothing more is due, nothing is given back twice.
    assert orders.expire_overdue(session=session, now=NOON, confirm_hours=72) == 0
    assert product.stock == 88


def test_the_periodic_job_expires_orders(fresh_db):
    with fresh_db.unit_of_work() as session:
        product = make_listed_product(session, stock=50, min_order=1)
        buyer = make_enterprise(session)
        long_ago = datetime.now(UTC) - timedelta(hours=3)
        order_id = _place(session, buyer, product, quantity=50, now=long_ago).id
        product_id = product.id
    settings = get_settings().model_copy(update={"order_confirm_hours": 2})
    JobRunner(fresh_db, settings, name="test").run_pending()
    with fresh_db.read_only() as session:
        assert session.get(Order, order_id).status == OrderStatus.cancelled
        assert session.get(Product, product_id).stock == 50


def test_fifty_concurrent_checkouts_for_twenty_units_sell_exactly_twenty(fresh_db):
    with fresh_db.unit_of_work() as session:
        product = make_listed_product(session, stock=20, min_order=1)
        buyers = [make_enterprise(session) for _ in range(5)]
        product_id = product.id
    start = threading.Barrier(50)
    outcomes: list[str] = []
    lock = threading.Lock()

    def checkout(index: int) -> None:
        buyer = buyers[index % len(buyers)]
        start.wait()
        try:
            with fresh_db.unit_of_work() as session:
                orders.place_order(
                    session=session, actor=buyer_actor(buyer), product_id=product_id, data=FORM
                )
            outcome = "placed"
        except DomainError as exc:
            outcome = exc.code
        except Exception as exc:  # anything else is a failure the assertion shows
            outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=checkout, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(set(outcomes)) == ["placed", "quantity_above_stock"]
    assert outcomes.count("placed") == 20
    with fresh_db.read_only() as session:
        assert session.get(Product, product_id).stock == 0
        held = session.exec(
            select(sa.func.count(), sa.func.sum(Order.quantity)).where(Order.stock_held)
        ).one()
        assert tuple(held) == (20, 20)
        places = select(sa.func.count()).select_from(Event).where(Event.action == "order.place")
        assert session.exec(places).one() == 20
