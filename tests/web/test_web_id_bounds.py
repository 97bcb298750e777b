"""Ids no row can have (beyond 2^63 − 1, negative, zero) are "not found" on every page route,
never a 500 from the database's integer overflow."""

import re

import pytest
from starlette.routing import Route

from app.web.ids import RowIdConvertor
from tests.web.trade_site import build_site, post, row_counts

BEYOND_64_BITS = [2**63, 2**64, 10**30]
USERS = ["hezuoshe", "caigou", "pinglu"]


@pytest.fixture
def site(fresh_db, make_settings):
    return build_site(fresh_db, make_settings(fresh_db.engine.url.render_as_string(False)))


def id_routes(app) -> list[Route]:
    return [r for r in app.routes if isinstance(r, Route) and ":id}" in r.path]


def with_id(route: Route, value: object) -> str:
    return re.sub(r"\{[a-z_]+:id\}", str(value), route.path)


def method_of(route: Route) -> str:
    return "GET" if "GET" in (route.methods or {"GET"}) else "POST"


def test_every_page_route_with_a_number_in_its_path_takes_a_bounded_row_id(site):
    # Given the application's routes
    untyped = [r.path for r in site.app.routes if isinstance(r, Route) and ":int}" in r.path]
    # Then none uses Starlette's unbounded int convertor, and there are many id routes
    assert untyped == []
    assert len(id_routes(site.app)) >= 30


@pytest.mark.parametrize("value", [*BEYOND_64_BITS, -1, "1e3", "٣"])
def test_ids_no_row_can_have_are_not_found_on_every_route(site, value):
    # Given each signed-in party
    before = row_counts(site.db)
    for username in USERS:
        client = site.client(username)
        for route in id_routes(site.app):
            # When the route is asked for an id beyond the 64-bit range (or not a number)
            url = with_id(route, value)
            if method_of(route) == "GET":
                response = client.get(url, follow_redirects=False)
            else:
                response = post(client, url, {"version": "1"})
            # Then the answer is a Chinese 404 page, not a server error
            assert response.status_code == 404, (username, url, response.status_code)
            assert "页面不存在" in response.text
    # And nothing was written
    assert row_counts(site.db) == before


def test_id_zero_is_never_a_server_error(site):
    before = row_counts(site.db)
    for username in USERS:
        client = site.client(username)
        for route in id_routes(site.app):
            url = with_id(route, 0)
            if method_of(route) == "GET":
                response = client.get(url, follow_redirects=False)
            else:
                response = post(client, url, {"version": "1"})
            # Then the page refuses (or redirects) as for any id it does not know
            assert response.status_code in (303, 403, 404, 409, 422), (username, url)
    assert row_counts(site.db) == before


@pytest.mark.parametrize("value", [str(2**63), str(2**64), str(10**30), "-" + str(2**63 + 1)])
def test_ids_in_query_strings_and_forms_beyond_64_bits_are_ignored(site, value):
    client = site.client("caigou")
    pages = [
        f"/products/{site.product_id}?demand={value}",
        f"/agreements/new?village_id={value}",
        f"/recommendations?village_id={value}&enterprise_id={value}",
        f"/demands?page={value}",
        f"/products?page={value}",
        f"/orders?page={value}",
    ]
    for url in pages:
        response = client.get(url, follow_redirects=False)
        assert response.status_code in (200, 303), (url, response.status_code)
    # A demand id in the order form is a field error, not a 500
    before = row_counts(site.db)
    response = post(
        client,
        f"/products/{site.product_id}/orders",
        {
            "quantity": "5",
            "unit": "公斤",
            "recipient_name": "王主任",
            "recipient_phone": "13903591234",
            "shipping_address": "运城市盐湖区",
            "demand_id": value,
        },
    )
    assert response.status_code in (404, 422), response.status_code
    assert "采购需求不存在" in response.text or "页面不存在" in response.text
    assert row_counts(site.db) == before


def test_the_convertor_matches_at_most_eighteen_digits():
    convertor = RowIdConvertor()
    pattern = re.compile(f"^{convertor.regex}$")
    assert pattern.match("9" * 18)
    assert not pattern.match("9" * 19)
    assert not pattern.match("-1")
    assert 10**18 - 1 < 2**63 - 1
    with pytest.raises(ValueError):
        convertor.to_string(10**18)
