"""Re-derive the relevance set's product identities from the current seed (decision 0037).

    .venv/bin/python bench/relevance_regenerate.py   # rewrites tests/search/relevance_set.json

Products are identified by seed identity (name and cooperative credit code), which moves whenever
the seed's random draws change order (a new or removed draw anywhere before the products). The
queries, their sorts and their judgment rules (``relevant_if``) are the set's intent and are kept;
this recomputes from the seeded rows alone, never from search results:

- the relevant products: own words (name, description, category) contain one of ``relevant_if``
  and every word of a Chinese query appears in the product's own words or its place's or seller's
  names; N is their number (at most 40);
- must: up to three of them;
- must not: up to four products found only through their seller's or place's name (own words
  without any ``relevant_if``, seller or place names with one); when there are none, three
  products of other kinds (the sellers of the must products first), which must never come ahead
  of a real match either.
"""

import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.relevance import SET_FILE, own_text, seed_key, seeded  # noqa: E402

MAX_N = 40


def _products(database) -> list[tuple[str, str, str, int]]:
    """(seed identity, own text, place and seller names, cooperative id) of searchable products."""
    import sqlalchemy as sa
    from sqlalchemy.orm import selectinload

    from app.models import County, Product, Township, Village
    from app.search.documents import is_product_searchable

    rows = []
    with database.read_only() as session:
        products = session.scalars(
            sa.select(Product).options(selectinload(Product.cooperative)).order_by(Product.id)
        ).all()
        villages = {v.id: v for v in session.scalars(sa.select(Village))}
        townships = {t.code: t.name for t in session.scalars(sa.select(Township))}
        counties = {c.code: c.name for c in session.scalars(sa.select(County))}
        for p in products:
            if not is_product_searchable(p):
                continue
            v = villages[p.village_id]
            context = " ".join(
                [counties[v.county_code], townships[v.township_code], v.name, p.cooperative.name]
            )
            rows.append((seed_key(p), own_text(p), context, p.cooperative_id))
    return rows


def _case(case: dict, products) -> dict:
    words = case["relevant_if"]
    query_words = [] if re.fullmatch(r"[a-z ]+", case["query"]) else case["query"].split()
    relevant = [
        p
        for p in products
        if any(w in p[1] for w in words) and all(q in p[1] + " " + p[2] for q in query_words)
    ]
    seller_only = [
        p for p in products if not any(w in p[1] for w in words) and any(w in p[2] for w in words)
    ]
    must = relevant[:3]
    must_not = seller_only[:4]
    if not must_not:
        sellers = {p[3] for p in must}
        others = [p for p in products if not any(w in p[1] for w in words)]
        others.sort(key=lambda p: (p[3] not in sellers, p[0]))
        must_not = others[:3]
    return {
        **case,
        "n": min(len(relevant), MAX_N),
        "must": [p[0] for p in must],
        "must_not": [p[0] for p in must_not],
        "note": f"{len(relevant)} relevant, {len(seller_only)} seller/place-only",
    }


def main() -> int:
    data = json.loads(SET_FILE.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="cunqi-relevance-") as tmp:
        database, _search = seeded(Path(tmp))
        try:
            products = _products(database)
        finally:
            database.dispose()
    cases = [_case(c, products) for c in data["cases"]]
    for old, new in zip(data["cases"], cases, strict=True):
        if old["n"] != new["n"] or len(old["must"]) != len(new["must"]):
            print(f"{old['query']} {old['sort']}: N {old['n']} -> {new['n']}, {new['note']}")
    data["cases"] = cases
    SET_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"rewrote {SET_FILE.relative_to(ROOT)}: {len(cases)} queries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
