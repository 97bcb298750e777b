"""The public product search page /products: full page or partial, facets, filters, URL state,
escaping, and never a delisted product."""

import re
import time
from collections.abc import Iterator
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.datastructures import QueryParams
from starlette.testclient import TestClient

from app.search.schema import PRODUCTS
from app.web.product_search import SearchForm
from tests.graphql.payload_checks import counting
from tests.search.search_site import (
    SCRIPT_NAME,
    build_catalogue,
    catalogue_site,
    hide_behind_the_index,
    serve,
)

HTMX = {"HX-Request": "true"}
CARD_NAME = re.compile(r'<span class="product-card__name">(.*?)</span>', re.S)
FACET = re.compile(
    r'name="(\w+)" value="([^"]+)"( checked)?> <span class="facet__label">([^<]+)</span> '
    r'<span class="facet__count">（([\d,]+)）</span>'
)


@pytest.fixture(scope="module")
def site(database_factory, tmp_path_factory) -> Iterator[tuple[TestClient, dict[str, int]]]:
    """A catalogue in four counties, served with the search index built at start-up."""
    with catalogue_site(database_factory, tmp_path_factory.mktemp("search")) as site:
        yield site


@pytest.fixture
def client(site) -> TestClient:
    return site[0]


def names(html: str) -> list[str]:
    """The names on the cards, as text (marks removed, entities decoded)."""
    return [unescape(re.sub(r"</?mark>", "", name)) for name in CARD_NAME.findall(html)]


def facets(html: str) -> dict[str, dict[str, tuple[str, int, bool]]]:
    """Facet parameter → value → (label, count, ticked)."""
    found: dict[str, dict[str, tuple[str, int, bool]]] = {}
    for param, value, checked, label, count in FACET.findall(html):
        found.setdefault(param, {})[value] = (label, int(count.replace(",", "")), bool(checked))
    return found


def test_a_normal_request_gets_the_full_page_with_the_form_and_results(client):
    response = client.get("/products", params={"q": "苹果"})
    assert response.status_code == 200
    assert response.template.name == "products/search.html"
    html = response.text
    assert "<!DOCTYPE html>" in html and 'id="product-search"' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'value="苹果"' in html
    assert 'aria-current="page">特色产品</a>' in html
    assert sorted(names(html)) == sorted(["红富士苹果", "万荣苹果", SCRIPT_NAME])
    assert "共找到 <strong>3</strong> 个产品" in html
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_gets_only_the_results_region(client):
    response = client.get("/products", params={"q": "百合"}, headers=HTMX)
    assert response.status_code == 200
    assert response.template.name == "products/_search_results.html"
    html = response.text
    assert html.lstrip().startswith('<div id="search-results"')
    assert "<!DOCTYPE" not in html and 'id="search-q"' not in html
    assert names(html) == ["杜马百合"]
    assert "<mark>百合</mark>" in html


def test_htmx_is_told_to_push_the_tidy_url_of_the_search(client):
    params = {"q": "苹果", "sort": "relevance", "month": "", "price_min": "", "county": "140829"}
    response = client.get("/products", params=params, headers=HTMX)
    assert response.headers["HX-Push-Url"] == "/products?q=%E8%8B%B9%E6%9E%9C&county=140829"
    assert "HX-Push-Url" not in client.get("/products", params=params).headers


def test_a_history_restore_gets_the_full_page(client):
    headers = HTMX | {"HX-History-Restore-Request": "true"}
    response = client.get("/products", params={"q": "百合"}, headers=headers)
    assert response.template.name == "products/search.html"


def test_pinyin_and_initials_find_apples(client):
    for text in ("pingguo", "pg"):
        html = client.get("/products", params={"q": text}, headers=HTMX).text
        assert "红富士苹果" in names(html) and "万荣苹果" in names(html), text


def test_facets_count_within_the_query_and_keep_other_values_of_a_ticked_facet(client):
    html = client.get("/products", params={"q": "苹果", "county": "140829"}, headers=HTMX).text
    assert names(html) == ["红富士苹果"]
    found = facets(html)
    # The county facet ignores its own filter: every county the apples come from, with counts.
    assert found["county"] == {
        "140802": ("盐湖区", 1, False),
        "140822": ("万荣县", 1, False),
        "140829": ("平陆县", 1, True),
    }
    assert found["category"] == {"fruit": ("水果", 1, False)}
    assert found["certification"] == {"green": ("绿色食品", 1, False)}


def test_ticking_two_values_of_a_facet_gives_either(client):
    params = [("category", "fruit"), ("category", "dried_nut")]
    html = client.get("/products", params=params, headers=HTMX).text
    assert sorted(names(html)) == sorted(["红富士苹果", "万荣苹果", SCRIPT_NAME, "大红袍花椒"])
    found = facets(html)
    assert found["category"] == {
        "fruit": ("水果", 3, True),
        "vegetable": ("蔬菜", 1, False),
        "dried_nut": ("干果坚果", 1, True),
    }
    assert found["certification"] == {"green": ("绿色食品", 2, False)}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"price_min": "6", "price_max": "10"}, ["万荣苹果", SCRIPT_NAME]),
        ({"in_stock": "1", "q": "苹果"}, ["红富士苹果", SCRIPT_NAME]),
        ({"month": "9"}, ["红富士苹果"]),
        ({"county_category": "overall"}, ["万荣苹果", "大红袍花椒"]),
        ({"certification": "green", "sort": "price_desc"}, ["大红袍花椒", "红富士苹果"]),
        ({"q": "苹果", "sort": "price_asc"},
         ["红富士苹果", "万荣苹果", SCRIPT_NAME]),
    ],
)  # fmt: skip
def test_filters_and_sorting(client, params, expected):
    html = client.get("/products", params=params, headers=HTMX).text
    if "sort" in params:
        assert names(html) == expected
    else:
        assert sorted(names(html)) == sorted(expected)


def test_the_form_shows_the_url_state_back(client):
    params = [("q", "苹果"), ("category", "fruit"), ("sort", "price_asc"), ("in_stock", "1"),
              ("price_min", "1.5"), ("month", "10")]  # fmt: skip
    html = client.get("/products", params=params).text
    assert '<option value="price_asc" selected>价格从低到高</option>' in html
    assert '<option value="10" selected>10月</option>' in html
    assert 'name="in_stock" value="1" checked' in html
    assert 'value="1.5"' in html
    assert facets(html)["category"]["fruit"][2] is True


def test_a_search_url_round_trips_through_the_form():
    params = [("q", "苹果"), ("category", "fruit"), ("county", "140829"), ("county", "140822"),
              ("certification", "assistance"), ("in_stock", "1"), ("sort", "newest"),
              ("page", "2")]  # fmt: skip
    form = SearchForm.from_params(QueryParams(params))
    assert parse_qsl(urlsplit(form.url()).query) == params
    assert form.url(page=1) == form.url().replace("&page=2", "")
    assert SearchForm.from_params(QueryParams("q=&sort=bogus&category=nope")).url() == "/products"


def test_invalid_filters_are_422_with_the_reason_and_the_rest_still_applies(client):
    params = {"q": "苹果", "price_min": "abc", "price_max": "1", "month": "13"}
    response = client.get("/products", params=params)
    assert response.status_code == 422
    html = response.text
    assert "最低价应为数字，如 12.50" in html
    assert "采收月份应为 1 到 12" in html
    assert 'aria-invalid="true"' in html
    # Only the valid part of the price (≤ ¥1) would apply: no apple is that cheap.
    assert names(html) == []
    partial = client.get("/products", params=params | {"price_max": ""}, headers=HTMX)
    assert partial.status_code == 422
    assert "以下条件有误，已忽略" in partial.text
    assert len(names(partial.text)) == 3


def test_a_script_in_a_name_stays_text(client):
    html = client.get("/products", params={"q": "苹果"}).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>苹果</mark>" in html


def test_delisted_products_are_never_shown(client, site):
    _client, ids = site
    html = client.get("/products", params={"q": "下架"}).text
    assert names(html) == []
    assert f'href="/products/{ids["下架苹果"]}"' not in client.get("/products").text


def test_cards_link_to_the_product_page_and_show_price_and_place(client, site):
    _client, ids = site
    html = client.get("/products", params={"q": "花椒"}, headers=HTMX).text
    assert f'href="/products/{ids["大红袍花椒"]}"' in html
    assert "¥60.00" in html and "/ 斤" in html
    assert "芮城县" in html


def test_no_results_offer_a_suggestion_and_a_way_on(client):
    html = client.get("/products", params={"q": "平果"}, headers=HTMX).text
    assert names(html) == []
    assert "您是不是要找" in html
    assert 'href="/products?q=%E8%8B%B9%E6%9E%9C"' in html  # 苹果
    html = client.get("/products", params={"q": "榴莲"}, headers=HTMX).text
    assert "没有找到相关产品" in html
    html = client.get("/products", params={"q": "百合", "county": "140822"}, headers=HTMX).text
    assert "没有找到符合条件的产品" in html
    assert 'href="/products?q=%E7%99%BE%E5%90%88"' in html  # the filters cleared, the text kept


def test_pages_keep_the_query(client):
    html = client.get("/products", params={"q": "苹果", "page": "1"}).text
    assert "分页" not in html  # three results fit on one page
    html = client.get("/products", params={"q": "苹果", "page": "5"}, headers=HTMX).text
    assert "没有更多结果" in html
    assert 'href="/products?q=%E8%8B%B9%E6%9E%9C"' in html


def test_a_product_delisted_behind_the_index_is_not_shown(fresh_db, tmp_path):
    ids = build_catalogue(fresh_db)
    with serve(fresh_db, tmp_path / "index") as client:
        hide_behind_the_index(fresh_db, ids["杜马百合"], ids["运城果业集团有限公司"])
        assert names(client.get("/products", params={"q": "百合"}).text) == []
        # The query noticed; the next drain takes the document out of the index. The server's
        # periodic drain may be applying it right now: stop it (it finishes its tick) first.
        client.portal.call(client.app.state.search_drain.stop)
        service = client.app.state.search
        # Another drain may be at work: one runs after every commit (the server's own periodic
        # jobs commit too) and takes the stale documents the query noticed, or holds the index's
        # lock so that ours keeps them for the next. Drain until the index has caught up.
        for _attempt in range(200):
            service.drain(fresh_db)
            drift = service.check(fresh_db, repair=False).drift[PRODUCTS]
            if drift.ok:
                break
            time.sleep(0.05)
        assert drift.ok is True, drift


def test_without_an_index_the_page_says_search_is_not_ready(fresh_db, tmp_path):
    build_catalogue(fresh_db)
    client = serve(fresh_db, tmp_path / "index")  # not entered: no start-up, so no search
    response = client.get("/products", params={"q": "苹果"})
    assert response.status_code == 200
    assert "搜索暂时不可用" in response.text


def test_statements_do_not_grow_with_the_hits(client):
    database = client.app.state.database
    client.get("/products")  # county names are read once, then kept for ten minutes
    counts = {}
    for text, hits in (("百合", 1), ("苹果", 3)):
        with counting(database) as statements:
            html = client.get("/products", params={"q": text}, headers=HTMX).text
        assert len(names(html)) == hits
        counts[text] = len(statements)
    assert counts == {"百合": 2, "苹果": 2}  # the hits with their places, and their photos
