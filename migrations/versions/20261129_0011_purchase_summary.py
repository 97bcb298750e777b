"""purchases_yearly: received orders per year, buyer and origin county, kept by the order service

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 11:00:00

See docs/decisions/0011-dashboard-aggregates.md ("the purchase summary (0011)"). The table is
filled here from the received orders (county of each product's village as it is now, the best
record of the time of receipt for existing orders); from then on ``orders.receive_order`` adds
to it (app/services/sales_summary.py). The year is the Asia/Shanghai calendar year of receipt.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURES = ("orders", "amount_fen", "paired_fen")


def upgrade() -> None:
    op.create_table(
        "purchases_yearly",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in FIGURES),
        *(
            sa.CheckConstraint(
                f"{name} >= 0", name=op.f(f"ck_purchases_yearly_{name}_non_negative")
            )
            for name in FIGURES
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["enterprises.id"], name=op.f("fk_purchases_yearly_buyer_id_enterprises")
        ),
        sa.ForeignKeyConstraint(
            ["county_code"],
            ["counties.code"],
            name=op.f("fk_purchases_yearly_county_code_counties"),
        ),
        sa.PrimaryKeyConstraint(
            "year", "buyer_id", "county_code", name=op.f("pk_purchases_yearly")
        ),
    )
    op.create_index(
        "ix_purchases_yearly_county",
        "purchases_yearly",
        ["year", "county_code", "buyer_id", "amount_fen"],
    )
    if op.get_bind().dialect.name == "postgresql":
        year = "CAST(extract(year FROM timezone('Asia/Shanghai', o.received_at)) AS INTEGER)"
    else:
        year = "CAST(strftime('%Y', o.received_at, '+8 hours') AS INTEGER)"
    op.execute(
        "INSERT INTO purchases_yearly (year, buyer_id, county_code, orders, amount_fen, "
        f"paired_fen) SELECT {year}, o.buyer_id, v.county_code, count(*), sum(o.amount_fen), "
        "sum(CASE WHEN o.agreement_id IS NOT NULL THEN o.amount_fen ELSE 0 END) "
        "FROM orders o JOIN products p ON p.id = o.product_id "
        "JOIN villages v ON v.id = p.village_id "
        "WHERE o.status = 'received' AND o.received_at IS NOT NULL "
        f"GROUP BY {year}, o.buyer_id, v.county_code"
    )


def downgrade() -> None:
    op.drop_table("purchases_yearly")
