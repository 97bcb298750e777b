"""``/metrics`` (Prometheus text, only to ``CUNQI_METRICS_ALLOW``) and ``/readyz`` (may this process
take traffic?), beside the pages' ``/healthz`` (is the database reachable?)."""

import logging
from functools import lru_cache

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from app.config import Settings
from app.db import Database
from app.http import client_address, in_networks
from app.observability.backlogs import BACKLOGS, backlog_counts, search_lag_seconds
from app.observability.metrics import REGISTRY, forget_dead_processes, multiprocess_dir

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


class BacklogCollector:
    """The database's queues and the search index's lag, read when Prometheus scrapes."""

    def __init__(self, database: Database):
        self.database = database

    def collect(self):
        backlog = GaugeMetricFamily(
            "cunqi_backlog_rows", "Rows waiting in a queue of the database.", labels=["queue"]
        )
        lag = GaugeMetricFamily(
            "cunqi_search_index_lag_seconds",
            "Age of the oldest search-index change not yet applied (0 when none waits).",
        )
        up = GaugeMetricFamily(
            "cunqi_database_up", "Whether the database answered this scrape (1) or not (0)."
        )
        try:
            with self.database.read_only() as session:
                counts = backlog_counts(session)
                lag_seconds = search_lag_seconds(session)
        except SQLAlchemyError:
            log.exception("metrics: the database did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for name, count in counts.items():
            backlog.add_metric([name], count)
        lag.add_metric([], lag_seconds)
        yield from (up, backlog, lag)


def metrics_text(database: Database) -> bytes:
    """Every metric of every worker process (multiprocess mode) or of this one, and the
    database's gauges."""
    directory = multiprocess_dir()
    if directory is not None:
        forget_dead_processes(directory)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(directory))
        requests = generate_latest(registry)
    else:
        requests = generate_latest(REGISTRY)
    database_registry = CollectorRegistry()
    database_registry.register(BacklogCollector(database))
    return requests + generate_latest(database_registry)


def metrics_endpoint(settings: Settings, database: Database):
    allowed = settings.metrics_networks

    async def metrics(request: Request) -> Response:
        if not in_networks(client_address(request), allowed):
            return PlainTextResponse("Not Found", status_code=404, headers=NO_STORE)
        body = await run_in_threadpool(metrics_text, database)
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers=NO_STORE)

    return metrics


@lru_cache(maxsize=4)
def _migration_heads(database_url: str) -> frozenset[str]:
    from alembic.script import ScriptDirectory

    from app.migrate import alembic_config

    return frozenset(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def readiness(settings: Settings, database: Database) -> dict[str, dict]:
    """Each check's result: ``{"ok": bool, ...details}``."""
    from alembic.runtime.migration import MigrationContext

    checks: dict[str, dict] = {}
    try:
        with database.read_only() as session:
            session.execute(sa.text("SELECT 1")).scalar_one()
            current = set(MigrationContext.configure(session.connection()).get_current_heads())
    except SQLAlchemyError:
        log.exception("readiness: the database did not answer")
        return {"database": {"ok": False, "error": "unreachable"}}
    checks["database"] = {"ok": True}
    heads = _migration_heads(settings.database_url)
    checks["migrations"] = {
        "ok": current == heads,
        "current": sorted(current),
        "head": sorted(heads),
    }
    # The queues are counted apart: a schema behind its code (a table not there yet) fails the
    # queue's own check, not the whole answer.
    limit = settings.ready_search_lag_seconds
    checks["search_index"] = _measured(
        database,
        search_lag_seconds,
        lambda lag: {"ok": lag <= limit, "lag_seconds": round(lag, 1), "limit": limit},
    )
    for backlog in BACKLOGS:
        checks[backlog.name] = _measured(
            database,
            backlog.count,
            lambda count: {
                "ok": count <= settings.ready_backlog_max,
                "rows": count,
                "limit": settings.ready_backlog_max,
            },
        )
    return checks


def _measured(database: Database, measure, judge) -> dict:
    try:
        with database.read_only() as session:
            value = measure(session)
    except SQLAlchemyError:
        log.exception("readiness: %s could not be measured", getattr(measure, "__name__", measure))
        return {"ok": False, "error": "unavailable"}
    return judge(value)


def readyz_endpoint(settings: Settings, database: Database):
    async def readyz(request: Request) -> JSONResponse:
        checks = await run_in_threadpool(readiness, settings, database)
        ready = all(check["ok"] for check in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "error", "checks": checks},
            status_code=200 if ready else 503,
            headers=NO_STORE,
        )

    return readyz
