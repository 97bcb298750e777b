"""Cooperatives, products, certification, demands, orders, reserved shares and statistics."""

from app.actors import Actor, Role
from app.models.enums import DemandStatus, EnterpriseKind, ProductStatus, RegistrationStatus
from app.permissions.base import (
    is_bureau_for,
    is_cooperative_staff,
    is_enterprise_staff,
    is_system,
)
from app.permissions.visibility import (
    COOPERATIVES,
    DEMANDS,
    ORDERS,
    PRODUCTS,
    RESERVED_SHARES,
)

# Public buyers (预算单位): 机关, 事业单位 (public schools and hospitals) and 国有企业. They buy
# under the same rule as every other approved buyer (``can_buy``) and set an annual reserved
# share (预留份额) of their purchases for products of poverty-relief areas.
PUBLIC_BUYER_KINDS = (
    EnterpriseKind.agency,
    EnterpriseKind.school,
    EnterpriseKind.hospital,
    EnterpriseKind.state_owned,
)

# Products and trade ---------------------------------------------------------------------------


def can_manage_product(actor: Actor, cooperative_id: int) -> bool:
    """Staff of the cooperative that lists the product."""
    return is_cooperative_staff(actor, cooperative_id)


def can_create_product(actor: Actor, cooperative_id: int, status: RegistrationStatus) -> bool:
    return can_manage_product(actor, cooperative_id) and status == RegistrationStatus.approved


def can_see_product(actor: Actor, cooperative_id: int, county_code: str, *, listed: bool) -> bool:
    """Listed products are public; drafts and delisted ones only to their cooperative and bureau."""
    status = ProductStatus.listed if listed else None
    return PRODUCTS.allows(
        actor, status=status, cooperative_id=cooperative_id, county_code=county_code
    )


def can_certify_product(actor: Actor, county_code: str) -> bool:
    """Grant or refuse the consumption-assistance certification (消费帮扶产品认定)."""
    return is_bureau_for(actor, county_code)


def can_review_certifications(actor: Actor) -> bool:
    """Open the certification queue (it lists only the officer's region)."""
    return actor.role in (Role.bureau, Role.admin)


def can_review_prices(actor: Actor) -> bool:
    """See the price-sanity flags (质次价高) of the products in the actor's region."""
    return actor.role in (Role.bureau, Role.admin)


def can_buy(actor: Actor, enterprise_id: int, status: RegistrationStatus) -> bool:
    """Post demands and place orders for an approved buyer: the one rule of who buys. Every
    approved helping organisation buys, whatever its kind (enterprises, social organisations and
    the public buyers of ``PUBLIC_BUYER_KINDS``); a pending or rejected one does not."""
    return is_enterprise_staff(actor, enterprise_id) and status == RegistrationStatus.approved


def can_see_demand(actor: Actor, buyer_id: int, *, is_open: bool) -> bool:
    """The buyer sees its demands; cooperatives, the bureau and admins see the open ones."""
    status = DemandStatus.open if is_open else None
    return DEMANDS.allows(actor, buyer_id=buyer_id, status=status)


def can_see_order(actor: Actor, buyer_id: int, cooperative_id: int, county_code: str) -> bool:
    return ORDERS.allows(
        actor, buyer_id=buyer_id, cooperative_id=cooperative_id, county_code=county_code
    )


def can_view_consumption(actor: Actor) -> bool:
    """Consumption-assistance totals; bureau officers see them within their region."""
    return actor.role in (Role.bureau, Role.admin) or is_system(actor)


def can_view_statistics(actor: Actor) -> bool:
    """The dashboard's figures and the ledger: bureau officers, each for the region they are
    scoped to (the city or one county)."""
    return is_bureau_for(actor, actor.region_code)


def can_see_reserved_share(actor: Actor, enterprise_id: int, county_code: str | None) -> bool:
    return RESERVED_SHARES.allows(actor, enterprise_id=enterprise_id, county_code=county_code)


# Cooperatives as the API reads them -----------------------------------------------------------
# Row predicates of the kinds' rules (app/permissions/visibility.py), for callers that know
# only whether the row is public (listed, approved, open).


def can_see_cooperative(
    actor: Actor, cooperative_id: int, county_code: str, *, approved: bool
) -> bool:
    """Approved cooperatives are public; others only to their own staff, the bureau and admins."""
    status = RegistrationStatus.approved if approved else None
    return COOPERATIVES.allows(actor, status=status, id=cooperative_id, county_code=county_code)
