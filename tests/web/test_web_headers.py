"""Caching, compression and the script policy: headers as a class, over every page route."""

import hashlib

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from app.asgi import create_app
from app.config import HTMX_CDN_URL
from app.http import SESSION_COOKIE
from app.web.security import content_security_policy
from tests.web.conftest import csrf_token_of
from tests.web.test_web_accounts import _login, app  # noqa: F401


def _page_routes(application) -> list[str]:
    """Every GET route that takes no path parameter (detail pages are covered elsewhere)."""
    return sorted(
        route.path
        for route in application.routes
        if isinstance(route, Route)
        and "GET" in (route.methods or ())
        and not route.param_convertors
        and route.path != "/graphql"
    )


def test_every_response_to_a_signed_in_browser_is_no_store(app):  # noqa: F811
    client = TestClient(app)
    _login(client)
    paths = _page_routes(app)
    assert len(paths) > 20
    answers = {path: client.get(path, follow_redirects=False) for path in paths}
    # A handler may say "private, no-store" itself; nothing less than no-store passes.
    refused = {
        path: response.headers.get("cache-control")
        for path, response in answers.items()
        if "no-store" not in (response.headers.get("cache-control") or "").split(", ")
    }
    assert refused == {}
    graphql = client.post("/graphql", json={"query": "{ me { username } }"})
    assert graphql.headers["cache-control"] == "no-store"


def test_every_response_to_an_api_token_is_no_store(app):  # noqa: F811
    browser = TestClient(app)
    _login(browser)
    page = browser.post(
        "/account/tokens", data={"name": "对接", "csrf_token": csrf_token_of(browser)}
    )
    api = TestClient(app, headers={"Authorization": f"Bearer {page.context['new_token']}"})
    for path in _page_routes(app):
        assert api.get(path, follow_redirects=False).headers["cache-control"] == "no-store", path


def test_a_response_that_sets_the_session_cookie_is_no_store(app):  # noqa: F811
    response = TestClient(app).get("/login")
    assert SESSION_COOKIE in response.headers["set-cookie"]
    assert response.headers["cache-control"] == "no-store"


def test_a_handler_caching_policy_is_overridden_for_a_signed_in_browser(app):  # noqa: F811
    from starlette.responses import Response

    async def cached(request):
        return Response("x", headers={"Cache-Control": "public, max-age=600"})

    app.router.routes.insert(0, Route("/cached-for-test", cached))
    assert TestClient(app).get("/cached-for-test").headers["cache-control"] == "public, max-age=600"
    client = TestClient(app)
    _login(client)
    assert client.get("/cached-for-test").headers["cache-control"] == "no-store"


def _stylesheet_href(client) -> str:
    html = client.get("/").text
    return html.split('<link rel="stylesheet" href="', 1)[1].split('"', 1)[0]


def test_fingerprinted_static_files_are_cached_for_a_year_and_compressed(app):  # noqa: F811
    client = TestClient(app)
    _login(client)
    href = _stylesheet_href(client)
    response = client.get(href, headers={"Accept-Encoding": "gzip"})
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert "set-cookie" not in response.headers
    assert href.endswith(hashlib.sha256(response.content).hexdigest()[:10])


@pytest.mark.parametrize(
    "url",
    ["/static/css/app.css", "/static/css/app.css?v=0000000000", "/static/css/app.css?v="],
)
def test_static_files_without_the_current_fingerprint_revalidate(app, url):  # noqa: F811
    response = TestClient(app).get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert "etag" in response.headers


def test_the_local_htmx_copy_is_compressed_and_sets_no_cookie(app):  # noqa: F811
    client = TestClient(app)
    _login(client)
    script = client.get("/static/vendor/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    assert script.headers["content-encoding"] == "gzip"
    assert "set-cookie" not in script.headers
    assert script.content.startswith(b"var htmx") or b"htmx" in script.content[:200]


def test_a_missing_static_file_is_a_plain_404(app):  # noqa: F811
    assert TestClient(app).get("/static/css/missing.css").status_code == 404


def test_the_production_policy_names_the_exact_htmx_file(make_settings):
    policy = content_security_policy(make_settings(environment="production"))
    assert f"script-src 'self' {HTMX_CDN_URL};" in policy
    other = make_settings(
        environment="production", htmx_url="https://cdn.example.cn/htmx@2.0.11/htmx.min.js;x y"
    )
    assert (
        "script-src 'self' https://cdn.example.cn/htmx@2.0.11/htmx.min.js%3Bx%20y;"
        in content_security_policy(other)
    )


def test_development_scripts_come_from_this_site_only(make_settings):
    assert "script-src 'self';" in content_security_policy(make_settings())


def test_the_served_policy_in_development_allows_the_local_copy(fresh_db, make_settings):
    client = TestClient(create_app(make_settings(), database=fresh_db))
    page = client.get("/")
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in page.text
