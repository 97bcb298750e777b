"""The development GraphiQL page (app/schema/graphiql.py): our own page through Strawberry's
``render_graphql_ide`` override. Every asset it loads is pinned by its integrity hash, and its
operations carry the session's CSRF token."""

import json
import re

from starlette.testclient import TestClient

from app.schema.graphiql import ASSETS

HTML = {"Accept": "text/html"}


def _page(client: TestClient) -> str:
    page = client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    return page.text


def test_every_asset_is_pinned_by_its_integrity_hash(gql):
    text = _page(TestClient(gql.http.app))
    tags = re.findall(r"<(?:script|link)\b[^>]*>", text)
    external = [tag for tag in tags if "https://" in tag]
    assert len(external) == len(ASSETS) == 6
    for asset in ASSETS:
        [tag] = [tag for tag in external if f'"{asset.url}"' in tag]
        assert f'integrity="{asset.integrity}"' in tag and "crossorigin" in tag
    assert all(asset.integrity.startswith("sha384-") for asset in ASSETS)
    assert "GraphiQL.createFetcher" in text and "explorerPlugin" in text


def test_its_operations_carry_the_sessions_csrf_token(gql):
    client = TestClient(gql.http.app)
    text = _page(client)
    found = re.search(r"const defaultHeaders = (\{.*?\});", text)
    assert found is not None
    headers = json.loads(found.group(1))
    assert set(headers) == {"X-CSRF-Token"} and headers["X-CSRF-Token"]
    typename = {"query": "{ __typename }"}
    answer = client.post("/graphql", json=typename, headers=headers)
    assert answer.json() == {"data": {"__typename": "Query"}}
    refused = client.post("/graphql", json=typename, headers={"X-CSRF-Token": "forged"})
    assert refused.status_code == 403
