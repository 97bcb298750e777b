"""Villages, enterprises, agreements, outcome reports, recommendations and coverage planning."""

from app.actors import Actor, Role
from app.models.enums import RegistrationStatus
from app.permissions.base import (
    is_bureau_for,
    is_enterprise_staff,
    is_system,
    is_village_staff,
)
from app.permissions.visibility import AGREEMENTS, ENTERPRISES, PRIVATE_VILLAGE_DATA

# Villages -------------------------------------------------------------------------------------


def can_create_village(actor: Actor, county_code: str) -> bool:
    return is_system(actor) or is_bureau_for(actor, county_code)


def can_see_private_village_data(actor: Actor, village_id: int, county_code: str) -> bool:
    """Household figures beyond the public profile (contacts: app.permissions.contacts)."""
    return PRIVATE_VILLAGE_DATA.allows(actor, village_id=village_id, county_code=county_code)


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


def can_edit_village_profile(actor: Actor, village_id: int) -> bool:
    """The village's own staff keep its profile and needs list (需求清单)."""
    return is_village_staff(actor, village_id)


def can_see_enterprise(
    actor: Actor, enterprise_id: int, county_code: str | None, *, approved: bool
) -> bool:
    """Approved enterprises are public; others only to their own staff, the bureau and admins."""
    status = RegistrationStatus.approved if approved else None
    return ENTERPRISES.allows(actor, status=status, id=enterprise_id, county_code=county_code)


def can_see_agreement(actor: Actor, enterprise_id: int, village_id: int, county_code: str) -> bool:
    """The two parties, the bureau whose region holds the village, and admins."""
    return AGREEMENTS.allows(
        actor, enterprise_id=enterprise_id, village_id=village_id, county_code=county_code
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


def can_remind_reports(actor: Actor, county_code: str) -> bool:
    """Remind an enterprise of missing quarterly reports (催报): the bureau whose region holds
    the village."""
    return is_bureau_for(actor, county_code)


def can_waive_report(actor: Actor, county_code: str) -> bool:
    """Waive one quarter's report (免报), with a reason: the bureau whose region holds the
    village."""
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
