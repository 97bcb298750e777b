"""What both adapters know about an HTTP request, below both of them.

The pages (app/web) and GraphQL (app/schema) are siblings: neither imports the other. What they
share about a request lives here: who is asking (set by the sign-in middleware the composition
root installs in front of both), the client's address, scheme and host as the reverse proxy saw
them (``ForwardedMiddleware``, believed only from a trusted proxy), the request id, the session's
CSRF token, and whether an error means the database was busy. Nothing here renders a page or
shapes a GraphQL response.
"""

import ipaddress
import re
import secrets
import uuid
from collections.abc import Iterable

from sqlalchemy.exc import OperationalError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from app.actors import ANONYMOUS, Actor
from app.config import Network

# The session cookie (Starlette's signed session) of pages and of GraphQL from a browser.
SESSION_COOKIE = "cunqi_session"
# Where the session keeps its CSRF token.
CSRF_SESSION_KEY = "csrf"
# PostgreSQL: lock_not_available (lock_timeout) and serialization/deadlock failures.
BUSY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})


def current_actor(request: Request) -> Actor:
    """The signed-in actor, set on ``request.state.actor`` by the sign-in middleware."""
    return getattr(request.state, "actor", ANONYMOUS)


def client_address(request: Request) -> str:
    """The client's address; behind a trusted proxy, the one the proxy saw
    (``ForwardedMiddleware``). The key of the per-address abuse limits (app/services/limits.py)."""
    return request.client.host if request.client else "unknown"


# Where the request id and the route label live in ``scope["state"]`` (``request.state``).
REQUEST_ID_KEY = "request_id"
ROUTE_LABEL_KEY = "route_label"
REQUEST_ID_HEADER = "x-request-id"
# A request id from the proxy: short, and only characters safe in a log line and a header.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def in_networks(address: str | None, networks: Iterable[Network]) -> bool:
    """Whether ``address`` (an IP address as text) lies in one of ``networks``."""
    ip = _ip(address)
    return ip is not None and any(ip in network for network in networks)


def _ip(address: str | None):
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


def request_id(request: Request) -> str:
    """This request's id (``ForwardedMiddleware``): the trusted proxy's, or one of our own."""
    return request.scope.get("state", {}).get(REQUEST_ID_KEY, "")


def set_route_label(request: Request, label: str) -> None:
    """Name the operation a request ran (GraphQL's operation name) for logs and metrics."""
    request.scope.setdefault("state", {})[ROUTE_LABEL_KEY] = label


class ForwardedMiddleware:
    """The client's address, the scheme and the host as the reverse proxy saw them, taken from
    the proxy's headers only when the connection comes from a trusted proxy.

    - Address: ``X-Forwarded-For`` read from the right; each address that is itself a trusted
      proxy is skipped, the first one that is not is the client (the leftmost entries were
      written by the client and prove nothing). An entry that is not an address ends the walk at
      the last trusted hop.
    - Scheme: ``X-Forwarded-Proto`` (``http`` or ``https``, the last value when several).
    - Host: ``X-Forwarded-Host`` when present, else the ``Host`` the proxy passed on.
    - Request id: ``X-Request-ID`` when it matches ``REQUEST_ID_PATTERN``, else a new one; it is
      returned in the response's ``X-Request-ID``.

    From anyone else every forwarded header is ignored: the peer is the client. Everything after
    this layer (CSRF's origin check, secure cookies, absolute URLs, the abuse limits) reads the
    rewritten scope.
    """

    def __init__(self, app: ASGIApp, *, trusted: Iterable[Network]):
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        peer = scope.get("client")
        trusted = peer is not None and in_networks(peer[0], self.trusted)
        supplied = headers.get(REQUEST_ID_HEADER, "") if trusted else ""
        rid = supplied if REQUEST_ID_PATTERN.fullmatch(supplied) else uuid.uuid4().hex
        scope.setdefault("state", {})[REQUEST_ID_KEY] = rid
        if trusted:
            self._rewrite(scope, headers, peer)

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", rid.encode("ascii")),
                ]
            await send(message)

        await self.app(scope, receive, send_with_id)

    def _rewrite(self, scope: Scope, headers: Headers, peer) -> None:
        client = self.client_from(headers.getlist("x-forwarded-for"), peer[0])
        if client != peer[0]:
            scope["client"] = (client, 0)
        proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            if scope["type"] == "websocket":
                proto = "wss" if proto == "https" else "ws"
            scope["scheme"] = proto
        host = headers.get("x-forwarded-host", "").split(",")[-1].strip()
        if host and _valid_host(host):
            raw = [(k, v) for k, v in scope["headers"] if k.lower() != b"host"]
            scope["headers"] = [*raw, (b"host", host.encode("latin-1"))]
            scope["server"] = None  # the URL is built from the Host header

    def client_from(self, forwarded_for: list[str], peer: str) -> str:
        """The rightmost address of ``X-Forwarded-For`` (all its lines, in order) that is not a
        trusted proxy; ``peer`` when the header says nothing usable."""
        hops = [hop.strip() for line in forwarded_for for hop in line.split(",")]
        client = peer
        for hop in reversed([hop for hop in hops if hop]):
            ip = _ip(hop)
            if ip is None:
                break
            client = str(ip)
            if not any(ip in network for network in self.trusted):
                break
        return client


_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?")


def _valid_host(host: str) -> bool:
    return len(host) <= 255 and _HOST.fullmatch(host) is not None


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return token


def is_database_busy(exc: BaseException | None) -> bool:
    """The database refused for now (SQLite's write lock held past the busy timeout, a
    PostgreSQL lock timeout): the transaction rolled back and the same request may be retried."""
    if not isinstance(exc, OperationalError):
        return False
    original = exc.orig
    if getattr(original, "sqlstate", None) in BUSY_SQLSTATES:
        return True
    return "database is locked" in str(original) or "database is busy" in str(original)
