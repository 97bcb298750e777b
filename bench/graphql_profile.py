"""Where the time of one GraphQL operation goes: cProfile over repeated in-process executions.

    .venv/bin/python bench/graphql_profile.py                   # city data, the village page
    .venv/bin/python bench/graphql_profile.py --scale province --operation products -n 50

No HTTP and no concurrency: the operation runs through the schema as the server runs it (its own
thread and event loop, DataLoaders, the city bureau as actor), so the profile shows the API's own
cost. The database is the one bench/graphql.py seeds (``--scale``), prepared the same way.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

import argparse  # noqa: E402
import cProfile  # noqa: E402
import pstats  # noqa: E402
import time  # noqa: E402

from app.actors import Actor, Role  # noqa: E402
from app.db import Database, create_db_engine  # noqa: E402
from app.schema.context import Context, run_in_own_loop  # noqa: E402
from app.schema.schema import create_schema  # noqa: E402
from bench.graphql import default_database, operations, prepare  # noqa: E402

CITY_BUREAU = Actor(role=Role.bureau, region_code="140800", name="市局")
NAMES = {"villages": 0, "agreement": 1, "products": 2}


def run_once(schema, database: Database, request: dict) -> None:
    context = Context(actor=CITY_BUREAU, database=database)

    def operation():
        return schema.execute(
            request["query"], variable_values=request["variables"], context_value=context
        )

    result = run_in_own_loop(context, operation)
    if result.errors:
        raise RuntimeError(result.errors)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="city", choices=["city", "province"])
    parser.add_argument("--operation", default="villages", choices=list(NAMES))
    parser.add_argument("-n", type=int, default=100, help="executions")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    url = default_database(args.scale)
    _token, agreement_ids = prepare(url, args.scale)
    database = Database(create_db_engine(url))
    schema = create_schema(introspection=False)
    make = operations(agreement_ids)[NAMES[args.operation]][1]
    requests = [make()[0] for _ in range(args.n)]
    for request in requests[:5]:
        run_once(schema, database, request)  # warm up caches
    started = time.perf_counter()
    for request in requests:
        run_once(schema, database, request)
    elapsed = (time.perf_counter() - started) / args.n * 1000
    print(f"{args.operation}: {elapsed:.1f} ms per operation (unprofiled, {args.n} runs)")
    profile = cProfile.Profile()
    profile.enable()
    for request in requests:
        run_once(schema, database, request)
    profile.disable()
    pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
