"""Fixtures for the GraphQL tests: the world built once, cloned per module or per test, and a
client that speaks GraphQL as any of the nine actors."""

import atexit
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient
from strawberry.types import ExecutionResult

from app.actors import ANONYMOUS, Actor
from app.asgi import create_app
from app.config import Settings
from app.db import Database, create_db_engine
from app.models import Village, VillageNeed
from app.models.enums import HelpKind, NeedStatus
from app.schema.context import Context, run_in_own_loop
from app.schema.schema import create_schema
from tests.graphql.graphql_world import GraphQLWorld, build_graphql_world
from tests.web.web_factories import make_home_scenario

SECRET = "g" * 40
# Evidence files and product photos written through /graphql in the tests.
UPLOAD_DIR = Path(tempfile.mkdtemp(prefix="cunqi-graphql-"))
atexit.register(shutil.rmtree, UPLOAD_DIR, ignore_errors=True)


def app_settings(database_url: str, **overrides) -> Settings:
    values = {
        "environment": "development",
        "secret_key": SECRET,
        "database_url": database_url,
        "upload_dir": UPLOAD_DIR,
    }
    return Settings(**values | overrides)


@dataclass
class WorldTemplate:
    url: str
    world: GraphQLWorld


def _database_name(url: str) -> str:
    database = make_url(url).database or ""
    return Path(database).stem if url.startswith("sqlite") else database


@pytest.fixture(scope="session")
def world_template(database_factory) -> WorldTemplate:
    """The GraphQL world, built once per run in a database that is only ever copied."""
    url = database_factory.new_url("gqlworld")
    database = Database(create_db_engine(url))
    with database.unit_of_work() as session:
        world = build_graphql_world(session)
    if database.is_sqlite:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()
    return WorldTemplate(url=url, world=world)


def _clone(database_factory, template: WorldTemplate) -> Database:
    name = database_factory._new_name("gqlclone")
    url = database_factory._url(name, create=True, template=_database_name(template.url))
    return Database(create_db_engine(url))


class GraphQLClient:
    """Posts operations to /graphql as a named actor (API token) or anonymously."""

    def __init__(self, app, world: GraphQLWorld):
        self.http = TestClient(app)
        self.world = world

    def post(self, query: str, variables: dict | None = None, *, actor: str = "anonymous"):
        headers = {}
        if actor != "anonymous":
            headers["Authorization"] = f"Bearer {self.world.tokens[actor]}"
        return self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    def run(self, query: str, variables: dict | None = None, *, actor: str = "anonymous") -> dict:
        response = self.post(query, variables, actor=actor)
        assert response.status_code == 200, response.text
        return response.json()

    def data(self, query: str, variables: dict | None = None, *, actor: str = "anonymous"):
        body = self.run(query, variables, actor=actor)
        assert "errors" not in body, body
        return body["data"]


@pytest.fixture(scope="module")
def world_db(database_factory, world_template) -> Iterator[Database]:
    """A copy of the world for a module's read-only tests."""
    database = _clone(database_factory, world_template)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def gql(world_db, world_template) -> GraphQLClient:
    app = create_app(
        app_settings(world_db.engine.url.render_as_string(hide_password=False)), database=world_db
    )
    return GraphQLClient(app, world_template.world)


@pytest.fixture
def fresh_world(database_factory, world_template) -> Iterator[Database]:
    """A copy of the world for one test that writes."""
    database = _clone(database_factory, world_template)
    yield database
    database.dispose()


@pytest.fixture
def gql_writer(fresh_world, world_template) -> GraphQLClient:
    app = create_app(
        app_settings(fresh_world.engine.url.render_as_string(hide_password=False)),
        database=fresh_world,
    )
    client = GraphQLClient(app, world_template.world)
    client.database = fresh_world
    return client


def execute(
    database: Database,
    query: str,
    variables: dict | None = None,
    *,
    actor: Actor = ANONYMOUS,
    introspection: bool = True,
) -> ExecutionResult:
    """Run an operation against the schema directly, as ``actor`` (no HTTP, no middleware)."""
    schema = create_schema(introspection=introspection)

    context = Context(actor=actor, database=database)

    def operation():
        return schema.execute(query, variable_values=variables, context_value=context)

    # A thread of its own: the browser tests leave Playwright's event loop on the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run_in_own_loop, context, operation).result()


def data_of(result: ExecutionResult) -> dict:
    assert result.errors is None, [e.formatted for e in result.errors]
    return result.data


@pytest.fixture(scope="module")
def scenario_db(database_factory) -> Iterator[Database]:
    """The home page's scenario (13 counties, 5 villages, 6 agreements) plus village needs."""
    database = Database(create_db_engine(database_factory.new_url("gqlscenario")))
    with database.unit_of_work() as session:
        make_home_scenario(session)
        villages = {v.code: v for v in session.execute(sa.select(Village)).scalars()}
        session.add_all(
            [
                VillageNeed(
                    village_id=villages["140829100202"].id,
                    kind=HelpKind.industry,
                    description="建设冷库",
                    amount_fen=12_345_600,
                ),
                VillageNeed(
                    village_id=villages["140802001201"].id,
                    kind=HelpKind.sales,
                    description="销售红枣",
                    status=NeedStatus.met,
                ),
            ]
        )
    yield database
    database.dispose()
