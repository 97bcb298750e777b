"""A real ``cunqi serve`` on a database of the test's own, a signed-in cooperative, and helpers
that read what the database and the search index hold after a fault."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy as sa

from app.db import Database, create_db_engine
from app.models import Product, SearchOutbox
from app.models.enums import ProductStatus
from app.search.check import index_stamps
from app.search.index import current_directory
from app.search.schema import PRODUCTS
from bench.load import CSRF, PASSWORD, LoadWorld, Server, prepare

COOPERATIVE = "load_coop"


@dataclass
class FaultSite:
    url: str
    database: Database
    world: LoadWorld
    workdir: Path

    def server(self, **env) -> Server:
        return Server(self.url, self.workdir, env=env)

    @contextmanager
    def serving(self, **env) -> Iterator[tuple[Server, "Cooperative"]]:
        """A started server and the cooperative signed in to it; stopped afterwards."""
        server = self.server(**env)
        server.start()
        try:
            with Cooperative(server.base) as cooperative:
                yield server, cooperative
        finally:
            server.stop()

    def products(self, names: list[str]) -> dict[str, tuple[int, ProductStatus]]:
        """The stored products with these names: name → (id, status)."""
        with self.database.read_only() as session:
            rows = session.execute(
                sa.select(Product.name, Product.id, Product.status).where(Product.name.in_(names))
            ).all()
        assert len(rows) == len({r.name for r in rows}), "a product was stored twice"
        return {r.name: (r.id, r.status) for r in rows}

    def listed_ids(self) -> set[int]:
        with self.database.read_only() as session:
            query = sa.select(Product.id).where(Product.status == ProductStatus.listed)
            return set(session.scalars(query))

    def pending_outbox(self) -> int:
        with self.database.read_only() as session:
            query = sa.select(sa.func.count()).select_from(SearchOutbox)
            return session.execute(query).scalar_one()


@pytest.fixture
def site(database_factory, tmp_path) -> Iterator[FaultSite]:
    url = database_factory.new_url("fault")
    database = Database(create_db_engine(url))
    world = prepare(database, buyers=1, reporters=0, agreements_each=0)
    yield FaultSite(url, database, world, tmp_path)
    database.dispose()


def indexed_product_ids(index_dir: Path) -> set[int]:
    """Every product id the search index holds."""
    directory = current_directory(index_dir)
    assert directory is not None, "no search index"
    return {int(key) for key in index_stamps(directory, PRODUCTS)}


class Cooperative:
    """The cooperative's staff in a browser without JavaScript: plain form posts."""

    def __init__(self, base: str):
        self.client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
        page = self.client.get("/login")
        form = {"username": COOPERATIVE, "password": PASSWORD, "csrf_token": _token(page.text)}
        assert self.client.post("/login", data=form).status_code == 303
        self.token = _token(self.client.get("/my/products").text)

    def post(self, url: str, data: dict) -> httpx.Response:
        return self.client.post(url, data=data | {"csrf_token": self.token})

    def create(self, name: str) -> httpx.Response:
        return self.post("/my/products/new", product_form(name))

    def publish(self, name: str) -> int:
        """Create the product and put it on sale; its id once both posts were acknowledged."""
        created = self.create(name)
        assert created.status_code == 303, created.text
        product_id = int(re.search(r"/my/products/(\d+)$", created.headers["location"]).group(1))
        action = f"/my/products/{product_id}/list"
        # The 上架 button sends back the version its page showed, as a browser would.
        page = self.client.get(f"/my/products/{product_id}").text
        form = re.search(r'action="' + action + r'".*?name="version" value="(\d+)"', page, re.S)
        listed = self.post(action, {"version": form.group(1)})
        assert listed.status_code == 303, listed.text
        return product_id

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Cooperative":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def product_form(name: str) -> dict:
    return {
        "name": name,
        "category": "fruit",
        "unit": "斤",
        "price": "12.50",
        "min_order": "1",
        "stock": "500",
        "description": "故障测试用产品",
    }


def _token(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)
