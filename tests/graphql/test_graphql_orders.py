"""Buying through GraphQL: demands with suggestions and reasons, orders from placing to rating,
the reserved share and the consumption figures."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.models import Order
from app.models.enums import OrderStatus
from app.services import clock
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts

DEMAND = """mutation($i: %s!) {
  %s(input: $i) { demand { title status maxUnitPrice deliverBy } errors { field code message } }
}"""
ORDER = """mutation($i: %s!) {
  %s(input: $i) {
    order { status version quantity amount rating cancelReason agreement { id } }
    errors { field code message }
  }
}"""


def tomorrow() -> str:
    return (clock.today() + timedelta(days=1)).isoformat()


DEMAND_FORM = {
    "title": "工会采购百合",
    "category": "VEGETABLE",
    "quantity": 50,
    "unit": "斤",
    "deliverBy": None,
    "keywords": "百合",
    "maxUnitPrice": "40",
}


def test_post_a_demand_see_suggestions_and_close_it(gql_writer):
    posted = payload(
        gql_writer,
        DEMAND % ("PostDemandInput", "postDemand"),
        DEMAND_FORM | {"deliverBy": tomorrow()},
        actor="enterprise_b",
    )
    assert posted == {
        "demand": {
            "title": "工会采购百合",
            "status": "OPEN",
            "maxUnitPrice": "40.00",
            "deliverBy": tomorrow(),
        },
        "errors": [],
    }
    demand = gid("Demand", gql_writer.world.world.trade["demand"])
    suggestions = gql_writer.data(
        """query($id: ID!) { demandSuggestions(demandId: $id) {
          score paired villageName product { name } reasons { text met } } }""",
        {"id": demand},
        actor="enterprise_a",
    )["demandSuggestions"]
    assert [s["product"]["name"] for s in suggestions] == ["百合"]
    assert suggestions[0]["score"] > 0
    assert any(r["met"] and "库存" in r["text"] for r in suggestions[0]["reasons"])
    closed = payload(
        gql_writer,
        DEMAND % ("CloseDemandInput", "closeDemand"),
        {"demandId": demand, "expectedVersion": 1},
        actor="enterprise_a",
    )
    assert closed["demand"]["status"] == "CLOSED"


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"deliverBy": "2020-01-01"},
            [("deliverBy", "deliver_by_past", "交货日期不能早于今天")],
        ),
        (
            {"quantity": 0, "maxUnitPrice": "1.001"},
            [
                ("quantity", "greater_than", "采购数量应大于 0"),
                ("maxUnitPrice", "value_error", "最高单价最多保留两位小数（精确到分）"),
            ],
        ),
    ],
)
def test_demand_errors_in_chinese_write_nothing(gql_writer, overrides, errors):
    before = row_counts(gql_writer.database)
    result = payload(
        gql_writer,
        DEMAND % ("PostDemandInput", "postDemand"),
        DEMAND_FORM | {"deliverBy": tomorrow()} | overrides,
        actor="enterprise_a",
    )
    assert (result["demand"], errors_of(result)) == (None, errors)
    assert row_counts(gql_writer.database) == before


def place(client, **overrides) -> dict:
    form = {
        "productId": gid("Product", client.world.world.trade["product"]),
        "quantity": 10,
        "unit": "斤",
        "shippingAddress": "运城市盐湖区机关食堂",
        "recipientName": "王主任",
        "recipientPhone": "13903591234",
    } | overrides
    return payload(client, ORDER % ("PlaceOrderInput", "placeOrder"), form, actor="enterprise_a")


def step(client, mutation, input_type, order_id, *, actor, version, **extra) -> dict:
    input_ = {"orderId": order_id, "expectedVersion": version} | extra
    return payload(client, ORDER % (input_type, mutation), input_, actor=actor)


def test_an_order_from_placing_to_rating(gql_writer):
    placed = place(gql_writer)
    assert placed["errors"] == []
    assert (placed["order"]["status"], placed["order"]["amount"]) == ("PLACED", "350.00")
    order_id = gql_writer.data("{ orders(first: 1) { nodes { id } } }", actor="enterprise_a")[
        "orders"
    ]["nodes"][0]["id"]
    for mutation, actor, status in [
        ("confirmOrder", "cooperative", "CONFIRMED"),
        ("shipOrder", "cooperative", "SHIPPED"),
        ("receiveOrder", "enterprise_a", "RECEIVED"),
    ]:
        version = {"CONFIRMED": 1, "SHIPPED": 2, "RECEIVED": 3}[status]
        shipping = {"carrier": "顺丰速运", "trackingNumber": "SF1234567890"}
        result = step(
            gql_writer,
            mutation,
            "ShipOrderInput" if mutation == "shipOrder" else "OrderStepInput",
            order_id,
            actor=actor,
            version=version,
            **(shipping if mutation == "shipOrder" else {}),
        )
        assert (result["errors"], result["order"]["status"]) == ([], status)
    stock = gql_writer.data(
        "query($id: ID!) { product(id: $id) { stock } }",
        {"id": gid("Product", gql_writer.world.world.trade["product"])},
    )
    assert stock == {"product": {"stock": 90}}
    rated = step(
        gql_writer,
        "rateOrder",
        "RateOrderInput",
        order_id,
        actor="enterprise_a",
        version=4,
        rating=5,
    )
    assert rated["order"]["rating"] == 5
    again = step(
        gql_writer,
        "rateOrder",
        "RateOrderInput",
        order_id,
        actor="enterprise_a",
        version=5,
        rating=1,
    )
    assert errors_of(again) == [(None, "already_rated", "该订单已评价")]


def test_order_refusals_in_chinese_write_nothing(gql_writer):
    before = row_counts(gql_writer.database)
    assert errors_of(place(gql_writer, quantity=1000)) == [
        ("quantity", "quantity_above_stock", "库存不足：当前最多可订 100 斤")
    ]
    # Every problem at once: the quantity and the unit.
    assert errors_of(place(gql_writer, unit="箱", quantity=0)) == [
        ("quantity", "greater_than", "订购数量应大于 0"),
        ("unit", "unit_mismatch", "该产品按“斤”销售，请按斤填写数量"),
    ]
    assert errors_of(place(gql_writer, unit="箱")) == [
        ("unit", "unit_mismatch", "该产品按“斤”销售，请按斤填写数量")
    ]
    world = gql_writer.world.world
    stale = step(
        gql_writer,
        "shipOrder",
        "ShipOrderInput",
        gid("Order", world.trade["order_confirmed"]),
        actor="cooperative",
        version=7,
        carrier="中国邮政",
    )
    assert errors_of(stale) == [(None, "stale_version", "订单已被他人处理，请刷新后再试")]
    wrong = step(
        gql_writer,
        "shipOrder",
        "ShipOrderInput",
        gid("Order", world.trade["order_placed"]),
        actor="cooperative",
        version=1,
        carrier="中国邮政",
    )
    assert errors_of(wrong) == [(None, "invalid_transition", "订单待确认，不能发货")]
    assert row_counts(gql_writer.database) == before


def test_confirming_more_than_the_stock_is_refused(gql_writer):
    world = gql_writer.world.world
    quick = """mutation($i: UpdatePriceAndStockInput!) {
      updatePriceAndStock(input: $i) { errors { code } } }"""
    product = gid("Product", world.trade["product"])
    payload(
        gql_writer,
        quick,
        {"productId": product, "price": "10", "stock": 1, "expectedVersion": 1},
        actor="cooperative",
    )
    before = row_counts(gql_writer.database)
    result = step(
        gql_writer,
        "confirmOrder",
        "OrderStepInput",
        gid("Order", world.trade["order_placed"]),
        actor="cooperative",
        version=1,
    )
    assert errors_of(result) == [
        (
            None,
            "insufficient_stock",
            "库存不足：订单需要 2 斤，当前库存仅 1 斤，请补充库存后再确认",
        )
    ]
    assert row_counts(gql_writer.database) == before
    cancelled = step(
        gql_writer,
        "cancelOrder",
        "CancelOrderInput",
        gid("Order", world.trade["order_confirmed"]),
        actor="enterprise_a",
        version=1,
        reason="改期",
    )
    assert (cancelled["order"]["status"], cancelled["order"]["cancelReason"]) == (
        "CANCELLED",
        "改期",
    )
    restocked = gql_writer.data("query($id: ID!) { product(id: $id) { stock } }", {"id": product})
    assert restocked == {"product": {"stock": 3}}


SHARE = """mutation($i: SetReservedShareInput!) {
  setReservedShare(input: $i) { enterprise { reservedShare } errors { field code message } }
}"""


def test_reserved_share_and_its_progress(gql_writer):
    enterprise = gid("Enterprise", gql_writer.world.world.enterprise_a)
    version = gql_writer.world.ids["enterprise_a_version"]
    before = row_counts(gql_writer.database)
    bad = payload(
        gql_writer,
        SHARE,
        {"enterpriseId": enterprise, "expectedVersion": version, "reservedShare": "1.001"},
        actor="enterprise_a",
    )
    assert errors_of(bad) == [
        ("reservedShare", "value_error", "年度预留采购份额最多保留两位小数（精确到分）")
    ]
    assert row_counts(gql_writer.database) == before
    saved = payload(
        gql_writer,
        SHARE,
        {"enterpriseId": enterprise, "expectedVersion": version, "reservedShare": "1000"},
        actor="enterprise_a",
    )
    assert saved == {"enterprise": {"reservedShare": "1000.00"}, "errors": []}
    shipped = gid("Order", gql_writer.world.world.trade["order_shipped"])
    received = step(
        gql_writer, "receiveOrder", "OrderStepInput", shipped, actor="enterprise_a", version=1
    )
    assert received["order"]["status"] == "RECEIVED"
    year = clock.today().year
    progress = gql_writer.data(
        "query($id: ID!, $y: Int) { reservedShare(enterpriseId: $id, year: $y) "
        "{ year reserved bought percent enterprise { name } } }",
        {"id": enterprise, "y": year},
        actor="enterprise_a",
    )["reservedShare"]
    # Received just now: 2 斤 at 35.00 against 1000.00 reserved.
    assert progress == {
        "year": year,
        "reserved": "1000.00",
        "bought": "70.00",
        "percent": 7,
        "enterprise": {"name": "甲企业"},
    }
    refused = gql_writer.run("{ reservedShares(year: 1900) { year } }", actor="bureau_county")
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["year_invalid"]


def test_consumption_figures_equal_the_received_orders(gql, world_db):
    with world_db.read_only() as session:
        received = session.execute(
            sa.select(sa.func.count(), sa.func.sum(Order.amount_fen)).where(
                Order.status == OrderStatus.received
            )
        ).one()
    rows = gql.data(
        "{ consumptionByCounty { code name orders amount pairedAmount } }", actor="bureau_city"
    )["consumptionByCounty"]
    assert sum(r["orders"] for r in rows) == received[0]
    total = sum(round(float(r["amount"]) * 100) for r in rows)
    assert total == received[1]
    none_yet = gql.data(
        "query($d: Date) { consumptionByCounty(since: $d, until: $d) { orders } }",
        {"d": "2001-01-01"},
        actor="bureau_city",
    )["consumptionByCounty"]
    assert {r["orders"] for r in none_yet} == {0}


CHECKOUT = """mutation($i: CheckoutInput!) {
  checkout(input: $i) {
    orders { quantity status stockHeld checkoutNumber recipientName recipientPhone }
    errors { field code message }
  }
}"""


def _checkout(client, quantity: int, **overrides) -> dict:
    world = client.world.world
    form = {
        "cooperativeId": gid("Cooperative", world.trade["cooperative"]),
        "lines": [{"productId": gid("Product", world.trade["product"]), "quantity": quantity}],
        "recipientName": "王主任",
        "recipientPhone": "0359-2021234",
        "shippingAddress": "运城市盐湖区机关食堂",
    } | overrides
    return payload(client, CHECKOUT, form, actor="enterprise_a")


def test_checkout_holds_the_stock_or_refuses_the_whole_cart(gql_writer):
    before = row_counts(gql_writer.database)
    short = _checkout(gql_writer, 101)
    assert short["orders"] is None
    assert [code for _field, code, _message in errors_of(short)] == ["quantity_above_stock"]
    bad_phone = _checkout(gql_writer, 3, recipientPhone="12")
    assert [field for field, _code, _message in errors_of(bad_phone)] == ["recipientPhone"]
    assert row_counts(gql_writer.database) == before
    done = _checkout(gql_writer, 30)
    assert done["errors"] == []
    [order] = done["orders"]
    assert (order["status"], order["stockHeld"], order["recipientName"]) == (
        "PLACED",
        True,
        "王主任",
    )
    assert order["checkoutNumber"].startswith("DD-")
    stock = gql_writer.data(
        "query($id: ID!) { product(id: $id) { stock } }",
        {"id": gid("Product", gql_writer.world.world.trade["product"])},
    )
    assert stock == {"product": {"stock": 70}}


def test_the_cooperative_refuses_a_placed_order_and_ships_with_a_carrier(gql_writer):
    world = gql_writer.world.world
    blank = step(
        gql_writer, "refuseOrder", "RefuseOrderInput", gid("Order", world.trade["order_placed"]),
        actor="cooperative", version=1, reason=" ",
    )  # fmt: skip
    assert errors_of(blank) == [("reason", "reason_required", "请填写拒绝接单的原因")]
    refused = step(
        gql_writer, "refuseOrder", "RefuseOrderInput", gid("Order", world.trade["order_placed"]),
        actor="cooperative", version=1, reason="本周无货",
    )  # fmt: skip
    assert (refused["order"]["status"], refused["order"]["cancelReason"]) == (
        "CANCELLED",
        "本周无货",
    )
    unnamed = step(
        gql_writer, "shipOrder", "ShipOrderInput", gid("Order", world.trade["order_confirmed"]),
        actor="cooperative", version=1, carrier="",
    )  # fmt: skip
    assert errors_of(unnamed) == [("carrier", "string_too_short", "承运物流不能为空")]
