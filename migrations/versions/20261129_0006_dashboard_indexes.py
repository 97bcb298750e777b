"""covering indexes for the bureau dashboard's aggregates

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 07:40:00

See docs/decisions/0011-dashboard-aggregates.md: each index lets one of the dashboard's grouped
statements read an index alone instead of one table row per agreement, report or order.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDICATORS = (
    "funding_business_fen",
    "funding_welfare_fen",
    "jobs",
    "trainees",
    "purchase_fen",
    "beneficiaries",
)
RECEIVED = ["status", "received_at", "product_id", "amount_fen", "agreement_id"]


def upgrade() -> None:
    op.create_index(
        "ix_pairing_agreements_status_village",
        "pairing_agreements",
        [
            "status",
            "village_id",
            "enterprise_id",
            "start_on",
            "end_on",
            *(f"commit_{name}" for name in INDICATORS),
        ],
    )
    op.create_index(
        "ix_pairing_agreements_status_enterprise",
        "pairing_agreements",
        ["status", "enterprise_id"],
    )
    op.create_index(
        "ix_outcome_reports_agreement_figures",
        "outcome_reports",
        ["agreement_id", "status", "year", "quarter", *(f"actual_{name}" for name in INDICATORS)],
    )
    # 0005's index of received orders gains the buyer: the same range then also answers what each
    # buyer received (reserved shares, the most active enterprises) without reading the table.
    op.drop_index("ix_orders_status_received", table_name="orders")
    op.create_index("ix_orders_status_received", "orders", [*RECEIVED, "buyer_id"])


def downgrade() -> None:
    op.drop_index("ix_orders_status_received", table_name="orders")
    op.create_index("ix_orders_status_received", "orders", RECEIVED)
    op.drop_index("ix_outcome_reports_agreement_figures", table_name="outcome_reports")
    op.drop_index("ix_pairing_agreements_status_enterprise", table_name="pairing_agreements")
    op.drop_index("ix_pairing_agreements_status_village", table_name="pairing_agreements")
