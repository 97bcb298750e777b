"""pairing summaries: commitments, actuals and enterprise activity, kept by the pairing services

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 10:40:00

See docs/decisions/0011-dashboard-aggregates.md ("the pairing summaries (0010)"). The tables are
filled here from the agreements and reports as they are now; from then on the lifecycle and
report services add to them (app/services/pairing_summary.py). A quarter is numbered
year × 4 + quarter − 1.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
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
COMMITTED = tuple(f"commit_{n}" for n in INDICATORS)
SHARES = tuple(f"share_{n}" for n in INDICATORS)
ACTUALS = tuple(f"actual_{n}" for n in INDICATORS)


def _counts(table: str, *names: str) -> list:
    columns = [sa.Column(name, sa.BigInteger(), nullable=False) for name in names]
    columns[0] = sa.Column(names[0], sa.Integer(), nullable=False)
    checks = [
        sa.CheckConstraint(f"{name} >= 0", name=op.f(f"ck_{table}_{name}_non_negative"))
        for name in names
    ]
    return [*columns, *checks]


def _county(table: str) -> list:
    return [
        sa.Column("county_code", sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(
            ["county_code"], ["counties.code"], name=op.f(f"fk_{table}_county_code_counties")
        ),
    ]


def _enterprise(table: str) -> list:
    return [
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f(f"fk_{table}_enterprise_id_enterprises"),
        ),
    ]


def _pk(table: str, *names: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*names, name=op.f(f"pk_{table}"))


def create_tables() -> None:
    op.create_table(
        "pairing_commitments",
        *_county("pairing_commitments"),
        sa.Column("first_quarter", sa.Integer(), nullable=False),
        sa.Column("last_quarter", sa.Integer(), nullable=False),
        *_counts("pairing_commitments", "agreements", *COMMITTED, *SHARES),
        _pk("pairing_commitments", "county_code", "first_quarter", "last_quarter"),
    )
    op.create_table(
        "pairing_actuals",
        *_county("pairing_actuals"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.Integer(), nullable=False),
        *_counts("pairing_actuals", "reports", *ACTUALS),
        _pk("pairing_actuals", "county_code", "year", "quarter"),
    )
    op.create_table(
        "enterprise_reports",
        sa.Column("quarter_index", sa.Integer(), nullable=False),
        *_county("enterprise_reports"),
        *_enterprise("enterprise_reports"),
        *_counts("enterprise_reports", "reports"),
        _pk("enterprise_reports", "quarter_index", "county_code", "enterprise_id"),
    )
    op.create_table(
        "enterprise_agreements",
        *_county("enterprise_agreements"),
        *_enterprise("enterprise_agreements"),
        *_counts("enterprise_agreements", "active"),
        _pk("enterprise_agreements", "county_code", "enterprise_id"),
    )


def _quarter_of(column: str, postgres: bool) -> str:
    if postgres:
        year, month = f"EXTRACT(YEAR FROM {column})::int", f"EXTRACT(MONTH FROM {column})::int"
        return f"({year} * 4 + ({month} - 1) / 3)"
    return (
        f"(CAST(strftime('%Y', {column}) AS INTEGER) * 4 "
        f"+ (CAST(strftime('%m', {column}) AS INTEGER) - 1) / 3)"
    )


def backfill() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    first, last = _quarter_of("a.start_on", postgres), _quarter_of("a.end_on", postgres)
    term = f"({last} - {first} + 1)"
    filed = "a.status IN ('active', 'completed')"
    agreements = "FROM pairing_agreements a JOIN villages v ON v.id = a.village_id"
    reports = (
        "FROM outcome_reports r JOIN pairing_agreements a ON a.id = r.agreement_id "
        "JOIN villages v ON v.id = a.village_id"
    )
    op.execute(
        f"INSERT INTO pairing_commitments (county_code, first_quarter, last_quarter, agreements, "
        f"{', '.join(COMMITTED)}, {', '.join(SHARES)}) "
        f"SELECT v.county_code, {first}, {last}, count(*), "
        + ", ".join(f"sum(a.{c})" for c in COMMITTED)
        + ", "
        + ", ".join(f"sum(a.{c} / {term})" for c in COMMITTED)
        + f" {agreements} WHERE {filed} GROUP BY v.county_code, {first}, {last}"
    )
    op.execute(
        f"INSERT INTO pairing_actuals (county_code, year, quarter, reports, {', '.join(ACTUALS)}) "
        "SELECT v.county_code, r.year, r.quarter, count(*), "
        + ", ".join(f"sum(r.{c})" for c in ACTUALS)
        + f" {reports} WHERE r.status = 'verified' GROUP BY v.county_code, r.year, r.quarter"
    )
    op.execute(
        "INSERT INTO enterprise_reports (quarter_index, county_code, enterprise_id, reports) "
        "SELECT r.year * 4 + r.quarter - 1, v.county_code, a.enterprise_id, count(*) "
        f"{reports} GROUP BY r.year * 4 + r.quarter - 1, v.county_code, a.enterprise_id"
    )
    op.execute(
        "INSERT INTO enterprise_agreements (county_code, enterprise_id, active) "
        f"SELECT v.county_code, a.enterprise_id, count(*) {agreements} "
        "WHERE a.status = 'active' GROUP BY v.county_code, a.enterprise_id"
    )


def upgrade() -> None:
    create_tables()
    backfill()


def downgrade() -> None:
    for table in ("enterprise_agreements", "enterprise_reports", "pairing_actuals"):
        op.drop_table(table)
    op.drop_table("pairing_commitments")
