"""Order pages: lists for each party, the order's page and every transition over HTTP."""

import re

import pytest

from app.models import Enterprise, Order, Product
from app.models.enums import OrderStatus
from tests.trade_factories import make_order
from tests.web.conftest import version_in
from tests.web.trade_site import build_site, field_error, post, row_counts


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _order(site, quantity=10, **overrides) -> int:
    with site.db.unit_of_work() as session:
        buyer = session.get(Enterprise, site.buyer_id)
        product = session.get(Product, site.product_id)
        return make_order(session, buyer, product, quantity, **overrides).id


def _get(site, order_id) -> Order:
    with site.db.read_only() as session:
        return session.get(Order, order_id)


def _stock(site) -> int:
    with site.db.read_only() as session:
        return session.get(Product, site.product_id).stock


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_order_lists_for_the_buyer_and_the_cooperative(site):
    order_id = _order(site)
    buyer = site.client("caigou").get("/orders")
    assert buyer.template.name == "orders/list.html"
    assert [o.id for o in buyer.context["page"].items] == [order_id]
    assert "南坡百合专业合作社" in buyer.text
    seller = site.client("hezuoshe").get("/orders?status=placed", headers={"HX-Request": "true"})
    assert seller.template.name == "orders/_results.html"
    assert "<html" not in seller.text and "运城市机关事务管理局" in seller.text
    assert site.client("qita").get("/orders").context["page"].items == []
    assert site.client("ruicheng").get("/orders").context["page"].items == []


def test_the_journey_confirm_ship_receive_rate_through_htmx(site):
    order_id = _order(site, 30)
    seller, buyer = site.client("hezuoshe"), site.client("caigou")
    page = seller.get(f"/orders/{order_id}")
    assert page.template.name == "orders/detail.html"
    assert page.context["actions"] == ("confirm", "refuse")
    assert buyer.get(f"/orders/{order_id}").context["actions"] == ("cancel",)

    confirmed = post(seller, f"/orders/{order_id}/confirm", {"version": "1"}, htmx=True)
    assert confirmed.status_code == 200
    assert confirmed.template.name == "orders/_order.html"
    assert '<span class="badge badge--pending">待发货</span>' in confirmed.text
    assert "已确认接单" in confirmed.text
    assert _stock(site) == 70
    ship_form = {"version": _version(confirmed.text), "carrier": "中国邮政", "tracking_number": ""}
    unsent = post(seller, f"/orders/{order_id}/ship", ship_form | {"carrier": " "}, htmx=True)
    assert unsent.status_code == 422
    assert field_error(unsent.text, "field-carrier") == "承运物流不能为空"
    shipped = post(
        seller, f"/orders/{order_id}/ship", ship_form | {"tracking_number": "9812345"}, htmx=True
    )
    assert "已发货" in shipped.text and "中国邮政 · 运单号 9812345" in shipped.text
    received = post(buyer, f"/orders/{order_id}/receive", {"version": "3"}, htmx=True)
    assert received.context["actions"] == ("rate",)
    rated = post(
        buyer,
        f"/orders/{order_id}/rate",
        {"version": _version(received.text), "rating": "4", "comment": "很新鲜"},
        htmx=True,
    )
    assert rated.status_code == 200 and "4 分 · 很新鲜" in rated.text
    order = _get(site, order_id)
    assert (order.status, order.rating, order.version) == (OrderStatus.received, 4, 5)


def test_transitions_work_as_plain_posts_with_a_redirect(site):
    order_id = _order(site)
    seller = site.client("hezuoshe")
    response = post(seller, f"/orders/{order_id}/confirm", {"version": "1"})
    assert (response.status_code, response.headers["location"]) == (303, f"/orders/{order_id}")
    assert "已确认接单" in seller.get(f"/orders/{order_id}").text


def test_not_enough_stock_is_a_clear_error_and_nothing_changes(site):
    order_id = _order(site, 150)
    before = row_counts(site.db)
    response = post(
        site.client("hezuoshe"), f"/orders/{order_id}/confirm", {"version": "1"}, htmx=True
    )
    assert response.status_code == 409
    assert response.template.name == "orders/_order.html"
    assert "库存不足：订单需要 150 斤，当前库存仅 100 斤，请补充库存后再确认" in response.text
    assert row_counts(site.db) == before
    assert _get(site, order_id).status == OrderStatus.placed


def test_a_stale_page_is_told_to_refresh(site):
    order_id = _order(site)
    seller = site.client("hezuoshe")
    post(seller, f"/orders/{order_id}/confirm", {"version": "1"})
    response = post(seller, f"/orders/{order_id}/confirm", {"version": "1"})
    assert response.status_code == 409
    assert "订单已被他人处理，请刷新后再试" in response.text


def test_cancelling_a_confirmed_order_returns_the_stock(site):
    order_id = _order(site, 20, status=OrderStatus.confirmed)
    with site.db.unit_of_work() as session:
        session.get(Product, site.product_id).stock = 80
    response = post(
        site.client("caigou"),
        f"/orders/{order_id}/cancel",
        {"version": "1", "reason": "改期"},
        htmx=True,
    )
    assert response.status_code == 200
    assert "取消原因" in response.text and "改期" in response.text
    assert _stock(site) == 100


def test_a_bad_rating_is_shown_by_its_field(site):
    order_id = _order(site, status=OrderStatus.received)
    response = post(
        site.client("caigou"), f"/orders/{order_id}/rate", {"version": "1", "rating": "9"}
    )
    assert response.status_code == 422
    assert field_error(response.text, "field-rating") == "评分不能大于 5"


def test_other_parties_cannot_see_or_act_on_the_order(site):
    order_id = _order(site)
    assert site.client("qita").get(f"/orders/{order_id}").status_code == 404
    assert site.client("ruicheng").get(f"/orders/{order_id}").status_code == 404
    assert site.client("pinglu").get(f"/orders/{order_id}").context["actions"] == ()
    before = row_counts(site.db)
    assert (
        post(site.client("qita"), f"/orders/{order_id}/confirm", {"version": "1"}).status_code
        == 404
    )
    assert (
        post(site.client("caigou"), f"/orders/{order_id}/confirm", {"version": "1"}).status_code
        == 404
    )
    assert row_counts(site.db) == before


def test_an_agency_buyer_sees_and_sets_its_reserved_share(site):
    _order(site, 20, status=OrderStatus.received, received_at=None)
    client = site.client("caigou")
    page = client.get("/orders")
    assert page.context["share"].reserved_fen == 0
    version = version_in(page.text, "/orders/reserved-share")
    bad = post(client, "/orders/reserved-share", {"reserved_share": "100.001", "version": version})
    assert bad.status_code == 422
    assert (
        field_error(bad.text, "field-reserved_share")
        == "年度预留采购份额最多保留两位小数（精确到分）"
    )
    done = post(client, "/orders/reserved-share", {"reserved_share": "200000", "version": version})
    assert done.headers["location"] == "/orders"
    share = client.get("/orders").context["share"]
    assert share.reserved_fen == 20_000_000
    assert "预留份额 ¥200,000.00" in client.get("/orders").text
