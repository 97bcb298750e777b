"""A site over the seeded bureau world (tests/services/bureau_world.py) for the page tests."""

import re

from starlette.testclient import TestClient

from app.asgi import create_app
from app.config import Settings
from tests.services.bureau_world import PASSWORD, BureauWorld
from tests.web.conftest import csrf_token_of

SECRET = "b" * 40


def bureau_app(world: BureauWorld, tmp_path):
    settings = Settings(
        environment="development",
        secret_key=SECRET,
        database_url=world.database.engine.url.render_as_string(hide_password=False),
        index_dir=tmp_path / "index",
        upload_dir=tmp_path / "uploads",
    )
    return create_app(settings, database=world.database)


def signed_in(app, username: str | None) -> TestClient:
    client = TestClient(app)
    if username:
        response = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf_token_of(client)},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
    return client


def csrf(client: TestClient) -> str:
    return csrf_token_of(client)


def svg_titles(html: str) -> list[str]:
    return re.findall(r'<title id="[^"]+">([^<]+)</title>', html)
