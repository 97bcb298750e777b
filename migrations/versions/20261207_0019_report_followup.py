"""report follow-up: reminders (催报) and waivers (免报) of quarterly outcome reports

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 23:00:00

See docs/decisions/0032-overdue-reminders-completion-figures.md. Two new tables; no existing row
changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _period(table: str) -> list:
    return [
        sa.CheckConstraint("quarter BETWEEN 1 AND 4", name=op.f(f"ck_{table}_quarter_valid")),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f(f"ck_{table}_year_valid")),
    ]


def upgrade() -> None:
    stamp = app.models.base.UTCDateTime(timezone=True)
    op.create_table(
        "report_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", stamp, nullable=False),
        *_period("report_reminders"),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["pairing_agreements.id"],
            name=op.f("fk_report_reminders_agreement_id_pairing_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["users.id"], name=op.f("fk_report_reminders_sent_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_reminders")),
    )
    op.create_index(
        "ix_report_reminders_agreement_sent", "report_reminders", ["agreement_id", "sent_at"]
    )
    op.create_table(
        "report_waivers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("waived_by_id", sa.Integer(), nullable=True),
        sa.Column("waived_at", stamp, nullable=False),
        *_period("report_waivers"),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["pairing_agreements.id"],
            name=op.f("fk_report_waivers_agreement_id_pairing_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["waived_by_id"], ["users.id"], name=op.f("fk_report_waivers_waived_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_waivers")),
        sa.UniqueConstraint(
            "agreement_id", "year", "quarter", name="uq_report_waivers_period"
        ),
    )


def downgrade() -> None:
    op.drop_table("report_waivers")
    op.drop_index("ix_report_reminders_agreement_sent", table_name="report_reminders")
    op.drop_table("report_reminders")
