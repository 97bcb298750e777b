"""Adding to a row of a summary table, safely under concurrent writers.

The summaries the services keep (``sales_monthly``, ``purchases_yearly``, the pairing summaries)
are grouped totals updated in the transaction of the change they count. An increment is one
``INSERT … ON CONFLICT DO UPDATE`` adding to the row another transaction may have made (SQLite and
PostgreSQL alike); a decrement is a plain ``UPDATE`` of the row its increment made.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def add_to_row(session: Session, table: sa.Table, key: dict, figures: dict) -> None:
    """Add ``figures`` to the row ``key`` of ``table``, making the row if it is missing."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**key, **figures)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={name: table.c[name] + statement.excluded[name] for name in figures},
        )
    )


def subtract_from_row(session: Session, table: sa.Table, key: dict, figures: dict) -> None:
    """Take ``figures`` off the row ``key`` of ``table``, which must exist (an increment made it;
    an INSERT of negative figures would fail the non-negative CHECK before the conflict is seen)."""
    result = session.execute(
        sa.update(table)
        .where(*(table.c[name] == value for name, value in key.items()))
        .values({name: table.c[name] - value for name, value in figures.items()})
    )
    if result.rowcount != 1:
        raise RuntimeError(f"{table.name}: no row {key} to subtract from")
