"""SQL read scopes: the rows a reader may see, twins of the row predicates of the domain modules."""

import sqlalchemy as sa

from app.actors import Actor, Role
from app.models.enums import DemandStatus, ProductStatus, RegistrationStatus
from app.permissions.base import _staff_id, is_city_bureau, is_system

# Query scopes ---------------------------------------------------------------------------------


def bureau_county_scope(actor: Actor, county_column) -> sa.ColumnElement[bool]:
    """SQL condition limiting rows to the counties a bureau actor may see (nothing for others)."""
    if actor.role == Role.admin or is_system(actor) or is_city_bureau(actor):
        return sa.true()
    if actor.role == Role.bureau and actor.region_code:
        return county_column == actor.region_code
    return sa.false()


# GraphQL read scopes --------------------------------------------------------------------------
# Which rows a reader may see, as SQL twins (``*_scope``) of the row predicates of the domain
# modules, so that a list and a single object never disagree. The read services in
# app/services/queries/ and the GraphQL types call them; pages may call them too.


def _own(column, own_id: int | None) -> sa.ColumnElement[bool]:
    return column == own_id if own_id is not None else sa.false()


def enterprise_scope(actor: Actor, *, id_column, status, county_code) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_see_enterprise``."""
    return sa.or_(
        status == RegistrationStatus.approved,
        _own(id_column, _staff_id(actor, Role.enterprise)),
        bureau_county_scope(actor, county_code),
    )


def cooperative_scope(actor: Actor, *, id_column, status, county_code) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_see_cooperative``."""
    return sa.or_(
        status == RegistrationStatus.approved,
        _own(id_column, _staff_id(actor, Role.cooperative)),
        bureau_county_scope(actor, county_code),
    )


def agreement_scope(
    actor: Actor, *, enterprise_id, village_id, county_code
) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_see_agreement`` (the agreement, its reports and its evidence)."""
    return sa.or_(
        _own(enterprise_id, _staff_id(actor, Role.enterprise)),
        _own(village_id, _staff_id(actor, Role.village)),
        bureau_county_scope(actor, county_code),
    )


def product_scope(actor: Actor, *, status, cooperative_id, county_code) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_see_product``."""
    return sa.or_(
        status == ProductStatus.listed,
        _own(cooperative_id, _staff_id(actor, Role.cooperative)),
        bureau_county_scope(actor, county_code),
    )


def demand_scope(actor: Actor, *, status, buyer_id) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_see_demand``."""
    sees_open = actor.role in (Role.cooperative, Role.bureau, Role.admin)
    return sa.or_(
        _own(buyer_id, _staff_id(actor, Role.enterprise)),
        status == DemandStatus.open if sees_open else sa.false(),
    )


def order_scope(actor: Actor, *, buyer_id, cooperative_id, county_code) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_see_order``."""
    return sa.or_(
        _own(buyer_id, _staff_id(actor, Role.enterprise)),
        _own(cooperative_id, _staff_id(actor, Role.cooperative)),
        bureau_county_scope(actor, county_code),
    )
