"""Checkout, refusal and shipping pages (with and without htmx), and what the product page tells
a buyer: stock held at checkout, reviews, and whether a purchase counts as 结对帮销."""

import re

import pytest
from sqlmodel import select

from app.models import Enterprise, Order, Product, Village
from app.models.enums import AgreementStatus, OrderStatus
from tests.factories import make_agreement
from tests.trade_factories import make_listed_product, make_order
from tests.web.trade_site import build_site, field_error, post, row_counts

RECIPIENT = {"recipient_name": "王主任", "recipient_phone": "13903591234"}


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _second_product(site) -> int:
    with site.db.unit_of_work() as session:
        cooperative = session.get(Product, site.product_id).cooperative
        return make_listed_product(
            session, cooperative=cooperative, name="圣人涧花椒", stock=6, min_order=1
        ).id


def _stocks(site, *ids) -> tuple[int, ...]:
    with site.db.read_only() as session:
        return tuple(session.get(Product, i).stock for i in ids)


def _checkout_form(site, lines: dict[int, str]) -> dict:
    form = RECIPIENT | {"shipping_address": "运城市盐湖区机关食堂", "note": ""}
    return form | {f"quantity_{pid}": q for pid, q in lines.items()}


def test_the_checkout_page_lists_the_cooperatives_listed_products(site):
    pepper = _second_product(site)
    page = site.client("caigou").get(f"/cooperatives/{site.cooperative_id}/checkout")
    assert page.template.name == "orders/checkout.html"
    assert {p.id for p in page.context["shelf"].products} == {site.product_id, pepper}
    assert f'name="quantity_{pepper}"' in page.text and 'name="csrf_token"' in page.text
    product_page = site.client("caigou").get(f"/products/{site.product_id}")
    assert f'href="/cooperatives/{site.cooperative_id}/checkout"' in product_page.text
    assert (
        site.client("hezuoshe").get(f"/cooperatives/{site.cooperative_id}/checkout").status_code
        == 403
    )


def test_checking_out_several_products_as_a_plain_post(site):
    pepper = _second_product(site)
    client = site.client("caigou")
    url = f"/cooperatives/{site.cooperative_id}/checkout"
    response = post(client, url, _checkout_form(site, {site.product_id: "10", pepper: "6"}))
    assert (response.status_code, response.headers["location"]) == (303, "/orders")
    listing = client.get("/orders")
    assert "已下单 2 笔（结算号 DD-" in listing.text
    assert _stocks(site, site.product_id, pepper) == (90, 0)
    with site.db.read_only() as session:
        numbers = set(session.exec(select(Order.checkout_number)).all())
    assert len(numbers) == 1


def test_a_short_line_comes_back_by_its_field_through_htmx_and_nothing_is_held(site):
    pepper = _second_product(site)
    client = site.client("caigou")
    url = f"/cooperatives/{site.cooperative_id}/checkout"
    before = row_counts(site.db)
    form = _checkout_form(site, {site.product_id: "10", pepper: "7"})
    partial = post(client, url, form, htmx=True)
    assert (partial.status_code, partial.template.name) == (422, "orders/_checkout_form.html")
    assert "<html" not in partial.text
    message = field_error(partial.text, f"field-quantity_{pepper}")
    assert message == "“圣人涧花椒”库存不足：当前最多可订 6 斤"
    assert 'value="10"' in partial.text  # the other line is kept
    whole = post(client, url, form | RECIPIENT | {"recipient_phone": "1"})
    assert whole.status_code == 422 and whole.template.name == "orders/checkout.html"
    assert field_error(whole.text, "field-recipient_phone").startswith("请填写正确的收货人电话")
    assert row_counts(site.db) == before
    assert _stocks(site, site.product_id, pepper) == (100, 6)
    ok = post(client, url, _checkout_form(site, {pepper: "6"}), htmx=True)
    assert (ok.status_code, ok.headers["HX-Redirect"]) == (204, "/orders")


def test_the_order_form_asks_for_the_recipient_and_holds_the_stock(site):
    client = site.client("caigou")
    form = {"quantity": "10", "unit": "斤", "shipping_address": "运城市盐湖区机关食堂"}
    missing = post(client, f"/products/{site.product_id}/orders", form, htmx=True)
    assert missing.status_code == 422
    assert field_error(missing.text, "field-recipient_name") == "收货人不能为空"
    done = post(client, f"/products/{site.product_id}/orders", form | RECIPIENT)
    assert done.status_code == 303
    assert _stocks(site, site.product_id) == (90,)
    order_page = client.get(done.headers["location"])
    assert "王主任 · 13903591234" in order_page.text


def test_the_cooperative_refuses_with_a_reason_with_and_without_htmx(site):
    with site.db.unit_of_work() as session:
        buyer = session.get(Enterprise, site.buyer_id)
        product = session.get(Product, site.product_id)
        first = make_order(session, buyer, product, 10).id
        second = make_order(session, buyer, product, 10).id
    seller = site.client("hezuoshe")
    blank = post(seller, f"/orders/{first}/refuse", {"version": "1", "reason": ""}, htmx=True)
    assert blank.status_code == 422
    assert field_error(blank.text, "field-reason") == "请填写拒绝接单的原因"
    refused = post(
        seller, f"/orders/{first}/refuse", {"version": "1", "reason": "本周无货"}, htmx=True
    )
    assert refused.status_code == 200 and "已拒绝接单，库存已退回" in refused.text
    assert "本周无货" in refused.text
    plain = post(seller, f"/orders/{second}/refuse", {"version": "1", "reason": "改种"})
    assert (plain.status_code, plain.headers["location"]) == (303, f"/orders/{second}")
    # The buyer cannot refuse.
    assert (
        post(site.client("caigou"), f"/orders/{first}/refuse", {"version": "2"}).status_code == 404
    )


def test_shipping_as_a_plain_post_names_the_carrier(site):
    with site.db.unit_of_work() as session:
        buyer = session.get(Enterprise, site.buyer_id)
        product = session.get(Product, site.product_id)
        order_id = make_order(session, buyer, product, 10, status=OrderStatus.confirmed).id
    seller = site.client("hezuoshe")
    page = seller.get(f"/orders/{order_id}")
    assert 'id="field-carrier"' in page.text and 'id="field-tracking_number"' in page.text
    bad = post(
        seller,
        f"/orders/{order_id}/ship",
        {"version": "1", "carrier": "邮政", "tracking_number": "9 8"},
    )
    assert bad.status_code == 422 and bad.template.name == "orders/detail.html"
    assert field_error(bad.text, "field-tracking_number") == "运单号只能包含字母、数字和 -"
    done = post(seller, f"/orders/{order_id}/ship", {"version": "1", "carrier": "自行配送"})
    assert done.status_code == 303
    assert "自行配送" in site.client("caigou").get(f"/orders/{order_id}").text


def test_the_product_page_shows_reviews_and_tells_a_paired_buyer(site):
    with site.db.unit_of_work() as session:
        buyer = session.get(Enterprise, site.buyer_id)
        product = session.get(Product, site.product_id)
        make_order(
            session, buyer, product, 10, status=OrderStatus.received, rating=5,
            rating_comment="百合很新鲜，包装结实",
        )  # fmt: skip
        make_order(session, buyer, product, 10, status=OrderStatus.received, rating=3)
        village = session.get(Village, product.village_id)
    anonymous = site.client().get(f"/products/{site.product_id}")
    assert "百合很新鲜，包装结实" in anonymous.text
    assert len(anonymous.context["reviews"]) == 1  # a rating without words is not a review
    assert (
        site.client("caigou").get(f"/products/{site.product_id}").context["paired_number"] is None
    )
    with site.db.unit_of_work() as session:
        agreement = make_agreement(
            session,
            enterprise=session.get(Enterprise, site.buyer_id),
            village=session.get(Village, village.id),
            status=AgreementStatus.active,
        )
        number = agreement.number
    page = site.client("caigou").get(f"/products/{site.product_id}")
    assert re.search(rf"结对帮扶协议 {number}：确认收货后，本次采购计入结对帮销", page.text)
    assert "计入结对帮销" not in site.client().get(f"/products/{site.product_id}").text


def test_the_order_page_shows_its_timeline_from_the_audit_events(site):
    buyer, seller = site.client("caigou"), site.client("hezuoshe")
    form = RECIPIENT | {"quantity": "10", "unit": "斤", "shipping_address": "运城市盐湖区"}
    placed = post(buyer, f"/products/{site.product_id}/orders", form)
    url = placed.headers["location"]
    post(seller, f"{url}/confirm", {"version": "1"})
    post(seller, f"{url}/ship", {"version": "2", "carrier": "中国邮政", "tracking_number": "98123"})
    page = buyer.get(url)
    assert [(s.label, s.party, s.detail) for s in page.context["steps"]] == [
        ("下单", "采购单位", ""),
        ("确认", "合作社", ""),
        ("发货", "合作社", "中国邮政 · 运单号 98123"),
    ]
    assert "发货（合作社） · 中国邮政 · 运单号 98123" in page.text
