"""Request metrics and the request log line, recorded by one middleware.

Histograms are labelled by route *template* (``/pairing/agreements/{agreement_id}``, never the
path a client typed) and by GraphQL operation name, so the number of series stays bounded: paths
no route matched share ``unmatched``, operations without a name share ``anonymous``, and past
``MAX_OPERATION_NAMES`` distinct names in one process (or for a name that is not a plain GraphQL
name) the rest share ``other``.

Across worker processes: ``cunqi serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a folder of its own
before the workers start, and prometheus_client then keeps every process's samples in files there;
``/metrics`` adds them up (app/observability/endpoints.py). Without it (tests, one process) the
metrics live in this process's registry. The connection-pool gauge is a "live sum": the files of
a process that died are dropped (``forget_dead_processes``).
"""

import logging
import os
import re
import threading
import time
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, multiprocess
from sqlalchemy import event
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import Database, writer_queue_waiters
from app.http import REQUEST_ID_KEY, ROUTE_LABEL_KEY
from app.observability.logs import REQUEST_LOGGER

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
MAX_OPERATION_NAMES = 100
GRAPHQL_PATH = "/graphql"
OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

log = logging.getLogger(REQUEST_LOGGER)

# Not the library's global registry: in multiprocess mode the values are read from the files.
REGISTRY = CollectorRegistry(auto_describe=True)
REQUEST_SECONDS = Histogram(
    "cunqi_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template and method.",
    ("route", "method"),
    buckets=BUCKETS,
    registry=REGISTRY,
)
REQUESTS = Counter(
    "cunqi_http_requests",
    "HTTP requests answered, by route template, method and status code.",
    ("route", "method", "status"),
    registry=REGISTRY,
)
GRAPHQL_SECONDS = Histogram(
    "cunqi_graphql_operation_duration_seconds",
    "Time to answer a GraphQL request, by operation name.",
    ("operation",),
    buckets=BUCKETS,
    registry=REGISTRY,
)
POOL_CHECKED_OUT = Gauge(
    "cunqi_db_pool_checked_out",
    "Database connections in use (checked out of the pools of all live processes).",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
WRITER_WAITERS = Gauge(
    "cunqi_sqlite_writer_waiters",
    "Writers queued for SQLite's write lock, as each live process last saw after a request.",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)


class OperationNames:
    """GraphQL operation names as metric labels, at most ``limit`` distinct ones per process."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES):
        self.limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not OPERATION_NAME.fullmatch(name):
            return "other"
        with self._lock:
            if name in self._seen:
                return name
            if len(self._seen) >= self.limit:
                return "other"
            self._seen.add(name)
            return name


OPERATION_NAMES = OperationNames()


def route_template(scope: Scope) -> str:
    """The matched route's path template; ``/static`` for static files; else ``unmatched``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return path
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "unmatched"


class RequestMetricsMiddleware:
    """Times every HTTP request, records it in the histograms and writes its log line: time,
    request id, user id, method, route template or GraphQL operation, status, duration in ms."""

    def __init__(self, app: ASGIApp, *, database: Database | None = None):
        self.app = app
        self.database = database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        except BaseException:
            status = 500
            raise
        finally:
            self.record(scope, status, time.perf_counter() - started)

    def record(self, scope: Scope, status: int, seconds: float) -> None:
        state = scope.get("state", {})
        method = scope.get("method", "")
        route = route_template(scope)
        operation = None
        REQUEST_SECONDS.labels(route, method).observe(seconds)
        REQUESTS.labels(route, method, str(status)).inc()
        if scope.get("path") == GRAPHQL_PATH and method == "POST":
            operation = OPERATION_NAMES.label(state.get(ROUTE_LABEL_KEY))
            GRAPHQL_SECONDS.labels(operation).observe(seconds)
        if self.database is not None and self.database.is_sqlite:
            WRITER_WAITERS.set(writer_queue_waiters())
        user = state.get("user")
        duration_ms = round(seconds * 1000, 1)
        shown = f"{route} {operation}" if operation else route
        log.info(
            "%s %s %s %.1fms",
            method,
            shown,
            status,
            duration_ms,
            extra={
                "request_id": state.get(REQUEST_ID_KEY, ""),
                "user_id": getattr(user, "id", None),
                "method": method,
                "route": route,
                "operation": operation,
                "status": status,
                "duration_ms": duration_ms,
            },
        )


def instrument_pool(database: Database) -> None:
    """Count the engine's checked-out connections in ``cunqi_db_pool_checked_out``."""
    engine = database.engine
    if getattr(engine, "_cunqi_pool_instrumented", False):
        return
    engine._cunqi_pool_instrumented = True
    event.listen(engine, "checkout", lambda *_: POOL_CHECKED_OUT.inc())
    event.listen(engine, "checkin", lambda *_: POOL_CHECKED_OUT.dec())


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV)
    return Path(value) if value else None


def forget_dead_processes(directory: Path) -> None:
    """Drop the live gauges of worker processes that are gone (uvicorn replaced them)."""
    for path in directory.glob("gauge_live*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), str(directory))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
