"""Recommendation benchmark: rank every village for an enterprise (and the reverse), and plan.

    .venv/bin/python bench/recommendations.py                    # city scale (3,000 villages)
    .venv/bin/python bench/recommendations.py --scale province   # 20,000 villages: the target

Seeds a temporary SQLite database with ``app.seed`` (or reuses ``--database``), then times
``recommend_villages`` for a sample of enterprises over all villages (target: p95 under 100 ms at
province scale), ``recommend_enterprises`` for a sample of villages — each while nothing changed
(the candidates' columns come from the change-stamp cache) and right after a committed write
(computed again) — and one coverage plan for the whole city as the city bureau. Timings are wall
clock and CPU on whatever else the machine is doing.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import sqlalchemy as sa

from app import migrate
from app.actors import Actor, Role
from app.db import Database, create_db_engine
from app.models import Enterprise, Village
from app.models.enums import CITY_CODE, RegistrationStatus
from app.services.pairing import plan_coverage, recommend_enterprises, recommend_villages

TODAY = date(2026, 11, 29)
TARGET_P95_MS = 100
CITY_BUREAU = Actor(role=Role.bureau, name="市局", region_code=CITY_CODE)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare(url: str, scale: str) -> None:
    from app.seed import seed_database

    migrate.upgrade(url, os.environ.get("BENCH_REVISION", "head"))
    database = Database(create_db_engine(url))
    started = time.perf_counter()
    result = seed_database(database, scale=scale)
    if not result.skipped:
        print(f"seeded {scale} in {time.perf_counter() - started:.0f} s: {result.counts}")
    database.dispose()


def timed(work, samples) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each call (CPU time is what this process itself used:
    on a shared machine it says more than the wall clock)."""
    wall, cpu = [], []
    for sample in samples:
        started, started_cpu = time.perf_counter(), time.process_time()
        # A set-up step outside the timing may hand back the moment the timed part began.
        started, started_cpu = work(sample) or (started, started_cpu)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def report(
    name: str,
    times: tuple[list[float], list[float]],
    target: float | None = None,
    baseline: list[float] | None = None,
) -> None:
    """One line per measurement; ``baseline``: the wall times of the baseline, for the ratio of
    the two p95s."""
    wall, cpu = times
    verdict = ""
    if target is not None:
        verdict = "  ✓" if p95(wall) < target else f"  ✗ (target p95 {target} ms)"
    ratio = f" × {p95(wall) / p95(baseline):.1f} of baseline" if baseline else ""
    print(
        f"{name:<42} n={len(wall):<3} wall p50={statistics.median(wall):6.1f} "
        f"p95={p95(wall):6.1f} ms{ratio} · max={max(wall):6.1f} ms · "
        f"cpu p50={statistics.median(cpu):6.1f} p95={p95(cpu):6.1f} ms{verdict}"
    )
    print(f"{'':<42} load average {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["city", "province"], default="city")
    parser.add_argument("--database", help="an existing SQLite file to use (seeded if empty)")
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    path = args.database or str(Path(tempfile.mkdtemp(prefix="cunqi-bench-")) / "bench.sqlite3")
    url = f"sqlite:///{path}"
    prepare(url, args.scale)
    database = Database(create_db_engine(url))
    rng = random.Random(1)
    with database.read_only() as session:
        enterprise_ids = (
            session.execute(
                sa.select(Enterprise.id).where(Enterprise.status == RegistrationStatus.approved)
            )
            .scalars()
            .all()
        )
        village_ids = session.execute(sa.select(Village.id)).scalars().all()
        villages = len(village_ids)
    print(f"{villages} villages, {len(enterprise_ids)} approved enterprises ({path})")
    enterprises = rng.sample(enterprise_ids, min(args.samples, len(enterprise_ids)))
    sample_villages = rng.sample(village_ids, min(args.samples, len(village_ids)))

    def villages_for(enterprise_id: int) -> None:
        actor = Actor(role=Role.enterprise, enterprise_id=enterprise_id)
        with database.read_only() as session:
            recommend_villages(
                session=session, actor=actor, enterprise_id=enterprise_id, today=TODAY
            )

    def enterprises_for(village_id: int) -> None:
        actor = Actor(role=Role.village, village_id=village_id)
        with database.read_only() as session:
            recommend_enterprises(session=session, actor=actor, village_id=village_id, today=TODAY)

    def after_a_write(work):
        """``work`` right after a committed change to a village need (outside the timing): the
        pairing change stamp moves, so the cached columns are computed again."""

        def run(sample) -> None:
            with database.unit_of_work() as session:
                session.execute(
                    sa.text(
                        "UPDATE village_needs SET amount_fen = amount_fen"
                        " WHERE id = (SELECT min(id) FROM village_needs)"
                    )
                )
            started = time.perf_counter(), time.process_time()
            work(sample)
            return started

        return run

    def every_village_id(_sample) -> None:
        """The baseline: the least work "over all villages" can be — their ids into numpy."""
        with database.read_only() as session:
            result = session.connection().execute(sa.select(Village.id))
            np.array(result.cursor.fetchall(), dtype=np.int64)
            result.close()

    villages_for(enterprises[0])  # warm the connection pool and the page cache
    baseline = timed(every_village_id, enterprises)
    report(f"baseline: every village id ({villages})", baseline)
    measured = {
        "villages for an enterprise": timed(villages_for, enterprises),
        "enterprises for a village": timed(enterprises_for, sample_villages),
        "villages for an enterprise, after a write": timed(
            after_a_write(villages_for), enterprises
        ),
        "enterprises for a village, after a write": timed(
            after_a_write(enterprises_for), sample_villages
        ),
    }
    for name, times in measured.items():
        report(name, times, TARGET_P95_MS, baseline[0])
    started = time.perf_counter()
    with database.read_only() as session:
        plan = plan_coverage(session=session, actor=CITY_BUREAU, today=TODAY)
    print(
        f"coverage plan (city bureau): {plan.villages} unpaired key villages × {plan.enterprises} "
        f"enterprises ({plan.places} places) → {len(plan.lines)} lines in "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    print(f"peak memory {peak_mb():.0f} MB")
    database.dispose()


if __name__ == "__main__":
    main()
