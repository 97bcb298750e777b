"""Who may do what: pure predicates and query scopes, called by the services.

Predicates take the actor and the facts they need (a county code, an owner id) and return a bool;
they never touch the database. Services call ``require`` with them before writing anything, so a
refusal leaves no row, no event and no outbox entry. GraphQL permission classes and page handlers
only wrap these; a rule written anywhere else is a bug.
"""

import sqlalchemy as sa

from app.actors import Actor, Role
from app.errors import PermissionDeniedError
from app.models.enums import CITY_CODE, RegistrationStatus

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


# Query scopes ---------------------------------------------------------------------------------


def bureau_county_scope(actor: Actor, county_column) -> sa.ColumnElement[bool]:
    """SQL condition limiting rows to the counties a bureau actor may see (nothing for others)."""
    if actor.role == Role.admin or is_system(actor) or is_city_bureau(actor):
        return sa.true()
    if actor.role == Role.bureau and actor.region_code:
        return county_column == actor.region_code
    return sa.false()
