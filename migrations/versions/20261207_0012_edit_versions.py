"""edit versions: products, villages, village_needs, enterprises and demands carry a version

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 16:30:00

Every form that edits one of these rows sends the version it was opened at
(docs/decisions/0015-every-edit-versioned.md). Plain ``add_column``/``drop_column``, never a batch
rebuild: villages, village_needs and enterprises carry the change-stamp triggers of migration 0009,
which a SQLite table rebuild would drop (docs/decisions/0013-change-stamps.md).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("products", "villages", "village_needs", "enterprises", "demands")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "version")
