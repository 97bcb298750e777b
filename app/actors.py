"""Who is acting: passed to every service call as the keyword-only ``actor``."""

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    anonymous = "anonymous"
    enterprise = "enterprise"
    cooperative = "cooperative"
    village = "village"
    bureau = "bureau"
    admin = "admin"
    system = "system"


ROLE_LABEL = {
    Role.anonymous: "访客",
    Role.enterprise: "帮扶主体",
    Role.cooperative: "合作社",
    Role.village: "村级用户",
    Role.bureau: "乡村振兴局",
    Role.admin: "系统管理员",
    Role.system: "系统",
}


@dataclass(frozen=True, slots=True)
class Actor:
    """The person (or process) behind a request, with the organisation or region they act for."""

    role: Role
    user_id: int | None = None
    name: str = ""
    enterprise_id: int | None = None
    cooperative_id: int | None = None
    village_id: int | None = None
    # Bureau scope: the city code (e.g. 140800) or one county code.
    region_code: str | None = None
    # What the header shows next to the role: the organisation or the bureau's region.
    organisation: str = ""

    @property
    def label(self) -> str:
        return f"{self.name}（{ROLE_LABEL[self.role]}）" if self.name else ROLE_LABEL[self.role]

    @property
    def is_authenticated(self) -> bool:
        return self.role not in (Role.anonymous,)


ANONYMOUS = Actor(role=Role.anonymous)
SYSTEM = Actor(role=Role.system, name="系统")
