"""The event bus: subscribers run in their defined order in the publisher's transaction, a rollback
or a failing subscriber takes everything away, and bulk events stay batched."""

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.actors import SYSTEM
from app.models import Event, Notification, Order, SearchOutbox, Village
from app.models.enums import OrderStatus
from app.services import bus, orders, todo_changes, villages
from app.services.domain_events import DomainEvent, Subscription
from app.services.notifying import UndeclaredAction
from tests.factories import make_enterprise, make_township, make_village
from tests.statements import recorded_statements
from tests.trade_factories import cooperative_actor, make_listed_product, make_order

CONCERN_ORDER = [
    "app.services.audit",
    "app.services.notifying",
    "app.services.summaries",
    "app.services.search_outbox",
    "app.services.todo_changes",
]


@pytest.fixture
def placed(fresh_db):
    """A placed order in a committed database: (database, cooperative's actor, order id)."""
    with fresh_db.unit_of_work() as session:
        product = make_listed_product(session, stock=100)
        order = make_order(session, make_enterprise(session), product)
        return fresh_db, cooperative_actor(product.cooperative), order.id


def _confirm(session, actor, order_id):
    return orders.confirm_order(session=session, actor=actor, order_id=order_id, expected_version=1)


def _written(session) -> tuple[int, int, int]:
    """How many audit rows, notifications and outbox rows there are."""
    return tuple(
        session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
        for model in (Event, Notification, SearchOutbox)
    )


def test_the_concerns_run_in_their_defined_order(placed, monkeypatch):
    database, actor, order_id = placed
    assert [c.__name__ for c in bus.CONCERNS] == CONCERN_ORDER
    seen: list[str] = []

    def recording(subscription: Subscription) -> Subscription:
        def handler(session, delivery):
            seen.append(subscription.handler.__module__)
            subscription.handler(session, delivery)

        return Subscription(subscription.event_type, handler)

    monkeypatch.setattr(bus, "SUBSCRIBERS", tuple(recording(s) for s in bus.SUBSCRIBERS))
    with database.unit_of_work() as session:
        _confirm(session, actor, order_id)
    assert seen == CONCERN_ORDER


def test_every_concern_writes_in_the_publishers_transaction(placed):
    database, actor, order_id = placed
    with database.unit_of_work() as session:
        before = _written(session)
        _confirm(session, actor, order_id)
        # The audit row, the buyer's notification, the product's outbox row: before the commit.
        assert _written(session) == tuple(n + 1 for n in before)
        notice = session.exec(sa.select(Notification)).scalars().one()
        event = session.get(Event, notice.event_id)
        assert (event.action, notice.kind) == ("order.confirm", "order.confirm")


def test_a_rollback_takes_the_event_its_notification_outbox_row_and_signal_away(placed):
    database, actor, order_id = placed
    with database.read_only() as session:
        before = _written(session)
    with todo_changes.watch() as watch:
        with pytest.raises(RuntimeError), database.unit_of_work() as session:
            _confirm(session, actor, order_id)
            assert _written(session) != before
            raise RuntimeError("the adapter fails after the service")
        assert not watch.changed
        with database.read_only() as session:
            assert _written(session) == before
            assert session.get(Order, order_id).status == OrderStatus.placed
        with database.unit_of_work() as session:
            _confirm(session, actor, order_id)
        assert watch.changed  # committed: the to-do badge is told


def test_a_failing_subscriber_aborts_the_unit_of_work(placed, monkeypatch):
    database, actor, order_id = placed

    def broken(session, delivery):
        raise RuntimeError("a subscriber failed")

    failing = Subscription(DomainEvent, broken)
    # After audit and notifications have written their rows.
    subscribers = (*bus.SUBSCRIBERS[:4], failing, *bus.SUBSCRIBERS[4:])
    monkeypatch.setattr(bus, "SUBSCRIBERS", subscribers)
    with database.read_only() as session:
        before = _written(session)
    with pytest.raises(RuntimeError, match="a subscriber failed"), database.unit_of_work() as s:
        _confirm(s, actor, order_id)
    with database.read_only() as session:
        assert _written(session) == before
        assert session.get(Order, order_id).status == OrderStatus.placed


def test_an_action_without_a_notification_decision_is_refused(session):
    village = make_village(session)
    event = DomainEvent.by(SYSTEM, action="village.vanish", obj=village)
    with pytest.raises(UndeclaredAction, match=r"village\.vanish"):
        bus.publish(session, event)


def test_a_bulk_creation_stays_one_statement_per_batch(session):
    township = make_township(session)
    new = [
        Village(
            code=f"{township.code}{200 + n:03d}",
            name=f"批量村{n}",
            county_code=township.county_code,
            township_code=township.code,
        )
        for n in range(5)
    ]
    with recorded_statements(session) as seen:
        villages.add_villages(session=session, actor=SYSTEM, villages=new)
    # The subscribers' rows: one statement each for the batch, never one per row.
    assert sum(s.startswith("INSERT INTO events ") for s in seen) == 1
    assert sum(s.startswith("INSERT INTO search_outbox ") for s in seen) == 1
    assert not any(s.startswith("INSERT INTO notifications") for s in seen)
    events = session.exec(sa.select(Event).where(Event.action == "village.create")).scalars()
    assert sorted(int(e.object_id) for e in events) == sorted(v.id for v in new)
    outbox = session.exec(sa.select(SearchOutbox).where(SearchOutbox.doc_type == "village"))
    assert sorted(o.doc_id for o in outbox.scalars()) == sorted(v.id for v in new)


def _imported_services_modules(module: str) -> set[str]:
    path = Path(__file__).parents[2] / (module.replace(".", "/") + ".py")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_subscriber_imports_another_concern_or_the_bus():
    for concern in CONCERN_ORDER:
        imported = _imported_services_modules(concern)
        others = {c for c in CONCERN_ORDER if c != concern} | {"app.services.bus"}
        assert not imported & others, concern
