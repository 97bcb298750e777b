"""user_sessions: server-side sign-in sessions; api_tokens.expires_at

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 16:30:00

See docs/decisions/0017-sessions-and-tokens.md. Tokens that exist before this migration expire
90 days after it runs (the default a new token gets). Sessions signed before it carry no session
key and are refused: everyone signs in once more.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXISTING_TOKEN_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_agent", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("revoked_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("key_digest", name=op.f("uq_user_sessions_key_digest")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"], unique=False)
    op.add_column(
        "api_tokens",
        sa.Column("expires_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
    )
    tokens = sa.table(
        "api_tokens", sa.column("expires_at", app.models.base.UTCDateTime(timezone=True))
    )
    expires = datetime.now(UTC) + timedelta(days=EXISTING_TOKEN_DAYS)
    op.execute(tokens.update().values(expires_at=expires))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("expires_at")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
