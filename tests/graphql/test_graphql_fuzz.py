"""Fuzzing: schemathesis generates operations from the schema and sends them to the app.

Whatever it sends, as an anonymous visitor or as the city bureau: no 5xx, every error carries a
code, and no error comes from inside the server (masked or not). The generated cases are drawn
through schemathesis' strategies (its lazy pytest fixture does not run under pytest 9).
"""

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis.graphql import nodes  # noqa: E402

from app.asgi import create_app  # noqa: E402
from tests.graphql.conftest import app_settings  # noqa: E402

EXAMPLES = 4  # per root field: about 75 fields × 4 = 300 operations per actor
# The project's scalars, as text: mostly well-formed, sometimes anything.
schemathesis.graphql.scalar(
    "Money",
    st.one_of(st.from_regex(r"-?\d{1,12}(\.\d{1,3})?", fullmatch=True), st.text(max_size=8)).map(
        nodes.String
    ),
)
schemathesis.graphql.scalar(
    "Date", st.one_of(st.dates().map(str), st.text(max_size=10)).map(nodes.String)
)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=10)).map(nodes.String),
)
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
