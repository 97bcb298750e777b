"""labour: 劳务协作 — supply groups, job postings, applications and their stable-employment checks

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 23:20:00

See docs/decisions/0038-labour-cooperation-domain.md. Three new tables; no existing row changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "labour_supplies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("township_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("head_count", sa.Integer(), nullable=False),
        sa.Column("skills", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("can_travel", sa.Boolean(), nullable=False),
        sa.Column("available_months", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'withdrawn')", name=op.f("ck_labour_supplies_status_valid")
        ),
        sa.CheckConstraint(
            "available_months > 0 AND available_months <= 4095",
            name=op.f("ck_labour_supplies_months_valid"),
        ),
        sa.CheckConstraint("head_count > 0", name=op.f("ck_labour_supplies_head_count_positive")),
        sa.ForeignKeyConstraint(
            ["county_code"], ["counties.code"], name=op.f("fk_labour_supplies_county_code_counties")
        ),
        sa.ForeignKeyConstraint(
            ["township_code"],
            ["townships.code"],
            name=op.f("fk_labour_supplies_township_code_townships"),
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_labour_supplies_village_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_supplies")),
    )
    with op.batch_alter_table("labour_supplies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_labour_supplies_status_county", ["status", "county_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_supplies_village_id"), ["village_id"], unique=False
        )

    op.create_table(
        "job_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("cooperative_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("positions", sa.Text(), nullable=False),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("township_code", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("wage_min_fen", sa.BigInteger(), nullable=False),
        sa.Column("wage_max_fen", sa.BigInteger(), nullable=False),
        sa.Column("start_month", sa.Integer(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("housing", sa.Boolean(), nullable=False),
        sa.Column("meals", sa.Boolean(), nullable=False),
        sa.Column("skills", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("head_count", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "kind IN ('workshop', 'nearby', 'away')", name=op.f("ck_job_postings_kind_valid")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_job_postings_status_valid")
        ),
        sa.CheckConstraint(
            "(enterprise_id IS NULL) <> (cooperative_id IS NULL)",
            name=op.f("ck_job_postings_one_employer"),
        ),
        sa.CheckConstraint("head_count > 0", name=op.f("ck_job_postings_head_count_positive")),
        sa.CheckConstraint(
            "start_month BETWEEN 1 AND 12", name=op.f("ck_job_postings_start_month_valid")
        ),
        sa.CheckConstraint(
            "substr(township_code, 1, 6) = county_code",
            name=op.f("ck_job_postings_township_in_county"),
        ),
        sa.CheckConstraint("term_months BETWEEN 1 AND 36", name=op.f("ck_job_postings_term_valid")),
        sa.CheckConstraint("wage_min_fen <= wage_max_fen", name=op.f("ck_job_postings_wage_range")),
        sa.CheckConstraint(
            "wage_min_fen >= 0", name=op.f("ck_job_postings_wage_min_fen_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_job_postings_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["county_code"], ["counties.code"], name=op.f("fk_job_postings_county_code_counties")
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_job_postings_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["township_code"],
            ["townships.code"],
            name=op.f("fk_job_postings_township_code_townships"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_postings")),
    )
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_postings_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_job_postings_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            "ix_job_postings_status_county", ["status", "county_code"], unique=False
        )

    op.create_table(
        "labour_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("supply_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("cooperative_id", sa.Integer(), nullable=True),
        sa.Column("county_code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("head_count", sa.Integer(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("interview_on", sa.Date(), nullable=True),
        sa.Column("hired_on", sa.Date(), nullable=True),
        sa.Column("hired_count", sa.Integer(), nullable=False),
        sa.Column("check_3_due", sa.Date(), nullable=True),
        sa.Column("check_6_due", sa.Date(), nullable=True),
        sa.Column("retained_count", sa.Integer(), nullable=False),
        sa.Column("stable_count", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "status IN ('applied', 'interviewing', 'hired', 'retained', 'stable', 'declined', 'withdrawn')",
            name=op.f("ck_labour_applications_status_valid"),
        ),
        sa.CheckConstraint(
            "(enterprise_id IS NULL) <> (cooperative_id IS NULL)",
            name=op.f("ck_labour_applications_one_employer"),
        ),
        sa.CheckConstraint(
            "head_count > 0", name=op.f("ck_labour_applications_head_count_positive")
        ),
        sa.CheckConstraint(
            "hired_count <= head_count", name=op.f("ck_labour_applications_hired_within_offered")
        ),
        sa.CheckConstraint(
            "hired_count >= 0", name=op.f("ck_labour_applications_hired_count_non_negative")
        ),
        sa.CheckConstraint(
            "retained_count <= hired_count",
            name=op.f("ck_labour_applications_retained_within_hired"),
        ),
        sa.CheckConstraint(
            "retained_count >= 0", name=op.f("ck_labour_applications_retained_count_non_negative")
        ),
        sa.CheckConstraint(
            "stable_count <= retained_count",
            name=op.f("ck_labour_applications_stable_within_retained"),
        ),
        sa.CheckConstraint(
            "stable_count >= 0", name=op.f("ck_labour_applications_stable_count_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["pairing_agreements.id"],
            name=op.f("fk_labour_applications_agreement_id_pairing_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_id"],
            ["cooperatives.id"],
            name=op.f("fk_labour_applications_cooperative_id_cooperatives"),
        ),
        sa.ForeignKeyConstraint(
            ["county_code"],
            ["counties.code"],
            name=op.f("fk_labour_applications_county_code_counties"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_labour_applications_enterprise_id_enterprises"),
        ),
        sa.ForeignKeyConstraint(
            ["posting_id"],
            ["job_postings.id"],
            name=op.f("fk_labour_applications_posting_id_job_postings"),
        ),
        sa.ForeignKeyConstraint(
            ["supply_id"],
            ["labour_supplies.id"],
            name=op.f("fk_labour_applications_supply_id_labour_supplies"),
        ),
        sa.ForeignKeyConstraint(
            ["village_id"], ["villages.id"], name=op.f("fk_labour_applications_village_id_villages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_applications")),
    )
    with op.batch_alter_table("labour_applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_labour_applications_agreement", ["agreement_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_applications_cooperative_id"), ["cooperative_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_applications_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_applications_posting_id"), ["posting_id"], unique=False
        )
        batch_op.create_index(
            "ix_labour_applications_status_county", ["status", "county_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_applications_supply_id"), ["supply_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_applications_village_id"), ["village_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("labour_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_applications_village_id"))
        batch_op.drop_index(batch_op.f("ix_labour_applications_supply_id"))
        batch_op.drop_index("ix_labour_applications_status_county")
        batch_op.drop_index(batch_op.f("ix_labour_applications_posting_id"))
        batch_op.drop_index(batch_op.f("ix_labour_applications_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_labour_applications_cooperative_id"))
        batch_op.drop_index("ix_labour_applications_agreement")

    op.drop_table("labour_applications")
    with op.batch_alter_table("job_postings", schema=None) as batch_op:
        batch_op.drop_index("ix_job_postings_status_county")
        batch_op.drop_index(batch_op.f("ix_job_postings_enterprise_id"))
        batch_op.drop_index(batch_op.f("ix_job_postings_cooperative_id"))

    op.drop_table("job_postings")
    with op.batch_alter_table("labour_supplies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_supplies_village_id"))
        batch_op.drop_index("ix_labour_supplies_status_county")

    op.drop_table("labour_supplies")
