"""One checkout of several products of one cooperative: one order per line sharing a checkout
number, every line's stock held or none."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS
from app.errors import NotFoundError, PermissionDeniedError, ValidationError
from app.models import Event, Order
from app.models.enums import ProductStatus
from app.services import checkout
from tests.factories import make_cooperative, make_enterprise
from tests.trade_factories import buyer_actor, cooperative_actor, make_listed_product

FORM = {
    "recipient_name": "李师傅",
    "recipient_phone": "13903591234",
    "shipping_address": "运城市盐湖区河东东街 8 号",
}


@pytest.fixture
def shelf(session):
    cooperative = make_cooperative(session)
    lily = make_listed_product(session, cooperative=cooperative, stock=50, min_order=5)
    dates = make_listed_product(session, cooperative=cooperative, stock=8, min_order=1)
    return cooperative, lily, dates, make_enterprise(session)


def _checkout(session, buyer, cooperative, lines, **data):
    return checkout.checkout(
        session=session,
        actor=buyer_actor(buyer),
        cooperative_id=cooperative.id,
        lines=lines,
        data=FORM | data,
    )


def _count(session, model) -> int:
    session.flush()
    return session.exec(select(sa.func.count()).select_from(model)).one()


def test_one_checkout_places_an_order_per_line_sharing_a_number(session, shelf):
    cooperative, lily, dates, buyer = shelf
    placed = _checkout(session, buyer, cooperative, {lily.id: "10", dates.id: "8"})
    assert [(o.product_id, o.quantity, o.stock_held) for o in placed] == [
        (lily.id, 10, True),
        (dates.id, 8, True),
    ]
    assert {o.checkout_number for o in placed} == {placed[0].number}
    assert placed[0].number != placed[1].number
    assert (lily.stock, dates.stock) == (40, 0)
    assert all(o.recipient_phone == "13903591234" for o in placed)
    actions = session.exec(select(Event.action)).all()
    assert actions == ["order.place", "order.place"]


def test_one_short_line_refuses_the_whole_cart(session, shelf):
    cooperative, lily, dates, buyer = shelf
    before = _count(session, Order)
    with pytest.raises(ValidationError) as caught:
        _checkout(session, buyer, cooperative, {lily.id: "10", dates.id: "9"})
    assert caught.value.field == f"quantity_{dates.id}"
    assert "库存不足：当前最多可订 8" in caught.value.message
    assert (_count(session, Order), lily.stock, dates.stock) == (before, 50, 8)


def test_every_wrong_field_is_reported_at_once(session, shelf):
    cooperative, lily, dates, buyer = shelf
    with pytest.raises(ValidationError) as caught:
        _checkout(session, buyer, cooperative, {lily.id: "2", dates.id: "x"}, recipient_phone="123")
    fields = {e.field: e.message for e in caught.value.errors}
    assert set(fields) == {"recipient_phone", f"quantity_{lily.id}", f"quantity_{dates.id}"}
    assert fields[f"quantity_{lily.id}"].endswith("起订量为 5 斤")
    assert _count(session, Order) == 0


def test_an_empty_cart_is_refused(session, shelf):
    cooperative, lily, _dates, buyer = shelf
    with pytest.raises(ValidationError) as caught:
        _checkout(session, buyer, cooperative, {lily.id: ""})
    assert (caught.value.field, caught.value.message) == ("lines", "请至少填写一种产品的数量")


def test_only_the_cooperatives_listed_products_and_only_approved_buyers(session, shelf):
    cooperative, lily, _dates, buyer = shelf
    elsewhere = make_listed_product(session)
    with pytest.raises(NotFoundError):
        _checkout(session, buyer, cooperative, {elsewhere.id: "5"})
    lily.status = ProductStatus.delisted
    with pytest.raises(NotFoundError):
        _checkout(session, buyer, cooperative, {lily.id: "5"})
    for actor in (cooperative_actor(cooperative), ANONYMOUS):
        with pytest.raises(PermissionDeniedError):
            checkout.checkout(
                session=session, actor=actor, cooperative_id=cooperative.id,
                lines={lily.id: "5"}, data=FORM,
            )  # fmt: skip
    assert _count(session, Order) == 0
