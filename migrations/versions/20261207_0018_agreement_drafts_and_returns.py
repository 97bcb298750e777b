"""agreement drafts (待企业确认) and returns at filing (退回修改)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 22:40:00

See docs/decisions/0031-commitments-consent-and-filing-review.md. Two agreement statuses are
added, both open (they hold the pair and the enterprise's place): ``draft`` and ``returned``.

Existing rows: a proposal with no commitment at all (the coverage plan made them before the
commitment rule) becomes a draft, so its enterprise completes the commitments and accepts it
before the village signs; its audit trail is kept and nothing is deleted. Signed and active
agreements without commitments are kept as they are (the bureau may return a signed one for
correction). Downgrading turns drafts back into proposals and returned agreements into signed
ones.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("proposed", "signed", "active", "completed", "declined", "withdrawn", "terminated")
NEW = ("draft", "proposed", "signed", "returned", *OLD[2:])
OLD_OPEN = ("proposed", "signed", "active")
NEW_OPEN = ("draft", "proposed", "signed", "returned", "active")
NOTHING_COMMITTED = (
    "commit_funding_business_fen = 0 AND commit_funding_welfare_fen = 0 AND commit_jobs = 0"
    " AND commit_trainees = 0 AND commit_purchase_fen = 0 AND commit_beneficiaries = 0"
)


def _quoted(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _statuses(allowed: Sequence[str], open_: Sequence[str]) -> None:
    # On SQLite this copies the table (batch mode); migrations/env.py runs with foreign keys off.
    with op.batch_alter_table("pairing_agreements", schema=None) as batch_op:
        batch_op.drop_index("uq_pairing_agreements_open_pair")
        batch_op.drop_constraint(batch_op.f("ck_pairing_agreements_status_valid"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_pairing_agreements_status_valid"), f"status IN ({_quoted(allowed)})"
        )
        batch_op.create_index(
            "uq_pairing_agreements_open_pair",
            ["enterprise_id", "village_id"],
            unique=True,
            sqlite_where=sa.text(f"status IN ({_quoted(open_)})"),
            postgresql_where=sa.text(f"status IN ({_quoted(open_)})"),
        )
    if op.get_bind().dialect.name == "sqlite":
        # The copy lost the table's change-stamp triggers (migration 0009): put them back.
        for operation in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER IF NOT EXISTS stamp_pairing_agreements_{operation}"
                f" AFTER {operation.upper()} ON pairing_agreements"
                " BEGIN UPDATE change_stamps SET stamp = lower(hex(randomblob(8)))"
                " WHERE topic = 'pairing'; END"
            )


def upgrade() -> None:
    _statuses(NEW, NEW_OPEN)
    op.execute(
        "UPDATE pairing_agreements SET status = 'draft', version = version + 1"
        f" WHERE status = 'proposed' AND {NOTHING_COMMITTED}"
    )


def downgrade() -> None:
    op.execute("UPDATE pairing_agreements SET status = 'proposed' WHERE status = 'draft'")
    op.execute("UPDATE pairing_agreements SET status = 'signed' WHERE status = 'returned'")
    if op.get_bind().dialect.name == "postgresql":
        # The change-stamp triggers (0009) are deferred; fire them before the table is altered.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    _statuses(OLD, OLD_OPEN)
