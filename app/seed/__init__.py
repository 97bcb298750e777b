"""Demo and benchmark data for 运城市: the real counties and townships, generated everything else.

- Deterministic: one ``random.Random(seed)`` drives every choice in a fixed order, and all dates
  are relative to the fixed ``REFERENCE_DATE`` (2026-11-01), never the wall clock; the same seed
  writes the same rows. The audit event alone carries the real time of the run.
- Idempotent: if the database already holds a county or a village, nothing is written.
- Atomic: the whole run is one unit of work, so a failure leaves the database empty. This holds
  for the province scale too: rows are generated lazily and written in batches of
  ``BATCH_SIZE`` with bulk Core inserts, so memory stays bounded by the compact lookups
  (about 100k small product records) rather than by the rows written.
- Ids are assigned here, so later steps refer to earlier rows without reading them back; on
  PostgreSQL the id sequences are moved past them at the end.
- Scales: ``tiny`` for tests, ``city`` (the default demo) and ``province`` (benchmark).
  Every scale keeps the 13 real counties and 161 real townships; larger scales only put more
  villages in each township (village codes allow up to 799 per township).
"""

import logging
from dataclasses import dataclass
from random import Random

import sqlalchemy as sa

from app.db import Database
from app.models import (
    CertificationApplication,
    Cooperative,
    Counter,
    County,
    Demand,
    Enterprise,
    Event,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    Village,
    VillageNeed,
)
from app.models.labour import JobPosting, LabourApplication, LabourSupply
from app.seed.context import REFERENCE_DATE, REFERENCE_TIME, SCALES, Progress, Scale, SeedRun
from app.seed.labour import seed_labour
from app.seed.organisations import seed_cooperatives, seed_enterprises
from app.seed.pairing import seed_agreements
from app.seed.products import seed_products
from app.seed.regions import seed_regions
from app.seed.shares import seed_reserved_shares
from app.seed.trade import seed_demands, seed_orders
from app.seed.users import seed_demo_users
from app.services.pairing_summary import rebuild_pairing_summary
from app.services.sales_summary import rebuild_purchase_summary, rebuild_sales_summary

__all__ = ["REFERENCE_DATE", "REFERENCE_TIME", "SCALES", "Scale", "SeedResult", "seed_database"]

log = logging.getLogger(__name__)
_TABLES_WITH_IDS = (
    Village,
    VillageNeed,
    Enterprise,
    Cooperative,
    Product,
    CertificationApplication,
    PairingAgreement,
    OutcomeReport,
    Demand,
    Order,
    LabourSupply,
    JobPosting,
    LabourApplication,
)
_SCALE_LABELS = {"tiny": "测试规模", "city": "运城市演示规模", "province": "全省性能测试规模"}


@dataclass
class SeedResult:
    skipped: bool  # True when the database already had data and nothing was written
    counts: dict[str, int]  # Chinese label -> rows written, e.g. {"县": 13, "乡镇": 161, …}


def seed_database(
    db: Database,
    *,
    scale: str = "city",
    seed: int = 1,
    progress: Progress | None = None,
    demo_accounts: bool = False,
) -> SeedResult:
    """Fill an empty database with 运城 demo data; do nothing if it already holds regions.

    ``demo_accounts`` adds one account per role (development only; see app/seed/users.py).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    with db.unit_of_work() as session:
        if _has_regions(session):
            return SeedResult(skipped=True, counts={})
        run = SeedRun(session=session, scale=SCALES[scale], rng=Random(seed), progress=progress)
        seed_regions(run)
        seed_enterprises(run)
        seed_cooperatives(run)
        seed_products(run)
        seed_agreements(run)
        seed_orders(run, seed_demands(run))
        seed_labour(run)
        rebuild_sales_summary(session)
        rebuild_purchase_summary(session)
        seed_reserved_shares(run)
        rebuild_pairing_summary(session)
        # app.services.numbering continues after the numbers handed out here.
        counters = [{"name": name, "value": value} for name, value in run.counters.items()]
        session.execute(sa.insert(Counter.__table__), counters)
        if session.get_bind().dialect.name == "postgresql":
            _advance_sequences(session)
        session.add(_event(scale, seed, run.counts))
        if demo_accounts:
            run.counts["演示账号"] = seed_demo_users(session)
    db.refresh_planner_statistics()
    log.info("seeded %s data with seed %s: %s", scale, seed, run.counts)
    return SeedResult(skipped=False, counts=run.counts)


def _has_regions(session) -> bool:
    for model in (County, Village):
        if session.execute(sa.select(sa.literal(1)).select_from(model.__table__).limit(1)).first():
            return True
    return False


def _advance_sequences(session) -> None:
    """Explicit ids leave PostgreSQL's sequences at 1; move each past the largest id."""
    for model in _TABLES_WITH_IDS:
        table = model.__table__.name
        session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1), "
                f"(SELECT MAX(id) FROM {table}) IS NOT NULL)"
            )
        )


def _event(scale: str, seed: int, counts: dict[str, int]) -> Event:
    summary = "，".join(f"{label} {count}" for label, count in counts.items())
    return Event(
        actor_label="系统：演示数据填充",
        action="seed.run",
        object_type="Database",
        object_id=f"{scale}:{seed}",
        summary=f"填充{_SCALE_LABELS.get(scale, scale)}演示数据（随机种子 {seed}）：{summary}",
        after={"scale": scale, "seed": seed, "counts": counts},
    )
