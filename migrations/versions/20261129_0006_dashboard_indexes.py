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


def upgrade() -> None:
    op.create_index(
        "ix_pairing_agreements_village_terms",
        "pairing_agreements",
        [
            "village_id",
            "status",
            "enterprise_id",
            "start_on",
            "end_on",
            *(f"commit_{name}" for name in INDICATORS),
        ],
    )
    op.create_index(
        "ix_pairing_agreements_status_enterprise",
        "pairing_agreements",
        ["status", "enterprise_id", "village_id"],
    )
    op.create_index(
        "ix_outcome_reports_agreement_figures",
        "outcome_reports",
        ["agreement_id", "status", "year", "quarter", *(f"actual_{name}" for name in INDICATORS)],
    )
    op.create_index(
        "ix_orders_received_by_buyer",
        "orders",
        ["status", "buyer_id", "received_at", "amount_fen"],
    )


def downgrade() -> None:
    op.drop_index("ix_orders_received_by_buyer", table_name="orders")
    op.drop_index("ix_outcome_reports_agreement_figures", table_name="outcome_reports")
    op.drop_index("ix_pairing_agreements_status_enterprise", table_name="pairing_agreements")
    op.drop_index("ix_pairing_agreements_village_terms", table_name="pairing_agreements")
