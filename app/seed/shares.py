"""预留份额 of the public buyers (机关, 事业单位 such as public schools and hospitals, 国有企业),
set once their orders are seeded: each approved public buyer's reserved amount is measured against
what it bought in the reference year, so the dashboard's 预留份额 panel shows real progress —
some buyers ahead of their share, most on their way, a few with nothing bought yet."""

import sqlalchemy as sa

from app.models import Enterprise, PurchasesYearly
from app.models.enums import RegistrationStatus
from app.permissions import PUBLIC_BUYER_KINDS
from app.seed.context import REFERENCE_DATE, SeedRun, round_to

ENTERPRISES = Enterprise.__table__
PURCHASES = PurchasesYearly.__table__
# Shares of buyers with nothing bought yet, in fen (from 5 to 80 ten-thousand yuan).
UNSTARTED_FEN = (5_000_000, 80_000_000)
# The smallest share: a hundred yuan (in fen).
MIN_FEN = 10_000


def seed_reserved_shares(run: SeedRun) -> None:
    """Set every public buyer's reserved share from its purchases (``purchases_yearly`` must be
    rebuilt first); other buyers keep none."""
    rng = run.rng
    bought = dict(
        run.session.execute(
            sa.select(PURCHASES.c.buyer_id, sa.func.sum(PURCHASES.c.amount_fen))
            .where(PURCHASES.c.year == REFERENCE_DATE.year)
            .group_by(PURCHASES.c.buyer_id)
        ).all()
    )
    buyers = run.session.execute(
        sa.select(ENTERPRISES.c.id)
        .where(
            ENTERPRISES.c.kind.in_([k.value for k in PUBLIC_BUYER_KINDS]),
            ENTERPRISES.c.status == RegistrationStatus.approved.value,
        )
        .order_by(ENTERPRISES.c.id)
    ).scalars()
    rows = []
    for buyer_id in buyers:
        amount = int(bought.get(buyer_id) or 0)
        # Progress between 25 % and 130 % of the share: most on their way.
        reserved = amount / rng.uniform(0.25, 1.3) if amount > 0 else rng.uniform(*UNSTARTED_FEN)
        rows.append({"buyer_id": buyer_id, "reserved": _round(reserved)})
    statement = (
        sa.update(ENTERPRISES)
        .where(ENTERPRISES.c.id == sa.bindparam("buyer_id"))
        .values(reserved_share_fen=sa.bindparam("reserved"))
    )
    for start in range(0, len(rows), 5000):
        run.session.execute(statement, rows[start : start + 5000])


def _round(fen: float) -> int:
    """Two significant figures (a share of 12,000 or 350,000 yuan), at least ``MIN_FEN``."""
    step = max(MIN_FEN, 10 ** (len(str(int(fen))) - 2))
    return round_to(fen, step)
