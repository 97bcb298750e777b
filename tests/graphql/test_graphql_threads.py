"""Queries share ``graphql_query_threads`` threads per server process; mutations are not held
back (app/schema/view.py)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.testclient import TestClient

from app.asgi import create_app
from app.schema import context as schema_context
from app.schema.view import _is_mutation
from tests.graphql.conftest import app_settings

QUERY = "{ counties { code } }"
MUTATION = "mutation { markNotificationsRead(input: {}) { errors { code } } }"


def test_what_counts_as_a_mutation():
    assert _is_mutation(MUTATION, None)
    assert not _is_mutation(QUERY, None)
    document = f"query A {QUERY} {MUTATION.replace('mutation', 'mutation B')}"
    assert _is_mutation(document, "B")
    assert not _is_mutation(document, "A")
    assert not _is_mutation("{ not closed", None)  # refused later by the schema, as before
    assert not _is_mutation(None, None)
    assert not _is_mutation('{ search(text: "mutation") { total } }', None)  # a word, not an op
    long = (
        f"mutation {{ markNotificationsRead(input: {{}}) {{ errors {{ code }} }} }}#{'x' * 30_000}"
    )
    assert _is_mutation(long, None)  # parsed, not kept


@pytest.fixture
def running(monkeypatch) -> dict:
    """How many operations run at once, and the most seen (each is held for 50 ms)."""
    state = {"now": 0, "most": 0}
    lock = threading.Lock()
    original = schema_context.run_in_own_loop

    def held(context, operation):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        try:
            time.sleep(0.05)
            return original(context, operation)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(schema_context, "run_in_own_loop", held)
    return state


def _post_at_once(world_db, document: str, *, threads: int, count: int = 6) -> list[dict]:
    url = world_db.engine.url.render_as_string(hide_password=False)
    # One client sends them all: its own bound (test_graphql_client_slots.py) is lifted here.
    settings = app_settings(url, graphql_query_threads=threads, graphql_per_client=count)
    app = create_app(settings, database=world_db)
    with TestClient(app) as client, ThreadPoolExecutor(count) as pool:  # one event loop
        responses = list(
            pool.map(lambda _: client.post("/graphql", json={"query": document}), range(count))
        )
    assert [response.status_code for response in responses] == [200] * count, responses[0].text
    return [response.json() for response in responses]


@pytest.mark.parametrize("threads", [1, 2])
def test_queries_run_at_most_graphql_query_threads_at_once(world_db, running, threads):
    bodies = _post_at_once(world_db, QUERY, threads=threads)
    assert bodies[0]["data"]["counties"] and all(body == bodies[0] for body in bodies)
    assert running["most"] == threads


def test_mutations_are_not_queued_behind_the_query_threads(world_db, running):
    bodies = _post_at_once(world_db, MUTATION, threads=1)
    # Anonymous: each is refused by the service, after it ran.
    assert all(body["data"]["markNotificationsRead"]["errors"] for body in bodies)
    assert running["most"] > 1
