"""Who may do what: pure predicates and query scopes, called by the services.

Predicates take the actor and the facts they need (a county code, an owner id) and return a bool;
they never touch the database. Services call ``require`` with them before writing anything, so a
refusal leaves no row, no event and no outbox entry. GraphQL permission classes and page handlers
only wrap these; a rule written anywhere else is a bug.
"""

import sqlalchemy as sa

from app.actors import Actor, Role
from app.errors import PermissionDeniedError
from app.models.enums import CITY_CODE, DemandStatus, ProductStatus, RegistrationStatus

DENIED_MESSAGE = "您没有权限执行此操作"


def require(allowed: bool, message: str = DENIED_MESSAGE) -> None:
    """Raise PermissionDeniedError unless ``allowed``."""
    if not allowed:
        raise PermissionDeniedError(message)


def is_system(actor: Actor) -> bool:
    """In-process jobs (seeding, imports run by an operator) act as the system."""
    return actor.role == Role.system


def is_bureau_for(actor: Actor, county_code: str | None) -> bool:
    """A bureau officer whose region covers ``county_code`` (None: outside the city's counties)."""
    if actor.role != Role.bureau:
        return False
    if actor.region_code == CITY_CODE:
        return True
    return county_code is not None and actor.region_code == county_code


def is_city_bureau(actor: Actor) -> bool:
    return actor.role == Role.bureau and actor.region_code == CITY_CODE


# Organisations and accounts -------------------------------------------------------------------


def can_register_directly(actor: Actor, county_code: str | None) -> bool:
    """Enter an organisation that needs no approval (the bureau typing in its own records)."""
    return is_system(actor) or is_bureau_for(actor, county_code)


def can_review_registration(actor: Actor, county_code: str | None) -> bool:
    return is_bureau_for(actor, county_code)


def can_manage_users(actor: Actor) -> bool:
    return actor.role == Role.admin or is_system(actor)


def can_read_events(actor: Actor, county_code: str | None) -> bool:
    return actor.role == Role.admin or is_bureau_for(actor, county_code)


def can_edit_enterprise(actor: Actor, enterprise_id: int) -> bool:
    return actor.role == Role.enterprise and actor.enterprise_id == enterprise_id


# Villages -------------------------------------------------------------------------------------


def can_create_village(actor: Actor, county_code: str) -> bool:
    return is_system(actor) or is_bureau_for(actor, county_code)


def can_see_private_village_data(actor: Actor, village_id: int, county_code: str) -> bool:
    """Contacts and household figures beyond the public profile."""
    return (
        (actor.role == Role.village and actor.village_id == village_id)
        or is_bureau_for(actor, county_code)
        or actor.role in (Role.enterprise, Role.cooperative)
    )


# Pairing --------------------------------------------------------------------------------------


def can_propose_agreement(actor: Actor, enterprise_id: int, status: RegistrationStatus) -> bool:
    return (
        actor.role == Role.enterprise
        and actor.enterprise_id == enterprise_id
        and status == RegistrationStatus.approved
    )


def can_revise_proposal(actor: Actor, enterprise_id: int) -> bool:
    return actor.role == Role.enterprise and actor.enterprise_id == enterprise_id


# Villages' profiles, agreements and outcome reports -------------------------------------------


def is_village_staff(actor: Actor, village_id: int) -> bool:
    return actor.role == Role.village and actor.village_id == village_id


def is_enterprise_staff(actor: Actor, enterprise_id: int) -> bool:
    return actor.role == Role.enterprise and actor.enterprise_id == enterprise_id


def can_edit_village_profile(actor: Actor, village_id: int) -> bool:
    """The village's own staff keep its profile and needs list (需求清单)."""
    return is_village_staff(actor, village_id)


def can_see_enterprise(
    actor: Actor, enterprise_id: int, county_code: str | None, *, approved: bool
) -> bool:
    """Approved enterprises are public; others only to their own staff, the bureau and admins."""
    return (
        approved
        or is_enterprise_staff(actor, enterprise_id)
        or is_bureau_for(actor, county_code)
        or actor.role == Role.admin
    )


def can_see_enterprise_contact(actor: Actor) -> bool:
    """Contacts of helping organisations, like villages' contacts, are for signed-in roles."""
    return actor.is_authenticated and not is_system(actor)


def can_see_agreement(actor: Actor, enterprise_id: int, village_id: int, county_code: str) -> bool:
    """The two parties, the bureau whose region holds the village, and admins."""
    return (
        is_enterprise_staff(actor, enterprise_id)
        or is_village_staff(actor, village_id)
        or is_bureau_for(actor, county_code)
        or actor.role == Role.admin
    )


def can_list_agreements(actor: Actor) -> bool:
    """Open the agreement and report lists (each shows only what the actor may see)."""
    return (
        (actor.role == Role.enterprise and actor.enterprise_id is not None)
        or (actor.role == Role.village and actor.village_id is not None)
        or actor.role in (Role.bureau, Role.admin)
    )


def can_sign_agreement(actor: Actor, village_id: int) -> bool:
    """Sign or decline a proposal: the village it was made to."""
    return is_village_staff(actor, village_id)


def can_withdraw_agreement(actor: Actor, enterprise_id: int) -> bool:
    return is_enterprise_staff(actor, enterprise_id)


def can_file_agreement(actor: Actor, county_code: str) -> bool:
    """File (备案) a signed agreement: the bureau whose region holds the village."""
    return is_bureau_for(actor, county_code)


def can_complete_agreement(actor: Actor, county_code: str) -> bool:
    return is_bureau_for(actor, county_code)


def can_terminate_agreement(
    actor: Actor, enterprise_id: int, village_id: int, county_code: str
) -> bool:
    """Either party, or the bureau that filed it, may end an agreement early (with a reason)."""
    return (
        is_enterprise_staff(actor, enterprise_id)
        or is_village_staff(actor, village_id)
        or is_bureau_for(actor, county_code)
    )


def can_submit_report(actor: Actor, enterprise_id: int) -> bool:
    """Submit or correct an outcome report: the helping enterprise."""
    return is_enterprise_staff(actor, enterprise_id)


def can_confirm_report(actor: Actor, village_id: int) -> bool:
    """Confirm (or return) a submitted report: the village that was helped."""
    return is_village_staff(actor, village_id)


def can_verify_report(actor: Actor, county_code: str) -> bool:
    """Verify (or return) a confirmed report: the bureau whose region holds the village."""
    return is_bureau_for(actor, county_code)


def can_recommend_for_enterprise(actor: Actor, enterprise_id: int) -> bool:
    """Villages recommended to an enterprise: its staff, and bureau officers (within region)."""
    return is_enterprise_staff(actor, enterprise_id) or actor.role in (Role.bureau, Role.admin)


def can_recommend_for_village(actor: Actor, village_id: int, county_code: str) -> bool:
    """Enterprises likely to help a village: its staff, its bureau and admins."""
    return (
        is_village_staff(actor, village_id)
        or is_bureau_for(actor, county_code)
        or actor.role == Role.admin
    )


def can_review_pairing(actor: Actor) -> bool:
    """Open the bureau's review queues (they list the officer's region only)."""
    return actor.role == Role.bureau


def can_plan_coverage(actor: Actor) -> bool:
    """Open the coverage planner (it plans for the officer's region only)."""
    return actor.role == Role.bureau


def can_plan_for_county(actor: Actor, county_code: str) -> bool:
    """Turn a planned line into a proposal for a village of ``county_code``."""
    return is_bureau_for(actor, county_code)


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


# Query scopes ---------------------------------------------------------------------------------


def bureau_county_scope(actor: Actor, county_column) -> sa.ColumnElement[bool]:
    """SQL condition limiting rows to the counties a bureau actor may see (nothing for others)."""
    if actor.role == Role.admin or is_system(actor) or is_city_bureau(actor):
        return sa.true()
    if actor.role == Role.bureau and actor.region_code:
        return county_column == actor.region_code
    return sa.false()


# GraphQL read scopes --------------------------------------------------------------------------
# Which rows a reader may see, as SQL twins (``*_scope``) of the row predicates above, so that a
# list and a single object never disagree; a few predicates the API needs besides. The read
# services in app/services/queries/ and the GraphQL types call them; pages may call them too.


def _own(column, own_id: int | None) -> sa.ColumnElement[bool]:
    return column == own_id if own_id is not None else sa.false()


def _staff_id(actor: Actor, role: Role) -> int | None:
    """The organisation the actor works for, when it has ``role``."""
    links = {
        Role.enterprise: actor.enterprise_id,
        Role.cooperative: actor.cooperative_id,
        Role.village: actor.village_id,
    }
    return links[role] if actor.role == role else None


def enterprise_scope(actor: Actor, *, id_column, status, county_code) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_see_enterprise``."""
    return sa.or_(
        status == RegistrationStatus.approved,
        _own(id_column, _staff_id(actor, Role.enterprise)),
        bureau_county_scope(actor, county_code),
    )


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


def cooperative_scope(actor: Actor, *, id_column, status, county_code) -> sa.ColumnElement[bool]:
    """SQL twin of ``can_see_cooperative``."""
    return sa.or_(
        status == RegistrationStatus.approved,
        _own(id_column, _staff_id(actor, Role.cooperative)),
        bureau_county_scope(actor, county_code),
    )


def can_see_cooperative_contact(actor: Actor) -> bool:
    """A cooperative's contact, like an enterprise's, is for signed-in roles."""
    return can_see_enterprise_contact(actor)


def can_see_review_outcome(actor: Actor, *, own: bool, county_code: str | None) -> bool:
    """Why a registration was rejected: the applicant, the bureau of its county and admins."""
    return own or is_bureau_for(actor, county_code) or actor.role == Role.admin


def can_see_registration(actor: Actor, user_id: int, county_code: str | None) -> bool:
    """An account's registration: its owner and the bureau officers who review it."""
    own = actor.user_id is not None and actor.user_id == user_id
    return own or can_review_registration(actor, county_code)


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
