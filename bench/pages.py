"""The main HTML pages against a floor: latency under concurrent clients, and the ratio.

The floor is ``/healthz`` through the same server, middleware and signed-in session: one
``SELECT 1`` and a small JSON body, the least a request to this app can cost. Each page's p50 and
p95 over the floor's say what rendering that page adds.

    .venv/bin/python bench/pages.py                          # province data in var/bench/
    .venv/bin/python bench/pages.py --scale city --seconds 5 --json out.json

The database is seeded once (``app.seed``) and reused, and so is the search index beside it.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402

import httpx2 as httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from app import migrate  # noqa: E402
from app.actors import SYSTEM  # noqa: E402
from app.db import Database, create_db_engine  # noqa: E402
from app.models import PairingAgreement, Product, User, Village  # noqa: E402
from app.models.enums import AgreementStatus, ProductStatus, UserRole  # noqa: E402
from app.services.accounts import create_user  # noqa: E402
from bench.load import CSRF, PASSWORD, Server, summary  # noqa: E402

BENCH_DIR = ROOT / "var" / "bench"
DATABASES = {
    "province": BENCH_DIR / "graphql-province.sqlite3",  # shared with bench/graphql.py
    "city": BENCH_DIR / "city.sqlite3",
}
BUREAU = "bench_pages_bureau"
FLOOR = "/healthz"
# What a bureau user opens most, and the public pages; {village} etc. are filled from the data.
PAGES = (
    ("首页", "/"),
    ("帮扶村列表", "/villages?key=1"),
    ("帮扶村详情", "/villages/{village}"),
    ("产品搜索", "/products?q=苹果"),
    ("产品详情", "/products/{product}"),
    ("结对协议列表", "/agreements"),
    ("协议详情", "/agreements/{agreement}"),
    ("工作台（全部栏目）", "/dashboard?all=1"),
    ("待办", "/inbox"),
)


def database_url(scale: str) -> str:
    return f"sqlite:///{DATABASES[scale]}"


def prepare(url: str, scale: str) -> dict[str, int]:
    """Migrate, seed once, add the bench's bureau account; ids for the detail pages."""
    from app.seed import seed_database

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(url)
    database = Database(create_db_engine(url))
    try:
        started = time.perf_counter()
        if not seed_database(database, scale=scale).skipped:
            print(f"seeded {scale} data in {time.perf_counter() - started:.0f} s")
        with database.unit_of_work() as session:
            if session.scalar(sa.select(User.id).where(User.username == BUREAU)) is None:
                create_user(
                    session=session,
                    actor=SYSTEM,
                    account={"username": BUREAU, "display_name": "压测", "password": PASSWORD},
                    role=UserRole.bureau,
                    region_code="140800",
                )
            return {
                "village": session.scalar(
                    sa.select(Village.id).where(Village.key_village).order_by(Village.id)
                ),
                "product": session.scalar(
                    sa.select(Product.id)
                    .where(Product.status == ProductStatus.listed)
                    .order_by(Product.id)
                ),
                "agreement": session.scalar(
                    sa.select(PairingAgreement.id)
                    .where(PairingAgreement.status == AgreementStatus.active)
                    .order_by(PairingAgreement.id)
                ),
            }
    finally:
        database.dispose()


async def signed_in_client(base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60)
    token = CSRF.search((await client.get("/login")).text).group(1)
    form = {"username": BUREAU, "password": PASSWORD, "csrf_token": token}
    response = await client.post("/login", data=form)
    if response.status_code != 303:
        raise RuntimeError(f"sign-in failed: HTTP {response.status_code}")
    return client


async def measure(clients: list[httpx.AsyncClient], path: str, seconds: float) -> dict:
    """Every client requests ``path`` back to back for ``seconds``; any non-200 is an error."""
    latencies: list[float] = []
    statuses: set[int] = set()
    deadline = time.perf_counter() + seconds

    async def run(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await client.get(path)
            latencies.append(time.perf_counter() - started)
            statuses.add(response.status_code)

    await asyncio.gather(*(run(c) for c in clients))
    rate = len(latencies) / seconds
    return summary(path, latencies) | {"rps": rate, "statuses": sorted(statuses)}


async def run_pages(base: str, ids: dict, *, clients: int, seconds: float) -> list[dict]:
    pool = [await signed_in_client(base) for _ in range(clients)]
    try:
        for client in pool:  # warm every path once: first-use caches are not what we measure
            for _, template in PAGES:
                await client.get(template.format(**ids))
        floor = await measure(pool, FLOOR, seconds)
        rows = [{"page": "下限 /healthz", **floor, "p50_ratio": 1.0, "p95_ratio": 1.0}]
        for name, template in PAGES:
            result = await measure(pool, template.format(**ids), seconds)
            rows.append(
                {
                    "page": name,
                    **result,
                    "p50_ratio": result["p50"] / floor["p50"],
                    "p95_ratio": result["p95"] / floor["p95"],
                }
            )
        return rows
    finally:
        for client in pool:
            await client.aclose()


def print_table(rows: list[dict], peak_mb: float) -> None:
    print(f"{'page':<14}{'path':<28}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'×floor p95':>12}")
    for row in rows:
        print(
            f"{row['page']:<14}{row['kind']:<28}{row['rps']:>8.1f}{row['p50']:>9.1f}"
            f"{row['p95']:>9.1f}{row['p95_ratio']:>12.1f}  HTTP {row['statuses']}"
        )
    print(f"server peak RSS {peak_mb:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(DATABASES), default="province")
    parser.add_argument("--database", default=None, help="默认 var/bench/ 下该规模的 SQLite 文件")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--json", type=Path, default=None, help="把结果写成 JSON（run_all 用）")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="服务器的索引与日志目录，默认 var/bench/pages-<规模>",
    )
    args = parser.parse_args(argv)
    url = args.database or database_url(args.scale)
    ids = prepare(url, args.scale)
    workdir = args.workdir or BENCH_DIR / f"pages-{args.scale}"
    workdir.mkdir(parents=True, exist_ok=True)
    # The first start at province scale builds the search index (minutes); later ones reuse it.
    with Server(url, workdir, start_timeout=900) as server:
        rows = asyncio.run(run_pages(server.base, ids, clients=args.clients, seconds=args.seconds))
        peak = server.peak_rss_mb()
    print(f"{args.clients} clients, {args.seconds:.0f} s per page, {os.cpu_count()} cores, {url}")
    print_table(rows, peak)
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "peak_mb": peak}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0 if all(row["statuses"] == [200] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
