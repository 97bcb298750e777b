"""What a product's page tells a buyer: the reviews (评价) buyers left, and whether buying it
counts as 结对帮销 for the buyer's organisation."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.actors import Actor, Role
from app.models import Order, PairingAgreement, Product
from app.models.base import utcnow
from app.models.enums import AgreementStatus, OrderStatus
from app.services import clock

REVIEWS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Review:
    rating: int
    comment: str
    at: datetime


def reviews_of(session: Session, product: Product, limit: int = REVIEWS_SHOWN) -> list[Review]:
    """The latest ratings with a comment; buyers' names are not shown."""
    rows = session.exec(
        select(Order.rating, Order.rating_comment, Order.updated_at)
        .where(
            Order.product_id == product.id,
            Order.status == OrderStatus.received,
            Order.rating.is_not(None),
            Order.rating_comment != "",
        )
        .order_by(Order.updated_at.desc(), Order.id.desc())
        .limit(limit)
    ).all()
    return [Review(rating, comment, at) for rating, comment, at in rows]


def pairing_for_purchase(
    session: Session, actor: Actor, product: Product, now: datetime | None = None
) -> PairingAgreement | None:
    """The buyer organisation's active agreement with the product's village, if any: an order
    received under it counts as 结对帮销 (``orders.receive_order``)."""
    if actor.role != Role.enterprise or actor.enterprise_id is None:
        return None
    day = clock.local_date(now or utcnow())
    return session.exec(
        select(PairingAgreement)
        .where(
            PairingAgreement.enterprise_id == actor.enterprise_id,
            PairingAgreement.village_id == product.village_id,
            PairingAgreement.status == AgreementStatus.active,
            PairingAgreement.start_on <= day,
            PairingAgreement.end_on >= day,
        )
        .order_by(PairingAgreement.start_on.desc(), PairingAgreement.id.desc())
    ).first()
