"""Fuzzing: schemathesis generates operations from the schema and sends them to the app.

Whatever it sends, as an anonymous visitor or as the city bureau: no 5xx, every error carries a
code, and no error comes from inside the server (masked or not). The generated cases are drawn
through schemathesis' strategies (its lazy pytest fixture does not run under pytest 9).
"""

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from app.web.app import create_app  # noqa: E402
from tests.graphql.conftest import app_settings  # noqa: E402

EXAMPLES = 8  # per root field: 27 fields × 8 = 216 operations per actor
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def _check(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        return
    for error in response.json().get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, error
        assert code != "internal_error", error


def _fuzz(api, headers: dict[str, str]) -> int:
    sent = 0
    for result in api.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case) -> None:
            nonlocal sent
            sent += 1
            _check(case.call(headers=headers))

        run()
    return sent


@pytest.fixture(scope="module")
def api(world_db):
    url = world_db.engine.url.render_as_string(hide_password=False)
    app = create_app(app_settings(url), database=world_db)
    return schemathesis.graphql.from_asgi("/graphql", app)


@pytest.mark.parametrize("actor", ["anonymous", "bureau_city"])
def test_generated_operations(api, world_template, actor):
    headers = {}
    if actor != "anonymous":
        headers["Authorization"] = f"Bearer {world_template.world.tokens[actor]}"
    assert _fuzz(api, headers) >= 200
