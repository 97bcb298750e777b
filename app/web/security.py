"""Security headers and CSRF protection, as pure ASGI middleware.

CSRF: every unsafe request that a browser could send with the session cookie must carry the
session's token, in the ``X-CSRF-Token`` header (htmx sends it from ``hx-headers`` on <body>) or
in a ``csrf_token`` form field (plain form posts). Requests from another origin are refused
outright: the request's own origin is its scheme and host as the client used them (behind a
trusted proxy, as ``ForwardedMiddleware`` in app/http.py rewrote them), and ``CUNQI_PUBLIC_URL``
when set is accepted too. Requests authenticated by an API token (``Authorization: Bearer``)
carry no ambient credential and are exempt; so are JSON requests that carry no session cookie.
"""

import secrets
from urllib.parse import parse_qs, quote, urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.http import CSRF_SESSION_KEY

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
STATIC_PREFIX = "/static/"


def content_security_policy(settings: Settings) -> str:
    """The policy for every page. Scripts: this site, and in production the one htmx file the
    pages load (its full URL, not its host: anything else on the CDN stays blocked)."""
    script_src = "'self'"
    if settings.is_production and settings.htmx_url.startswith("https://"):
        script_src += f" {csp_source(settings.htmx_url)}"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def csp_source(url: str) -> str:
    """``url`` as a CSP source expression: characters that would end or split it are escaped."""
    return quote(url, safe=":/@%.-_~!$&()*+=?#[]")


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff, referrer policy and framing headers to every response, and
    ``Cache-Control: no-store`` to every response that depends on who is signed in.

    A response is kept out of every cache when the request was signed in (cookie or token), when
    it carried the session cookie, or when it sets a cookie; other responses that say nothing
    about caching get ``no-store`` too (pages carry the session's CSRF token). Static files
    (app/web/assets.py) set their own policy and keep it.
    """

    def __init__(self, app: ASGIApp, settings: Settings, *, session_cookie: str):
        self.app = app
        headers = {
            "content-security-policy": content_security_policy(settings),
            "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin",
            "x-frame-options": "DENY",
            "permissions-policy": "camera=(), microphone=(), geolocation=()",
            "cross-origin-opener-policy": "same-origin",
        }
        if settings.is_production:
            headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
        self.headers = [(k.encode(), v.encode()) for k, v in headers.items()]
        self.csp_exempt_prefix = "/graphql" if settings.graphiql_enabled else None
        self.session_cookie = session_cookie.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # GraphiQL (development only) loads its own scripts and styles.
        skip_csp = bool(self.csp_exempt_prefix) and scope["path"] == self.csp_exempt_prefix
        static = scope["path"].startswith(STATIC_PREFIX)
        request_headers = Headers(scope=scope)
        credentials = self.session_cookie + b"=" in request_headers.get("cookie", "").encode(
            "latin-1"
        ) or request_headers.get("authorization", "").lower().startswith("bearer ")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                existing = {name.lower() for name, _ in headers}
                extra = [
                    (name, value)
                    for name, value in self.headers
                    if name not in existing
                    and not (skip_csp and name == b"content-security-policy")
                ]
                if not static:
                    headers = _no_store(headers, credentials or _signed_in(scope))
                message["headers"] = [*headers, *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _signed_in(scope: Scope) -> bool:
    return scope.get("state", {}).get("user") is not None


def _no_store(headers: list, personal: bool) -> list:
    """``headers`` with Cache-Control: no-store where the response must not be kept."""
    cache = [value for name, value in headers if name.lower() == b"cache-control"]
    sets_cookie = any(name.lower() == b"set-cookie" for name, _ in headers)
    if cache and not (personal or sets_cookie):
        return headers
    if cache and all(b"no-store" in value for value in cache):
        return headers
    kept = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
    return [*kept, (b"cache-control", b"no-store")]


class CSRFMiddleware:
    """Refuses unsafe browser requests without the session's token or from another origin."""

    def __init__(self, app: ASGIApp, *, session_cookie: str, public_origin: str | None = None):
        self.app = app
        self.session_cookie = session_cookie
        self.public_origin = public_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if headers.get("authorization", "").lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        if not _same_origin(scope, headers, self.public_origin):
            await _forbidden(scope, receive, send, "请求来源不被允许")
            return
        has_session_cookie = f"{self.session_cookie}=" in headers.get("cookie", "")
        content_type = headers.get("content-type", "")
        if not has_session_cookie and content_type.startswith("application/json"):
            await self.app(scope, receive, send)
            return
        expected = scope.get("session", {}).get(CSRF_SESSION_KEY)
        supplied = headers.get(CSRF_HEADER)
        if supplied is None and content_type.startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            body, receive = await _buffer_body(receive)
            supplied = _form_token(body, content_type)
        if not expected or not supplied or not secrets.compare_digest(expected, supplied):
            await _forbidden(scope, receive, send, "页面已过期或请求无效，请刷新页面后重试")
            return
        await self.app(scope, receive, send)


def _same_origin(scope: Scope, headers: Headers, public_origin: str | None = None) -> bool:
    """Origin (or, without it, Referer) must name this host (or the public URL); requests with
    neither pass."""
    source = headers.get("origin") or headers.get("referer")
    if source is None:
        return True
    if source == "null":
        return False
    parts = urlsplit(source)
    host = headers.get("host", "")
    scheme = scope.get("scheme", "http")
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin == f"{scheme}://{host}" or (public_origin is not None and origin == public_origin)


async def _buffer_body(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole body (already size-limited upstream) and give back a replaying receive."""
    chunks = []
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    body = b"".join(chunks)
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _form_token(body: bytes, content_type: str) -> str | None:
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(CSRF_FIELD)
        return values[0] if values else None
    # multipart: find the csrf_token part without parsing uploaded files.
    marker = f'name="{CSRF_FIELD}"'.encode()
    start = body.find(marker)
    if start < 0:
        return None
    value_start = body.find(b"\r\n\r\n", start)
    value_end = body.find(b"\r\n", value_start + 4)
    if value_start < 0 or value_end < 0:
        return None
    return body[value_start + 4 : value_end].decode("ascii", "replace")


async def _forbidden(scope: Scope, receive: Receive, send: Send, message: str) -> None:
    from app.web.errors import forbidden_response

    response = forbidden_response(Request(scope, receive), message)
    await response(scope, receive, send)
