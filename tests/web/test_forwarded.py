"""Behind a reverse proxy: the client's address, scheme, host and request id come from the proxy's
headers only when the connection comes from a trusted proxy (app/http.py ForwardedMiddleware);
the CSRF origin check, secure cookies and the sign-in throttle see the result."""

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from app.asgi import create_app
from app.config import Settings, parse_networks
from app.http import ForwardedMiddleware, client_address, request_id
from tests.web.conftest import csrf_token_of

PROXY = ("10.0.0.5", 40000)
STRANGER = ("198.51.100.9", 40000)
TRUSTED = parse_networks("10.0.0.0/24, 127.0.0.1")


async def echo(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "client": client_address(request),
            "url": str(request.url),
            "request_id": request_id(request),
        }
    )


def _client(peer) -> TestClient:
    app = Starlette(routes=[Route("/{rest:path}", echo)])
    return TestClient(ForwardedMiddleware(app, trusted=TRUSTED), client=peer)


def test_from_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client():
    headers = {
        "X-Forwarded-For": "203.0.113.1, 192.0.2.44, 10.0.0.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "cunqi.example.cn",
    }
    seen = _client(PROXY).get("/a?b=1", headers=headers).json()
    # 10.0.0.7 is another proxy of ours; 192.0.2.44 is the first address we cannot vouch for.
    assert seen["client"] == "192.0.2.44"
    assert seen["url"] == "https://cunqi.example.cn/a?b=1"


def test_a_forwarded_for_of_trusted_proxies_only_gives_the_leftmost_and_garbage_stops_the_walk():
    assert _client(PROXY).get("/", headers={"X-Forwarded-For": "10.0.0.9"}).json()["client"] == (
        "10.0.0.9"
    )
    garbage = {"X-Forwarded-For": "203.0.113.1, not-an-address, 10.0.0.7"}
    assert _client(PROXY).get("/", headers=garbage).json()["client"] == "10.0.0.7"
    several_lines = [("x-forwarded-for", "203.0.113.1"), ("x-forwarded-for", "192.0.2.8")]
    assert _client(PROXY).get("/", headers=several_lines).json()["client"] == "192.0.2.8"


def test_from_anyone_else_every_forwarded_header_is_ignored():
    headers = {
        "X-Forwarded-For": "203.0.113.1",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example",
        "X-Request-ID": "chosen-by-the-client",
    }
    response = _client(STRANGER).get("/", headers=headers)
    seen = response.json()
    assert seen["client"] == STRANGER[0]
    assert seen["url"] == "http://testserver/"
    assert seen["request_id"] != "chosen-by-the-client"
    assert response.headers["x-request-id"] == seen["request_id"]


@pytest.mark.parametrize(
    ("supplied", "kept"),
    [
        ("4b1c0f0e9a8d4c2b8e7f6a5b4c3d2e1f", True),
        ("req-42.a_b:c", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("bad id", False),
        ("semi;colon", False),
        ("", False),
    ],
)
def test_a_trusted_request_id_is_kept_only_when_short_and_plain(supplied, kept):
    response = _client(PROXY).get("/", headers={"X-Request-ID": supplied})
    rid = response.json()["request_id"]
    assert (rid == supplied) is kept
    assert response.headers["x-request-id"] == rid and 1 <= len(rid) <= 128


def test_bad_proto_and_host_values_are_ignored():
    headers = {"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "a b/c"}
    assert _client(PROXY).get("/", headers=headers).json()["url"] == "http://testserver/"


def test_settings_refuse_a_proxy_list_that_is_not_addresses():
    with pytest.raises(ValueError, match="CUNQI_TRUSTED_PROXIES"):
        Settings(trusted_proxies="10.0.0.0/8, proxy.example")
    with pytest.raises(ValueError, match="CUNQI_METRICS_ALLOW"):
        Settings(metrics_allow="everyone")
    with pytest.raises(ValueError, match="CUNQI_PUBLIC_URL"):
        Settings(public_url="https://cunqi.example.cn/app")
    assert Settings(public_url="https://cunqi.example.cn/").public_url == "https://cunqi.example.cn"


def _site(fresh_db, make_settings, peer, **overrides) -> TestClient:
    settings = make_settings(trusted_proxies="10.0.0.0/24", **overrides)
    return TestClient(create_app(settings, database=fresh_db), client=peer)


def test_csrf_accepts_the_browsers_origin_as_the_proxy_saw_it(fresh_db, make_settings):
    client = _site(fresh_db, make_settings, PROXY)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cunqi.example.cn"}
    token = csrf_token_of(client)
    origin = {"Origin": "https://cunqi.example.cn"}
    data = {"username": "nobody", "password": "x", "csrf_token": token}
    response = client.post("/login", data=data, headers=forwarded | origin)
    assert response.status_code == 422  # the sign-in itself answered: the origin was accepted
    # The same origin from a client that is no proxy: its claim to be https://… is not believed.
    stranger = _site(fresh_db, make_settings, STRANGER)
    token = csrf_token_of(stranger)
    data["csrf_token"] = token
    refused = stranger.post("/login", data=data, headers=forwarded | origin)
    assert refused.status_code == 403


def test_csrf_accepts_the_public_url_as_an_origin(fresh_db, make_settings):
    client = _site(fresh_db, make_settings, STRANGER, public_url="https://cunqi.example.cn")
    token = csrf_token_of(client)
    data = {"username": "nobody", "password": "x", "csrf_token": token}
    assert (
        client.post("/login", data=data, headers={"Origin": "https://cunqi.example.cn"})
    ).status_code == 422
    assert (
        client.post("/login", data=data, headers={"Origin": "https://other.example.cn"})
    ).status_code == 403
