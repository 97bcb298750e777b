"""The main pages of every role: no serious or critical axe-core violations in a real browser, at
phone and desktop widths, and HTML that html-validate finds conforming."""

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.journey_world import (
    SHOWCASE_ACCOUNTS,
    axe_violations,
    html_problems,
    sign_in,
)

# The error page is checked like any other.
STATUS = {"/no-such-page": 404}

# Each role's main pages; {agreement} etc. are the showcase's ids (journey_world.py).
MAIN_PAGES = {
    "anonymous": (
        "/",
        "/products",
        "/products?q=小米",
        "/products/{product}",
        "/villages",
        "/villages/{village}",
        "/enterprises",
        "/disclosure",
        "/login",
        "/register",
        "/register/enterprise",
        "/password/forgot",
        "/password/reset",
        "/no-such-page",
    ),
    "enterprise": (
        "/",
        "/recommendations",
        "/agreements",
        "/agreements/{agreement}",
        "/agreements/new?village_id={village}",
        "/reports",
        "/reports/{report}",
        "/demands",
        "/orders",
        "/orders/{order}",
        "/inbox",
        "/notifications",
        "/account",
    ),
    "cooperative": (
        "/",
        "/my/products",
        "/my/products/new",
        "/my/products/{product}",
        "/demands",
        "/orders",
        "/orders/{order}",
        "/inbox",
    ),
    "village": (
        "/",
        "/village",
        "/needs",
        "/agreements",
        "/reports",
        "/reports/{report}",
        "/inbox",
    ),
    "bureau": (
        "/dashboard?all=1",
        "/agreements",
        "/agreements/{agreement}",
        "/reports",
        "/review",
        "/coverage",
        "/certifications",
        "/registrations",
        "/consumption",
        "/exports",
        "/imports",
        "/inbox",
        "/users",
        "/users?q=dongpo",
        "/users/new",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("role", list(MAIN_PAGES))
def test_main_pages_are_accessible_and_valid(
    database_factory, journey_base, journey_world, open_page, role, tmp_path
):
    if database_factory.is_postgres:
        pytest.skip("markup and accessibility do not depend on the database: checked on SQLite")
    base = journey_base
    pages = {viewport["width"]: open_page(viewport) for viewport in (PHONE, DESKTOP)}
    if role != "anonymous":
        for page in pages.values():
            sign_in(page, base, SHOWCASE_ACCOUNTS[role])
    sources, violations = {}, {}
    for template in MAIN_PAGES[role]:
        path = template.format(**journey_world)
        for width, page in pages.items():
            response = page.goto(base + path)
            expected = STATUS.get(path, 200)
            assert response.status == expected, f"{path}: HTTP {response.status}"
            if width == DESKTOP["width"]:
                sources[path] = response.text()
            found = axe_violations(page)
            if found:
                violations[f"{path} @{width}px"] = found
    assert violations == {}
    problems = html_problems(sources, tmp_path)
    assert problems == []
