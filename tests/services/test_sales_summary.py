"""sales_monthly and purchases_yearly: kept by orders.receive_order in the receiving transaction,
equal to the orders."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app import migrate
from app.db import Database, create_db_engine
from app.errors import DomainError
from app.models import Product, PurchasesYearly, SalesMonthly, Village
from app.models.enums import AgreementStatus, OrderStatus, ProductCategory
from app.seed import seed_database
from app.services import orders
from app.services.sales_summary import (
    purchase_select,
    rebuild_purchase_summary,
    rebuild_sales_summary,
    summary_select,
)
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_county,
    make_enterprise,
    make_township,
    make_village,
)
from tests.trade_factories import buyer_actor, make_listed_product, make_order

NOON = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
NEW_YEAR_EVE = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 01:00 on 1 January 2027 in Shanghai


def summary(session: Session) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    session.flush()
    rows = session.execute(
        sa.select(
            SalesMonthly.month,
            SalesMonthly.county_code,
            SalesMonthly.category,
            SalesMonthly.orders,
            SalesMonthly.amount_fen,
            SalesMonthly.paired_fen,
        )
    ).all()
    return {(m, c, str(k)): (n, a, p) for m, c, k, n, a, p in rows}


def from_orders(session: Session) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    """The same figures computed from the orders, products and villages."""
    rows = session.execute(summary_select(session)).all()
    return {(m, c, str(k)): (int(n), int(a), int(p)) for m, c, k, n, a, p in rows}


def purchases(session: Session) -> dict[tuple[int, int, str], tuple[int, int, int]]:
    session.flush()
    table = PurchasesYearly.__table__
    return {(y, b, c): (n, a, p) for y, b, c, n, a, p in session.execute(sa.select(table))}


def purchases_from_orders(session: Session) -> dict[tuple[int, int, str], tuple[int, int, int]]:
    rows = session.execute(purchase_select(session)).all()
    return {(y, b, c): (int(n), int(a), int(p)) for y, b, c, n, a, p in rows}


def receive(session: Session, order, now=NOON):
    buyer = buyer_actor(order.buyer)
    return orders.receive_order(
        session=session, actor=buyer, order_id=order.id, expected_version=order.version, now=now
    )


def test_a_receipt_adds_to_its_month_county_and_category_and_paired_purchases_count(session):
    cooperative = make_cooperative(session)
    product = make_listed_product(session, cooperative=cooperative, price_fen=3550)
    county = session.get(Village, product.village_id).county_code
    buyer, paired_buyer = make_enterprise(session), make_enterprise(session)
    make_agreement(
        session, enterprise=paired_buyer, village=product.village, status=AgreementStatus.active
    )
    first = make_order(session, buyer, product, quantity=10, status=OrderStatus.shipped)
    second = make_order(session, paired_buyer, product, quantity=2, status=OrderStatus.shipped)
    late = make_order(session, buyer, product, quantity=1, status=OrderStatus.shipped)
    receive(session, first)
    assert summary(session) == {("2026-11", county, "vegetable"): (1, 35500, 0)}
    receive(session, second)
    receive(session, late, now=NEW_YEAR_EVE)
    assert summary(session) == {
        ("2026-11", county, "vegetable"): (2, 35500 + 7100, 7100),
        ("2027-01", county, "vegetable"): (1, 3550, 0),
    }
    assert summary(session) == from_orders(session)
    assert purchases(session) == {
        (2026, buyer.id, county): (1, 35500, 0),
        (2026, paired_buyer.id, county): (1, 7100, 7100),
        (2027, buyer.id, county): (1, 3550, 0),  # 01:00 on 1 January in Shanghai
    }
    assert purchases(session) == purchases_from_orders(session)
    rebuild_purchase_summary(session)
    assert purchases(session) == purchases_from_orders(session)


def test_the_category_and_county_stay_those_at_receipt(session):
    product = make_listed_product(session, price_fen=1000)
    county = session.get(Village, product.village_id).county_code
    order = make_order(session, make_enterprise(session), product, quantity=3)
    order.status = OrderStatus.shipped
    receive(session, order)
    product.category = ProductCategory.fruit
    session.add(product)
    assert summary(session) == {("2026-11", county, "vegetable"): (1, 3000, 0)}
    rebuild_sales_summary(session)  # a rebuild takes the product as it is now
    assert summary(session) == {("2026-11", county, "fruit"): (1, 3000, 0)}
    buyer_id = order.buyer_id
    make_county(session, code="140830", name="芮城县")
    township = make_township(session, code="140830100", name="古魏镇", county_code="140830")
    moved_to = make_village(
        session, code="140830100201", township_code=township.code, county_code="140830"
    )
    product.village_id = moved_to.id
    session.add(product)
    assert purchases(session) == {(2026, buyer_id, county): (1, 3000, 0)}
    rebuild_purchase_summary(session)
    assert purchases(session) == {(2026, buyer_id, "140830"): (1, 3000, 0)}


def test_a_refused_receipt_adds_nothing(session):
    product = make_listed_product(session)
    order = make_order(session, make_enterprise(session), product, status=OrderStatus.confirmed)
    with pytest.raises(DomainError):
        receive(session, order)
    assert summary(session) == {}


def test_a_rolled_back_receipt_leaves_the_summary_unchanged(fresh_db):
    with fresh_db.unit_of_work() as session:
        product = make_listed_product(session, price_fen=500)
        buyer = make_enterprise(session)
        kept = make_order(session, buyer, product, quantity=4, status=OrderStatus.shipped)
        dropped = make_order(session, buyer, product, quantity=6, status=OrderStatus.shipped)
        receive(session, kept)
        county = session.get(Village, product.village_id).county_code
    with pytest.raises(RuntimeError), fresh_db.unit_of_work() as session:
        receive(session, session.get(type(dropped), dropped.id))
        assert summary(session)[("2026-11", county, "vegetable")] == (2, 5000, 0)
        assert purchases(session)[(2026, buyer.id, county)] == (2, 5000, 0)
        raise RuntimeError("the request fails after the receipt")
    with fresh_db.read_only() as session:
        assert summary(session) == {("2026-11", county, "vegetable"): (1, 2000, 0)}
        assert summary(session) == from_orders(session)
        assert purchases(session) == {(2026, buyer.id, county): (1, 2000, 0)}
        assert purchases(session) == purchases_from_orders(session)


def test_concurrent_receipts_leave_the_summary_equal_to_the_orders(fresh_db):
    with fresh_db.unit_of_work() as session:
        products = [
            make_listed_product(session, cooperative=make_cooperative(session), price_fen=price)
            for price in (700, 1300)
        ]
        products[1].category = ProductCategory.fruit
        buyer = make_enterprise(session)
        order_ids = [
            make_order(session, buyer, products[i % 2], quantity=1 + i, status="shipped").id
            for i in range(16)
        ]
    actor = buyer_actor(buyer)
    # Every order is received by two threads at once: exactly one of each pair may count.
    attempts = order_ids + order_ids
    start = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def confirm_receipt(order_id: int) -> None:
        start.wait()
        try:
            with fresh_db.unit_of_work() as session:
                orders.receive_order(
                    session=session, actor=actor, order_id=order_id, expected_version=1, now=NOON
                )
            outcome = "received"
        except DomainError as exc:
            outcome = exc.code
        except Exception as exc:  # anything else is a failure the assertion shows
            outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=confirm_receipt, args=(i,)) for i in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("received") == 16
    assert set(outcomes) <= {"received", "stale_version", "invalid_transition"}
    with fresh_db.read_only() as session:
        counties = {session.get(Village, p.village_id).county_code for p in products}
        fruit = 1300 * sum(1 + i for i in range(1, 16, 2))
        vegetable = 700 * sum(1 + i for i in range(0, 16, 2))
        assert sum(a for _n, a, _p in summary(session).values()) == fruit + vegetable
        assert sum(n for n, _a, _p in summary(session).values()) == 16
        assert {c for _m, c, _k in summary(session)} == counties
        assert summary(session) == from_orders(session)
        assert session.get(Product, products[1].id).category == ProductCategory.fruit
        bought = purchases(session)
        assert {(y, b) for y, b, _c in bought} == {(2026, buyer.id)}
        assert sum(n for n, _a, _p in bought.values()) == 16
        assert sum(a for _n, a, _p in bought.values()) == fruit + vegetable
        assert bought == purchases_from_orders(session)


def test_the_migration_backfills_what_a_rebuild_computes(database_factory):
    url = database_factory.new_url("purchases")
    database = Database(create_db_engine(url))
    seed_database(database, scale="tiny", seed=5)  # ends with rebuild_purchase_summary
    with database.read_only() as session:
        seeded = purchases(session)
        assert seeded == purchases_from_orders(session)
    assert len({year for year, _b, _c in seeded}) > 1  # several years, buyers and counties
    assert len({county for _y, _b, county in seeded}) > 1
    database.dispose()
    migrate.downgrade(url, "0010")
    migrate.upgrade(url, "0011")
    database = Database(create_db_engine(url))
    with database.read_only() as session:
        assert purchases(session) == seeded
    database.dispose()
