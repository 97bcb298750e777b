"""The composition root: builds the application ``cunqi serve`` runs, above both adapters.

It mounts the pages (app/web) and ``/graphql`` (app/schema) side by side with ``/metrics`` and
``/readyz`` (app/observability), puts the HTTP layers in front of all of them (the reverse proxy's
facts, the request log and metrics, security headers, static files, the session, CSRF, sign-in,
to-do triggers), and
starts the work a serving process does besides answering requests (app/jobs.py): search start-up,
the periodic search drain and the periodic jobs. Nothing imports this module but the entry points
(``cunqi serve``, benchmarks, tests).
"""

import ctypes
import ctypes.util
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Route

from app.config import Settings, get_settings
from app.db import Database, create_db_engine
from app.http import SESSION_COOKIE, ForwardedMiddleware
from app.jobs import Background, start_search
from app.observability.endpoints import metrics_endpoint, readyz_endpoint
from app.observability.metrics import RequestMetricsMiddleware, instrument_pool
from app.schema.view import graphql_app
from app.services import domains
from app.web.assets import StaticFirstMiddleware, static_app
from app.web.auth import ActorMiddleware
from app.web.errors import EXCEPTION_HANDLERS
from app.web.routing import page_routes
from app.web.security import CSRFMiddleware, SecurityHeadersMiddleware
from app.web.templating import create_templates
from app.web.triggers import InboxTriggerMiddleware
from app.web.two_factor_gate import TwoFactorGate


def create_served_app() -> Starlette:
    """The application ``cunqi serve`` runs: ``create_app`` that freezes the GC after start-up,
    in a process whose allocator keeps few arenas (``limit_malloc_arenas``)."""
    limit_malloc_arenas()
    return create_app(freeze_gc=True)


# glibc's mallopt parameter M_ARENA_MAX (malloc.h).
M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Let glibc's malloc keep at most ``arenas`` arenas in this process; True if it agreed.

    By default every thread that allocates gets an arena of its own (up to 8 per core), and each
    keeps the memory it once held: under concurrent requests a serving process grew about 40 MB
    over its budget that way (bench/README.md, "Server memory"). Python's own small-object
    allocator is unaffected; only large allocations (rows, pages, JSON) share fewer arenas.
    Elsewhere than glibc (no ``mallopt``) nothing changes.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.mallopt(M_ARENA_MAX, arenas) == 1
    except (OSError, AttributeError):
        return False


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    freeze_gc: bool = False,
) -> Starlette:
    """Build the application; a ``database`` passed in is left to its caller to dispose.

    ``freeze_gc`` moves everything alive after start-up (modules, the schema, templates, the
    segmenter's dictionary) out of the collector's sight: the cyclic collector otherwise rescans
    those long-lived objects on every collection, the largest single cost measured under GraphQL
    load (bench/README.md). Only for a serving process: tests build many apps in one process.
    """
    settings = settings or get_settings()
    domains.load()  # every domain's declarations, or a loud failure before serving anything
    owns_database = database is None
    if database is None:
        engine = create_db_engine(
            settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
        )
        database = Database(engine)
    instrument_pool(database)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.search = await run_in_threadpool(start_search, database, settings)
        # Background jobs (exports, mail, periodic jobs, the search drain) run here only when
        # no `cunqi worker` does (CUNQI_JOBS_IN_SERVER; by default on SQLite).
        background = Background(database, settings, app.state.search)
        if settings.server_runs_jobs:
            background.start()
        app.state.background, app.state.search_drain = background, background.drain
        if freeze_gc:
            gc.freeze()
        try:
            yield
        finally:
            await background.stop()
            if owns_database:
                database.dispose()

    routes = [
        Route("/graphql", graphql_app(settings, database), methods=["GET", "POST"]),
        Route("/metrics", metrics_endpoint(settings, database), methods=["GET"]),
        Route("/readyz", readyz_endpoint(settings, database), methods=["GET"]),
        *page_routes(),
    ]
    middleware = [
        # First: the client's address, scheme and host behind a trusted proxy, and the request id,
        # for every layer below (docs/decisions/0027-proxy-and-observability.md).
        Middleware(ForwardedMiddleware, trusted=settings.trusted_proxy_networks),
        Middleware(RequestMetricsMiddleware, database=database),
        Middleware(SecurityHeadersMiddleware, settings=settings, session_cookie=SESSION_COOKIE),
        Middleware(StaticFirstMiddleware, static=static_app()),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie=SESSION_COOKIE,
            max_age=settings.session_max_age_seconds,
            same_site="lax",
            https_only=settings.secure_cookies,
        ),
        Middleware(
            CSRFMiddleware, session_cookie=SESSION_COOKIE, public_origin=settings.public_origin
        ),
        Middleware(ActorMiddleware, database=database),
        Middleware(TwoFactorGate, required=settings.totp_required_for_staff),
        Middleware(InboxTriggerMiddleware),
    ]
    application = Starlette(
        debug=settings.debug,
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers=EXCEPTION_HANDLERS,
        max_body_size=settings.max_body_bytes,
    )
    application.state.search = None
    application.state.background = None
    application.state.search_drain = None
    application.state.settings = settings
    application.state.database = database
    application.state.templates = create_templates(settings)
    return application
