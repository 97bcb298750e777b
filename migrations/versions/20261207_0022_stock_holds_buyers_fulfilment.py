"""orders: stock held at checkout, checkouts of several products, recipient, carrier, tracking

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 22:30:00

See docs/decisions/0036-stock-holds-buyers-fulfilment.md. Orders confirmed, shipped or received
before this migration had their stock taken at confirmation: they are marked as holding it. Orders
still waiting for the cooperative (placed) took nothing: they stay unheld, and confirming one takes
its stock then, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = (
    ("recipient_name", 40),
    ("recipient_phone", 20),
    ("carrier", 40),
    ("tracking_number", 40),
)


def upgrade() -> None:
    # Plain add_column: no table rebuild (docs/decisions/0013-change-stamps.md).
    for name, length in TEXT_COLUMNS:
        op.add_column(
            "orders",
            sa.Column(name, sa.String(length=length), nullable=False, server_default=""),
        )
    op.add_column("orders", sa.Column("checkout_number", sa.String(length=24), nullable=True))
    op.create_index("ix_orders_checkout_number", "orders", ["checkout_number"])
    op.add_column(
        "orders",
        sa.Column("stock_held", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute(
        "UPDATE orders SET stock_held = (status IN ('confirmed', 'shipped', 'received'))"
    )


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch_op:
        batch_op.drop_column("stock_held")
        batch_op.drop_index("ix_orders_checkout_number")
        batch_op.drop_column("checkout_number")
        for name, _length in reversed(TEXT_COLUMNS):
            batch_op.drop_column(name)
