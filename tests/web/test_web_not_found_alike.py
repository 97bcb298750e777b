"""Missing and forbidden objects answer alike on pages.

For every route that names an object in its path, and every kind of actor: the answer for an
object the actor may not see is the answer for an object that does not exist (same status, same
redirect, same flashed message, same body), so a page never confirms that an id exists. Objects
come from the authorization matrix's world (tests/authz/world.py), where every kind of object
exists in several states.
"""

import json
import re
from base64 import b64decode

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select
from starlette.routing import Route
from starlette.testclient import TestClient

from app.asgi import create_app
from app.http import SESSION_COOKIE
from app.models import ApiToken, Notification, ProductImage, User, UserSession
from app.permissions import can_review_registration
from app.services import accounts, api_tokens, notifications, user_sessions
from app.web.flash import FLASH_KEY
from tests.authz.world import ACTORS, COUNTY_BUREAUS, PASSWORD, build_world
from tests.web.conftest import csrf_token_of

MISSING = 987_654_321
# The table each path parameter names.
TABLES = {
    "token_id": "api_tokens",
    "session_id": "user_sessions",
    "user_id": "users",
    "village_id": "villages",
    "need_id": "village_needs",
    "enterprise_id": "enterprises",
    "agreement_id": "pairing_agreements",
    "report_id": "outcome_reports",
    "evidence_id": "report_evidence",
    "product_id": "products",
    "image_id": "product_images",
    "demand_id": "demands",
    "order_id": "orders",
    "application_id": "certification_applications",
    "notification_id": "notifications",
    "objection_id": "certification_objections",
    "job_id": "export_jobs",
}
# Values for the words in a path (an action's name, a size), one or more per parameter.
WORDS = {
    "decision": ("approve", "reject"),
    "size": ("thumbnail",),
    "action": ("confirm", "approve", "list", "delist", "verify", "return", "cancel", "ship"),
}
# Where an actor sees an object of each kind; kinds without a page of their own are seen by
# their owner (see _owned) or not at all.
DETAIL = {
    "village_id": ("/villages/{}",),
    "need_id": ("/needs/{}",),
    "enterprise_id": ("/enterprises/{}",),
    "agreement_id": ("/agreements/{}",),
    "report_id": ("/reports/{}",),
    "evidence_id": ("/evidence/{}",),
    "product_id": ("/products/{}", "/my/products/{}"),
    "demand_id": ("/demands/{}",),
    "order_id": ("/orders/{}",),
    "job_id": ("/exports/{}",),
}


def _object_routes(application) -> list[tuple[str, str, str]]:
    """(method, path template, id parameter) for every route naming one object by id."""
    found = []
    for route in application.routes:
        if not isinstance(route, Route):
            continue
        ids = [name for name in route.param_convertors if name in TABLES]
        if not ids:
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found.append((method, route.path, ids[-1]))
    return sorted(found)


class Site:
    def __init__(self, database_factory, tmp_path_factory):
        from app.config import Settings
        from app.db import Database, create_db_engine

        url = database_factory.new_url("alike")
        self.database = Database(create_db_engine(url))
        with self.database.unit_of_work() as session:
            self.world = build_world(session)
            _extra_objects(session, self.world)
        tmp = tmp_path_factory.mktemp("alike")
        settings = Settings(
            environment="development",
            secret_key="a" * 40,
            database_url=url,
            index_dir=tmp / "index",
            upload_dir=tmp / "uploads",
        )
        self.app = create_app(settings, database=self.database)
        self.clients = {name: self._client(name) for name in ACTORS}
        self.routes = _object_routes(self.app)
        with self.database.read_only() as session:
            self.ids = {
                param: session.execute(
                    sa.select(SQLModel.metadata.tables[table].c.id).order_by("id")
                )
                .scalars()
                .all()
                for param, table in TABLES.items()
            }
            self.owners = {
                param: dict(session.execute(sa.select(model.id, model.user_id)).all())
                for param, model in (("token_id", ApiToken), ("session_id", UserSession))
            }
            # Addressed to the actor or the actor's organisation (the inbox's own rule).
            self.notifications = {
                name: set(
                    session.execute(
                        sa.select(Notification.id).where(notifications._recipient_condition(actor))
                    ).scalars()
                )
                for name, actor in self.world.actors.items()
            }
            self.registrations = {
                name: {
                    user.id
                    for user in session.exec(select(User)).all()
                    if can_review_registration(actor, accounts.registration_county(session, user))
                }
                for name, actor in self.world.actors.items()
            }
            self.image_products = dict(
                session.execute(sa.select(ProductImage.id, ProductImage.product_id)).all()
            )
        self._seen: dict = {}

    def _client(self, name: str) -> TestClient:
        client = TestClient(self.app)
        if name != "anonymous":
            response = client.post(
                "/login",
                data={"username": name, "password": PASSWORD, "csrf_token": csrf_token_of(client)},
                follow_redirects=False,
            )
            assert response.status_code == 303, name
        client.csrf = csrf_token_of(client)
        return client

    def sees(self, actor: str, param: str, object_id: int) -> bool:
        """Whether ``actor`` may see the object: its page opens, or it is the actor's own."""
        user_id = self.world.user_ids.get(actor)
        if param in self.owners:
            return self.owners[param].get(object_id) == user_id
        if param == "notification_id":
            return object_id in self.notifications[actor]
        if param == "user_id":
            return object_id in self.registrations[actor]
        if param in ("application_id", "objection_id"):
            # Every certification in the world is in 平陆县: its bureaus review it.
            return actor in COUNTY_BUREAUS
        if param == "image_id":
            return self.sees(actor, "product_id", self.image_products[object_id])
        return any(self._opens(actor, url.format(object_id)) for url in DETAIL.get(param, ()))

    def _opens(self, actor: str, url: str) -> bool:
        if (actor, url) not in self._seen:
            response = self.clients[actor].get(url, follow_redirects=False)
            self._seen[actor, url] = response.status_code == 200
        return self._seen[actor, url]

    def answer(self, actor: str, method: str, path: str, object_id: int) -> tuple:
        client = self.clients[actor]
        if method == "GET":
            response = client.get(path, follow_redirects=False)
        else:
            response = client.post(path, data={"csrf_token": client.csrf}, follow_redirects=False)
        flashed = _flashes(response)
        if flashed:
            client.get("/no-such-page")  # shows (and so clears) the flashed messages
        text = str(object_id)

        def blank(value: str | None) -> str | None:
            return None if value is None else re.sub(rf"(?<=/){text}(?![0-9])", "{id}", value)

        return (
            response.status_code,
            blank(response.headers.get("location")),
            blank(response.headers.get("hx-redirect")),
            flashed,
            blank(response.text),
        )


def _flashes(response) -> list:
    """The messages a response flashed (read from its session cookie)."""
    cookie = response.cookies.get(SESSION_COOKIE)
    if not cookie:
        return []
    payload = cookie.split(".", 1)[0]
    data = json.loads(b64decode(payload + "=" * (-len(payload) % 4)))
    return [flash["message"] for flash in data.get(FLASH_KEY, [])]


def _extra_objects(session, world) -> None:
    """Objects the world lacks that have routes of their own: tokens, other sessions."""
    for name in ("enterprise_a", "bureau_city"):
        actor = world.actors[name]
        api_tokens.create_api_token(session=session, actor=actor, name="对接")
        user_sessions.open_session(session=session, user_id=world.user_ids[name])


@pytest.fixture(scope="module")
def site(database_factory, tmp_path_factory):
    site = Site(database_factory, tmp_path_factory)
    yield site
    site.database.dispose()


def _paths(template: str, object_id: int) -> list[str]:
    paths = [template]
    for name in re.findall(r"{(\w+):str}", template):
        paths = [p.replace(f"{{{name}:str}}", w) for p in paths for w in WORDS[name]]
    return [re.sub(r"{\w+:int}", str(object_id), p) for p in paths]


@pytest.mark.parametrize("actor", ACTORS)
def test_an_object_the_actor_may_not_see_answers_like_a_missing_one(site, actor):
    differences = []
    checked = 0
    for method, template, param in site.routes:
        for object_id in site.ids[param]:
            if site.sees(actor, param, object_id):
                continue
            for existing, missing in zip(
                _paths(template, object_id), _paths(template, MISSING), strict=True
            ):
                checked += 1
                got = site.answer(actor, method, existing, object_id)
                expected = site.answer(actor, method, missing, MISSING)
                if got != expected:
                    differences.append((method, existing, got[:4], expected[:4]))
    assert checked > 10  # the world holds objects this actor may not see
    assert differences == []
