"""users.privacy_consent_at / privacy_notice_version: the consent given at registration

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 16:30:00

See docs/decisions/0019-personal-information.md. Registration asks for explicit consent to the
personal-information notice (/privacy); the time and the notice's version are kept on the
account. Accounts made before (or by an operator) have none: NULL and ''.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain add_column: no table rebuild (docs/decisions/0013-change-stamps.md).
    op.add_column("users", sa.Column("privacy_consent_at", sa.DateTime(timezone=True)))
    op.add_column(
        "users",
        sa.Column(
            "privacy_notice_version", sa.String(length=20), nullable=False, server_default=""
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("privacy_notice_version")
        batch_op.drop_column("privacy_consent_at")
