"""A real server in a subprocess and a real Chromium driven by Playwright.

Chromium comes from Debian (`make browser-deps`, run by `make test` and CI); Playwright never downloads
a browser. Screenshots of every step are kept under test-artifacts/ for people to look at.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from app.actors import SYSTEM
from app.db import Database, create_db_engine
from app.models.enums import UserRole
from app.services.accounts import create_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Huanghe2026"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# The journeys' servers let a term start up to this many days before the current quarter (a 补录
# start), so that a quarter past its reporting window can lie in a new agreement's term
# (tests/browser/journey_world.py proposal_term; production keeps the default 30).
LATE_START_GRACE_DAYS = 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(database_factory, tmp_path_factory) -> Iterator[dict]:
    """`cunqi serve` on a migrated database with a city bureau account."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: run `make browser-deps` (needs root for apt)")
    url = database_factory.new_url("browser")
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
    port = _free_port()
    env = os.environ | {
        "CUNQI_DATABASE_URL": url,
        "CUNQI_INDEX_DIR": str(tmp_path_factory.mktemp("index")),
        "CUNQI_UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        # One process serves and runs the jobs (the ledger export), on PostgreSQL too.
        "CUNQI_JOBS_IN_SERVER": "true",
        "CUNQI_AGREEMENT_LATE_START_GRACE_DAYS": str(LATE_START_GRACE_DAYS),
    }
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None:
            raise RuntimeError("the server exited during start-up")
        time.sleep(0.1)
    else:
        raise RuntimeError("the server did not answer /healthz")
    yield {"base": base, "url": url}
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: run `make browser-deps` (needs root for apt)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


class Shots:
    """Numbered screenshots of one journey under test-artifacts/<journey>/."""

    def __init__(self, name: str):
        self.folder = ARTIFACTS / name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, page, step: str) -> None:
        self.count += 1
        page.screenshot(path=self.folder / f"{self.count:02d}-{step}.png", full_page=True)


@pytest.fixture
def shots(request) -> Shots:
    return Shots(request.node.name.replace("[", "-").replace("]", ""))


@pytest.fixture(scope="session")
def journey_world(live_server) -> dict[str, int]:
    """The journeys' people and the showcase's ids in the live server's database."""
    from tests.browser.journey_world import build_journey_world

    return build_journey_world(live_server["url"])


@pytest.fixture(scope="session")
def journey_base(live_server, journey_world) -> str:
    """The live server with the journeys' people in it (tests/browser/journey_world.py)."""
    return live_server["base"]


@pytest.fixture
def open_page(browser):
    """``open_page(viewport)``: a new signed-out page; contexts are closed after the test.

    CSP is bypassed only so that axe-core can be injected; the pages' own scripts are unchanged.
    """
    contexts = []

    def open_(viewport: dict):
        context = browser.new_context(viewport=viewport, locale="zh-CN", bypass_csp=True)
        context.set_default_timeout(30_000)  # CI runs other suites on the same 2 cores
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()
