"""Which county an object belongs to, for reading its audit trail (操作记录)."""

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.models import (
    ApiToken,
    Cooperative,
    County,
    Demand,
    Enterprise,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    User,
    Village,
    VillageNeed,
)
from app.services.accounts import registration_county


def county_of(session: Session, obj: SQLModel) -> str | None:
    """The county whose bureau is responsible for ``obj`` (None: none of the city's counties)."""
    match obj:
        case County():
            return obj.code
        case Village() | Enterprise():
            return obj.county_code
        case User():
            return registration_county(session, obj)
        case ApiToken():
            return None
        case Demand():
            return _scalar(session, sa.select(Enterprise.county_code), Enterprise.id, obj.buyer_id)
    village_id = _village_id(session, obj)
    return _scalar(session, sa.select(Village.county_code), Village.id, village_id)


def _village_id(session: Session, obj: SQLModel) -> int | None:
    match obj:
        case VillageNeed() | Cooperative() | Product() | PairingAgreement():
            return obj.village_id
        case OutcomeReport():
            query = sa.select(PairingAgreement.village_id)
            return _scalar(session, query, PairingAgreement.id, obj.agreement_id)
        case Order():
            return _scalar(session, sa.select(Product.village_id), Product.id, obj.product_id)
    raise TypeError(f"no county for {type(obj).__name__}")


def _scalar(session: Session, query: sa.Select, key, value):
    return session.execute(query.where(key == value)).scalar_one_or_none()
