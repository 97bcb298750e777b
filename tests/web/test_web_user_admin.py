"""User administration, password recovery and each role's home, through real HTTP requests,
with and without htmx."""

import re

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.asgi import create_app
from app.models import User
from app.models.enums import UserRole
from app.services.accounts import create_user
from app.web.password_recovery import REQUEST_ANSWER
from tests.factories import make_cooperative, make_county, make_enterprise, make_village
from tests.web.conftest import csrf_token_of

PASSWORD = "Huanghe2026"
NEW_PASSWORD = "Fenhe2027x"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def app(fresh_db, make_settings):
    with fresh_db.unit_of_work() as session:
        make_county(session)
        village = make_village(session, name="坡底村")
        enterprise = make_enterprise(session, name="平陆县黄河果业有限公司")
        cooperative = make_cooperative(session, village=village)
        specs = {
            "cunyuan": (UserRole.village, {"village_id": village.id}),
            "qiye": (UserRole.enterprise, {"enterprise_id": enterprise.id}),
            "hezuoshe": (UserRole.cooperative, {"cooperative_id": cooperative.id}),
            "pinglu": (UserRole.bureau, {"region_code": "140829"}),
            "guanli": (UserRole.admin, {}),
        }
        for username, (role, links) in specs.items():
            create_user(
                session=session,
                actor=SYSTEM,
                account={"username": username, "display_name": username, "password": PASSWORD},
                role=role,
                **links,
            )
    application = create_app(make_settings(), database=fresh_db)
    application.state.test_db = fresh_db
    return application


def _login(client, username, password=PASSWORD, **extra):
    token = csrf_token_of(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token} | extra,
        follow_redirects=False,
    )


def _signed_in(app, username) -> TestClient:
    client = TestClient(app)
    assert _login(client, username).status_code == 303
    return client


def _post(client, url, data=None, *, htmx=False):
    token = csrf_token_of(client)
    headers = HTMX | {"X-CSRF-Token": token} if htmx else {}
    return client.post(
        url,
        data=(data or {}) | ({} if htmx else {"csrf_token": token}),
        headers=headers,
        follow_redirects=False,
    )


def _user_id(app, username) -> int:
    with app.state.test_db.read_only() as session:
        return session.exec(select(User.id).where(User.username == username)).one()


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("pinglu", "/dashboard"),
        ("cunyuan", "/village"),
        ("hezuoshe", "/my/products"),
        ("qiye", "/agreements"),
        ("guanli", "/users"),
    ],
)
def test_each_role_lands_on_its_home_unless_a_page_asked_for_sign_in(app, username, home):
    assert _login(TestClient(app), username).headers["location"] == home
    assert _login(TestClient(app), username, next="/").headers["location"] == home
    assert _login(TestClient(app), username, next="/account").headers["location"] == "/account"
    client = TestClient(app)
    token = csrf_token_of(client)
    htmx = client.post(
        "/login",
        data={"username": username, "password": PASSWORD},
        headers=HTMX | {"X-CSRF-Token": token},
    )
    assert htmx.headers["HX-Redirect"] == home


def test_the_menus_fit_the_roles(app):
    admin = _signed_in(app, "guanli").get("/users")
    assert '<a href="/users" aria-current="page">用户管理</a>' in admin.text
    bureau = _signed_in(app, "pinglu").get("/dashboard")
    assert '<a href="/">首页</a>' in bureau.text and '<a href="/users">用户管理</a>' in bureau.text
    enterprise = _signed_in(app, "qiye").get("/agreements")
    assert '<a href="/products">特色产品</a>' in enterprise.text


def test_an_officer_lists_and_searches_its_countys_users(app):
    client = _signed_in(app, "pinglu")
    page = client.get("/users")
    assert page.template.name == "accounts/admin/list.html"
    for username in ("cunyuan", "qiye", "hezuoshe"):
        assert f">{username}</a>" in page.text
    assert ">guanli</a>" not in page.text and ">pinglu</a>" not in page.text
    fragment = client.get("/users?q=cun", headers=HTMX)
    assert fragment.template.name == "accounts/admin/_results.html"
    assert ">cunyuan</a>" in fragment.text and ">qiye</a>" not in fragment.text
    assert "<html" not in fragment.text


@pytest.mark.parametrize("who", ["qiye", "cunyuan"])
def test_organisations_are_refused_user_administration(app, who):
    assert _signed_in(app, who).get("/users").status_code == 403


def test_an_officer_cannot_open_an_admin_account(app):
    # Refused like a missing page (the application answers both alike).
    client = _signed_in(app, "pinglu")
    assert client.get(f"/users/{_user_id(app, 'guanli')}").status_code == 404


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_reset_code_lets_the_user_set_a_new_password_and_ends_its_sessions(app, htmx):
    villager = _signed_in(app, "cunyuan")
    officer = _signed_in(app, "pinglu")
    user_id = _user_id(app, "cunyuan")
    page = _post(officer, f"/users/{user_id}/reset-code")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    code = re.search(r'id="reset-code">([\d ]+)<', page.text).group(1)
    # A wrong code is refused, and nothing changes.
    anonymous = TestClient(app)
    form = {"username": "cunyuan", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD}
    wrong = _post(anonymous, "/password/reset", form | {"code": "1111 1111"}, htmx=htmx)
    assert wrong.status_code == 422 and "重置码不正确" in wrong.text
    done = _post(anonymous, "/password/reset", form | {"code": code}, htmx=htmx)
    if htmx:
        assert done.headers["HX-Redirect"] == "/login"
    else:
        assert (done.status_code, done.headers["location"]) == (303, "/login")
    assert "密码已重置" in anonymous.get("/login").text
    # The old session is gone, the old password too; the new one works, once-only code.
    assert villager.get("/village", follow_redirects=False).status_code == 303
    assert _login(TestClient(app), "cunyuan").status_code == 422
    assert _login(TestClient(app), "cunyuan", NEW_PASSWORD).headers["location"] == "/village"
    again = _post(TestClient(app), "/password/reset", form | {"code": code})
    assert again.status_code == 422


def test_deactivating_signs_the_user_out_and_reactivating_lets_it_back(app):
    villager = _signed_in(app, "cunyuan")
    officer = _signed_in(app, "pinglu")
    user_id = _user_id(app, "cunyuan")
    response = _post(officer, f"/users/{user_id}/deactivate", {"reason": "人员调离"})
    assert response.headers["location"] == f"/users/{user_id}"
    detail = officer.get(f"/users/{user_id}")
    assert "账号已停用" in detail.text and "已停用" in detail.text
    assert villager.get("/village", follow_redirects=False).status_code == 303
    assert _login(TestClient(app), "cunyuan").status_code == 422
    _post(officer, f"/users/{user_id}/reactivate")
    assert _login(TestClient(app), "cunyuan").status_code == 303


def test_nobody_deactivates_themselves_on_the_page(app):
    admin = _signed_in(app, "guanli")
    own_id = _user_id(app, "guanli")
    assert "停用账号" not in admin.get(f"/users/{own_id}").text
    refused = _post(admin, f"/users/{own_id}/deactivate")
    assert refused.status_code == 422 and "不能停用自己的账号" in refused.text


def test_an_officer_creates_a_village_account_but_not_a_bureau_one(app):
    officer = _signed_in(app, "pinglu")
    with app.state.test_db.read_only() as session:
        village_id = session.get(User, _user_id(app, "cunyuan")).village_id
    form = {
        "username": "xincunyuan",
        "display_name": "王会计",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "role": "village",
        "link_id": str(village_id),
    }
    created = _post(officer, "/users/new", form)
    assert created.status_code == 303
    assert _login(TestClient(app), "xincunyuan").headers["location"] == "/village"
    bureau = {"username": "xinju", "role": "bureau", "region_code": "140829"}
    refused = _post(officer, "/users/new", form | bureau)
    assert refused.status_code == 403


def test_forgot_password_answers_the_same_whether_the_account_exists(app):
    client = TestClient(app)
    assert 'href="/password/forgot"' in client.get("/login").text
    known = _post(client, "/password/forgot", {"username": "cunyuan"})
    unknown = _post(client, "/password/forgot", {"username": "nobody"})
    assert known.status_code == unknown.status_code == 200
    for response in (known, unknown):
        assert REQUEST_ANSWER in response.text


def test_an_htmx_action_leaves_no_message_for_the_next_page(app):
    # Given an htmx action whose outcome is a flashed message and a redirect it followed
    officer = _signed_in(app, "pinglu")
    officer.get("/dashboard")  # the sign-in's own message is taken by this page
    user_id = _user_id(app, "cunyuan")
    response = _post(officer, f"/users/{user_id}/deactivate", htmx=True)
    assert response.headers["HX-Redirect"] == f"/users/{user_id}"
    # ...an htmx fragment fetched next takes the message (out of band into #flash)
    fragment = officer.get("/users?q=cun", headers=HTMX)
    assert 'hx-swap-oob="beforeend"' in fragment.text and "账号已停用" in fragment.text
    # ...and the next full page shows no old message.
    page = officer.get("/users")
    assert "账号已停用，其登录" not in page.text
