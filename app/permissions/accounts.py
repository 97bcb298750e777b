"""Registrations, users and the event log: who may enter, review, manage and read them."""

from app.actors import Actor, Role
from app.permissions.base import is_bureau_for, is_system
from app.permissions.visibility import AUDIT_EVENTS, REGISTRATIONS

# Organisations and accounts -------------------------------------------------------------------


def can_register_directly(actor: Actor, county_code: str | None) -> bool:
    """Enter an organisation that needs no approval (the bureau typing in its own records)."""
    return is_system(actor) or is_bureau_for(actor, county_code)


def can_review_registration(actor: Actor, county_code: str | None) -> bool:
    return is_bureau_for(actor, county_code)


def can_manage_users(actor: Actor) -> bool:
    return actor.role == Role.admin or is_system(actor)


def can_administer_users(actor: Actor) -> bool:
    """Open user administration (用户管理): admins, and bureau officers for their region."""
    return actor.role in (Role.admin, Role.bureau) or is_system(actor)


def can_administer_user(actor: Actor, *, role: Role | str, county_code: str | None) -> bool:
    """Manage one account (deactivate, reassign, reset its password): an admin any account; a
    bureau officer the accounts of organisations and villages in its region, never a bureau or
    admin account (docs/decisions/0034-user-administration-and-recovery.md)."""
    if actor.role == Role.admin or is_system(actor):
        return True
    if Role(role) in (Role.bureau, Role.admin):
        return False
    return is_bureau_for(actor, county_code)


def can_read_events(actor: Actor, county_code: str | None) -> bool:
    return AUDIT_EVENTS.allows(actor, county_code=county_code)


def can_purge_personal_data(actor: Actor) -> bool:
    """Run the retention purge: the server's own job, or an admin."""
    return is_system(actor) or actor.role == Role.admin


def can_edit_enterprise(actor: Actor, enterprise_id: int) -> bool:
    return actor.role == Role.enterprise and actor.enterprise_id == enterprise_id


# Registrations as the API reads them ----------------------------------------------------------
# Row predicates of the kinds' rules (app/permissions/visibility.py).


def can_see_review_outcome(actor: Actor, *, own: bool, county_code: str | None) -> bool:
    """Why a registration was rejected: the applicant, the bureau of its county and admins."""
    return own or is_bureau_for(actor, county_code) or actor.role == Role.admin


def can_see_registration(actor: Actor, user_id: int, county_code: str | None) -> bool:
    """An account's registration: its owner and the bureau officers who review it."""
    return REGISTRATIONS.allows(actor, user_id=user_id, county_code=county_code)
