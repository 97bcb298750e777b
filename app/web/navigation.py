"""The main navigation of each role: the one table the header is built from."""

from dataclasses import dataclass

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


HOME = NavItem("首页", "/")
VILLAGES = NavItem("帮扶村", "/villages")
DEMANDS = NavItem("采购需求", "/demands")
ORDERS = NavItem("订单", "/orders")
INBOX = NavItem("待办", "/inbox")

NAVIGATION: dict[Role, tuple[NavItem, ...]] = {
    Role.anonymous: (
        HOME,
        NavItem("特色产品", "/products"),
        VILLAGES,
        NavItem("公示", "/disclosure"),
        NavItem("登录", "/login"),
        NavItem("注册", "/register"),
    ),
    Role.enterprise: (
        HOME,
        NavItem("推荐帮扶村", "/recommendations"),
        VILLAGES,
        NavItem("我的结对", "/agreements"),
        NavItem("成效报告", "/reports"),
        DEMANDS,
        ORDERS,
        INBOX,
    ),
    Role.cooperative: (HOME, NavItem("我的产品", "/my/products"), DEMANDS, ORDERS, INBOX),
    Role.village: (
        HOME,
        NavItem("本村概况", "/village"),
        NavItem("需求清单", "/needs"),
        NavItem("结对协议", "/agreements"),
        NavItem("成效确认", "/reports"),
        INBOX,
    ),
    Role.bureau: (
        NavItem("工作台", "/dashboard"),
        NavItem("结对管理", "/agreements"),
        NavItem("成效审核", "/reports"),
        NavItem("产品认定", "/certifications"),
        NavItem("注册审核", "/registrations"),
        NavItem("覆盖规划", "/coverage"),
        NavItem("台账导出", "/exports"),
        NavItem("数据导入", "/imports"),
    ),
    Role.admin: (HOME, NavItem("我的账号", "/account")),
}


def is_current(href: str, path: str) -> bool:
    """Whether ``path`` is the item's page or below it (``/agreements/12`` is under 我的结对)."""
    if href == "/":
        return path == "/"
    return path == href or path.startswith(href + "/")


def navigation_for(role: Role, path: str) -> tuple[NavLink, ...]:
    """The role's menu with the current page marked; roles without a menu get the public one."""
    items = NAVIGATION.get(role, NAVIGATION[Role.anonymous])
    return tuple(NavLink(item.label, item.href, is_current(item.href, path)) for item in items)
