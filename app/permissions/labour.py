"""劳务协作: who may publish labour supply and job postings, and who sees them (decision 0038)."""

from app.actors import Actor, Role
from app.models.enums import RegistrationStatus
from app.models.labour import PostingStatus, SupplyStatus
from app.permissions.base import (
    is_bureau_for,
    is_cooperative_staff,
    is_enterprise_staff,
    is_village_staff,
)
from app.permissions.visibility import Public, Region, Staff, Visibility

# Open supply groups are counts and skills, no identities: every organisation that may hire
# reads them; the village sees its own, the bureau those of its region.
LABOUR_SUPPLIES = Visibility(
    "labour supply group",
    (
        Staff(Role.village, "village_id"),
        Public("status", SupplyStatus.open, roles=(Role.enterprise, Role.cooperative)),
        Region(),
    ),
)
# Open postings are public (a job seeker needs no account); closed ones stay with their employer
# and the bureau of the posting's county.
JOB_POSTINGS = Visibility(
    "job posting",
    (
        Public("status", PostingStatus.open),
        Staff(Role.enterprise, "enterprise_id"),
        Staff(Role.cooperative, "cooperative_id"),
        Region(),
    ),
)


def can_publish_supply(actor: Actor, village_id: int) -> bool:
    """The village's own staff publish its groups of available workers."""
    return is_village_staff(actor, village_id)


def can_manage_posting(actor: Actor, enterprise_id: int | None, cooperative_id: int | None) -> bool:
    """Staff of the enterprise or cooperative that posted it."""
    if enterprise_id is not None:
        return is_enterprise_staff(actor, enterprise_id)
    return cooperative_id is not None and is_cooperative_staff(actor, cooperative_id)


def can_post_jobs(actor: Actor, status: RegistrationStatus) -> bool:
    """An approved enterprise or cooperative publishes postings (its own staff, acting for it)."""
    employer = actor.enterprise_id if actor.role == Role.enterprise else actor.cooperative_id
    return (
        actor.role in (Role.enterprise, Role.cooperative)
        and employer is not None
        and status == RegistrationStatus.approved
    )


def can_see_supply(actor: Actor, village_id: int, county_code: str, *, is_open: bool) -> bool:
    return LABOUR_SUPPLIES.allows(
        actor,
        village_id=village_id,
        status=SupplyStatus.open if is_open else None,
        county_code=county_code,
    )


def can_see_posting(actor: Actor, posting) -> bool:
    return JOB_POSTINGS.allows(
        actor,
        status=posting.status,
        enterprise_id=posting.enterprise_id,
        cooperative_id=posting.cooperative_id,
        county_code=posting.county_code,
    )


def can_match_posting(actor: Actor, posting) -> bool:
    """Read the groups of workers that suit a posting: its employer, the bureau of its county,
    admins."""
    return (
        can_manage_posting(actor, posting.enterprise_id, posting.cooperative_id)
        or is_bureau_for(actor, posting.county_code)
        or actor.role == Role.admin
    )


# An application concerns its village, its employer and the bureau of the village's county.
LABOUR_APPLICATIONS = Visibility(
    "labour application (hire and stable-employment checks)",
    (
        Staff(Role.village, "village_id"),
        Staff(Role.enterprise, "enterprise_id"),
        Staff(Role.cooperative, "cooperative_id"),
        Region(),
    ),
)
