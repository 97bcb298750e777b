"""The baseline for ``bench/search.py``: the same queries on SQLite FTS5.

The FTS5 table holds the same jieba search-mode segmentation as the Whoosh index (words joined by
spaces, so ``unicode61`` keeps each word whole), plus the name's pinyin terms and characters, so
it answers the same words, pinyin and single characters. Each query runs what a results page
needs: the total, the three facets (each without its own filter), one sorted page, and the page's
rows from ``products``.
"""

import re
import sqlite3
from datetime import date

from app.labels import CERTIFICATION, PRODUCT_CATEGORY
from app.models.enums import Certification, ProductCategory
from app.models.flags import from_mask, to_mask
from app.search.analysis import is_cjk, segments, word_pinyin
from app.search.products import ProductQuery, ProductSort
from app.search.textquery import parse

SCHEMA = """
CREATE VIRTUAL TABLE fts_products USING fts5(name, text, pinyin, chars, tokenize='unicode61');
CREATE TABLE fts_attrs (
    rowid INTEGER PRIMARY KEY, category TEXT, county TEXT, county_category TEXT, certs INTEGER,
    months INTEGER, in_stock INTEGER, price INTEGER, assisted_until INTEGER, created INTEGER,
    quality INTEGER
);
CREATE INDEX fts_attrs_category ON fts_attrs (category);
CREATE INDEX fts_attrs_county ON fts_attrs (county);
CREATE INDEX fts_attrs_price ON fts_attrs (price);
CREATE INDEX fts_attrs_created ON fts_attrs (created);
CREATE INDEX fts_attrs_quality ON fts_attrs (quality);
"""
ROWS = """
SELECT p.id, p.name, p.description, p.category, p.certifications, p.harvest_months, p.stock,
       p.price_fen, p.assistance_certified_until, p.rating_total, p.rating_count, p.created_at,
       c.name, v.name, t.name, k.code, k.name, k.category
FROM products p JOIN cooperatives c ON c.id = p.cooperative_id
JOIN villages v ON v.id = p.village_id JOIN townships t ON t.code = v.township_code
JOIN counties k ON k.code = v.county_code
WHERE p.status = 'listed' AND c.status = 'approved'
"""
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
CERT_BITS = {c.value: to_mask([c], Certification) for c in Certification}


def pinyin_terms(text: str) -> list[str]:
    """What the Whoosh side finds a name by in pinyin: each search-mode word's full pinyin and
    initials, and a whole run's (红富士苹果 → pingguo, pg, hongfushipingguo, hfspg)."""
    terms: dict[str, None] = {}
    for word, _start, _end in segments(text):
        if all(is_cjk(ch) for ch in word):
            full, initials = word_pinyin(word)
            terms[full] = terms[initials] = None
    for run in CJK_RUN.findall(text):
        pieces = [word_pinyin(w) for w, _s, _e in segments(run)]
        terms["".join(f for f, _i in pieces)] = None
    return list(terms)


def cjk_characters(text: str) -> list[str]:
    return list(dict.fromkeys(ch for ch in text if is_cjk(ch)))


def _words(text: str) -> str:
    return " ".join(w for w, _s, _e in segments(text))


def build(path: str) -> int:
    """Create and fill the FTS5 baseline inside the benchmark's SQLite file."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    count = 0
    rows = conn.execute(ROWS)
    while batch := rows.fetchmany(2000):
        texts, attrs = [], []
        for r in batch:
            (pid, name, description, category, certs, months, stock, price, until,
             rating_total, rating_count, created, coop, village, township, code, county,
             county_category) = r  # fmt: skip
            labels_ = [
                PRODUCT_CATEGORY[ProductCategory(category)],
                *(CERTIFICATION[c] for c in from_mask(certs, Certification)),
            ]
            context = f"{description} {' '.join(labels_)} {county} {township} {village} {coop}"
            texts.append(
                (pid, _words(name), _words(context), " ".join(pinyin_terms(name)),
                 " ".join(cjk_characters(name)))
            )  # fmt: skip
            rating = rating_total * 100 // rating_count + 1 if rating_count else 0
            day = int(until.replace("-", "")) if until else 0
            attrs.append(
                (pid, category, code, county_category, certs, months, int(stock > 0), price,
                 day, created, rating)
            )  # fmt: skip
        ins = "INSERT INTO fts_products (rowid, name, text, pinyin, chars) VALUES (?, ?, ?, ?, ?)"
        conn.executemany(ins, texts)
        conn.executemany("INSERT INTO fts_attrs VALUES (?,?,?,?,?,?,?,?,?,?,?)", attrs)
        count += len(batch)
    conn.commit()
    conn.close()
    return count


def _conditions(query: ProductQuery, today: date) -> dict[str, tuple[str, list]]:
    found: dict[str, tuple[str, list]] = {}
    if query.categories:
        marks = ",".join("?" * len(query.categories))
        found["category"] = (f"a.category IN ({marks})", list(query.categories))
    if query.county_codes:
        marks = ",".join("?" * len(query.county_codes))
        found["county"] = (f"a.county IN ({marks})", list(query.county_codes))
    if query.certifications:
        mask = sum(CERT_BITS.get(c, 0) for c in query.certifications)
        sql = "(a.certs & ?) != 0"
        args: list = [mask]
        if "assistance" in query.certifications:
            sql = f"({sql} OR a.assisted_until >= ?)"
            args.append(int(today.strftime("%Y%m%d")))
        found["certification"] = (sql, args)
    if query.county_category:
        found["county_category"] = ("a.county_category = ?", [query.county_category])
    if query.price_min is not None:
        found["price_min"] = ("a.price >= ?", [query.price_min])
    if query.price_max is not None:
        found["price_max"] = ("a.price <= ?", [query.price_max])
    if query.in_stock:
        found["in_stock"] = ("a.in_stock = 1", [])
    if query.harvest_month:
        found["harvest_month"] = ("(a.months & ?) != 0", [1 << (query.harvest_month - 1)])
    return found


_ORDER = {
    ProductSort.price_asc: "a.price, a.rowid",
    ProductSort.price_desc: "a.price DESC, a.rowid DESC",
    ProductSort.newest: "a.created DESC, a.rowid DESC",
    ProductSort.rating: "a.quality DESC, a.created DESC",
}


def search(conn: sqlite3.Connection, query: ProductQuery, today: date) -> tuple[int, list]:
    """Total, facets and one page, as the Whoosh side computes them; returns (total, rows)."""
    words = parse(query.text)
    match = " AND ".join('"' + w.replace('"', "") + '"' for w in words)
    conditions = _conditions(query, today)

    def where(without: str | None = None) -> tuple[str, str, list]:
        parts, args = [], []
        source = "fts_attrs a"
        if match:
            source = "fts_products f JOIN fts_attrs a ON a.rowid = f.rowid"
            parts.append("fts_products MATCH ?")
            args.append(match)
        for name, (sql, values) in conditions.items():
            if name != without:
                parts.append(sql)
                args += values
        return source, " AND ".join(parts) or "1", args

    source, clause, args = where()
    total = conn.execute(f"SELECT count(*) FROM {source} WHERE {clause}", args).fetchone()[0]
    for facet, column in (("category", "a.category"), ("county", "a.county")):
        source, clause, args = where(facet)
        sql = f"SELECT {column}, count(*) FROM {source} WHERE {clause} GROUP BY {column}"
        conn.execute(sql, args).fetchall()
    source, clause, args = where("certification")
    sums = ", ".join(f"sum((a.certs & {bit}) != 0)" for bit in CERT_BITS.values())
    day = int(today.strftime("%Y%m%d"))
    sql = f"SELECT {sums}, sum(a.assisted_until >= {day}) FROM {source} WHERE {clause}"
    conn.execute(sql, args).fetchone()
    source, clause, args = where()
    if match and query.sort is ProductSort.relevance:
        order = "f.rank"
    else:
        order = _ORDER.get(query.sort, "a.quality DESC, a.created DESC")
    offset = (query.page - 1) * query.per_page
    ids = [r[0] for r in conn.execute(
        f"SELECT a.rowid FROM {source} WHERE {clause} ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, query.per_page, offset],
    )]  # fmt: skip
    rows = []
    if ids:
        marks = ",".join("?" * len(ids))
        sql = f"SELECT id, name, description FROM products WHERE id IN ({marks}) AND status = ?"
        rows = conn.execute(sql, [*ids, "listed"]).fetchall()
    return total, rows
