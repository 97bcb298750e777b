"""jobs: durable background work (exports, mail, periodic jobs) claimed under a lease

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 20:00:00

See docs/decisions/0028-durable-background-work.md. Export jobs that were "running" when this
migration runs belonged to a process that no longer exists: they are marked failed, so their page
offers a retry instead of showing 导出中 for ever.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    stamp = app.models.base.UTCDateTime(timezone=True)
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", stamp, nullable=False),
        sa.Column("period_start", stamp, nullable=True),
        sa.Column("locked_by", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("lease_expires_at", stamp, nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("created_at", stamp, nullable=False),
        sa.Column("started_at", stamp, nullable=True),
        sa.Column("finished_at", stamp, nullable=True),
        sa.CheckConstraint(
            "attempts >= 0 AND max_attempts >= 1", name=op.f("ck_jobs_attempts_valid")
        ),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_jobs_state_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("kind", "period_start", name="uq_jobs_kind_period_start"),
    )
    op.create_index("ix_jobs_state_run_after", "jobs", ["state", "run_after"])
    op.execute(
        "UPDATE export_jobs SET status = 'failed', error = '导出被中断（服务重启），请重试' "
        "WHERE status IN ('queued', 'running')"
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_state_run_after", table_name="jobs")
    op.drop_table("jobs")
