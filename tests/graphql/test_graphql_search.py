"""GraphQL search: searchProducts, searchVillages and searchEnterprises over the index, with facets,
highlights, suggestions and cursor pages; hits re-checked against the database; limits apply."""

import base64
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.graphql.payload_checks import counting
from tests.search.search_site import (
    SCRIPT_NAME,
    build_catalogue,
    catalogue_site,
    hide_behind_the_index,
    serve,
)

PRODUCTS = """
query($query: String!, $filter: ProductSearchFilter, $sort: ProductSearchSort!, $first: Int,
      $after: String) {
  searchProducts(query: $query, filter: $filter, sort: $sort, first: $first, after: $after) {
    totalCount available suggestion
    edges { cursor highlightedName snippet node { id name price cooperative { name } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
    facets { field label values { value label count selected } }
  }
}
"""
VILLAGES = """
query($query: String!, $filter: VillageSearchFilter) {
  searchVillages(query: $query, filter: $filter) {
    totalCount nodes { id name } edges { highlightedName }
    facets { field values { value count } }
  }
}
"""
ENTERPRISES = """
query($query: String!, $filter: EnterpriseSearchFilter) {
  searchEnterprises(query: $query, filter: $filter) { totalCount nodes { id name } }
}
"""


@pytest.fixture(scope="module")
def site(database_factory, tmp_path_factory) -> Iterator[tuple[TestClient, dict[str, int]]]:
    with catalogue_site(database_factory, tmp_path_factory.mktemp("gqlsearch")) as site:
        yield site


def post(client: TestClient, document: str, **variables) -> dict:
    response = client.post("/graphql", json={"query": document, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def search(client, query: str = "", **variables) -> dict:
    body = post(client, PRODUCTS, query=query, sort=variables.pop("sort", "RELEVANCE"), **variables)
    assert "errors" not in body, body
    return body["data"]["searchProducts"]


def names(result: dict) -> list[str]:
    return [edge["node"]["name"] for edge in result["edges"]]


def gid(name: str, key: int) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


def codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body["errors"]]


def test_chinese_words_find_compound_names_with_highlights(site):
    client, ids = site
    result = search(client, "苹果", sort="PRICE_ASC")
    assert names(result) == ["红富士苹果", "万荣苹果", SCRIPT_NAME]
    assert result["totalCount"] == 3 and result["available"] is True
    first = result["edges"][0]
    assert first["highlightedName"] == "红富士<mark>苹果</mark>"
    assert first["snippet"] == "平陆塬上的红富士<mark>苹果</mark>，脆甜多汁"
    assert first["node"] == {
        "id": gid("Product", ids["红富士苹果"]),
        "name": "红富士苹果",
        "price": "5.00",
        "cooperative": {"name": first["node"]["cooperative"]["name"]},
    }
    assert result["edges"][2]["highlightedName"] == (
        "&lt;script&gt;alert(1)&lt;/script&gt;<mark>苹果</mark>"
    )


@pytest.mark.parametrize("text", ["pingguo", "pg"])
def test_pinyin_finds_apples(site, text):
    client, _ids = site
    assert {"红富士苹果", "万荣苹果"} <= set(names(search(client, text)))


def test_facets_count_with_the_other_filters(site):
    client, _ids = site
    result = search(client, "苹果", filter={"countyCodes": ["140829"]})
    assert names(result) == ["红富士苹果"]
    facets = {f["field"]: (f["label"], f["values"]) for f in result["facets"]}
    assert facets["county"] == (
        "县（市、区）",
        [
            {"value": "140802", "label": "盐湖区", "count": 1, "selected": False},
            {"value": "140822", "label": "万荣县", "count": 1, "selected": False},
            {"value": "140829", "label": "平陆县", "count": 1, "selected": True},
        ],
    )
    assert facets["category"] == (
        "类别",
        [{"value": "FRUIT", "label": "水果", "count": 1, "selected": False}],
    )
    assert facets["certification"][1] == [
        {"value": "GREEN", "label": "绿色食品", "count": 1, "selected": False}
    ]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"categories": ["DRIED_NUT", "VEGETABLE"]}, ["大红袍花椒", "杜马百合"]),
        ({"certifications": ["GREEN"]}, ["大红袍花椒", "红富士苹果"]),
        ({"priceMin": "6", "priceMax": "9"}, [SCRIPT_NAME, "万荣苹果"]),
        ({"inStock": True, "harvestMonth": 10}, ["红富士苹果"]),
        ({"countyCategory": "OVERALL"}, ["大红袍花椒", "万荣苹果"]),
    ],
)
def test_filters(site, given, expected):
    client, _ids = site
    assert names(search(client, filter=given, sort="PRICE_DESC")) == expected


def test_cursor_pages_walk_the_results_in_order(site):
    client, _ids = site
    first = search(client, "苹果", sort="PRICE_ASC", first=2)
    assert names(first) == ["红富士苹果", "万荣苹果"]
    assert first["pageInfo"]["hasNextPage"] is True
    second = search(client, "苹果", sort="PRICE_ASC", first=2, after=first["pageInfo"]["endCursor"])
    assert names(second) == [SCRIPT_NAME]
    assert second["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": second["edges"][0]["cursor"],
    }


def test_no_results_suggest_another_query(site):
    client, _ids = site
    result = search(client, "平果")
    assert (result["totalCount"], result["suggestion"]) == (0, "苹果")


def test_delisted_products_are_never_returned(site):
    client, _ids = site
    assert names(search(client, "下架")) == []


def test_villages_and_enterprises_for_pairing(site):
    client, ids = site
    body = post(client, VILLAGES, query="花椒", filter={"needKinds": ["SALES"]})
    result = body["data"]["searchVillages"]
    assert result["nodes"] == [{"id": gid("Village", ids["张店村"]), "name": "张店村"}]
    assert result["edges"] == [{"highlightedName": "张店村"}]
    facets = {f["field"]: f["values"] for f in result["facets"]}
    assert facets["help"] == [{"value": "SALES", "count": 1}]
    assert "kind" not in facets
    villages = post(client, VILLAGES, query="苹果")["data"]["searchVillages"]
    assert sorted(v["name"] for v in villages["nodes"]) == ["张店村", "西王村"]

    body = post(client, ENTERPRISES, query="花椒")
    assert body["data"]["searchEnterprises"] == {
        "totalCount": 1,
        "nodes": [
            {"id": gid("Enterprise", ids["运城果业集团有限公司"]), "name": "运城果业集团有限公司"}
        ],
    }


def test_hits_are_rechecked_against_the_database(fresh_db, tmp_path):
    ids = build_catalogue(fresh_db)
    with serve(fresh_db, tmp_path / "index") as client:
        hide_behind_the_index(fresh_db, ids["杜马百合"], ids["运城果业集团有限公司"])
        assert names(search(client, "百合")) == []
        assert post(client, ENTERPRISES, query="花椒")["data"]["searchEnterprises"]["nodes"] == []


def test_first_is_capped_and_the_node_budget_counts_search_pages(site):
    client, _ids = site
    body = post(client, PRODUCTS, query="", sort="RELEVANCE", first=101)
    assert codes(body) == ["page_size_invalid"]
    aliases = " ".join(
        f"s{i}: searchProducts(first: 100) {{ facets {{ values {{ count }} }} }}" for i in range(5)
    )
    body = post(client, f"{{ {aliases} }}")
    assert codes(body) == ["node_budget_exceeded"]
    assert body["data"] is None


def test_bad_arguments_are_errors_with_codes(site):
    client, _ids = site
    cases = [
        ({"query": "苹" * 101}, "query_too_long"),
        ({"filter": {"harvestMonth": 13}}, "invalid_month"),
        ({"filter": {"countyCodes": ["平陆"]}}, "invalid_county_code"),
        ({"filter": {"priceMin": "abc"}}, "invalid_amount"),
        ({"after": base64.b64encode(b"cursor:5000").decode()}, "result_window_exceeded"),
    ]
    for variables, code in cases:
        body = post(client, PRODUCTS, **{"query": "", "sort": "RELEVANCE"} | variables)
        assert codes(body) == [code], variables
    body = post(client, ENTERPRISES, query="", filter={"industries": ["Z"]})
    assert codes(body) == ["invalid_industry"]


def test_without_a_search_service_results_are_empty_and_marked_unavailable(fresh_db, tmp_path):
    build_catalogue(fresh_db)
    client = serve(fresh_db, tmp_path / "index")  # not entered: no start-up, no search
    result = search(client, "苹果")
    assert (result["available"], result["totalCount"], result["edges"]) == (False, 0, [])


NESTED = """
query($query: String!) {
  searchProducts(query: $query, first: 10) {
    edges { node { name cooperative { name } village { name } } }
    facets { values { count } }
  }
}
"""


def test_statements_do_not_grow_with_the_hits(site):
    client, _ids = site
    database = client.app.state.database
    post(client, NESTED, query="")  # county names are read once, then kept for ten minutes
    counts = {}
    for text, hits in (("百合", 1), ("苹果", 3)):
        with counting(database) as statements:
            body = post(client, NESTED, query=text)
        assert len(body["data"]["searchProducts"]["edges"]) == hits
        counts[text] = len(statements)
    # The hits with their cooperatives and villages; the cooperatives and their counties again
    # for the visibility of the nested cooperative: never one statement per hit.
    assert counts == {"百合": 3, "苹果": 3}
