"""Optimistic locking for every edit of an existing row (docs/decisions/0004 and 0015).

A form or API call carries the version of the row it was based on. The service compares it
first (a stale form is a conflict even when the transactions never overlapped, as on SQLite where
writers are serialised) and flushes with ``version_id_col``'s ``UPDATE … WHERE version = :seen``,
which catches the race between overlapping transactions on PostgreSQL. Either way the user gets a
``ConflictError`` (code ``stale_version``) and nothing is written.
"""

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from app.errors import ConflictError

STALE_CODE = "stale_version"

PRODUCT_STALE = "该产品已被他人修改（订单确认或取消也会改变库存），请刷新后再试"
VILLAGE_STALE = "本村概况已被他人修改，请刷新后再试"
NEED_STALE = "该需求已被他人修改，请刷新后再试"
ENTERPRISE_STALE = "该单位的信息已被他人修改，请刷新后再试"
DEMAND_STALE = "该采购需求已被他人修改，请刷新后再试"


def stale(message: str) -> ConflictError:
    return ConflictError(message, code=STALE_CODE)


def expect_version(row: SQLModel, seen: int, message: str) -> None:
    """The version the user's form was based on must still be the row's."""
    if seen != row.version:
        raise stale(message)


def flush_versioned(session: Session, message: str) -> None:
    """Flush a change guarded by ``version_id_col``; a row changed meanwhile is a conflict."""
    try:
        session.flush()
    except StaleDataError:
        raise stale(message) from None
