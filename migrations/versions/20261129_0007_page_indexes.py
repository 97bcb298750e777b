"""indexes for the agreement list and the inbox at province scale

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 08:20:00

See docs/decisions/0012-page-indexes.md: the agreement list reads its page of ids from
(proposed_at, id) newest first and joins only those; the inbox counts and lists its queues of
agreements, reports and certification applications by status, oldest first, from an index
instead of the whole table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_pairing_agreements_proposed", "pairing_agreements", ["proposed_at", "id"]),
    (
        "ix_pairing_agreements_status_proposed",
        "pairing_agreements",
        ["status", "proposed_at", "id"],
    ),
    ("ix_outcome_reports_status_updated", "outcome_reports", ["status", "updated_at", "id"]),
    (
        "ix_certification_applications_status_applied",
        "certification_applications",
        ["status", "applied_at", "id"],
    ),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
