"""Where each role's work is: the page a user lands on after signing in (unless the sign-in was
asked for by another page, ``next``)."""

from app.actors import Role
from app.models import User
from app.models.enums import RegistrationStatus
from app.web.redirects import HOME

ROLE_HOME = {
    Role.bureau: "/dashboard",  # 工作台
    Role.village: "/village",  # the village's page and its to-dos
    Role.cooperative: "/my/products",  # its products (and orders from the menu)
    Role.enterprise: "/agreements",  # its agreements (and recommendations from the menu)
    Role.admin: "/users",  # 用户管理
}
# An account still waiting for review (or refused) acts for no organisation: its own page
# shows where its registration stands.
UNAPPROVED_HOME = "/account"


def role_home(user: User) -> str:
    """The page ``user`` starts at."""
    if not user.is_active:
        return HOME
    if user.status != RegistrationStatus.approved:
        return UNAPPROVED_HOME
    return ROLE_HOME.get(Role(user.role), HOME)


def after_sign_in(requested: str | None, home: str) -> str:
    """The page asked for before signing in, else the role's home (``/`` asks for nothing)."""
    if requested and requested != HOME:
        return requested
    return home
