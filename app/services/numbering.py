"""Human-readable sequential numbers (协议编号 JD-2026-000001, 订单号 …), safe under concurrency."""

import sqlalchemy as sa
from sqlmodel import Session

from app.db_errors import UNIQUE, violation
from app.models import Counter


def next_value(session: Session, name: str) -> int:
    """Increment counter ``name`` and return its new value, atomically on SQLite and PostgreSQL."""
    table = Counter.__table__
    bumped = session.execute(
        sa.update(table)
        .where(table.c.name == name)
        .values(value=table.c.value + 1)
        .returning(table.c.value)
    ).scalar_one_or_none()
    if bumped is not None:
        return bumped
    # First use: insert, and let a concurrent first insert win (then bump again).
    try:
        with session.begin_nested():
            session.execute(sa.insert(table).values(name=name, value=1))
        return 1
    except sa.exc.IntegrityError as exc:
        if violation(exc).kind != UNIQUE:
            raise
        return next_value(session, name)


def agreement_number(session: Session, year: int) -> str:
    return f"JD-{year}-{next_value(session, f'agreement:{year}'):06d}"


def order_number(session: Session, day: str) -> str:
    """``day`` is YYYYMMDD in Asia/Shanghai."""
    return f"DD-{day}-{next_value(session, f'order:{day}'):06d}"
