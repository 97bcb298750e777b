"""Recording the SQL statements a piece of code sends (statement-count tests, never timers)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlmodel import Session


@contextmanager
def recorded_statements(session: Session) -> Iterator[list[str]]:
    """The statements sent on ``session``'s connection while the block runs, in order."""
    seen: list[str] = []
    connection = session.connection()

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)
