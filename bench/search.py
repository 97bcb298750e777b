"""Search benchmark: rebuild throughput, query latency, memory; SQLite FTS5 as the baseline.

    .venv/bin/python bench/search.py                     # 10,000 products (city scale), quick
    .venv/bin/python bench/search.py --products 100000   # province scale (the issue's targets)

Builds its own data in a temporary SQLite database (``app.seed`` at city or province scale when the
count matches one, otherwise ``bench/search_data.py``), then in separate processes so each peak
memory is its own: rebuilds the index, runs the fixed mix of 200 queries (``search_mix.py``)
three times through ``SearchService.search_products`` (facets, highlights and the database
re-check included) — the 1st pass "cold" (a fresh process where only ``SearchService.warm`` ran,
as at start-up), the 3rd "warm" — and runs the same mix on FTS5. Wall-clock times include
whatever else the machine is doing; CPU times (``time.process_time``) are shown beside them.
"""

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TODAY = date(2026, 11, 29)
SEED_SCALES = {10_000: "city", 100_000: "province"}
TARGET_P95_MS = 50
TARGET_REBUILD_S = 180


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(url: str, products: int, data: str) -> str:
    from app import migrate
    from app.db import Database, create_db_engine

    migrate.upgrade(url)
    database = Database(create_db_engine(url))
    try:
        scale = SEED_SCALES.get(products)
        if data != "generated" and scale:
            try:
                from app.seed import seed_database
            except ImportError:
                seed_database = None
            if seed_database is not None:
                seed_database(database, scale=scale)
                return f"app.seed scale={scale}"
        if data == "seed":
            raise SystemExit("app.seed is not available for this product count")
        import search_data

        search_data.generate(database.engine, search_data.province_counts(products))
        return "bench/search_data.py"
    finally:
        database.dispose()


def run_rebuild(url: str, index_dir: str, out) -> None:
    from app.db import Database, create_db_engine
    from app.search.service import SearchService

    database = Database(create_db_engine(url))
    report = SearchService(Path(index_dir)).rebuild(database)
    out.put({"seconds": report.seconds, "documents": report.documents, "peak_mb": peak_mb()})


def run_queries(url: str, index_dir: str, out) -> None:
    from search_mix import query_mix

    from app.db import Database, create_db_engine
    from app.search.analysis import load_dictionary
    from app.search.service import SearchService

    database = Database(create_db_engine(url))
    load_dictionary()
    service = SearchService(Path(index_dir))
    started = time.perf_counter()
    service.warm()  # as SearchService.startup does before serving
    warm_seconds = time.perf_counter() - started
    mix = query_mix()
    passes = []
    for _ in range(3):
        timings = []
        with database.read_only() as session:
            for kind, query in mix:
                started, cpu = time.perf_counter(), time.process_time()
                results = service.search_products(session, query, today=TODAY)
                wall = (time.perf_counter() - started) * 1000
                timings.append((kind, wall, results.total, (time.process_time() - cpu) * 1000))
        passes.append(timings)
    out.put({"passes": passes, "peak_mb": peak_mb(), "warm_seconds": warm_seconds})


def run_fts(path: str, out) -> None:
    import sqlite3

    import search_fts
    from search_mix import query_mix

    from app.search.analysis import load_dictionary

    load_dictionary()
    started = time.perf_counter()
    count = search_fts.build(path)
    build_seconds = time.perf_counter() - started
    conn = sqlite3.connect(path)
    mix = query_mix()
    passes = []
    for _ in range(3):
        timings = []
        for kind, query in mix:
            started, cpu = time.perf_counter(), time.process_time()
            total, _rows = search_fts.search(conn, query, TODAY)
            wall = (time.perf_counter() - started) * 1000
            timings.append((kind, wall, total, (time.process_time() - cpu) * 1000))
        passes.append(timings)
    out.put({"build_seconds": build_seconds, "documents": count, "passes": passes})


def in_process(target, *args) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(timings, column: int = 1) -> dict[str, float]:
    ms = [row[column] for row in timings]
    return {"p50": statistics.median(ms), "p95": percentile(ms, 95), "max": max(ms)}


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--data", choices=["auto", "seed", "generated"], default="auto")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cunqi-bench-search-"))
    database_path = workdir / "bench.sqlite3"
    url = f"sqlite:///{database_path}"
    index_dir = workdir / "index"
    try:
        started = time.perf_counter()
        source = prepare(url, args.products, args.data)
        print(f"data: {args.products} products from {source} in "
              f"{time.perf_counter() - started:.0f} s ({workdir})")  # fmt: skip
        rebuild = in_process(run_rebuild, url, str(index_dir))
        queries = in_process(run_queries, url, str(index_dir))
        fts = in_process(run_fts, str(database_path))
        report(args.products, rebuild, queries, fts, size_mb(index_dir.resolve()))
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(products: int, rebuild: dict, queries: dict, fts: dict, index_mb: float) -> None:
    documents = sum(rebuild["documents"].values())
    print(f"\nrebuild: {rebuild['documents']} in {rebuild['seconds']:.1f} s "
          f"= {documents / rebuild['seconds']:.0f} docs/s; peak RSS {rebuild['peak_mb']:.0f} MB; "
          f"index {index_mb:.0f} MB")  # fmt: skip
    print(f"FTS5 baseline build: {fts['documents']} products in {fts['build_seconds']:.1f} s")
    rows = {
        "whoosh cold (1st pass)": queries["passes"][0],
        "whoosh warm (3rd pass)": queries["passes"][2],
        "FTS5 1st pass": fts["passes"][0],
        "FTS5 3rd pass": fts["passes"][2],
    }
    print(f"\n{'200-query mix, ms':<26}{'wall p50':>9}{'p95':>7}{'max':>8}"
          f"{'cpu p50':>9}{'p95':>7}{'max':>8}")  # fmt: skip
    stats = {}
    for label, timings in rows.items():
        wall, cpu = summary(timings, 1), summary(timings, 3)
        stats[label] = (wall, cpu)
        print(f"{label:<26}{wall['p50']:>9.1f}{wall['p95']:>7.1f}{wall['max']:>8.1f}"
              f"{cpu['p50']:>9.1f}{cpu['p95']:>7.1f}{cpu['max']:>8.1f}")  # fmt: skip
    for phase, ours, theirs in (
        ("cold", "whoosh cold (1st pass)", "FTS5 1st pass"),
        ("warm", "whoosh warm (3rd pass)", "FTS5 3rd pass"),
    ):
        (w, c), (fw, fc) = stats[ours], stats[theirs]
        print(f"ratio whoosh/FTS5 ({phase}): wall p50 {w['p50'] / fw['p50']:.2f}, "
              f"p95 {w['p95'] / fw['p95']:.2f}; cpu p50 {c['p50'] / fc['p50']:.2f}, "
              f"p95 {c['p95'] / fc['p95']:.2f}")  # fmt: skip
    print(f"serving process peak RSS: {queries['peak_mb']:.0f} MB; "
          f"SearchService.warm before the cold pass: {queries['warm_seconds']:.1f} s")  # fmt: skip
    by_kind: dict[str, list[float]] = {}
    for kind, ms, *_rest in queries["passes"][0]:
        by_kind.setdefault(kind, []).append(ms)
    print("cold wall p95 by kind: " + ", ".join(
        f"{kind} {percentile(ms, 95):.1f}" for kind, ms in by_kind.items()))  # fmt: skip
    differ = sum(
        1
        for ours, theirs in zip(queries["passes"][0], fts["passes"][0], strict=True)
        if ours[2] != theirs[2]
    )
    print(f"queries whose totals differ between whoosh and FTS5: {differ} of 200")
    projected = rebuild["seconds"] * 100_000 / max(products, 1)
    cold_wall = stats["whoosh cold (1st pass)"][0]["p95"]
    warm_wall = stats["whoosh warm (3rd pass)"][0]["p95"]
    print(f"\ntargets: wall p95 {cold_wall:.1f} ms cold / {warm_wall:.1f} ms warm vs "
          f"{TARGET_P95_MS}; rebuild of 100,000 products ≈ {projected:.0f} s vs "
          f"{TARGET_REBUILD_S}; load average {os.getloadavg()[0]:.1f} (2 cores)")  # fmt: skip


if __name__ == "__main__":
    main()
