"""What one unit of a product holds, its shelf life, shipping and dispatch place (decision 0037):
entered with the product, kept by an edit that leaves them out, read from names for old rows."""

import pytest

from app.errors import ValidationError
from app.models.quantities import quantities_of
from app.services import products
from tests.factories import make_cooperative
from tests.services.test_trade_products import _form
from tests.trade_factories import cooperative_actor

DETAILS = {
    "variety": "杜马百合",
    "net_weight_g": "2000",
    "pieces_per_unit": "",
    "shelf_life_days": "30",
    "shipping_terms": "48 小时内发货，满 99 元包邮",
    "dispatch_place": "平陆县杜马村",
}


def test_details_are_entered_with_the_product_and_kept_by_an_edit_without_them(session):
    cooperative = make_cooperative(session)
    actor = cooperative_actor(cooperative)
    product = products.create_product(
        session=session, actor=actor, data=_form(unit="盒", **DETAILS)
    )
    assert (product.variety, product.net_weight_g, product.pieces_per_unit) == (
        "杜马百合",
        2000,
        None,
    )
    assert (product.shelf_life_days, product.dispatch_place) == (30, "平陆县杜马村")
    session.flush()
    products.update_product(
        session=session,
        actor=actor,
        product_id=product.id,
        expected_version=product.version,
        data=_form(unit="盒", price="40"),
    )
    assert (product.price_fen, product.net_weight_g, product.variety) == (4000, 2000, "杜马百合")


@pytest.mark.parametrize(
    ("field", "value"), [("net_weight_g", "0"), ("pieces_per_unit", "-3"), ("shelf_life_days", "x")]
)
def test_bad_details_are_refused_by_their_field(session, field, value):
    cooperative = make_cooperative(session)
    with pytest.raises(ValidationError) as caught:
        products.create_product(
            session=session, actor=cooperative_actor(cooperative), data=_form(**{field: value})
        )
    assert caught.value.errors[0].field == field


@pytest.mark.parametrize(
    ("name", "unit", "expected"),
    [
        ("北景柿子 精品礼盒4斤装", "盒", (2000, None)),
        ("万荣手工粉条 2.5公斤装", "袋", (2500, None)),
        ("夏县薄皮核桃 500克装", "袋", (500, None)),
        ("有机原坪土鸡蛋 30枚装", "盒", (None, 30)),
        ("夏县红薯", "斤", (500, None)),
        ("稷山红薯", "公斤", (1000, None)),
        ("非遗芮城布老虎", "件", (None, 1)),
        ("临猗江石榴 礼盒装", "盒", (None, None)),
    ],
)
def test_existing_products_quantities_are_read_from_name_and_unit(name, unit, expected):
    assert quantities_of(name, unit) == expected


def test_a_certificate_number_goes_with_its_claimed_certification(session):
    cooperative = make_cooperative(session)
    actor = cooperative_actor(cooperative)
    product = products.create_product(
        session=session,
        actor=actor,
        data=_form(certifications=["green"], green_certificate_no="LB-18-2301140829"),
    )
    assert product.green_certificate_no == "LB-18-2301140829"
    with pytest.raises(ValidationError) as caught:
        products.create_product(
            session=session,
            actor=actor,
            data=_form(certifications=["green"], organic_certificate_no="OFDC-123"),
        )
    assert (caught.value.field, caught.value.message) == (
        "organic_certificate_no",
        "填写了证书编号，请同时勾选该认证",
    )
