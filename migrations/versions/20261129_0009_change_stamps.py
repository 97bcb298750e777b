"""change_stamps: a value the database itself changes whenever a tracked table changes

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 10:20:00

See docs/decisions/0013-change-stamps.md. One row per topic; triggers on every tracked table
give it a value never seen before whenever a row is inserted, updated or deleted, whatever wrote
it (services, imports, the seed, a test factory, psql). Caches of figures computed from those
tables are keyed on the stamp (app/services/stamps.py).

- SQLite: ``AFTER INSERT/UPDATE/DELETE … FOR EACH ROW`` triggers set a fresh random value in the
  writing transaction (writers are serialised by SQLite anyway).
- PostgreSQL: deferred constraint triggers set the writing transaction's id at commit, so the
  stamp row is locked only for the moment of the commit (never while the transaction waits for
  another lock: no deadlock), and a statement-level trigger covers ``TRUNCATE``. A transaction
  id is never reused, not even after a rollback.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# topic → the tables whose changes move its stamp (app/services/stamps.py reads the same map).
TRACKED = {
    "pairing": (
        "counties",
        "villages",
        "village_needs",
        "enterprises",
        "pairing_agreements",
        "outcome_reports",
    ),
}
OPERATIONS = ("insert", "update", "delete")


def upgrade() -> None:
    op.create_table(
        "change_stamps",
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("stamp", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("topic", name=op.f("pk_change_stamps")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    fresh = "txid_current()::text" if postgres else "lower(hex(randomblob(8)))"
    for topic, tables in TRACKED.items():
        op.execute(f"INSERT INTO change_stamps (topic, stamp) VALUES ('{topic}', {fresh})")
        for table in tables:
            if postgres:
                _postgres_triggers(topic, table)
            else:
                _sqlite_triggers(topic, table)


def _sqlite_triggers(topic: str, table: str) -> None:
    for operation in OPERATIONS:
        op.execute(
            f"CREATE TRIGGER stamp_{table}_{operation} AFTER {operation.upper()} ON {table} "
            f"BEGIN UPDATE change_stamps SET stamp = lower(hex(randomblob(8))) "
            f"WHERE topic = '{topic}'; END"
        )


def _postgres_triggers(topic: str, table: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION touch_change_stamp() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN UPDATE change_stamps SET stamp = txid_current()::text "
        "WHERE topic = TG_ARGV[0] AND stamp <> txid_current()::text; RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE CONSTRAINT TRIGGER stamp_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        f"EXECUTE FUNCTION touch_change_stamp('{topic}')"
    )
    op.execute(
        f"CREATE TRIGGER stamp_{table}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION touch_change_stamp('{topic}')"
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for tables in TRACKED.values():
        for table in tables:
            if postgres:
                op.execute(f"DROP TRIGGER IF EXISTS stamp_{table} ON {table}")
                op.execute(f"DROP TRIGGER IF EXISTS stamp_{table}_truncate ON {table}")
            else:
                for operation in OPERATIONS:
                    op.execute(f"DROP TRIGGER IF EXISTS stamp_{table}_{operation}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS touch_change_stamp()")
    op.drop_table("change_stamps")
