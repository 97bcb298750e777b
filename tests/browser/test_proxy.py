"""The site as deployed: Debian's nginx with deploy/nginx/cunqi.conf and a self-signed certificate
in front of two `cunqi serve` processes (one per port) in production mode, driven by Chromium
over HTTPS while the htmx CDN is unreachable.

nginx connects to the application from 127.0.0.2 (the one trusted proxy here); browsers and
curious clients come from 127.0.0.1 or, straight to an application port, from 127.0.0.3. So the
recorded addresses tell the browser, the proxy and a forged X-Forwarded-For apart.
`make proxy-deps` (run by `make test`) installs nginx; without it, and without root to install
it, these tests are skipped.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from app.actors import SYSTEM
from app.config import HTMX_CDN_URL
from app.db import Database, create_db_engine
from app.models.enums import UserRole
from app.services.accounts import create_user
from app.web.assets import HTMX_FILE
from tests.browser.conftest import DESKTOP, LATE_START_GRACE_DAYS, PASSWORD, _free_port
from tests.browser.journey_world import (
    CASTS,
    act_from_inbox,
    build_journey_world,
    proposal_term,
    sign_in,
)

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "cunqi.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PROXY_ADDRESS = "127.0.0.2"
DIRECT_ADDRESS = "127.0.0.3"
FORGED = "203.0.113.7"

pytestmark = pytest.mark.slow


def site_config(https_port: int, http_port: int, ports: list[int], cert: Path, key: Path) -> str:
    """deploy/nginx/cunqi.conf with this machine's ports, paths and certificate; nginx talks to
    the application from PROXY_ADDRESS. Every replaced line must be in the file."""
    text = SITE.read_text(encoding="utf-8")
    replacements = [
        ("    server 127.0.0.1:8001 ", f"    server 127.0.0.1:{ports[0]} "),
        ("    server 127.0.0.1:8002 ", f"    server 127.0.0.1:{ports[1]} "),
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("/etc/ssl/cunqi/fullchain.pem", str(cert)),
        ("/etc/ssl/cunqi/privkey.pem", str(key)),
        ("/srv/cunqi/", f"{ROOT}/"),
        (
            "        proxy_pass http://cunqi_app;\n",
            f"        proxy_pass http://cunqi_app;\n        proxy_bind {PROXY_ADDRESS};\n",
        ),
    ]
    for old, new in replacements:
        assert old in text, f"deploy/nginx/cunqi.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


def nginx_config(folder: Path, site: Path) -> str:
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder / "access.log"};
{temp}
    include {site};
}}
"""


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _wait_for(url: str, process: subprocess.Popen, **client) -> None:
    for _ in range(200):
        try:
            if httpx.get(url, **client).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[:3]} exited during start-up")
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


@pytest.fixture(scope="module")
def site(database_factory, tmp_path_factory) -> Iterator[dict]:
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed: run `make proxy-deps` (needs root for apt)")
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed: no certificate for the HTTPS test")
    folder = tmp_path_factory.mktemp("proxy")
    url = database_factory.new_url("proxy")
    database = Database(create_db_engine(url))
    with database.unit_of_work() as session:
        from tests.web.web_factories import make_yuncheng_counties

        make_yuncheng_counties(session)
        create_user(
            session=session,
            actor=SYSTEM,
            account={"username": "shiju", "display_name": "李科长", "password": PASSWORD},
            role=UserRole.bureau,
            region_code="140800",
        )
    database.dispose()
    build_journey_world(url)
    https_port, http_port = _free_port(), _free_port()
    ports = [_free_port(), _free_port()]
    base = f"https://127.0.0.1:{https_port}"
    env = os.environ | {
        "CUNQI_ENVIRONMENT": "production",
        "CUNQI_SECRET_KEY": "k" * 48,
        "CUNQI_DATABASE_URL": url,
        "CUNQI_INDEX_DIR": str(folder / "index"),
        "CUNQI_UPLOAD_DIR": str(folder / "uploads"),
        "CUNQI_METRICS_DIR": str(folder / "metrics"),
        "CUNQI_TRUSTED_PROXIES": f"{PROXY_ADDRESS}/32",
        "CUNQI_METRICS_ALLOW": "127.0.0.1/32",
        "CUNQI_PUBLIC_URL": base,
        "CUNQI_LOG_FORMAT": "json",
        "CUNQI_AGREEMENT_LATE_START_GRACE_DAYS": str(LATE_START_GRACE_DAYS),
    }
    processes, logs, files = [], [], []

    def output(path: Path):
        files.append(path.open("w"))
        return files[-1]

    try:
        for port in ports:
            log = folder / f"server-{port}.log"
            logs.append(log)
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app", "serve", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=output(log),
                )
            )
        for port, process in zip(ports, processes, strict=True):
            _wait_for(f"http://127.0.0.1:{port}/healthz", process)
        cert, key = _certificate(folder)
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (folder / kind).mkdir()
        site_file = folder / "cunqi.conf"
        site_file.write_text(site_config(https_port, http_port, ports, cert, key))
        conf = folder / "nginx.conf"
        conf.write_text(nginx_config(folder, site_file))
        nginx = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=output(folder / "nginx.out"),
        )
        processes.append(nginx)
        _wait_for(f"{base}/healthz", nginx, verify=False)
        yield {"base": base, "url": url, "ports": ports, "logs": logs, "folder": folder}
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for file in files:
            file.close()


def _wait_for_htmx(page) -> None:
    """Wait until htmx has loaded (from the CDN or the fallback). Polled from here:
    ``wait_for_function`` evaluates its predicate in the page, which the CSP forbids (no eval)."""
    for _ in range(400):
        if page.evaluate("() => window.htmx !== undefined"):
            return
        page.wait_for_timeout(25)
    raise AssertionError("htmx never loaded")


def _login_attempt_keys(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT key FROM login_attempts")).scalars()
            return {key for key in rows if key.startswith("ip:")}
    finally:
        engine.dispose()


def _session_addresses(url: str) -> set[str]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT client_address FROM user_sessions"))
            return set(rows.scalars())
    finally:
        engine.dispose()


def test_a_journey_over_https_through_nginx_with_the_cdn_unreachable(site, browser):
    base, cast = site["base"], CASTS[DESKTOP["width"]]
    cdn, local, contexts = [], [], []

    def person():
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN", ignore_https_errors=True)
        context.set_default_timeout(30_000)
        # The CDN cannot be reached: every page must fall back to the site's own copy.
        context.route(HTMX_CDN_URL, lambda route: (cdn.append(route.request.url), route.abort()))
        context.on("requestfinished", lambda request: local.append(request.url))
        contexts.append(context)
        return context.new_page()

    try:
        enterprise = person()
        sign_in(enterprise, base, cast.enterprise_user)
        _wait_for_htmx(enterprise)
        assert cdn, "the page did not try the CDN"
        assert any("/static/vendor/htmx.min.js" in url for url in local), "no fallback"
        enterprise.goto(f"{base}/recommendations")
        card = enterprise.locator("li.recommendation", has_text=cast.village)
        card.get_by_role("link", name="提出结对").click()
        enterprise.check("input[name=help_kinds][value=employment]")
        enterprise.check("input[name=help_kinds][value=sales]")
        start_on, end_on = proposal_term()
        enterprise.fill("#field-start_on", start_on)
        enterprise.fill("#field-end_on", end_on)
        enterprise.fill("#field-commit_jobs", "3")
        enterprise.fill("#field-commit_purchase", "10000")
        enterprise.get_by_role("button", name="提交结对提议").click()
        enterprise.wait_for_url(re.compile(rf"{base}/agreements/\d+$"))
        agreement_url = enterprise.url

        village = person()
        sign_in(village, base, cast.village_user)
        # The village's 签约 is an htmx post: htmx came from the fallback.
        _wait_for_htmx(village)
        act_from_inbox(
            village,
            base,
            ("待签约的结对提议", cast.enterprise),
            agreement_url,
            ("#agreement", "签约", "待备案", True),
        )
        cookies = {c["name"]: c for c in contexts[1].cookies(base)}
        assert cookies["cunqi_session"]["secure"] is True
    finally:
        for context in contexts:
            context.close()
    # The sessions recorded the browser's address, not the proxy's.
    assert _session_addresses(site["url"]) == {"127.0.0.1"}


@pytest.mark.parametrize("cdn_answer", ["the pinned file", "other bytes"])
def test_htmx_comes_from_the_cdn_when_its_bytes_match_the_hash_else_from_the_site(
    site, browser, cdn_answer
):
    pinned = HTMX_FILE.read_bytes()
    body = pinned if cdn_answer == "the pinned file" else pinned + b"\n/* changed */"
    context = browser.new_context(locale="zh-CN", ignore_https_errors=True)
    context.route(
        HTMX_CDN_URL,
        lambda route: route.fulfill(
            body=body,
            content_type="text/javascript",
            headers={"Access-Control-Allow-Origin": "*"},
        ),
    )
    local = []
    context.on("requestfinished", lambda request: local.append(request.url))
    try:
        page = context.new_page()
        page.goto(f"{site['base']}/login")
        _wait_for_htmx(page)
        page.wait_for_load_state("load")
        fell_back = any("/static/vendor/htmx.min.js" in url for url in local)
        assert fell_back is (cdn_answer == "other bytes")
    finally:
        context.close()


def test_the_sign_in_throttle_sees_the_client_not_the_proxy_nor_a_forged_header(site):
    base = site["base"]
    forged = {"X-Forwarded-For": FORGED, "X-Forwarded-Proto": "https"}
    # Through nginx: the forged address is left of the one nginx saw, which is the client's.
    with httpx.Client(verify=False, base_url=base) as client:
        _failed_sign_in(client, headers=forged)
    # Straight to an application port from an untrusted address: its headers count for nothing.
    transport = httpx.HTTPTransport(local_address=DIRECT_ADDRESS)
    direct = f"http://127.0.0.1:{site['ports'][1]}"
    with httpx.Client(transport=transport, base_url=direct) as client:
        _failed_sign_in(client, headers=forged)
    assert _login_attempt_keys(site["url"]) == {"ip:127.0.0.1", f"ip:{DIRECT_ADDRESS}"}


def _failed_sign_in(client, *, headers: dict) -> None:
    page = client.get("/login", headers=headers)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    # The session cookie is Secure: sent back by hand, also over the direct plain-HTTP connection.
    cookie = page.headers["set-cookie"].split(";")[0]
    client.cookies.clear()
    response = client.post(
        "/login",
        data={"username": "shiju", "password": "wrong-password", "csrf_token": token},
        headers=headers | {"Cookie": cookie},
    )
    assert response.status_code == 422, response.text[:300]
    assert "用户名或密码不正确" in response.text


def test_metrics_are_not_public_and_logs_are_json_with_the_proxys_request_id(site):
    base = site["base"]
    with httpx.Client(verify=False, base_url=base) as client:
        assert client.get("/metrics").status_code == 404
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["migrations"]["ok"] is True
    request_id = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, believed

    families = {}
    for port in site["ports"]:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
        for family in text_string_to_metric_families(text):
            families.setdefault(family.name, []).extend(family.samples)
    routes = {
        sample.labels["route"]
        for sample in families["cunqi_http_request_duration_seconds"]
        if sample.name.endswith("_count")
    }
    # Templates, not paths: one series for every agreement.
    assert {"/login", "/readyz", "/agreements/{agreement_id:id}"} <= routes
    backlog = {s.labels["queue"] for s in families["cunqi_backlog_rows"]}
    assert {"search_outbox", "mail_outbox"} <= backlog

    lines = []
    for log in site["logs"]:
        for line in log.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)  # every line is one JSON object
            if entry["logger"] == "cunqi.request":
                lines.append(entry)
    readyz = [entry for entry in lines if entry["request_id"] == request_id]
    assert len(readyz) == 1
    assert readyz[0]["route"] == "/readyz" and readyz[0]["status"] == 200
    assert readyz[0]["method"] == "GET" and readyz[0]["duration_ms"] >= 0
    signed_in = [entry for entry in lines if entry["user_id"] is not None]
    assert signed_in, "no request line names its user"
