"""sales_monthly: received orders per month, county and category, kept by the order service

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 08:20:00

See docs/decisions/0011-dashboard-aggregates.md. The table is filled here from the received
orders (county and category of each product as they are now, which for existing orders is the
best record of the time of receipt); from then on ``orders.receive_order`` adds to it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CATEGORIES = (
    "fruit",
    "vegetable",
    "grain_oil",
    "livestock",
    "dried_nut",
    "herb",
    "processed",
    "handicraft",
    "other",
)


def upgrade() -> None:
    allowed = ", ".join(f"'{c}'" for c in CATEGORIES)
    op.create_table(
        "sales_monthly",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("orders", sa.BigInteger(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paired_fen", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            f"category IN ({allowed})", name=op.f("ck_sales_monthly_category_valid")
        ),
        sa.CheckConstraint("orders >= 0", name=op.f("ck_sales_monthly_orders_non_negative")),
        sa.CheckConstraint(
            "amount_fen >= 0", name=op.f("ck_sales_monthly_amount_fen_non_negative")
        ),
        sa.CheckConstraint(
            "paired_fen >= 0", name=op.f("ck_sales_monthly_paired_fen_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["county_code"], ["counties.code"], name=op.f("fk_sales_monthly_county_code_counties")
        ),
        sa.PrimaryKeyConstraint("month", "county_code", "category", name=op.f("pk_sales_monthly")),
    )
    if op.get_bind().dialect.name == "postgresql":
        month = "to_char(timezone('Asia/Shanghai', o.received_at), 'YYYY-MM')"
    else:
        month = "strftime('%Y-%m', o.received_at, '+8 hours')"
    op.execute(
        "INSERT INTO sales_monthly (month, county_code, category, orders, amount_fen, paired_fen) "
        f"SELECT {month}, v.county_code, p.category, count(*), sum(o.amount_fen), "
        "sum(CASE WHEN o.agreement_id IS NOT NULL THEN o.amount_fen ELSE 0 END) "
        "FROM orders o JOIN products p ON p.id = o.product_id "
        "JOIN villages v ON v.id = p.village_id WHERE o.status = 'received' "
        f"GROUP BY {month}, v.county_code, p.category"
    )


def downgrade() -> None:
    op.drop_table("sales_monthly")
