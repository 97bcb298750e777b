"""GraphQL against its floor: three representative operations, each next to a hand-written
Starlette endpoint that runs the minimal SQL for the same data and returns the same JSON.

Both run in the same server (the real app as ``cunqi serve`` builds it: middleware, bearer-token
actor, SQLite, gc.freeze after start-up, bench/graphql_server.py), ``--workers`` of them, each
a single process on a port of its own with the clients' connections spread over them in turn, as
the recommended production layout has them behind the reverse proxy (decision 0021),
driven by ``--clients`` concurrent HTTP clients for ``--seconds`` per operation; the script prints
throughput, p50/p95 latency and GraphQL ÷ floor ratios, and the server's peak memory.

    .venv/bin/python bench/graphql.py                 # province data in var/bench/ (seeded once)
    .venv/bin/python bench/graphql.py --seconds 20 --clients 8
    .venv/bin/python bench/graphql.py --scale city    # city data: quick, for profiling

The database is seeded with ``app.seed.seed_database(scale="province")`` the first time (a few
minutes) and reused afterwards; so is the search index the server builds at its first start.
"""

import sys
from pathlib import Path

# Run as a script, this file's folder would come first on sys.path, and this file (graphql.py)
# would shadow graphql-core for everything imported after it.
ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import base64  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

import httpx2 as httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from app import migrate  # noqa: E402
from app.actors import SYSTEM  # noqa: E402
from app.db import Database, create_db_engine  # noqa: E402
from app.models import PairingAgreement, User  # noqa: E402
from app.models.enums import AgreementStatus, UserRole  # noqa: E402
from app.services import accounts, api_tokens  # noqa: E402


def default_database(scale: str) -> str:
    return f"sqlite:///{ROOT / 'var' / 'bench' / f'graphql-{scale}.sqlite3'}"


BENCH_USER = "bench_city_bureau"
COUNTIES = ["140802", "140821", "140822", "140824", "140826", "140829", "140881"]

VILLAGES = """query Villages($county: String, $after: String) {
  villages(first: 20, after: $after, filter: {countyCode: $county, keyVillage: true}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id code name county { name }
      agreements(first: 5) {
        totalCount
        nodes {
          id number status startOn endOn
          enterprise { id name }
          latestReport { period status }
        }
      }
    }
  }
}"""
AGREEMENT = """query Agreement($id: ID!) {
  agreement(id: $id) {
    id number status helpKinds startOn endOn
    commitFundingBusiness commitFundingWelfare commitJobs commitTrainees commitPurchase
    enterprise { id name creditCode kind }
    village { id code name county { name } }
    reports { period status actualJobs actualPurchase }
  }
}"""
PRODUCTS = """query Products($category: ProductCategory, $county: String, $after: String) {
  products(
    first: 20, after: $after, orderBy: PRICE_ASC
    filter: {category: $category, countyCode: $county, status: [LISTED]}
  ) {
    totalCount
    nodes { id name price unit stock cooperative { id name } village { name county { name } } }
  }
}"""


# Setting up ------------------------------------------------------------------------------------


def prepare(url: str, scale: str = "province") -> tuple[str, list[int]]:
    """Migrate and seed the database if needed; a token for a city bureau user; agreement ids."""
    migrate.upgrade(url)
    database = Database(create_db_engine(url))
    from app.seed import seed_database

    started = time.perf_counter()
    result = seed_database(database, scale=scale)
    if not result.skipped:
        print(f"seeded {scale} data in {time.perf_counter() - started:.0f} s: {result.counts}")
    if database.is_sqlite:
        # Planner statistics, as `PRAGMA optimize` keeps them in production (bench/README.md).
        with database.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    with database.unit_of_work() as session:
        user = session.execute(sa.select(User).where(User.username == BENCH_USER)).scalar()
        if user is None:
            user = accounts.create_user(
                session=session,
                actor=SYSTEM,
                account={"username": BENCH_USER, "display_name": "压测", "password": "Bench2026x"},
                role=UserRole.bureau,
                region_code="140800",
            )
        _token, raw = api_tokens.create_api_token(
            session=session, actor=accounts.actor_for(user), name="bench"
        )
        ids = list(
            session.execute(
                sa.select(PairingAgreement.id)
                .where(PairingAgreement.status == AgreementStatus.active)
                .order_by(PairingAgreement.id)
                .limit(500)
            ).scalars()
        )
    database.dispose()
    return raw, ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, *, gc_freeze: bool) -> subprocess.Popen:
    """bench/graphql_server.py's app served as ``cunqi serve`` serves it (one process)."""
    command = [sys.executable, "-m", "bench.graphql_server", "--port", str(port)]
    environment = os.environ | {
        "CUNQI_BENCH_DATABASE_URL": url,
        "CUNQI_BENCH_FREEZE_GC": "1" if gc_freeze else "0",
    }
    server = subprocess.Popen(command, cwd=ROOT, env=environment)
    deadline = time.monotonic() + 900  # the first start builds the search index
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


# Measuring -------------------------------------------------------------------------------------


def gid(name: str, key) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


def cursor(position: int) -> str:
    return base64.b64encode(f"cursor:{position}".encode()).decode()


def operations(agreement_ids: list[int]):
    """(name, graphql request, floor request) factories drawing varied arguments."""
    rng = random.Random(7)

    def villages():
        county = rng.choice(COUNTIES)
        page = rng.randrange(5)
        after = cursor(page * 20 - 1) if page else None
        graphql = {"query": VILLAGES, "variables": {"county": county, "after": after}}
        floor = {"county": county, "offset": page * 20}
        return graphql, ("/floor/villages", floor)

    def agreement():
        key = rng.choice(agreement_ids)
        graphql = {"query": AGREEMENT, "variables": {"id": gid("PairingAgreement", key)}}
        return graphql, ("/floor/agreement", {"id": key})

    def products():
        category = rng.choice(["FRUIT", "VEGETABLE", "GRAIN_OIL", "DRIED_NUT"])
        county = rng.choice(COUNTIES)
        page = rng.randrange(3)
        after = cursor(page * 20 - 1) if page else None
        variables = {"category": category, "county": county, "after": after}
        floor = {"category": category.lower(), "county": county, "offset": page * 20}
        return {"query": PRODUCTS, "variables": variables}, ("/floor/products", floor)

    return [
        ("村列表（筛选 + 嵌套协议）", villages),
        ("协议详情", agreement),
        ("产品列表", products),
    ]


class Connection:
    """A minimal keep-alive HTTP/1.1 client: the load generator shares the server's two cores,
    so it must spend as little CPU as possible (an httpx client costs about as much as the
    floor endpoints themselves)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]):
        self.host, self.port = host, port
        self.headers = "".join(f"{k}: {v}\r\n" for k, v in headers.items())

    async def open(self) -> "Connection":
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.headers}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def _load(ports: list[int], headers, make, clients: int, seconds: float) -> list[float]:
    """``clients`` keep-alive connections, spread over ``ports`` in turn (as a reverse proxy's
    upstream of one server per port spreads them), each sending requests for ``seconds``."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def client(port: int) -> None:
        connection = await Connection("127.0.0.1", port, headers).open()
        try:
            while time.perf_counter() < stop:
                method, path, body = make()
                started = time.perf_counter()
                status, data = await connection.request(method, path, body)
                latencies.append(time.perf_counter() - started)
                if status != 200 or data.startswith(b'{"data":null') or b'"errors"' in data[:12]:
                    raise RuntimeError(data[:500])
        finally:
            connection.close()

    await asyncio.gather(*(client(ports[n % len(ports)]) for n in range(clients)))
    return latencies


def measure(ports, headers, make, clients, seconds) -> dict:
    asyncio.run(_load(ports, headers, make, clients, min(2.0, seconds / 3)))  # warm up
    latencies = asyncio.run(_load(ports, headers, make, clients, seconds))
    latencies.sort()
    return {
        "rps": len(latencies) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def same_json(base: str, headers: dict, graphql: dict, floor: tuple[str, dict]) -> None:
    expected = httpx.post(base + "/graphql", json=graphql, headers=headers, timeout=30).json()
    path, params = floor
    got = httpx.get(base + path, params=params, headers=headers, timeout=30).json()
    if expected != got:
        raise AssertionError(
            f"{path} differs from GraphQL:\n{json.dumps(expected, ensure_ascii=False)[:800]}\n"
            f"{json.dumps(got, ensure_ascii=False)[:800]}"
        )


def memory_mb(pids: list[int]) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of the serving processes: of the largest
    (each is a process of its own, the budget is per process)."""
    found: dict[str, float] = {}
    for process in pids:
        for line in Path(f"/proc/{process}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                found[name] = max(found.get(name, 0.0), int(value.split()[0]) / 1024)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="province", choices=["city", "province"])
    parser.add_argument("--database", default=os.environ.get("CUNQI_BENCH_DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--no-gc-freeze", action="store_true", help="do not gc.freeze() (cunqi serve does)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="serving processes, one per port, clients spread"
    )
    args = parser.parse_args(argv)
    args.database = args.database or default_database(args.scale)
    token, agreement_ids = prepare(args.database, args.scale)
    ports: list[int] = []
    servers: list[subprocess.Popen] = []
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    try:
        for _ in range(args.workers):  # one after the other: the first start builds the index
            ports.append(free_port())
            servers.append(start_server(args.database, ports[-1], gc_freeze=not args.no_gc_freeze))
        base = f"http://127.0.0.1:{ports[0]}"
        for name, make in operations(agreement_ids):
            for _ in range(5):
                same_json(base, headers, *make())

            def graphql_request(make=make):
                return ("POST", "/graphql", json.dumps(make()[0]).encode())

            def floor_request(make=make):
                path, params = make()[1]
                return ("GET", f"{path}?{urlencode(params)}", b"")

            graphql = measure(ports, headers, graphql_request, args.clients, args.seconds)
            floor = measure(ports, headers, floor_request, args.clients, args.seconds)
            rows.append((name, graphql, floor))
        memory = memory_mb([server.pid for server in servers])
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
    print(
        f"\n{args.clients} 个并发客户端，每项 {args.seconds:.0f} 秒，{os.cpu_count()} 核，"
        f"{args.workers} 个服务进程（各用一端口），"
        f"gc.freeze {'关' if args.no_gc_freeze else '开'}"
    )
    print(f"{'操作':<16}{'':>10}{'请求/秒':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for name, graphql, floor in rows:
        for label, stats in (("GraphQL", graphql), ("手写端点", floor)):
            print(
                f"{name:<16}{label:>10}{stats['rps']:>10.1f}{stats['p50']:>10.1f}{stats['p95']:>10.1f}"
            )
        ratio = floor["rps"] / graphql["rps"]
        p95 = graphql["p95"] / floor["p95"]
        print(f"{name:<16}{'倍数':>10}{ratio:>10.2f}{'':>10}{p95:>10.2f}")
    print(f"服务进程内存：峰值 {memory['VmHWM']:.0f} MB，结束时 {memory['VmRSS']:.0f} MB")


if __name__ == "__main__":
    main()
