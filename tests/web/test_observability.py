"""What operators see: one JSON log line per request, Prometheus metrics (bounded labels, added up
over worker processes, not public) and /readyz."""

import io
import json
import logging
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.asgi import create_app
from app.models.audit import SearchOutbox
from app.models.base import utcnow
from app.models.enums import UserRole
from app.observability.endpoints import metrics_text
from app.observability.logs import REQUEST_LOGGER, JsonFormatter, logging_config
from app.observability.metrics import MULTIPROC_ENV, OperationNames
from app.services.accounts import create_user
from tests.web.conftest import csrf_token_of

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ("127.0.0.1", 50000)
PASSWORD = "Huanghe2026"


def _families(text: str) -> dict:
    return {family.name: family for family in text_string_to_metric_families(text)}


def _samples(family, suffix: str, **labels) -> list:
    return [
        sample
        for sample in family.samples
        if sample.name.endswith(suffix)
        and all(sample.labels.get(key) == value for key, value in labels.items())
    ]


@pytest.fixture
def request_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(REQUEST_LOGGER)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_each_request_is_one_json_line_with_who_what_and_how_long(
    fresh_db, make_settings, request_log
):
    with fresh_db.unit_of_work() as session:
        user = create_user(
            session=session,
            actor=SYSTEM,
            account={"username": "shiju", "display_name": "李科长", "password": PASSWORD},
            role=UserRole.bureau,
            region_code="140800",
        )
        user_id = user.id
    client = TestClient(create_app(make_settings(), database=fresh_db), client=LOCAL)
    data = {"username": "shiju", "password": PASSWORD, "csrf_token": csrf_token_of(client)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    response = client.get("/agreements/999999")
    lines = request_log()
    last = lines[-1]
    assert last["request_id"] == response.headers["x-request-id"]
    assert last["user_id"] == user_id
    assert last["method"] == "GET"
    assert last["route"] == "/agreements/{agreement_id:id}"  # the template, not the path
    assert last["status"] == response.status_code
    assert isinstance(last["duration_ms"], float) and last["duration_ms"] >= 0
    assert last["time"].endswith("+00:00") and last["logger"] == REQUEST_LOGGER
    anonymous = [line for line in lines if line["route"] == "/login" and line["method"] == "GET"]
    assert anonymous and anonymous[0]["user_id"] is None


def test_the_formatter_keeps_extra_fields_and_exceptions_on_one_line():
    record = logging.LogRecord("cunqi.x", logging.ERROR, __file__, 1, "失败：%s", ("甲",), None)
    record.order_id = 7
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "失败：甲" and entry["order_id"] == 7
    assert "RuntimeError: boom" in entry["exception"]
    assert logging_config("json")["formatters"]["default"]["()"] is JsonFormatter
    assert "format" in logging_config("text")["formatters"]["default"]


def test_metrics_label_routes_by_template_and_graphql_by_operation(fresh_db, make_settings):
    client = TestClient(create_app(make_settings(), database=fresh_db), client=LOCAL)
    client.get("/no/such/page/42")
    token = {"X-CSRF-Token": csrf_token_of(client)}
    query = "query CountyList { __typename }"
    answer = client.post(
        "/graphql", json={"query": query, "operationName": "CountyList"}, headers=token
    )
    assert answer.status_code == 200, answer.text
    client.post("/graphql", json={"query": "{ __typename }"}, headers=token)
    response = client.get("/metrics")
    assert response.status_code == 200
    families = _families(response.text)
    requests = families["cunqi_http_request_duration_seconds"]
    assert _samples(requests, "_count", route="unmatched", method="GET")
    assert not [s for s in requests.samples if "/no/such" in s.labels.get("route", "")]
    operations = families["cunqi_graphql_operation_duration_seconds"]
    assert _samples(operations, "_count", operation="CountyList")[0].value >= 1
    assert _samples(operations, "_count", operation="anonymous")[0].value >= 1
    backlog = {s.labels["queue"]: s.value for s in families["cunqi_backlog_rows"].samples}
    assert backlog == {"search_outbox": 0, "mail_outbox": 0, "export_jobs": 0, "jobs": 0}
    assert families["cunqi_search_index_lag_seconds"].samples[0].value == 0
    assert families["cunqi_database_up"].samples[0].value == 1
    assert "cunqi_db_pool_checked_out" in families


def test_graphql_operation_labels_are_bounded():
    names = OperationNames(limit=2)
    assert [names.label(n) for n in ("A", "B", "C", "A")] == ["A", "B", "other", "A"]
    assert names.label(None) == "anonymous" and names.label("") == "anonymous"
    assert names.label("not a name") == "other" and names.label("x" * 65) == "other"


def test_metrics_are_404_for_addresses_not_allowed(fresh_db, make_settings):
    settings = make_settings(metrics_allow="10.9.0.0/16")
    app = create_app(settings, database=fresh_db)
    assert TestClient(app, client=LOCAL).get("/metrics").status_code == 404
    assert TestClient(app, client=("10.9.3.4", 1)).get("/metrics").status_code == 200
    # A proxy's say-so counts only for a trusted proxy.
    forged = {"X-Forwarded-For": "10.9.3.4"}
    assert TestClient(app, client=LOCAL).get("/metrics", headers=forged).status_code == 200
    stranger = TestClient(app, client=("198.51.100.1", 1))
    assert stranger.get("/metrics", headers=forged).status_code == 404


WORKER = textwrap.dedent(
    """
    import sys
    from app.observability.metrics import GRAPHQL_SECONDS, POOL_CHECKED_OUT, REQUEST_SECONDS
    REQUEST_SECONDS.labels("/login", "GET").observe(0.01)
    GRAPHQL_SECONDS.labels("CountyList").observe(0.2)
    POOL_CHECKED_OUT.inc(int(sys.argv[1]))
    print("ready", flush=True)
    sys.stdin.readline()  # alive until told to go
    """
)


def test_metrics_add_up_over_worker_processes_and_forget_dead_ones(fresh_db, tmp_path, monkeypatch):
    def worker(checked_out: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-c", WORKER, checked_out],
            env={"PATH": "/usr/bin:/bin", MULTIPROC_ENV: str(tmp_path)},
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout.readline().strip() == "ready"
        return process

    def stop(process: subprocess.Popen) -> None:
        process.communicate("\n", timeout=30)

    monkeypatch.setenv(MULTIPROC_ENV, str(tmp_path))
    gone, alive = worker("2"), worker("3")
    stop(gone)
    try:
        families = _families(metrics_text(fresh_db).decode())
    finally:
        stop(alive)
    requests = families["cunqi_http_request_duration_seconds"]
    assert _samples(requests, "_count", route="/login", method="GET")[0].value == 2
    operations = families["cunqi_graphql_operation_duration_seconds"]
    assert _samples(operations, "_count", operation="CountyList")[0].value == 2
    # Connections in use: the live process's only; the one that exited is no longer counted.
    assert [s.value for s in families["cunqi_db_pool_checked_out"].samples] == [3.0]
    after = _families(metrics_text(fresh_db).decode())
    assert "cunqi_db_pool_checked_out" not in after
    # Counters and histograms of exited processes stay: they are totals since start.
    requests = after["cunqi_http_request_duration_seconds"]
    assert _samples(requests, "_count", route="/login", method="GET")[0].value == 2


def test_readyz_is_200_with_every_check_when_ready(fresh_db, make_settings):
    client = TestClient(create_app(make_settings(), database=fresh_db))
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {
        "database",
        "migrations",
        "search_index",
        "search_outbox",
        "mail_outbox",
        "export_jobs",
        "jobs",
    }
    assert all(check["ok"] for check in checks.values())


def test_readyz_is_503_while_the_search_index_lags_or_a_backlog_is_long(fresh_db, make_settings):
    with fresh_db.unit_of_work() as session:
        for doc_id in (1, 2):
            old = utcnow() - timedelta(minutes=10)
            session.add(SearchOutbox(doc_type="product", doc_id=doc_id, created_at=old))
    settings = make_settings(ready_search_lag_seconds=60, ready_backlog_max=1)
    response = TestClient(create_app(settings, database=fresh_db)).get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["search_index"]["ok"] is False
    assert body["checks"]["search_index"]["lag_seconds"] >= 600
    assert body["checks"]["search_outbox"] == {"ok": False, "rows": 2, "limit": 1}
    assert body["checks"]["mail_outbox"]["ok"] is True


def test_readyz_is_503_when_migrations_are_behind(database_factory, make_settings):
    from app import migrate
    from app.db import Database, create_db_engine

    url = database_factory.new_url("behind")
    migrate.downgrade(url, "-1")
    database = Database(create_db_engine(url))
    try:
        response = TestClient(create_app(make_settings(url), database=database)).get("/readyz")
    finally:
        database.dispose()
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"]["ok"] is False
