"""Dashboard benchmark: the bureau's whole dashboard at province scale (target: under 300 ms).

    .venv/bin/python bench/dashboard.py                    # province scale (seeds once, ~3 min)
    .venv/bin/python bench/dashboard.py --scale city       # quicker, for a smoke run

Seeds ``var/bench/dashboard-<scale>.sqlite3`` with ``app.seed`` (reused by later runs), runs
``ANALYZE``, then, in one process and one run, times for the city bureau and for one county's
bureau:
- cold: ``stats.dashboard`` with its cache cleared (every figure: 12 aggregate statements), then
  each panel's figures alone (where the cold time goes), and ``GET /dashboard?all=1`` likewise
  (the first view after a change every panel reads),
- after an order: ``GET /dashboard?all=1`` after an audit event about an order (only the
  panels reading orders recompute: sales, reserved shares, most active enterprises),
- warm: ``GET /dashboard?all=1`` through the real application (sign-in cookie, the data-version
  lookup, templates, SVG): the view while nothing changed, the target,
- each lazily loaded panel ``GET /dashboard/<panel>`` as htmx asks for it (warm),
- the home page ``GET /`` as the baseline measured alongside (its figures are 3 aggregates),
and prints each p50/p95 with its ratio to the baseline, plus peak resident memory.
"""

import argparse
import re
import resource
import statistics
import sys
import time
from pathlib import Path

# The bench folder holds graphql.py, which would shadow the graphql package: put the root first.
ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from sqlmodel import select  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from app import migrate  # noqa: E402
from app.actors import SYSTEM  # noqa: E402
from app.asgi import create_app  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import Database, create_db_engine  # noqa: E402
from app.models import Order, User  # noqa: E402
from app.models.enums import UserRole  # noqa: E402
from app.services import stats  # noqa: E402
from app.services.accounts import actor_for, create_user  # noqa: E402
from app.services.audit import add_record  # noqa: E402
from app.services.domain_events import DomainEvent  # noqa: E402
from app.web.dashboard import panel_titles  # noqa: E402

TARGET_MS = 300
PASSWORD = "Huanghe2026"
ACCOUNTS = {"bench-city": "140800", "bench-county": "140829"}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(path: Path, scale: str) -> Database:
    from app.seed import seed_database

    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    database = Database(create_db_engine(url))
    started = time.perf_counter()
    result = seed_database(database, scale=scale)
    if not result.skipped:
        print(f"seeded {scale} in {time.perf_counter() - started:.0f} s")
    with database.unit_of_work() as session:
        for username, region in ACCOUNTS.items():
            if session.exec(select(User.id).where(User.username == username)).first() is None:
                create_user(
                    session=session,
                    actor=SYSTEM,
                    account={"username": username, "display_name": username, "password": PASSWORD},
                    role=UserRole.bureau,
                    region_code=region,
                )
    with database.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    return database


def timed(work, repeat: int) -> list[float]:
    work()  # warm the caches (templates, statement compilation) once
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def line(name: str, times: list[float], baseline: float | None, target: float | None = None):
    ratio = f" ×{statistics.median(times) / baseline:5.1f} of baseline" if baseline else ""
    verdict = ""
    if target is not None:
        verdict = "  ✓" if p95(times) < target else f"  ✗ (target {target} ms)"
    print(
        f"{name:<40} p50={statistics.median(times):7.1f} p95={p95(times):7.1f} ms{ratio}{verdict}"
    )


def client_for(app, username: str) -> TestClient:
    client = TestClient(app)
    token = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/login").text)[1]
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return client


def cold_page(client: TestClient):
    def get():
        stats.clear_cache()
        client.get("/dashboard?all=1")

    return get


def after_order(client: TestClient, database: Database):
    """The page after an audit event about an order (as when one is received): only the panels
    that read orders recompute."""

    def get():
        with database.unit_of_work() as session:
            order = session.exec(select(Order).order_by(Order.id.desc()).limit(1)).one()
            add_record(
                session, DomainEvent(actor_id=None, actor_label="基准", action="bench", obj=order)
            )
        client.get("/dashboard?all=1")

    return get


def bench_account(app, database: Database, username: str, repeat: int) -> None:
    client = client_for(app, username)
    with database.read_only() as session:
        actor = actor_for(session.exec(select(User).where(User.username == username)).one())
    baseline = timed(lambda: client.get("/"), repeat)
    print(f"— {username} ({actor.region_code})")
    line("baseline: home page GET /", baseline, None)
    base = statistics.median(baseline)

    def figures():
        stats.clear_cache()
        with database.read_only() as session:
            stats.dashboard(session=session, actor=actor, reuse=True)

    line("cold: stats.dashboard, cache cleared", timed(figures, max(3, repeat // 4)), base)
    for name in stats.panels():  # where the cold time goes

        def one(name=name):
            with database.read_only() as session:
                stats.panel(name, session=session, actor=actor)

        line(f"  cold figures {name}", timed(one, max(3, repeat // 4)), base)
    line("cold: GET /dashboard?all=1", timed(cold_page(client), max(3, repeat // 4)), base)
    line("after an order: GET /dashboard?all=1", timed(after_order(client, database), repeat), base)
    whole = timed(lambda: client.get("/dashboard?all=1"), repeat)
    line("warm: GET /dashboard?all=1 (whole page)", whole, base, TARGET_MS)
    line("GET /dashboard (lazy shell)", timed(lambda: client.get("/dashboard"), repeat), base)
    htmx = {"HX-Request": "true"}
    for name in panel_titles():
        times = timed(lambda n=name: client.get(f"/dashboard/{n}", headers=htmx), repeat)
        line(f"  panel {name}", times, base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["city", "province"], default="province")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    path = ROOT / "var" / "bench" / f"dashboard-{args.scale}.sqlite3"
    database = prepare(path, args.scale)
    settings = Settings(
        environment="production",
        secret_key="bench-" + "x" * 40,
        database_url=f"sqlite:///{path}",
        cookie_secure=False,
        index_dir=ROOT / "var" / "bench" / "dashboard-index",
        upload_dir=ROOT / "var" / "bench" / "dashboard-uploads",
    )
    app = create_app(settings, database=database)
    print(f"{args.scale} scale, {args.repeat} runs each after one warm-up")
    for username in ACCOUNTS:
        bench_account(app, database, username, args.repeat)
    print(f"peak resident memory {peak_mb():.0f} MB")
    database.dispose()


if __name__ == "__main__":
    main()
