"""The application bench/graphql.py serves, built the way ``cunqi serve`` builds it (production
settings, few malloc arenas, the garbage collector frozen after start-up), with the floor
endpoints added.

Settings come from the environment (``CUNQI_BENCH_DATABASE_URL``, ``CUNQI_BENCH_INDEX_DIR``,
``CUNQI_BENCH_FREEZE_GC``) so that each of uvicorn's worker processes builds the same app:

    python -m bench.graphql_server --port 8000 --workers 2

which serves it as ``cunqi serve`` does (``uvicorn.run``; several workers share one socket under
uvicorn's supervisor). bench/graphql.py runs one single-worker server per port instead, the
layout recommended behind a reverse proxy (docs/decisions/0021-dependency-internals.md).
"""

import os
from pathlib import Path

from starlette.applications import Starlette

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-" + "x" * 40


def index_dir(url: str) -> Path:
    """The search index of the bench data lives beside it (the first start builds it, minutes)."""
    stem = Path(url.rpartition("/")[2]).stem
    name = "graphql-index" if stem == "graphql-province" else f"{stem}-index"
    return ROOT / "var" / "bench" / name


def create() -> Starlette:
    from app.asgi import create_app, limit_malloc_arenas
    from app.config import Settings
    from bench.graphql_floor import FLOOR_ROUTES

    limit_malloc_arenas()  # as create_served_app does
    url = os.environ["CUNQI_BENCH_DATABASE_URL"]
    settings = Settings(
        environment="production",
        secret_key=SECRET,
        database_url=url,
        index_dir=Path(os.environ.get("CUNQI_BENCH_INDEX_DIR") or index_dir(url)),
        # All the bench's clients act as one user with one token: measure the server, not the
        # per-client bound (docs/decisions/0014-graphql-refusal.md). They send thousands of
        # requests a minute each: the per-account limit still counts every request (in memory),
        # but never refuses or syncs one.
        graphql_per_client=1000,
        api_requests_per_minute=10**9,
        api_anonymous_requests_per_minute=10**9,
    )
    app = create_app(settings, freeze_gc=os.environ.get("CUNQI_BENCH_FREEZE_GC", "1") == "1")
    app.router.routes[:0] = FLOOR_ROUTES
    return app


def main(argv: list[str] | None = None) -> None:
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="serve the bench app as cunqi serve does")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    uvicorn.run(
        "bench.graphql_server:create",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
