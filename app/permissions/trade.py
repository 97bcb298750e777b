"""Cooperatives, products, certification, demands, orders, reserved shares and statistics."""

from app.actors import Actor, Role
from app.models.enums import RegistrationStatus
from app.permissions.base import _staff_id, is_bureau_for, is_system

# Products and trade ---------------------------------------------------------------------------


def can_manage_product(actor: Actor, cooperative_id: int) -> bool:
    """Staff of the cooperative that lists the product."""
    return actor.role == Role.cooperative and actor.cooperative_id == cooperative_id


def can_create_product(actor: Actor, cooperative_id: int, status: RegistrationStatus) -> bool:
    return can_manage_product(actor, cooperative_id) and status == RegistrationStatus.approved


def can_see_product(actor: Actor, cooperative_id: int, county_code: str, *, listed: bool) -> bool:
    """Listed products are public; drafts and delisted ones only to their cooperative and bureau."""
    return (
        listed
        or can_manage_product(actor, cooperative_id)
        or is_bureau_for(actor, county_code)
        or actor.role == Role.admin
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


def is_buyer(actor: Actor, enterprise_id: int) -> bool:
    return actor.role == Role.enterprise and actor.enterprise_id == enterprise_id


def can_buy(actor: Actor, enterprise_id: int, status: RegistrationStatus) -> bool:
    """Post demands and place orders for an approved buyer."""
    return is_buyer(actor, enterprise_id) and status == RegistrationStatus.approved


def can_see_demand(actor: Actor, buyer_id: int, *, is_open: bool) -> bool:
    """The buyer sees its demands; cooperatives, the bureau and admins see the open ones."""
    return is_buyer(actor, buyer_id) or (
        is_open and actor.role in (Role.cooperative, Role.bureau, Role.admin)
    )


def can_see_order(actor: Actor, buyer_id: int, cooperative_id: int, county_code: str) -> bool:
    return (
        is_buyer(actor, buyer_id)
        or can_manage_product(actor, cooperative_id)
        or is_bureau_for(actor, county_code)
        or actor.role == Role.admin
    )


def can_view_consumption(actor: Actor) -> bool:
    """Consumption-assistance totals; bureau officers see them within their region."""
    return actor.role in (Role.bureau, Role.admin) or is_system(actor)


def can_view_statistics(actor: Actor) -> bool:
    """The dashboard's figures and the ledger: bureau officers, each for the region they are
    scoped to (the city or one county)."""
    return is_bureau_for(actor, actor.region_code)


def can_see_reserved_share(actor: Actor, enterprise_id: int, county_code: str | None) -> bool:
    return (
        is_buyer(actor, enterprise_id)
        or is_bureau_for(actor, county_code)
        or actor.role == Role.admin
    )


# Cooperatives as the API reads them -----------------------------------------------------------
# Predicates the API needs besides its read scopes (app/permissions/scopes.py).


def can_see_cooperative(
    actor: Actor, cooperative_id: int, county_code: str, *, approved: bool
) -> bool:
    """Approved cooperatives are public; others only to their own staff, the bureau and admins."""
    return (
        approved
        or _staff_id(actor, Role.cooperative) == cooperative_id
        or is_bureau_for(actor, county_code)
        or actor.role == Role.admin
    )
