"""Orders: placing, every transition allowed or refused, stock reservation, 结对帮销, ratings."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from app.actors import ANONYMOUS
from app.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from app.models import Event, Order, Product
from app.models.enums import AgreementStatus, DemandStatus, OrderStatus, ProductStatus
from app.services import orders
from tests.factories import make_agreement, make_cooperative, make_enterprise
from tests.trade_factories import (
    bureau_actor,
    buyer_actor,
    cooperative_actor,
    make_demand,
    make_listed_product,
    make_order,
)

NOON = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
RECIPIENT = {"recipient_name": "李师傅", "recipient_phone": "13903591234"}


def counts(session: Session) -> dict[str, int]:
    session.flush()
    return {
        name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for name, table in SQLModel.metadata.tables.items()
    }


@pytest.fixture
def shop(session):
    cooperative = make_cooperative(session)
    product = make_listed_product(
        session, cooperative=cooperative, price_fen=3550, stock=100, min_order=5
    )
    buyer = make_enterprise(session)
    return cooperative, product, buyer


def _place(session, buyer, product, **data):
    form = RECIPIENT | {
        "quantity": "10",
        "unit": "斤",
        "shipping_address": "北京市东城区某机关食堂",
    }
    form |= data
    return orders.place_order(
        session=session, actor=buyer_actor(buyer), product_id=product.id, data=form, now=NOON
    )


def test_placing_fixes_the_price_numbers_the_order_and_matches_the_demand(session, shop):
    _cooperative, product, buyer = shop
    demand = make_demand(session, buyer)
    order = _place(session, buyer, product, quantity="12", demand_id=str(demand.id))
    assert (order.number, order.status, order.quantity) == ("DD-20261129-000001", "placed", 12)
    assert (order.unit_price_fen, order.amount_fen, order.version) == (3550, 42600, 1)
    assert (product.stock, order.stock_held) == (88, True)  # held at checkout
    assert (order.recipient_name, order.recipient_phone) == ("李师傅", "13903591234")
    assert demand.status == DemandStatus.matched
    assert _place(session, buyer, product).number == "DD-20261129-000002"
    assert product.stock == 78
    assert session.exec(select(Event.action)).all() == ["order.place", "order.place"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"quantity": "0"}, "quantity", "订购数量应大于 0"),
        ({"quantity": "-3"}, "quantity", "订购数量应大于 0"),
        ({"quantity": "2.5"}, "quantity", "订购数量应为整数"),
        ({"quantity": "101"}, "quantity", "库存不足：当前最多可订 100 斤"),
        ({"quantity": "4"}, "quantity", "起订量为 5 斤"),
        ({"unit": "公斤"}, "unit", "该产品按“斤”销售，请按斤填写数量"),
        ({"shipping_address": " "}, "shipping_address", "收货地址不能为空"),
        ({"recipient_name": " "}, "recipient_name", "收货人不能为空"),
        ({"recipient_phone": ""}, "recipient_phone", "收货人电话不能为空"),
        (
            {"recipient_phone": "12345"},
            "recipient_phone",
            "请填写正确的收货人电话：11 位手机号或带区号的固定电话",
        ),
        ({"recipient_name": "王" * 41}, "recipient_name", "收货人不能超过 40 个字符"),
    ],
)
def test_bad_orders_are_refused_by_field_and_write_nothing(session, shop, data, field, message):
    _cooperative, product, buyer = shop
    before = counts(session)
    with pytest.raises(ValidationError) as caught:
        _place(session, buyer, product, **data)
    errors = {e.field: e.message for e in getattr(caught.value, "errors", [caught.value])}
    assert errors[field] == message
    assert counts(session) == before


def test_only_approved_buyers_order_listed_products(session, shop):
    cooperative, product, _buyer = shop
    before = counts(session)
    for actor in (cooperative_actor(cooperative), bureau_actor(), ANONYMOUS):
        with pytest.raises(PermissionDeniedError):
            orders.place_order(
                session=session,
                actor=actor,
                product_id=product.id,
                data=RECIPIENT | {"quantity": 10, "unit": "斤", "shipping_address": "某地"},
            )
    product.status = ProductStatus.delisted
    with pytest.raises(NotFoundError):
        _place(session, make_enterprise(session), product)
    assert counts(session) | {"enterprises": 0} == before | {"enterprises": 0}


def test_a_demand_of_another_buyer_cannot_be_answered(session, shop):
    _cooperative, product, buyer = shop
    theirs = make_demand(session, make_enterprise(session))
    with pytest.raises(NotFoundError) as caught:
        _place(session, buyer, product, demand_id=theirs.id)
    assert caught.value.field == "demand_id"


# Transitions -----------------------------------------------------------------------------------

ALLOWED_FROM = {
    "confirm": {OrderStatus.placed},
    "refuse": {OrderStatus.placed},
    "ship": {OrderStatus.confirmed},
    "receive": {OrderStatus.shipped},
    "cancel": {OrderStatus.placed, OrderStatus.confirmed},
    "rate": {OrderStatus.received},
}


def _run(session, action, actor, order):
    common = {"session": session, "actor": actor, "order_id": order.id, "expected_version": 1}
    if action == "confirm":
        return orders.confirm_order(**common)
    if action == "ship":
        return orders.ship_order(**common, data={"carrier": "中国邮政", "tracking_number": "9876"})
    if action == "refuse":
        return orders.refuse_order(**common, reason="本周无货")
    if action == "receive":
        return orders.receive_order(**common)
    if action == "cancel":
        return orders.cancel_order(**common, reason="买方取消")
    return orders.rate_order(**common, data={"rating": 5, "comment": "百合很新鲜"})


def _actor_for(action, cooperative, buyer):
    if action in ("confirm", "ship", "refuse"):
        return cooperative_actor(cooperative)
    return buyer_actor(buyer)


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("action", list(ALLOWED_FROM))
def test_each_transition_only_from_its_states(session, shop, action, status):
    cooperative, product, buyer = shop
    order = make_order(session, buyer, product, status=status)
    actor = _actor_for(action, cooperative, buyer)
    if status in ALLOWED_FROM[action]:
        _run(session, action, actor, order)
        assert order.version == 2
        assert session.exec(select(Event.action)).all() == [f"order.{action}"]
        return
    before = counts(session)
    with pytest.raises(ConflictError) as caught:
        _run(session, action, actor, order)
    assert caught.value.code == "invalid_transition"
    assert caught.value.message.startswith("订单")
    assert counts(session) == before
    assert order.status == status


WRONG_ACTORS = {
    "confirm": ("buyer", "other_cooperative", "bureau"),
    "refuse": ("buyer", "other_cooperative", "bureau"),
    "ship": ("buyer", "other_cooperative", "bureau"),
    "receive": ("cooperative", "other_buyer", "bureau"),
    "cancel": ("other_buyer", "other_cooperative", "bureau"),
    "rate": ("cooperative", "other_buyer", "bureau"),
}


@pytest.mark.parametrize("action", list(WRONG_ACTORS))
def test_each_transition_refuses_the_wrong_party_and_writes_nothing(session, shop, action):
    cooperative, product, buyer = shop
    order = make_order(session, buyer, product, status=next(iter(ALLOWED_FROM[action])))
    parties = {
        "buyer": buyer_actor(buyer),
        "other_buyer": buyer_actor(make_enterprise(session)),
        "cooperative": cooperative_actor(cooperative),
        "other_cooperative": cooperative_actor(make_cooperative(session)),
        "bureau": bureau_actor(),
    }
    before = counts(session)
    for name in WRONG_ACTORS[action] + ("anonymous",):
        with pytest.raises(PermissionDeniedError):
            _run(session, action, parties.get(name, ANONYMOUS), order)
    assert counts(session) == before


def test_a_stale_version_is_a_conflict(session, shop):
    cooperative, product, buyer = shop
    order = make_order(session, buyer, product)
    with pytest.raises(ConflictError) as caught:
        orders.confirm_order(
            session=session, actor=cooperative_actor(cooperative), order_id=order.id,
            expected_version=2,
        )  # fmt: skip
    assert caught.value.code == "stale_version"
    assert (order.status, product.stock) == ("placed", 100)


def test_the_full_journey_holds_at_checkout_then_keeps_the_stock(session, shop):
    cooperative, product, buyer = shop
    order = _place(session, buyer, product, quantity="30")
    assert product.stock == 70
    seller, purchaser = cooperative_actor(cooperative), buyer_actor(buyer)
    orders.confirm_order(session=session, actor=seller, order_id=order.id, expected_version=1)
    assert product.stock == 70
    orders.ship_order(
        session=session, actor=seller, order_id=order.id, expected_version=2,
        data={"carrier": "顺丰速运", "tracking_number": "SF1234567890"},
    )  # fmt: skip
    orders.receive_order(session=session, actor=purchaser, order_id=order.id, expected_version=3)
    assert (order.status, order.version, product.stock) == ("received", 4, 70)
    assert order.confirmed_at and order.shipped_at and order.received_at
    assert (order.carrier, order.tracking_number) == ("顺丰速运", "SF1234567890")


def test_confirming_an_order_placed_before_holds_takes_its_stock_or_is_refused(session, shop):
    cooperative, product, buyer = shop
    order = make_order(session, buyer, product, quantity=80)
    product.stock = 60
    session.flush()
    before = counts(session)
    with pytest.raises(ConflictError) as caught:
        orders.confirm_order(
            session=session, actor=cooperative_actor(cooperative), order_id=order.id,
            expected_version=1,
        )  # fmt: skip
    assert caught.value.code == "insufficient_stock"
    assert caught.value.message == (
        "库存不足：订单需要 80 斤，当前库存仅 60 斤，请补充库存后再确认"
    )
    assert counts(session) == before


def test_cancelling_returns_reserved_stock_only(session, shop):
    cooperative, product, buyer = shop
    seller = cooperative_actor(cooperative)
    placed = make_order(session, buyer, product, quantity=10)
    confirmed = make_order(session, buyer, product, quantity=25)
    orders.confirm_order(session=session, actor=seller, order_id=confirmed.id, expected_version=1)
    assert product.stock == 75
    orders.cancel_order(
        session=session, actor=buyer_actor(buyer), order_id=placed.id, expected_version=1
    )
    assert product.stock == 75
    orders.cancel_order(
        session=session, actor=seller, order_id=confirmed.id, expected_version=2, reason="缺货"
    )
    assert (product.stock, confirmed.status, confirmed.cancel_reason) == (100, "cancelled", "缺货")


def test_rating_feeds_the_product_once(session, shop):
    _cooperative, product, buyer = shop
    purchaser = buyer_actor(buyer)
    first = make_order(session, buyer, product, status=OrderStatus.received)
    second = make_order(session, buyer, product, status=OrderStatus.received)
    with pytest.raises(ValidationError) as caught:
        orders.rate_order(
            session=session, actor=purchaser, order_id=first.id, expected_version=1,
            data={"rating": "6"},
        )  # fmt: skip
    assert (caught.value.field, caught.value.message) == ("rating", "评分不能大于 5")
    for order, stars in ((first, 5), (second, 2)):
        orders.rate_order(
            session=session, actor=purchaser, order_id=order.id, expected_version=1,
            data={"rating": str(stars), "comment": " 好 "},
        )  # fmt: skip
    assert (product.rating_total, product.rating_count, product.rating) == (7, 2, 3.5)
    assert first.rating_comment == "好"
    with pytest.raises(ConflictError):
        orders.rate_order(
            session=session, actor=purchaser, order_id=first.id, expected_version=2,
            data={"rating": 1},
        )  # fmt: skip


@pytest.mark.parametrize(
    ("status", "start", "end", "counted"),
    [
        (AgreementStatus.active, "2026-01-01", "2028-12-31", True),
        (AgreementStatus.completed, "2024-01-01", "2026-11-29", True),
        (AgreementStatus.active, "2026-11-30", "2028-12-31", False),
        (AgreementStatus.proposed, "2026-01-01", "2028-12-31", False),
        (AgreementStatus.terminated, "2026-01-01", "2028-12-31", False),
    ],
)
def test_receipt_from_a_paired_village_counts_toward_the_agreement(
    session, shop, status, start, end, counted
):
    _cooperative, product, buyer = shop
    agreement = make_agreement(
        session,
        enterprise=buyer,
        village=product.village,
        status=status,
        start_on=datetime.fromisoformat(start).date(),
        end_on=datetime.fromisoformat(end).date(),
    )
    make_agreement(session, village=product.village, status=AgreementStatus.active)  # not ours
    order = make_order(session, buyer, product, status=OrderStatus.shipped)
    orders.receive_order(
        session=session, actor=buyer_actor(buyer), order_id=order.id, expected_version=1, now=NOON
    )
    assert order.agreement_id == (agreement.id if counted else None)


def test_orders_are_listed_for_each_party(session, shop):
    cooperative, product, buyer = shop
    mine = make_order(session, buyer, product)
    other_product = make_listed_product(session)
    theirs = make_order(session, make_enterprise(session), other_product)
    assert orders.list_orders(session=session, actor=buyer_actor(buyer)).items == [mine]
    assert orders.list_orders(session=session, actor=cooperative_actor(cooperative)).items == [mine]
    assert {o.id for o in orders.list_orders(session=session, actor=bureau_actor()).items} == {
        mine.id,
        theirs.id,
    }
    assert orders.list_orders(session=session, actor=bureau_actor("140830")).items == []
    assert orders.list_orders(session=session, actor=ANONYMOUS).items == []
    with pytest.raises(NotFoundError):
        orders.get_order(session=session, actor=buyer_actor(buyer), order_id=theirs.id)
    assert orders.get_order(session=session, actor=bureau_actor(), order_id=theirs.id) is theirs


# Concurrency ------------------------------------------------------------------------------------


def test_fifty_concurrent_confirmations_against_twenty_units_sell_exactly_twenty(fresh_db):
    with fresh_db.unit_of_work() as session:
        cooperative = make_cooperative(session)
        product = make_listed_product(session, cooperative=cooperative, stock=20)
        buyer = make_enterprise(session)
        order_ids = [make_order(session, buyer, product, quantity=1).id for _ in range(50)]
    seller = cooperative_actor(cooperative)
    start = threading.Barrier(len(order_ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def confirm(order_id: int) -> None:
        start.wait()
        try:
            with fresh_db.unit_of_work() as session:
                orders.confirm_order(
                    session=session, actor=seller, order_id=order_id, expected_version=1
                )
            outcome = "confirmed"
        except DomainError as exc:
            outcome = exc.code
        except Exception as exc:  # anything else is a failure the assertion shows
            outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=confirm, args=(order_id,)) for order_id in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(set(outcomes)) == ["confirmed", "insufficient_stock"]
    assert outcomes.count("confirmed") == 20
    with fresh_db.read_only() as session:
        assert session.get(Product, product.id).stock == 0
        statuses = session.exec(select(Order.status, sa.func.count()).group_by(Order.status)).all()
        assert dict(statuses) == {"confirmed": 20, "placed": 30}
        assert (
            session.execute(
                sa.select(sa.func.count()).select_from(Event).where(Event.action == "order.confirm")
            ).scalar()
            == 20
        )
