"""Load: mixed users (browse, search, order, report) against a real ``cunqi serve``.

A bounded asyncio client on loopback: every virtual user runs its own loop of requests with a short
think time, over its own keep-alive connection and signed-in session. At the end every order and
report the server acknowledged (a 303 to the new object's page) is looked up in the database: each
must exist exactly once, and no other rows may have been written for the load accounts.

    .venv/bin/python bench/load.py                              # SQLite, 30 users, 60 s
    .venv/bin/python bench/load.py --seconds 10 --users 30
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://…/cunqi_load --workers 2

The database is created (migrated) and given the load accounts when it has none yet. The same
pieces (``prepare``, ``Server``, ``run_load``, ``check_writes``) drive tests/load and tests/fault.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date  # noqa: E402

import httpx2 as httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from app import migrate  # noqa: E402
from app.actors import SYSTEM  # noqa: E402
from app.db import Database, create_db_engine  # noqa: E402
from app.identifiers import CREDIT_CODE_CHARS, credit_code_check_char  # noqa: E402
from app.models import (  # noqa: E402
    Cooperative,
    County,
    Enterprise,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    Township,
    User,
    Village,
)
from app.models.enums import (  # noqa: E402
    AgreementStatus,
    CountyCategory,
    ProductCategory,
    ProductStatus,
    UserRole,
)
from app.services.accounts import create_user  # noqa: E402
from app.services.pairing.periods import local_today, reportable_quarters  # noqa: E402

PASSWORD = "Huanghe2026"
SECRET = "load-secret-" + "x" * 40
PREFIX = "load"
TOWNSHIP = "140829101"
PRODUCT_NAMES = ("杜马百合", "黄河滩枣", "圣人涧苹果", "张村核桃", "洪池花椒", "部官小米")
SEARCH_WORDS = ("百合", "苹果", "核桃", "枣", "花椒", "小米", "pingguo", "平陆")
CSRF = re.compile(r'"X-CSRF-Token": "([^"]+)"')
AGREEMENT_START = date(2024, 1, 1)
AGREEMENT_END = date(2028, 12, 31)


# The world the load runs in ------------------------------------------------------------------


@dataclass
class LoadWorld:
    """Ids and accounts ``prepare`` made; each reporter has its own (agreement, quarter) queue."""

    products: list[int]
    villages: list[int]
    buyers: list[str]
    reporters: dict[str, list[tuple[int, str]]]
    buyer_enterprises: list[int]
    reporter_enterprises: list[int]


def _credit_code(prefix: str, n: int) -> str:
    body = prefix + "".join(CREDIT_CODE_CHARS[(n // 31**i) % 31] for i in range(9))[::-1]
    return body + credit_code_check_char(body)


def prepare(
    database: Database, *, buyers: int = 10, reporters: int = 5, agreements_each: int = 20
) -> LoadWorld:
    """Create the load accounts (once; a second call reads them back)."""
    with database.unit_of_work() as session:
        if session.get(County, "140829") is None:
            session.add(County(code="140829", name="平陆县", category=CountyCategory.key))
        if session.get(Township, TOWNSHIP) is None:
            session.add(Township(code=TOWNSHIP, name="圣人涧镇", county_code="140829"))
        session.flush()
        existing = session.execute(sa.select(User.id).where(User.username == f"{PREFIX}_coop"))
        if existing.first() is None:
            _create_world(session, buyers, reporters, agreements_each)
    return _read_world(database)


def _create_world(session, buyers: int, reporters: int, agreements_each: int) -> None:
    villages = []
    for n in range(reporters * agreements_each + 1):
        village = Village(
            code=f"{TOWNSHIP}{900 - n:03d}",
            name=f"压测{n + 1}村",
            township_code=TOWNSHIP,
            county_code="140829",
            key_village=n % 3 == 0,
            households=300,
            population=1000,
        )
        session.add(village)
        villages.append(village)
    session.flush()
    cooperative = Cooperative(
        credit_code=_credit_code("93140829", 7001),
        name="压测百合专业合作社",
        village_id=villages[0].id,
        members=20,
    )
    session.add(cooperative)
    session.flush()
    for n, name in enumerate(PRODUCT_NAMES):
        session.add(
            Product(
                cooperative_id=cooperative.id,
                village_id=villages[0].id,
                name=f"平陆{name}",
                category=ProductCategory.dried_nut,
                unit="斤",
                price_fen=2000 + 100 * n,
                min_order=1,
                stock=10_000_000,
                status=ProductStatus.listed,
            )
        )
    _account(session, f"{PREFIX}_coop", UserRole.cooperative, cooperative_id=cooperative.id)
    for n in range(buyers):
        enterprise = _enterprise(session, 7100 + n, f"压测采购单位{n + 1}")
        username = f"{PREFIX}_buyer{n + 1}"
        _account(session, username, UserRole.enterprise, enterprise_id=enterprise.id)
    for n in range(reporters):
        enterprise = _enterprise(session, 7200 + n, f"压测帮扶企业{n + 1}")
        _account(
            session, f"{PREFIX}_reporter{n + 1}", UserRole.enterprise, enterprise_id=enterprise.id
        )
        for k in range(agreements_each):
            session.add(
                PairingAgreement(
                    number=f"JD-LOAD-{n + 1:02d}{k + 1:04d}",
                    enterprise_id=enterprise.id,
                    village_id=villages[1 + n * agreements_each + k].id,
                    help_kinds=1,
                    start_on=AGREEMENT_START,
                    end_on=AGREEMENT_END,
                    status=AgreementStatus.active,
                )
            )
    session.flush()


def _enterprise(session, n: int, name: str) -> Enterprise:
    enterprise = Enterprise(
        credit_code=_credit_code("91140829", n),
        name=f"{name}有限公司",
        kind="private",
        industry="A",
        county_code="140829",
    )
    session.add(enterprise)
    session.flush()
    return enterprise


def _account(session, username: str, role: UserRole, **links) -> None:
    create_user(
        session=session,
        actor=SYSTEM,
        account={"username": username, "display_name": username, "password": PASSWORD},
        role=role,
        **links,
    )


def _read_world(database: Database) -> LoadWorld:
    today = local_today()
    with database.read_only() as session:
        users = session.execute(
            sa.select(User.username, User.enterprise_id)
            .where(User.username.like(f"{PREFIX}\\_%", escape="\\"))
            .order_by(User.id)
        ).all()
        coop = session.execute(
            sa.select(User.cooperative_id).where(User.username == f"{PREFIX}_coop")
        ).scalar_one()
        products = session.scalars(
            sa.select(Product.id).where(Product.cooperative_id == coop).order_by(Product.id)
        ).all()
        buyers = [u for u in users if u.username.startswith(f"{PREFIX}_buyer")]
        reporters = [u for u in users if u.username.startswith(f"{PREFIX}_reporter")]
        queues: dict[str, list[tuple[int, str]]] = {}
        villages: list[int] = []
        for reporter in reporters:
            rows = session.execute(
                sa.select(PairingAgreement.id, PairingAgreement.village_id)
                .where(PairingAgreement.enterprise_id == reporter.enterprise_id)
                .order_by(PairingAgreement.id)
            ).all()
            villages.extend(r.village_id for r in rows)
            reported = set(
                session.execute(
                    sa.select(OutcomeReport.agreement_id, OutcomeReport.year, OutcomeReport.quarter)
                    .join(PairingAgreement)
                    .where(PairingAgreement.enterprise_id == reporter.enterprise_id)
                ).all()
            )
            quarters = reportable_quarters(AGREEMENT_START, AGREEMENT_END, today)
            queues[reporter.username] = [
                (row.id, q.period)
                for q in quarters
                for row in rows
                if (row.id, q.year, q.quarter) not in reported
            ]
    return LoadWorld(
        products=list(products),
        villages=villages,
        buyers=[b.username for b in buyers],
        reporters=queues,
        buyer_enterprises=[b.enterprise_id for b in buyers],
        reporter_enterprises=[r.enterprise_id for r in reporters],
    )


# The server ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``cunqi serve`` in a subprocess (its own process group), restartable after a kill."""

    def __init__(
        self, database_url: str, workdir: Path, *, workers: int = 1, env=None, start_timeout=120
    ):
        self.database_url = database_url
        self.start_timeout = start_timeout
        self.workdir = Path(workdir)
        self.workers = workers
        self.index_dir = self.workdir / "index"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            "CUNQI_DATABASE_URL": database_url,
            "CUNQI_INDEX_DIR": str(self.index_dir),
            "CUNQI_UPLOAD_DIR": str(self.workdir / "uploads"),
            "CUNQI_SECRET_KEY": os.environ.get("CUNQI_SECRET_KEY", SECRET),
        } | dict(env or {})
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = (self.workdir / f"server-{self.starts}.log").open("w")
        command = [sys.executable, "-m", "app", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--workers", str(self.workers)],
            env=os.environ | self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )
        log.close()
        self._wait_ready(self.start_timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited during start-up:\n{self.log()}")
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /healthz:\n{self.log()}")

    def log(self) -> str:
        return (self.workdir / f"server-{self.starts}.log").read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown code of any worker runs."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def peak_rss_mb(self) -> float:
        """Peak resident memory (VmHWM) of the largest process: the server or one worker."""
        return max((_vm_hwm_kib(pid) for pid in _process_tree(self.process.pid)), default=0) / 1024

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _process_tree(pid: int) -> list[int]:
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if task.exists() else []
            queue.extend(int(c) for c in children)
    return pids


def _vm_hwm_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


# The client ----------------------------------------------------------------------------------


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    orders: dict[str, list[int]] = field(default_factory=dict)
    reports: dict[str, list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, kind: str, elapsed: float) -> None:
        self.latencies.setdefault(kind, []).append(elapsed)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def table(self) -> list[dict]:
        rows = [summary(kind, values) for kind, values in sorted(self.latencies.items()) if values]
        everything = [v for values in self.latencies.values() for v in values]
        if everything:
            rows.append(summary("all", everything))
        return rows

    def report(self) -> str:
        lines = [
            f"{self.requests} requests in {self.seconds:.1f} s "
            f"({self.requests / max(self.seconds, 0.001):.1f} req/s), {len(self.errors)} errors, "
            f"{sum(map(len, self.orders.values()))} orders, "
            f"{sum(map(len, self.reports.values()))} reports",
            f"{'kind':<10}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}",
        ]
        for row in self.table():
            lines.append(
                f"{row['kind']:<10}{row['count']:>8}{row['p50']:>10.0f}"
                f"{row['p95']:>10.0f}{row['max']:>10.0f}"
            )
        lines.extend(f"note: {note}" for note in self.notes)
        lines.extend(f"error: {e}" for e in self.errors[:20])
        return "\n".join(lines)


def summary(kind: str, values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {
        "kind": kind,
        "count": len(values),
        "p50": statistics.median(ordered) * 1000,
        "p95": p95 * 1000,
        "max": ordered[-1] * 1000,
    }


class VirtualUser:
    """One person: a cookie jar, a CSRF token once signed in, a random stream of its own."""

    def __init__(self, base: str, results: Results, seed: int, timeout: float):
        self.client = httpx.AsyncClient(base_url=base, timeout=timeout, follow_redirects=False)
        self.results = results
        self.random = random.Random(seed)
        self.token = ""

    async def request(self, kind: str, method: str, url: str, ok=(200,), **kwargs):
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.results.errors.append(f"{kind} {method} {url}: {type(exc).__name__} {exc}")
            return None
        self.results.add(kind, time.perf_counter() - started)
        if response.status_code not in ok:
            self.results.errors.append(f"{kind} {method} {url}: HTTP {response.status_code}")
            return None
        return response

    async def sign_in(self, username: str) -> None:
        page = await self.request("login", "GET", "/login")
        token = CSRF.search(page.text).group(1) if page is not None else ""
        form = {"username": username, "password": PASSWORD, "csrf_token": token}
        await self.request("login", "POST", "/login", ok=(303,), data=form)
        page = await self.request("login", "GET", "/account")
        match = CSRF.search(page.text) if page is not None else None
        self.token = match.group(1) if match else ""

    async def post(self, kind: str, url: str, data: dict):
        return await self.request(
            kind, "POST", url, ok=(303,), data=data | {"csrf_token": self.token}
        )

    async def close(self) -> None:
        await self.client.aclose()


def _created_id(response) -> int | None:
    match = re.search(r"/(\d+)$", response.headers.get("location", ""))
    return int(match.group(1)) if match else None


async def browse(user: VirtualUser, world: LoadWorld) -> None:
    pick = user.random
    url = pick.choice(
        [
            "/",
            "/villages",
            f"/villages?county=140829&page={pick.randint(1, 3)}",
            f"/villages/{pick.choice(world.villages)}",
            f"/products/{pick.choice(world.products)}",
            "/enterprises",
        ]
    )
    await user.request("browse", "GET", url)


async def search(user: VirtualUser, world: LoadWorld) -> None:
    word = user.random.choice(SEARCH_WORDS)
    await user.request("search", "GET", "/products", params={"q": word})


async def order(user: VirtualUser, world: LoadWorld, username: str) -> None:
    product = user.random.choice(world.products)
    await user.request("browse", "GET", f"/products/{product}")
    data = {
        "quantity": str(user.random.randint(1, 50)),
        "unit": "斤",
        "recipient_name": "王主任",
        "recipient_phone": "13903591234",
        "shipping_address": "运城市盐湖区机关食堂",
        "note": "压测订单",
        "demand_id": "",
    }
    response = await user.post("order", f"/products/{product}/orders", data)
    if response is not None:
        user.results.orders.setdefault(username, []).append(_created_id(response))


async def report(user: VirtualUser, world: LoadWorld, username: str) -> None:
    queue = world.reporters[username]
    if not queue:
        await user.request("browse", "GET", "/reports?status=all")
        return
    agreement_id, period = queue.pop(0)
    data = {
        "period": period,
        "actual_jobs": str(user.random.randint(0, 20)),
        "actual_purchase": "1200.50",
        "narrative": "本季度组织务工培训并采购村集体农产品，带动脱贫户增收。",
    }
    response = await user.post("report", f"/agreements/{agreement_id}/reports", data)
    if response is not None:
        user.results.reports.setdefault(username, []).append(_created_id(response))


@dataclass(frozen=True)
class Mix:
    """How the users split; the rest of ``users`` after buyers and reporters browse or search."""

    users: int = 30
    buyers: int = 8
    reporters: int = 4
    searchers: int = 6


async def run_load(
    base: str,
    world: LoadWorld,
    *,
    seconds: float,
    mix: Mix = Mix(),
    think: float = 0.2,
    timeout: float = 30.0,
    seed: int = 1,
) -> Results:
    """Run ``mix.users`` users for ``seconds``; every acknowledged write is in the results."""
    results = Results()
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as probe:
        found = await probe.get("/products", params={"q": SEARCH_WORDS[0]})
    if found.status_code != 200:
        # The product search page is not there (yet): its users browse instead, and say so.
        results.notes.append(f"GET /products?q= answered {found.status_code}: no search users")
        mix = Mix(mix.users, mix.buyers, mix.reporters, searchers=0)
    roles: list[tuple[str, str | None]] = (
        [("order", name) for name in world.buyers[: mix.buyers]]
        + [("report", name) for name in list(world.reporters)[: mix.reporters]]
        + [("search", None)] * mix.searchers
    )
    roles += [("browse", None)] * (mix.users - len(roles))
    users = [VirtualUser(base, results, seed * 1000 + n, timeout) for n in range(len(roles))]
    for user, (_role, username) in zip(users, roles, strict=True):
        if username:
            await user.sign_in(username)
    started = time.perf_counter()
    deadline = started + seconds

    async def loop(user: VirtualUser, role: str, username: str | None) -> None:
        while time.perf_counter() < deadline:
            if role == "order":
                await order(user, world, username)
            elif role == "report":
                await report(user, world, username)
            elif role == "search":
                await search(user, world)
            else:
                await browse(user, world)
            await asyncio.sleep(user.random.uniform(0, 2 * think))

    try:
        await asyncio.gather(*(loop(u, *r) for u, r in zip(users, roles, strict=True)))
    finally:
        results.seconds = time.perf_counter() - started
        for user in users:
            await user.close()
    return results


# Checking the writes ---------------------------------------------------------------------------


def check_writes(database: Database, world: LoadWorld, results: Results) -> list[str]:
    """What went wrong with the writes: acknowledged ones missing, doubled, or unacknowledged."""
    problems: list[str] = []
    acknowledged_orders = [i for ids in results.orders.values() for i in ids]
    acknowledged_reports = [i for ids in results.reports.values() for i in ids]
    with database.read_only() as session:
        orders = session.scalars(
            sa.select(Order.id).where(Order.buyer_id.in_(world.buyer_enterprises))
        ).all()
        reports = session.scalars(
            sa.select(OutcomeReport.id)
            .join(PairingAgreement)
            .where(PairingAgreement.enterprise_id.in_(world.reporter_enterprises))
        ).all()
        count = sa.func.count()
        numbers = session.execute(
            sa.select(Order.number, count).group_by(Order.number).having(count > 1)
        ).all()
    for kind, acknowledged, stored in (
        ("order", acknowledged_orders, orders),
        ("report", acknowledged_reports, reports),
    ):
        if len(set(acknowledged)) != len(acknowledged) or None in acknowledged:
            problems.append(f"{kind}: the server acknowledged an id twice or none")
        missing = set(acknowledged) - set(stored)
        extra = set(stored) - set(acknowledged)
        if missing:
            problems.append(f"{kind}: acknowledged but missing {sorted(missing)[:10]}")
        if extra:
            problems.append(f"{kind}: stored but never acknowledged {sorted(extra)[:10]}")
    if numbers:
        problems.append(f"order numbers used twice: {numbers[:5]}")
    return problems


# The command -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="默认在临时目录新建 SQLite 数据库")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.2, help="平均思考时间（秒）")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cunqi-load-") as workdir:
        url = args.database_url or f"sqlite:///{Path(workdir) / 'load.sqlite3'}"
        migrate.upgrade(url)
        database = Database(create_db_engine(url))
        world = prepare(database)
        with Server(url, Path(workdir), workers=args.workers) as server:
            mix = Mix(users=args.users)
            results = asyncio.run(
                run_load(server.base, world, seconds=args.seconds, mix=mix, think=args.think)
            )
            peak = server.peak_rss_mb()
        problems = check_writes(database, world, results)
        database.dispose()
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{backend}, {args.workers} worker(s), {args.users} users, peak RSS {peak:.0f} MB")
    print(results.report())
    for problem in problems:
        print(f"write check: {problem}")
    return 1 if problems or results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
