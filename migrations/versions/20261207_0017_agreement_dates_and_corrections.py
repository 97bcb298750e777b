"""agreement dates and report corrections: late_start, review_flags, revision, report_revisions

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 22:30:00

See docs/decisions/0030-agreement-dates-and-corrections.md. Rows made before the date rules are
kept as they are; those that break a rule are flagged for the bureau's review (``review_flags``,
reason codes separated by spaces; the list 待核查):

- an agreement starting before the quarter it was proposed in, by more than the grace
  (``start_before_quarter``); within the grace it is a late start (``late_start``, 补录);
- an agreement starting more than the lead time after it was proposed (``start_too_far_ahead``);
- a report submitted before its quarter had ended (``report_quarter_not_ended``);
- a report for a quarter outside its agreement's term (``report_outside_term``).

Dates are Asia/Shanghai; the grace and the lead time are the deployment's settings. Nothing is
deleted. Existing reports are their first version (``revision`` 1).
"""

import calendar
from collections.abc import Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base
from app.config import get_settings

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAMP = app.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Plain add_column: no table rebuild (docs/decisions/0013-change-stamps.md).
    op.add_column(
        "pairing_agreements",
        sa.Column("late_start", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    for table in ("pairing_agreements", "outcome_reports"):
        op.add_column(
            table,
            sa.Column(
                "review_flags",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            ),
        )
    op.add_column(
        "outcome_reports",
        sa.Column("revision", sa.Integer(), nullable=False, server_default="1"),
    )
    money = sa.BigInteger()
    op.create_table(
        "report_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("actual_funding_business_fen", money, nullable=False),
        sa.Column("actual_funding_welfare_fen", money, nullable=False),
        sa.Column("actual_jobs", sa.Integer(), nullable=False),
        sa.Column("actual_trainees", sa.Integer(), nullable=False),
        sa.Column("actual_purchase_fen", money, nullable=False),
        sa.Column("actual_beneficiaries", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("submitted_at", STAMP, nullable=False),
        sa.Column("confirmed_at", STAMP, nullable=True),
        sa.Column("verified_at", STAMP, nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("corrected_by", sa.Integer(), nullable=True),
        sa.Column("corrected_at", STAMP, nullable=False),
        *(
            sa.CheckConstraint(f"{c} >= 0", name=op.f(f"ck_report_revisions_{c}_non_negative"))
            for c in (
                "actual_funding_business_fen",
                "actual_funding_welfare_fen",
                "actual_jobs",
                "actual_trainees",
                "actual_purchase_fen",
                "actual_beneficiaries",
            )
        ),
        sa.ForeignKeyConstraint(
            ["corrected_by"], ["users.id"], name=op.f("fk_report_revisions_corrected_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["outcome_reports.id"],
            name=op.f("fk_report_revisions_report_id_outcome_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_revisions")),
        sa.UniqueConstraint("report_id", "revision", name="uq_report_revisions_revision"),
    )
    op.create_index(
        op.f("ix_report_revisions_report_id"), "report_revisions", ["report_id"], unique=False
    )
    flag_existing_rows(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_report_revisions_report_id"), table_name="report_revisions")
    op.drop_table("report_revisions")
    # Plain drop_column, as in 0012: no table rebuild.
    op.drop_column("outcome_reports", "revision")
    op.drop_column("outcome_reports", "review_flags")
    op.drop_column("pairing_agreements", "review_flags")
    op.drop_column("pairing_agreements", "late_start")

def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def _quarter_end(year: int, quarter: int) -> date:
    if quarter == 4:
        return date(year, 12, 31)
    return date(year, 3 * quarter + 1, 1) - timedelta(days=1)


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def agreement_flags(
    start_on: date, proposed_on: date, grace_days: int, lead_months: int
) -> tuple[bool, str]:
    """(late_start, review_flags) of an agreement proposed on ``proposed_on`` (a local date)."""
    quarter_start = _quarter_start(*_quarter(proposed_on))
    flags = []
    if start_on < quarter_start - timedelta(days=grace_days):
        flags.append("start_before_quarter")
    if start_on > _add_months(proposed_on, lead_months):
        flags.append("start_too_far_ahead")
    late = start_on < quarter_start and not flags
    return late, " ".join(flags)


def report_flags(year: int, quarter: int, submitted_on: date, start_on: date, end_on: date) -> str:
    """The review flags of a report for ``year``Q``quarter`` submitted on ``submitted_on``."""
    flags = []
    if _quarter_end(year, quarter) >= submitted_on:
        flags.append("report_quarter_not_ended")
    if _quarter_end(year, quarter) < start_on or _quarter_start(year, quarter) > end_on:
        flags.append("report_outside_term")
    return " ".join(flags)


def flag_existing_rows(conn: sa.Connection) -> None:
    settings = get_settings()
    agreements = sa.table(
        "pairing_agreements",
        sa.column("id", sa.Integer),
        sa.column("start_on", sa.Date),
        sa.column("end_on", sa.Date),
        sa.column("proposed_at", STAMP),
        sa.column("late_start", sa.Boolean),
        sa.column("review_flags", sa.String),
    )
    reports = sa.table(
        "outcome_reports",
        sa.column("id", sa.Integer),
        sa.column("agreement_id", sa.Integer),
        sa.column("year", sa.Integer),
        sa.column("quarter", sa.Integer),
        sa.column("submitted_at", STAMP),
        sa.column("review_flags", sa.String),
    )
    terms = {}
    late, flagged = [], []
    rows = conn.execute(
        sa.select(
            agreements.c.id, agreements.c.start_on, agreements.c.end_on, agreements.c.proposed_at
        )
    )
    for id_, start_on, end_on, proposed_at in rows:
        terms[id_] = (start_on, end_on)
        is_late, flags = agreement_flags(
            start_on,
            proposed_at.astimezone(SHANGHAI).date(),
            settings.agreement_late_start_grace_days,
            settings.agreement_max_lead_months,
        )
        if is_late:
            late.append({"row_id": id_})
        if flags:
            flagged.append({"row_id": id_, "flags": flags})
    row = sa.bindparam("row_id")
    if late:
        conn.execute(
            agreements.update().where(agreements.c.id == row).values(late_start=sa.true()), late
        )
    if flagged:
        conn.execute(
            agreements.update()
            .where(agreements.c.id == row)
            .values(review_flags=sa.bindparam("flags")),
            flagged,
        )
    flagged = []
    rows = conn.execute(
        sa.select(
            reports.c.id,
            reports.c.agreement_id,
            reports.c.year,
            reports.c.quarter,
            reports.c.submitted_at,
        )
    )
    for id_, agreement_id, year, quarter, submitted_at in rows:
        start_on, end_on = terms[agreement_id]
        flags = report_flags(
            year, quarter, submitted_at.astimezone(SHANGHAI).date(), start_on, end_on
        )
        if flags:
            flagged.append({"row_id": id_, "flags": flags})
    if flagged:
        conn.execute(
            reports.update().where(reports.c.id == row).values(review_flags=sa.bindparam("flags")),
            flagged,
        )
