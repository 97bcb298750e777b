import pytest

from app.actors import Role
from app.web.navigation import is_current, navigation, navigation_for


def labels(role: Role) -> list[str]:
    return [item.label for item in navigation()[role]]


def test_each_role_has_the_menu_in_ui_md():
    assert labels(Role.anonymous) == [
        "首页",
        "特色产品",
        "帮扶村",
        "公示",
        "招工岗位",
        "登录",
        "注册",
    ]
    assert labels(Role.enterprise) == [
        "首页",
        "推荐帮扶村",
        "帮扶村",
        "我的结对",
        "成效报告",
        "特色产品",
        "采购需求",
        "订单",
        "招工岗位",
        "待办",
    ]
    assert labels(Role.cooperative) == ["首页", "我的产品", "采购需求", "订单", "招工岗位", "待办"]
    assert labels(Role.village) == [
        "首页",
        "本村概况",
        "需求清单",
        "结对协议",
        "成效确认",
        "劳务协作",
        "待办",
    ]
    assert labels(Role.bureau) == [
        "首页",
        "工作台",
        "结对管理",
        "成效审核",
        "产品认定",
        "注册审核",
        "覆盖规划",
        "台账导出",
        "数据导入",
        "劳务协作",
        "用户管理",
    ]


def test_hrefs_are_short_english_paths():
    assert [item.href for item in navigation()[Role.anonymous]] == [
        "/",
        "/products",
        "/villages",
        "/disclosure",
        "/labour/postings",
        "/login",
        "/register",
    ]
    assert [item.href for item in navigation()[Role.bureau]] == [
        "/",
        "/dashboard",
        "/agreements",
        "/reports",
        "/certifications",
        "/registrations",
        "/coverage",
        "/exports",
        "/imports",
        "/labour/applications",
        "/users",
    ]
    assert [item.href for item in navigation()[Role.cooperative]] == [
        "/",
        "/my/products",
        "/demands",
        "/orders",
        "/labour/postings",
        "/inbox",
    ]
    assert [item.href for item in navigation()[Role.village]] == [
        "/",
        "/village",
        "/needs",
        "/agreements",
        "/reports",
        "/labour/supplies",
        "/inbox",
    ]
    assert [item.href for item in navigation()[Role.enterprise]] == [
        "/",
        "/recommendations",
        "/villages",
        "/agreements",
        "/reports",
        "/products",
        "/demands",
        "/orders",
        "/labour/postings",
        "/inbox",
    ]


@pytest.mark.parametrize(
    ("href", "path", "expected"),
    [
        ("/", "/", True),
        ("/", "/products", False),
        ("/products", "/products", True),
        ("/products", "/products/12", True),
        ("/products", "/products-archive", False),
        ("/products", "/my/products", False),
        ("/village", "/villages", False),
        ("/villages", "/village", False),
    ],
)
def test_is_current(href, path, expected):
    assert is_current(href, path) is expected


def test_navigation_marks_exactly_the_current_page():
    links = navigation_for(Role.enterprise, "/agreements/42")
    assert [link.label for link in links if link.current] == ["我的结对"]
    assert not any(link.current for link in navigation_for(Role.anonymous, "/healthz"))


def test_roles_without_a_menu_get_the_public_one():
    assert navigation_for(Role.system, "/") == navigation_for(Role.anonymous, "/")


def test_admins_get_their_own_short_menu():
    assert [link.href for link in navigation_for(Role.admin, "/")] == ["/", "/users", "/account"]
