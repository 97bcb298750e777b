"""An enterprise's maximum number of villages (``Enterprise.max_villages``), held at every step
that adds to its load: proposing (by the enterprise or from the bureau's coverage plan), signing
and filing. Pending (proposed, signed) and active agreements all count.

Two proposals racing for the last place: exactly one wins. On PostgreSQL the enterprise's row is
locked (``SELECT … FOR UPDATE``) before counting, so the second writer counts after the first has
committed. On SQLite every unit of work begins ``IMMEDIATE``: the database's single writer lock
already serialises the two, and SQLAlchemy leaves ``FOR UPDATE`` out of SQLite's SQL.
"""

import sqlalchemy as sa
from sqlmodel import Session, select

from app.errors import ConflictError
from app.models import Enterprise, PairingAgreement
from app.models.enums import OPEN_AGREEMENT_STATUSES

CAPACITY_CODE = "capacity_reached"


def open_agreement_count(
    session: Session, enterprise_id: int, *, excluding: int | None = None
) -> int:
    """The enterprise's pending and active agreements, leaving out agreement ``excluding``."""
    query = select(sa.func.count()).where(
        PairingAgreement.enterprise_id == enterprise_id,
        PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES),
    )
    if excluding is not None:
        query = query.where(PairingAgreement.id != excluding)
    return session.exec(query.select_from(PairingAgreement)).one()


def hold_capacity(session: Session, enterprise_id: int, *, agreement_id: int | None = None) -> None:
    """Lock the enterprise and refuse when its other open agreements fill ``max_villages``.

    ``agreement_id``: the agreement being signed or filed (already open, so not counted);
    ``None`` for a new proposal.
    """
    enterprise = session.exec(
        select(Enterprise)
        .where(Enterprise.id == enterprise_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    taken = open_agreement_count(session, enterprise_id, excluding=agreement_id)
    if taken >= enterprise.max_villages:
        raise ConflictError(capacity_message(enterprise, taken), code=CAPACITY_CODE)


def capacity_message(enterprise: Enterprise, taken: int) -> str:
    return (
        f"{enterprise.name} 同时结对帮扶的村数上限为 {enterprise.max_villages} 个，"
        f"已有 {taken} 个待签约、待备案或履行中的协议，不能再增加"
    )
