"""One client may have at most ``graphql_per_client`` operations in progress (queued or running)
per process; more at once are refused at once with 429, while other clients go on
(app/schema/client_slots.py, app/schema/view.py).

Operations of the client under test are held in their worker thread until the test lets them go,
so the concurrency is real and deterministic: nothing is timed.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.testclient import TestClient

from app.asgi import create_app
from app.schema import context as schema_context
from tests.authz.world import ACTORS, PASSWORD
from tests.graphql.conftest import app_settings
from tests.web.conftest import csrf_token_of

QUERY = "{ counties { code } }"
MUTATION = "mutation { markNotificationsRead(input: {}) { errors { code } } }"
HELD_ADDRESS = "10.0.0.1"
OTHER_ADDRESS = "10.0.0.2"
LIMIT = 2
REFUSAL = {
    "data": None,
    "errors": [
        {
            "message": "您同时进行的操作过多（每个用户或地址最多 2 个），请等前面的操作完成后再试",
            "extensions": {"code": "too_many_requests", "retryAfter": 1},
        }
    ],
}


class Gate:
    """Holds the operations whose context ``holds`` says so until ``release``."""

    def __init__(self, holds):
        self.holds = holds
        self.opened = threading.Event()
        self.started = threading.Semaphore(0)

    def wait_until_started(self, count: int) -> None:
        for _ in range(count):
            assert self.started.acquire(timeout=10), "a held operation did not start"

    def release(self) -> None:
        self.opened.set()


@pytest.fixture
def gate(monkeypatch):
    gates: list[Gate] = []
    original = schema_context.run_in_own_loop

    def held(context, operation):
        for each in gates:
            if each.holds(context):
                each.started.release()
                each.opened.wait(timeout=10)
        return original(context, operation)

    monkeypatch.setattr(schema_context, "run_in_own_loop", held)

    def make(holds) -> Gate:
        made = Gate(holds)
        gates.append(made)
        return made

    yield make
    for each in gates:
        each.release()


@pytest.fixture
def app(world_db):
    url = world_db.engine.url.render_as_string(hide_password=False)
    # Threads to spare: what a client is refused is its own excess, not a full pool.
    settings = app_settings(url, graphql_per_client=LIMIT, graphql_query_threads=LIMIT + 2)
    return create_app(settings, database=world_db)


def _view(app):
    return next(route.endpoint for route in app.routes if getattr(route, "path", "") == "/graphql")


def _bearer(world_template, actor: str) -> dict:
    if actor == "anonymous":
        return {}
    return {"Authorization": f"Bearer {world_template.world.tokens[actor]}"}


def _held_by(actor: str, world_template):
    if actor == "anonymous":
        return lambda context: context.request.client.host == HELD_ADDRESS
    token_user = world_template.world.world.actors[actor].user_id
    return lambda context: context.actor.user_id == token_user


@pytest.mark.parametrize("actor", ACTORS)
def test_a_client_beyond_its_operations_in_progress_is_refused_and_others_are_not(
    app, gate, world_template, actor
):
    # given LIMIT operations of one client (a user, or an address when anonymous) held running
    held = gate(_held_by(actor, world_template))
    headers = _bearer(world_template, actor)
    with (
        TestClient(app, client=(HELD_ADDRESS, 1)) as client,
        TestClient(app, client=(OTHER_ADDRESS, 1)) as other,
        ThreadPoolExecutor(LIMIT) as pool,
    ):
        running = [
            pool.submit(client.post, "/graphql", json={"query": QUERY}, headers=headers)
            for _ in range(LIMIT)
        ]
        held.wait_until_started(LIMIT)
        # when the same client asks once more, for a query or a mutation
        for document in (QUERY, MUTATION):
            refused = client.post("/graphql", json={"query": document}, headers=headers)
            # then it is refused at once, with a code and a hint when to retry
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == "1"
            assert refused.json() == REFUSAL
        # while another client (another address, anonymous) is served meanwhile
        served = other.post("/graphql", json={"query": QUERY})
        assert served.status_code == 200
        assert served.json()["data"]["counties"]
        held.release()
        assert [r.result(timeout=10).status_code for r in running] == [200] * LIMIT
        # and once its operations are over, the client is served again
        again = client.post("/graphql", json={"query": QUERY}, headers=headers)
        assert again.status_code == 200
    # and nothing stays held once every operation is over
    if actor == "anonymous":
        key = ("address", HELD_ADDRESS)
    else:
        key = ("user", world_template.world.world.actors[actor].user_id)
    assert _view(app).client_slots.held(key) == 0


def test_a_users_session_and_api_token_are_one_client(app, gate, world_template):
    # given a signed-in user's LIMIT operations held, sent with its API token
    actor = "bureau_county"
    held = gate(_held_by(actor, world_template))
    with TestClient(app) as client, ThreadPoolExecutor(LIMIT) as pool:
        token = csrf_token_of(client)
        login = {"username": actor, "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=login, follow_redirects=False).status_code == 303
        csrf = {"X-CSRF-Token": csrf_token_of(client)}
        with TestClient(app, client=(OTHER_ADDRESS, 1)) as elsewhere:
            running = [
                pool.submit(
                    elsewhere.post,
                    "/graphql",
                    json={"query": QUERY},
                    headers=_bearer(world_template, actor),
                )
                for _ in range(LIMIT)
            ]
            held.wait_until_started(LIMIT)
            # when the same user asks from the browser (its session, another address)
            refused = client.post("/graphql", json={"query": QUERY}, headers=csrf)
            # then it is the same client, refused
            assert refused.status_code == 429
            # and another user from the very address of the held operations is served
            other_user = elsewhere.post(
                "/graphql", json={"query": QUERY}, headers=_bearer(world_template, "admin")
            )
            assert other_user.status_code == 200
            held.release()
            assert [r.result(timeout=10).status_code for r in running] == [200] * LIMIT


def test_the_limit_is_a_setting(world_db):
    url = world_db.engine.url.render_as_string(hide_password=False)
    assert app_settings(url).graphql_per_client == 2
    app = create_app(app_settings(url, graphql_per_client=5), database=world_db)
    assert _view(app).client_slots.limit == 5
