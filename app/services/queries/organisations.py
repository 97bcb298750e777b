"""Enterprises (帮扶主体) and cooperatives (合作社) for lists, scoped to what the reader may see."""

from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import Cooperative, Enterprise, Village
from app.models.enums import EnterpriseKind, HelpKind, RegistrationStatus
from app.models.flags import has_any, to_mask
from app.permissions import COOPERATIVES, ENTERPRISES
from app.services.queries.batches import by_keys


class OrganisationOrder(StrEnum):
    name = "name"
    newest = "newest"


@dataclass(frozen=True, slots=True)
class EnterpriseFilter:
    county_code: str | None = None
    kind: EnterpriseKind | None = None
    # Offers this form of help.
    offers: HelpKind | None = None
    status: RegistrationStatus | None = None


@dataclass(frozen=True, slots=True)
class CooperativeFilter:
    county_code: str | None = None
    village_id: int | None = None
    status: RegistrationStatus | None = None


def _order(model, order: OrganisationOrder) -> tuple:
    if order == OrganisationOrder.newest:
        return (model.created_at.desc(), model.id.desc())
    return (model.name, model.id)


def select_enterprises(
    *,
    actor: Actor,
    filters: EnterpriseFilter = EnterpriseFilter(),
    order: OrganisationOrder = OrganisationOrder.name,
) -> sa.Select:
    """Enterprises the actor may see: approved ones, its own, its region's registrations."""
    query = sa.select(Enterprise).where(
        ENTERPRISES.where(
            actor,
            id=Enterprise.id,
            status=Enterprise.status,
            county_code=Enterprise.county_code,
        )
    )
    if filters.county_code is not None:
        query = query.where(Enterprise.county_code == filters.county_code)
    if filters.kind is not None:
        query = query.where(Enterprise.kind == filters.kind)
    if filters.offers is not None:
        query = query.where(has_any(Enterprise.offers, to_mask([filters.offers], HelpKind)))
    if filters.status is not None:
        query = query.where(Enterprise.status == filters.status)
    return query.order_by(*_order(Enterprise, order))


def select_cooperatives(
    *,
    actor: Actor,
    filters: CooperativeFilter = CooperativeFilter(),
    order: OrganisationOrder = OrganisationOrder.name,
) -> sa.Select:
    """Cooperatives the actor may see; a cooperative's county is its village's."""
    query = (
        sa.select(Cooperative)
        .join(Village, Village.id == Cooperative.village_id)
        .where(
            COOPERATIVES.where(
                actor,
                id=Cooperative.id,
                status=Cooperative.status,
                county_code=Village.county_code,
            )
        )
    )
    if filters.county_code is not None:
        query = query.where(Village.county_code == filters.county_code)
    if filters.village_id is not None:
        query = query.where(Cooperative.village_id == filters.village_id)
    if filters.status is not None:
        query = query.where(Cooperative.status == filters.status)
    return query.order_by(*_order(Cooperative, order))


def enterprises_by_id(session: Session, ids) -> dict[int, Enterprise]:
    """Unscoped: callers check ``can_see_enterprise`` on each."""
    return by_keys(session, Enterprise.id, ids)


def cooperatives_by_id(session: Session, ids) -> dict[int, Cooperative]:
    """Unscoped: callers check ``can_see_cooperative`` on each."""
    return by_keys(session, Cooperative.id, ids)
