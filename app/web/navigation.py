"""The main navigation of each role: each domain declares the items of its pages (``MENU`` in
``app.web.<domain>_routes``), and the header is built from them."""

from dataclasses import dataclass
from functools import cache

from app.actors import Role


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str


@dataclass(frozen=True, slots=True)
class NavLink:
    """A navigation item as rendered for one request: ``current`` sets aria-current."""

    label: str
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """One item of one role's menu, declared by the domain whose page it opens (``MENU`` in
    ``app.web.<domain>_routes``); ``order`` places it among the other domains' items."""

    role: Role
    order: int
    item: NavItem


# Items several domains share in their menus.
HOME = NavItem("首页", "/")
VILLAGES = NavItem("帮扶村", "/villages")
DEMANDS = NavItem("采购需求", "/demands")
ORDERS = NavItem("订单", "/orders")
INBOX = NavItem("待办", "/inbox")


def menu(role: Role, order: int, label: str | NavItem, href: str = "") -> MenuEntry:
    item = label if isinstance(label, NavItem) else NavItem(label, href)
    return MenuEntry(role, order, item)


@cache
def navigation() -> dict[Role, tuple[NavItem, ...]]:
    """Every role's menu, gathered from the domains' ``MENU`` declarations, in ``order``."""
    from app.web.routing import ROUTES_PART  # the domains' route modules import this module

    by_role: dict[Role, list[MenuEntry]] = {}
    for entry in ROUTES_PART.gather("MENU"):
        by_role.setdefault(entry.role, []).append(entry)
    menus = {}
    for role, entries in by_role.items():
        orders = [e.order for e in entries]
        if len(set(orders)) != len(orders):
            raise ValueError(f"two items of the {role} menu share a place")
        menus[role] = tuple(e.item for e in sorted(entries, key=lambda e: e.order))
    return menus


def is_current(href: str, path: str) -> bool:
    """Whether ``path`` is the item's page or below it (``/agreements/12`` is under 我的结对)."""
    if href == "/":
        return path == "/"
    return path == href or path.startswith(href + "/")


def navigation_for(role: Role, path: str) -> tuple[NavLink, ...]:
    """The role's menu with the current page marked; roles without a menu get the public one."""
    menus = navigation()
    items = menus.get(role, menus[Role.anonymous])
    return tuple(NavLink(item.label, item.href, is_current(item.href, path)) for item in items)
