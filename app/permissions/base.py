"""The ground every rule stands on: ``require``, its refusal message and who the actor is."""

from app.actors import Actor, Role
from app.errors import PermissionDeniedError
from app.models.enums import CITY_CODE

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


def is_enterprise_staff(actor: Actor, enterprise_id: int) -> bool:
    """Staff of the enterprise (帮扶主体): party to its agreements and buyer of its orders."""
    return actor.role == Role.enterprise and actor.enterprise_id == enterprise_id


def is_cooperative_staff(actor: Actor, cooperative_id: int) -> bool:
    return actor.role == Role.cooperative and actor.cooperative_id == cooperative_id


def is_village_staff(actor: Actor, village_id: int) -> bool:
    return actor.role == Role.village and actor.village_id == village_id


def _staff_id(actor: Actor, role: Role) -> int | None:
    """The organisation the actor works for, when it has ``role``."""
    links = {
        Role.enterprise: actor.enterprise_id,
        Role.cooperative: actor.cooperative_id,
        Role.village: actor.village_id,
    }
    return links[role] if actor.role == role else None
