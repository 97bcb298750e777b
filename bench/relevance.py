"""Search relevance on the seeded 运城 data: precision@N of the relevance set (decision 0037).

    .venv/bin/python bench/relevance.py            # seeds the tiny scale (seed 1) in a temp dir

The set (tests/search/relevance_set.json) lists queries in Chinese and pinyin, each with a sort,
its N, the products (by seed identity: product name and cooperative credit code) that must appear
in the first N results and those that must not, and the judgment rule: a product is relevant when
its own words (name, description, category) contain one of ``relevant_if``. Precision@N is the
share of the first N results that are relevant. tests/search/test_search_relevance.py asserts the
must / must-not lists; this prints precision per query and the mean. The identities follow the
seed's random draws; when a seed change moves them, bench/relevance_regenerate.py re-derives them
from the seeded rows.
"""

import json
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SET_FILE = ROOT / "tests" / "search" / "relevance_set.json"
SEED_SCALE, SEED = "tiny", 1
TODAY = date(2026, 11, 29)


@dataclass(frozen=True, slots=True)
class Case:
    query: str
    sort: str
    n: int
    relevant_if: tuple[str, ...]
    must: tuple[str, ...]
    must_not: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    case: Case
    keys: list[str]  # the first N results' seed identities
    relevant: list[bool]

    @property
    def precision(self) -> float:
        return sum(self.relevant) / len(self.relevant) if self.relevant else 0.0

    @property
    def missing(self) -> list[str]:
        return [k for k in self.case.must if k not in self.keys]

    @property
    def intruders(self) -> list[str]:
        return [k for k in self.case.must_not if k in self.keys]


def load_cases(path: Path = SET_FILE) -> list[Case]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Case(
            c["query"],
            c.get("sort", "relevance"),
            c["n"],
            tuple(c["relevant_if"]),
            tuple(c["must"]),
            tuple(c["must_not"]),
        )
        for c in data["cases"]
    ]


def seed_key(product) -> str:
    """A product's stable identity in the seeded data: name and its cooperative's credit code."""
    return f"{product.name}|{product.cooperative.credit_code}"


def seed_keys(session) -> list[str]:
    """The seed identities of every product in the database."""
    import sqlalchemy as sa
    from sqlalchemy.orm import selectinload

    from app.models import Product

    query = sa.select(Product).options(selectinload(Product.cooperative))
    return [seed_key(p) for p in session.scalars(query)]


def own_text(product) -> str:
    from app import labels

    return f"{product.name} {product.description} {labels.PRODUCT_CATEGORY[product.category]}"


def seeded(directory: Path):
    """A tiny-scale seeded SQLite database in ``directory`` and a search service over it."""
    from app import migrate
    from app.db import Database, create_db_engine
    from app.search.service import SearchService
    from app.seed import seed_database

    url = f"sqlite:///{directory / 'relevance.sqlite3'}"
    migrate.upgrade(url)
    database = Database(create_db_engine(url))
    seed_database(database, scale=SEED_SCALE, seed=SEED)
    search = SearchService(directory / "index")
    search.rebuild(database)
    return database, search


def evaluate(database, search, cases: list[Case]) -> list[Outcome]:
    from app.search.products import ProductQuery, ProductSort

    outcomes = []
    with database.read_only() as session:
        for case in cases:
            query = ProductQuery(text=case.query, sort=ProductSort(case.sort), per_page=case.n)
            hits = search.search_products(session, query, today=TODAY).hits
            keys = [seed_key(h.product) for h in hits]
            relevant = [any(w in own_text(h.product) for w in case.relevant_if) for h in hits]
            outcomes.append(Outcome(case, keys, relevant))
    return outcomes


def main() -> int:
    cases = load_cases()
    with tempfile.TemporaryDirectory(prefix="cunqi-relevance-") as tmp:
        database, search = seeded(Path(tmp))
        try:
            outcomes = evaluate(database, search, cases)
        finally:
            database.dispose()
    for o in outcomes:
        flags = ("  缺 " + "、".join(o.missing)) if o.missing else ""
        flags += ("  不应出现 " + "、".join(o.intruders)) if o.intruders else ""
        print(f"{o.case.query:<16} {o.case.sort:<10} P@{o.case.n:<3} {o.precision:.3f}{flags}")
    mean = sum(o.precision for o in outcomes) / len(outcomes)
    failed = sum(bool(o.missing or o.intruders) for o in outcomes)
    print(
        f"mean precision@N {mean:.3f} over {len(outcomes)} queries; {failed} failing must/must-not"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
