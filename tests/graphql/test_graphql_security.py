"""Protection: limits with clear codes, masked internal errors, production settings, transport."""

import json

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from app.asgi import create_app
from app.models import Event
from app.services.queries import regions
from tests.authz.world import PASSWORD
from tests.graphql.conftest import app_settings
from tests.web.conftest import csrf_token_of


def _errors(body: dict) -> list[tuple[str, str]]:
    return [(e["extensions"]["code"], e["message"]) for e in body["errors"]]


def _codes(body: dict) -> list[str]:
    return [code for code, _ in _errors(body)]


# Limits ---------------------------------------------------------------------------------------


WRAPPERS = [
    "villages(first: 1)",
    "nodes",
    "agreements(first: 1)",
    "nodes",
    "enterprise",
    "agreements(first: 1)",
    "nodes",
    "village",
    "agreements(first: 1)",
    "nodes",
    "enterprise",
    "agreements(first: 1)",
    "nodes",
]


def _nested(levels: int) -> str:
    """villages → agreements → enterprise → agreements → village → …, ``levels`` fields deep."""
    wrappers = WRAPPERS[:levels]
    inner = "id" if wrappers[-1] in ("nodes", "enterprise", "village") else "totalCount"
    for wrapper in reversed(wrappers):
        inner = f"{wrapper} {{ {inner} }}"
    return "{ " + inner + " }"


def test_depth_limit(gql):
    assert "errors" not in gql.run(_nested(12), actor="bureau_city")
    body = gql.run(_nested(13), actor="bureau_city")
    assert body["data"] is None
    assert _errors(body) == [("query_too_deep", "查询嵌套过深：13 层，最多 12 层")]


def test_depth_counts_through_fragments(gql):
    query = "query { ...Deep } fragment Deep on Query { " + _nested(13)[2:-2] + " }"
    assert _codes(gql.run(query, actor="bureau_city")) == ["query_too_deep"]


def test_alias_limit(gql):
    fields = " ".join(f"c{i}: counties {{ code }}" for i in range(21))
    body = gql.run("{ " + fields + " }")
    assert _errors(body) == [("too_many_aliases", "别名过多：21 个，最多 20 个")]
    assert "errors" not in gql.run(
        "{ " + " ".join(f"c{i}: counties {{ code }}" for i in range(20)) + " }"
    )


def test_token_limit(gql):
    query = "{ counties { " + " ".join(["code"] * 2100) + " } }"
    body = gql.run(query)
    assert _codes(body) == ["too_many_tokens"]
    assert "2000" in body["errors"][0]["message"]


def test_node_budget_multiplies_first_along_each_path(gql):
    query = "query($outer: Int, $inner: Int) { villages(first: $outer) { nodes { agreements(first: $inner) { nodes { number } } } } }"
    # 100 villages + 100 × 100 agreements
    body = gql.run(query, {"outer": 100, "inner": 100}, actor="bureau_city")
    assert body["data"] is None
    assert _errors(body) == [
        (
            "node_budget_exceeded",
            "查询可能返回 10100 个对象，超过每次 10000 个的上限；请减小 first 或分页查询",
        )
    ]
    assert "errors" not in gql.run(query, {"outer": 100, "inner": 99}, actor="bureau_city")


def test_node_budget_counts_plain_lists_and_literal_first(gql):
    # 100 agreements × 20 (the weight of a plain list) reports each, × 5 again below them.
    query = """{ agreements(first: 100) { nodes { reports { agreement {
        village { agreements(first: 5) { nodes { number } } } } } } } }"""
    body = gql.run(query, actor="bureau_city")
    assert _codes(body) == ["node_budget_exceeded"]
    assert "12100" in body["errors"][0]["message"]


def test_first_beyond_the_cap_is_refused_before_execution(gql):
    body = gql.run("{ villages { nodes { agreements(first: 500) { totalCount } } } }")
    assert _errors(body) == [("page_size_invalid", "first 应在 0 到 100 之间（收到 500）")]


# Errors ---------------------------------------------------------------------------------------


def test_internal_errors_are_masked_with_a_code(gql, monkeypatch):
    def broken(session):
        raise RuntimeError("password=hunter2 at /srv/secret")

    monkeypatch.setattr(regions, "all_counties", broken)
    response = gql.post("{ counties { code } }")
    assert response.status_code == 200
    assert "hunter2" not in response.text and "secret" not in response.text
    assert response.json()["errors"] == [
        {
            "message": "服务器内部错误，请稍后再试；如果问题一直存在，请联系运城市乡村振兴局",
            "locations": [{"line": 1, "column": 3}],
            "path": ["counties"],
            "extensions": {"code": "internal_error"},
        }
    ]


def test_business_errors_of_queries_keep_their_chinese_message(gql):
    village_id = gql.data('{ village(code: "140830100199") { id } }')["village"]["id"]
    body = gql.run(
        "query($id: ID!) { events(objectId: $id) { totalCount } }",
        {"id": village_id},
        actor="enterprise_a",
    )
    assert _errors(body) == [("permission_denied", "您没有权限执行此操作")]


def test_validation_and_syntax_errors_keep_their_messages(gql):
    body = gql.run("{ villagez { totalCount } }")
    assert _codes(body) == ["graphql_validation_failed"]
    assert "villagez" in body["errors"][0]["message"]
    assert _codes(gql.run("{ villages { ")) == ["graphql_parse_failed"]
    wrong_variable = gql.run("query($f: Int) { villages(first: $f) { totalCount } }", {"f": "many"})
    assert _codes(wrong_variable) == ["graphql_validation_failed"]


def test_money_must_be_text_or_an_integer(gql):
    query = "query($min: Money) { products(filter: {priceMin: $min}) { totalCount } }"
    assert "errors" not in gql.run(query, {"min": "12.50"})
    assert "errors" not in gql.run(query, {"min": 12})
    floating = gql.run(query, {"min": 12.5})
    assert _codes(floating) == ["graphql_validation_failed"]
    assert '金额应为字符串形式的元，如 "1234.50"' in floating["errors"][0]["message"]
    precise = gql.run(query, {"min": "1.234"})
    assert _errors(precise) == [("amount_precision", "价格最多保留两位小数（精确到分）")]


# Production settings --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def production(world_db):
    url = world_db.engine.url.render_as_string(hide_password=False)
    settings = app_settings(url, environment="production", secret_key="p" * 40)
    return TestClient(create_app(settings, database=world_db))


def test_production_refuses_introspection_but_answers_typename(production):
    body = production.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert set(_codes(body.json())) == {"introspection_disabled"}
    typename = production.post("/graphql", json={"query": "{ __typename }"}).json()
    assert typename == {"data": {"__typename": "Query"}}


def test_production_gives_no_field_suggestions(production):
    body = production.post("/graphql", json={"query": "{ villagez { totalCount } }"}).json()
    assert "Did you mean" not in body["errors"][0]["message"]


def test_graphiql_only_in_development(production, gql):
    html = {"Accept": "text/html"}
    assert production.get("/graphql", headers=html).status_code == 404
    page = TestClient(gql.http.app).get("/graphql", headers=html)
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert '"X-CSRF-Token": "' in page.text


def test_introspection_works_in_development(gql):
    body = gql.run('{ __type(name: "Village") { description } }')
    assert body["data"]["__type"]["description"].startswith("行政村")


# Transport ------------------------------------------------------------------------------------


def test_no_operation_over_get(gql):
    mutation = 'mutation { createApiToken(input: {name: "x"}) { errors { code } } }'
    for query in (mutation, "{ counties { code } }"):
        response = gql.http.get("/graphql", params={"query": query})
        assert response.status_code == 400
    assert gql.http.get("/graphql", params={"query": mutation}).text == (
        "mutations are not allowed when using GET"
    )


def test_no_batching(gql):
    response = gql.http.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert (response.status_code, response.text) == (400, "Batching is not enabled")


def test_no_multipart(gql):
    token = gql.world.tokens["bureau_city"]
    operations = json.dumps({"query": "{ __typename }"})
    response = gql.http.post(
        "/graphql",
        data={"operations": operations, "map": "{}"},
        files={"0": ("a.txt", b"x", "text/plain")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (response.status_code, response.text) == (400, "Unsupported content type")


def test_other_methods_are_405(gql):
    assert gql.http.put("/graphql", json={"query": "{ __typename }"}).status_code == 405


# CSRF -----------------------------------------------------------------------------------------

CREATE_TOKEN = (
    'mutation { createApiToken(input: {name: "浏览器"}) { apiToken { name } errors { code } } }'
)


def _signed_in(app) -> tuple[TestClient, str]:
    client = TestClient(app)
    token = csrf_token_of(client)
    response = client.post(
        "/login",
        data={"username": "bureau_county", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client, csrf_token_of(client)


def _token_events(database) -> int:
    query = sa.select(sa.func.count()).where(Event.action == "api_token.create")
    with database.read_only() as session:
        return session.execute(query).scalar_one()


def test_cookie_signed_posts_need_the_csrf_token(gql_writer):
    app = gql_writer.http.app
    client, csrf = _signed_in(app)
    before = _token_events(gql_writer.database)
    refused = client.post("/graphql", json={"query": CREATE_TOKEN})
    assert refused.status_code == 403
    assert "页面已过期或请求无效" in refused.text
    assert _token_events(gql_writer.database) == before
    accepted = client.post("/graphql", json={"query": CREATE_TOKEN}, headers={"X-CSRF-Token": csrf})
    assert accepted.json()["data"]["createApiToken"] == {
        "apiToken": {"name": "浏览器"},
        "errors": [],
    }
    assert _token_events(gql_writer.database) == before + 1
    me = client.post(
        "/graphql", json={"query": "{ me { username } }"}, headers={"X-CSRF-Token": csrf}
    )
    assert me.json() == {"data": {"me": {"username": "bureau_county"}}}


def test_bearer_token_posts_need_no_csrf_token(gql_writer):
    body = gql_writer.run(CREATE_TOKEN, actor="enterprise_a")
    assert body["data"]["createApiToken"] == {"apiToken": {"name": "浏览器"}, "errors": []}


def test_foreign_origin_is_refused_even_with_a_token(gql_writer):
    app = gql_writer.http.app
    client, csrf = _signed_in(app)
    response = client.post(
        "/graphql",
        json={"query": CREATE_TOKEN},
        headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"},
    )
    assert response.status_code == 403
