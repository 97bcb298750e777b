"""What the GraphQL tests check: a payload's errors as (field, code, message), the row count of
every table (a refused mutation leaves them all as they were), and SQL statements counted."""

from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import SQLModel

from tests.graphql.authz_paths import gid

__all__ = ["counting", "errors_of", "gid", "payload", "row_counts"]


def row_counts(database) -> dict[str, int]:
    with database.read_only() as session:
        return {
            name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }


def errors_of(result: dict) -> list[tuple[str | None, str, str]]:
    return [(e["field"], e["code"], e["message"]) for e in result["errors"]]


def payload(client, query: str, input_: dict, *, actor: str) -> dict:
    """The one payload of a single-mutation operation sent with ``$i``."""
    data = client.data(query, {"i": input_}, actor=actor)
    (result,) = data.values()
    return result


@contextmanager
def counting(database):
    """The SQL statements ``database`` runs inside the block (transaction control left out)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT")):
            statements.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", record)
