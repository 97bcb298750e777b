"""Static files: served before the session, sign-in and CSRF layers, cached for a year when the
URL names the file's content, compressed.

Pages link to ``/static/<path>?v=<content hash>`` (``static_url`` in app/web/templating.py). A
response whose ``v`` matches the file's current hash never changes, so browsers and proxies may
keep it for a year without asking again; any other request revalidates (ETag). Static files set
no cookie and depend on no session: a signed-in browser's requests for them skip the session
lookup entirely.
"""

import os

from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from app.web.security import STATIC_PREFIX
from app.web.templating import LOCAL_HTMX_URL, STATIC_DIR, file_version

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Installed by `npm ci` from package.json (htmx.org 2.0.11); node_modules is not committed.
HTMX_FILE = STATIC_DIR.parent / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"


class VersionedStaticFiles(StaticFiles):
    """StaticFiles whose responses say how long they may be cached."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = cache_control(scope, full_path)
        return response


def cache_control(scope: Scope, full_path) -> str:
    requested = QueryParams(scope.get("query_string", b"")).get("v")
    current = file_version(full_path)
    return IMMUTABLE if requested and current and requested == current else REVALIDATE


def local_htmx(request: Request) -> FileResponse:
    if not HTMX_FILE.is_file():
        raise HTTPException(404, detail="htmx is not installed: run `npm ci`")
    return FileResponse(HTMX_FILE, media_type="text/javascript")


def static_app() -> ASGIApp:
    """The application for everything under /static: the local htmx copy and the static folder."""
    router = Router(
        routes=[
            Route(LOCAL_HTMX_URL, local_htmx, name="htmx"),
            Mount("/static", VersionedStaticFiles(directory=STATIC_DIR), name="static"),
        ]
    )
    # Outside the site's error pages (they need the session): a missing file is a plain 404.
    # Small files are not worth compressing.
    return GZipMiddleware(ExceptionMiddleware(router), minimum_size=500)


class StaticFirstMiddleware:
    """Hands /static requests to the static application before any session work."""

    def __init__(self, app: ASGIApp, *, static: ASGIApp):
        self.app = app
        self.static = static

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(STATIC_PREFIX):
            await self.static(scope, receive, send)
            return
        await self.app(scope, receive, send)
