"""The application shell: lifespan, health check, static files, htmx source, error pages."""

import base64
import gc
import hashlib
import json
import re
from pathlib import Path

from starlette.routing import Route
from starlette.testclient import TestClient

from app.asgi import create_app
from app.config import HTMX_CDN_INTEGRITY, HTMX_CDN_URL
from app.db import Database, create_db_engine
from app.web.assets import HTMX_FILE
from app.web.templating import htmx_script
from tests.web.conftest import csrf_token_of


def test_healthz_reports_a_reachable_database(fresh_db, make_settings):
    client = TestClient(create_app(make_settings(), database=fresh_db))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_healthz_is_503_when_postgresql_refuses_connections(make_settings):
    # Port 1 on the loopback interface: nothing listens there, the connection is refused at once.
    settings = make_settings("postgresql+psycopg://postgres@127.0.0.1:1/cunqi")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}


def test_healthz_is_503_when_the_sqlite_file_cannot_be_opened(tmp_path, make_settings):
    # The path is a directory, so SQLite cannot open it as a database file.
    with TestClient(create_app(make_settings(f"sqlite:///{tmp_path}"))) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_the_app_disposes_a_database_it_built(tmp_path, make_settings):
    app = create_app(make_settings(f"sqlite:///{tmp_path / 'own.sqlite3'}"))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        # Requests and the start-up jobs (search, notice periods, mail) return their connections.
        assert app.state.database.engine.pool.checkedin() >= 1
    assert app.state.database.engine.pool.checkedin() == 0


def test_the_app_leaves_a_given_database_to_its_owner(tmp_path, make_settings):
    database = Database(create_db_engine(f"sqlite:///{tmp_path / 'given.sqlite3'}"))
    app = create_app(make_settings(), database=database)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    assert app.state.database is database
    # Not disposed: the connections used by requests and start-up jobs are back in the pool.
    assert database.engine.pool.checkedout() == 0
    assert database.engine.pool.checkedin() >= 1
    database.dispose()


def test_state_holds_settings_database_and_templates(fresh_db, make_settings):
    settings = make_settings()
    app = create_app(settings, database=fresh_db)
    assert app.state.settings is settings
    assert app.state.database is fresh_db
    assert app.state.templates.env.autoescape is True


def test_stylesheet_is_served_with_a_content_version(fresh_db, make_settings):
    client = TestClient(create_app(make_settings(), database=fresh_db))
    page = client.get("/")
    href = page.text.split('<link rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    css = client.get(href)
    assert href.startswith("/static/css/app.css?v=")
    assert (
        href.removeprefix("/static/css/app.css?v=") == hashlib.sha256(css.content).hexdigest()[:10]
    )
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif' in css.text
    assert "--touch-target: 44px;" in css.text
    assert ":focus-visible {\n  outline: 3px solid var(--color-focus);" in css.text
    assert "@import" not in css.text


def test_a_missing_htmx_install_is_a_404_not_a_crash(fresh_db, make_settings, monkeypatch):
    monkeypatch.setattr("app.web.assets.HTMX_FILE", HTMX_FILE.parent / "no-such-file.js")
    client = TestClient(create_app(make_settings(), database=fresh_db))
    assert client.get("/static/vendor/htmx.min.js").status_code == 404


def test_development_pages_load_the_local_htmx_copy(fresh_db, make_settings):
    client = TestClient(create_app(make_settings(), database=fresh_db))
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in client.get("/").text
    script = client.get("/static/vendor/htmx.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")


def test_the_local_htmx_copy_is_the_file_the_cdn_integrity_pins():
    digest = base64.b64encode(hashlib.sha384(HTMX_FILE.read_bytes()).digest()).decode()
    assert f"sha384-{digest}" == HTMX_CDN_INTEGRITY


def test_production_pages_load_htmx_from_the_cdn_with_sri_and_a_local_fallback(
    database_factory, make_settings
):
    settings = make_settings(
        database_factory.new_url("prod"), environment="production", secret_key="p" * 40
    )
    with TestClient(create_app(settings)) as client:
        html = client.get("/").text
        fallback = re.search(r'<script src="(/static/js/htmx-fallback\.js\?v=\w+)"', html)
        assert fallback and client.get(fallback.group(1)).status_code == 200
    assert (
        f'<script src="{HTMX_CDN_URL}" integrity="{HTMX_CDN_INTEGRITY}" '
        'crossorigin="anonymous" defer></script>'
    ) in html
    # The fallback loads the site's own copy under the same hash (tests/browser/test_proxy.py
    # shows it working in Chromium when the CDN is unreachable or its bytes are wrong).
    assert (
        f'data-src="/static/vendor/htmx.min.js" data-integrity="{HTMX_CDN_INTEGRITY}" defer>'
    ) in html


def test_the_default_cdn_serves_the_pinned_npm_file():
    version = json.loads((HTMX_FILE.parents[1] / "package.json").read_text())["version"]
    package = Path(__file__).resolve().parents[2] / "package.json"
    assert version == json.loads(package.read_text())["dependencies"]["htmx.org"]
    expected = f"https://registry.npmmirror.com/htmx.org/{version}/files/dist/htmx.min.js"
    assert expected == HTMX_CDN_URL


def test_htmx_script_follows_the_environment(make_settings):
    assert htmx_script(make_settings()) == ("/static/vendor/htmx.min.js", None, None)
    production = make_settings(environment="production")
    local = "/static/vendor/htmx.min.js"
    assert htmx_script(production) == (HTMX_CDN_URL, HTMX_CDN_INTEGRITY, local)
    assert htmx_script(make_settings(environment="production", htmx_integrity="")).integrity is None
    # Served by the site itself: nothing to fall back to.
    own = make_settings(environment="production", htmx_url=local)
    assert htmx_script(own).fallback is None


def test_unknown_pages_get_a_chinese_404_in_the_layout(fresh_db, make_settings):
    client = TestClient(create_app(make_settings(), database=fresh_db))
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.template.name == "errors/error.html"
    assert response.context["title"] == "页面不存在"
    assert '<html lang="zh-CN">' in response.text
    assert "<title>页面不存在 · 村企通</title>" in response.text


def test_wrong_method_gets_405_with_allow(fresh_db, make_settings):
    client = TestClient(create_app(make_settings(), database=fresh_db))
    response = client.post("/", headers={"X-CSRF-Token": csrf_token_of(client)})
    assert response.status_code == 405
    # Starlette builds the header from a set: the order varies between runs.
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD"}
    assert response.context["title"] == "不支持的请求方式"


def test_server_errors_get_a_chinese_500(fresh_db, make_settings):
    def boom(request):
        raise RuntimeError("boom")

    app = create_app(make_settings(), database=fresh_db)
    app.router.routes.append(Route("/boom", boom))
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "服务器出错了" in response.text
    assert "boom" not in response.text


def test_start_up_builds_the_search_index_and_hooks_the_outbox_drain(fresh_db, make_settings):
    settings = make_settings()
    app = create_app(settings, database=fresh_db)
    with TestClient(app):
        assert app.state.search is not None
        assert (settings.index_dir).is_dir()
        assert len(fresh_db.after_commit_hooks) == 1


def test_a_broken_search_start_up_does_not_stop_the_site(fresh_db, make_settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    app = create_app(make_settings(index_dir=blocker / "index"), database=fresh_db)
    with TestClient(app) as client:
        assert app.state.search is None
        assert client.get("/").status_code == 200


def test_the_served_app_freezes_the_collector_after_start_up(fresh_db, make_settings):
    gc.unfreeze()
    plain = create_app(make_settings(), database=fresh_db)
    with TestClient(plain):
        assert gc.get_freeze_count() == 0
    served = create_app(make_settings(), database=fresh_db, freeze_gc=True)
    try:
        with TestClient(served):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
