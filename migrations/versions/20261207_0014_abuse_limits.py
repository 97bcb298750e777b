"""rate_limit_counters; certification_objections.contact_key and one open objection per filer

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 16:30:00

See docs/decisions/0018-abuse-limits.md. ``certification_objections`` carries no change-stamp
triggers, and the column is added in place (no batch rebuild) all the same. Objections already on
file keep an empty ``contact_key``: they are never taken for duplicates of new ones.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_CONTACT = "status = 'open' AND contact_key <> ''"
OPEN_FILER = "status = 'open' AND filer_user_id IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("window_start", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("blocked_until", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hits >= 0", name=op.f("ck_rate_limit_counters_hits_non_negative")),
        sa.PrimaryKeyConstraint(
            "scope", "key", "window_start", name=op.f("pk_rate_limit_counters")
        ),
    )
    op.create_index("ix_rate_limit_counters_updated_at", "rate_limit_counters", ["updated_at"])
    op.add_column(
        "certification_objections",
        sa.Column(
            "contact_key",
            sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False,
            server_default="",
        ),
    )
    for name, column, where in (
        ("uq_certification_objections_open_contact", "contact_key", OPEN_CONTACT),
        ("uq_certification_objections_open_filer", "filer_user_id", OPEN_FILER),
    ):
        op.create_index(
            name,
            "certification_objections",
            ["application_id", column],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade() -> None:
    op.drop_index("uq_certification_objections_open_filer", "certification_objections")
    op.drop_index("uq_certification_objections_open_contact", "certification_objections")
    with op.batch_alter_table("certification_objections") as batch_op:
        batch_op.drop_column("contact_key")
    op.drop_index("ix_rate_limit_counters_updated_at", "rate_limit_counters")
    op.drop_table("rate_limit_counters")
