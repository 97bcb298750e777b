"""Bad text, amounts and dates entered through the pages: a Chinese error by the field and
nothing written (GraphQL: tests/graphql/test_graphql_input_bounds.py)."""

import pytest

from app.models import Product
from tests.trade_factories import days_from_today
from tests.web.trade_site import build_site, field_error, post, row_counts

BAD_DEMANDS = [
    ({"title": "机关\x00食堂"}, "title", "需求标题不能包含控制字符"),
    ({"title": "机关\u202e食堂"}, "title", "需求标题不能包含改变文字方向的控制字符"),
    ({"title": "\u200b\u3000\u200d"}, "title", "需求标题至少 2 个字符"),
    ({"keywords": "百合\x1b[31m"}, "keywords", "关键词不能包含控制字符"),
    ({"note": "送货\x85时间"}, "note", "补充说明不能包含控制字符"),
    ({"destination_region": "盐湖区\n北城"}, "destination_region", "收货地区不能包含控制字符"),
    ({"max_unit_price": "10000000.01"}, "max_unit_price", "最高单价不能超过 1,000 万元"),
    ({"max_unit_price": str(2**64)}, "max_unit_price", "最高单价不能超过 1,000 万元"),
    ({"quantity": str(2**63)}, "quantity", "采购数量不能大于 100000000"),
    ({"deliver_by": "2101-01-01"}, "deliver_by", "交货日期应在 2000-01-01 至 2100-12-31 之间"),
    ({"deliver_by": "10000-01-01"}, "deliver_by", "交货日期应为日期，如 2026-11-29"),
    ({"deliver_by": "0000-01-01"}, "deliver_by", "交货日期应为日期，如 2026-11-29"),
]


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _demand(**overrides) -> dict:
    return {
        "title": "机关食堂采购百合",
        "category": "vegetable",
        "quantity": "50",
        "unit": "斤",
        "deliver_by": days_from_today(10).isoformat(),
    } | overrides


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_DEMANDS)
def test_a_page_refuses_bad_input_by_the_field_and_writes_nothing(site, overrides, field, message):
    client = site.client("caigou")
    before = row_counts(site.db)
    response = post(client, "/demands", _demand(**overrides))
    assert response.status_code == 422
    assert field_error(response.text, f"field-{field}") == message
    assert row_counts(site.db) == before


def test_an_order_above_the_order_bound_is_refused(site):
    # Given a product at the highest unit price with a large stock
    with site.db.unit_of_work() as session:
        product = session.get(Product, site.product_id)
        product.price_fen, product.stock, product.min_order = 10**9, 10**8, 1
    before = row_counts(site.db)
    # When a buyer orders more than ¥10亿 of it
    response = post(
        site.client("caigou"),
        f"/products/{site.product_id}/orders",
        {
            "quantity": "101",
            "unit": "斤",
            "recipient_name": "王主任",
            "recipient_phone": "13903591234",
            "shipping_address": "运城市盐湖区",
        },
    )
    # Then the order is refused on the quantity and nothing is written
    assert response.status_code == 422
    assert "订单金额不能超过 10 亿元" in response.text
    assert row_counts(site.db) == before


NASTY = ["\x00", "南坡\x00村", "\u202e", "9" * 30, "-1", "\ud800"]
PARAMS = [
    "q",
    "county",
    "page",
    "status",
    "category",
    "period",
    "year",
    "village_id",
    "demand",
    "enterprise_id",
    "sort",
    "month",
    "kind",
    "unread",
    "all",
]


@pytest.mark.parametrize("value", NASTY)
def test_query_strings_with_nul_and_giant_numbers_never_break_a_page(site, value):
    from urllib.parse import quote

    from starlette.routing import Route

    pages = [
        r.path
        for r in site.app.routes
        if isinstance(r, Route)
        and "{" not in r.path
        and "GET" in (r.methods or {"GET"})
        and r.path not in ("/graphql", "/logout")
    ]
    assert len(pages) >= 20
    encoded = quote(value.encode("utf-8", "surrogatepass"))
    query = "&".join(f"{name}={encoded}" for name in PARAMS)
    for username in ["caigou", "hezuoshe", "pinglu"]:
        client = site.client(username)
        for path in pages:
            response = client.get(f"{path}?{query}", follow_redirects=False)
            assert response.status_code < 500, (username, path, response.status_code)


@pytest.mark.parametrize("username", ["a\x00b", "\u202eadmin", "9" * 400])
def test_signing_in_with_control_characters_is_refused_not_a_crash(site, username):
    response = post(site.client(), "/login", {"username": username, "password": "Huanghe2026"})
    assert response.status_code in (401, 403, 422), response.status_code
