"""Self-registration and the bureau's review, including hostile text in every stored field."""

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.asgi import create_app
from app.models import User
from app.models.enums import UserRole
from app.services.accounts import create_user
from app.services.privacy import NOTICE_VERSION
from tests.factories import make_county, make_township, make_village, valid_credit_code
from tests.web.conftest import csrf_token_of

PASSWORD = "Huanghe2026"
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"><a hx-get="/logout">点</a>'


@pytest.fixture
def app(fresh_db, make_settings):
    with fresh_db.unit_of_work() as session:
        make_county(session)
        make_county(session, code="140830", name="芮城县", category="overall")
        make_township(session)
        village = make_village(session, name="南坡村")
        for username, region in (("pinglu", "140829"), ("ruicheng", "140830")):
            create_user(
                session=session,
                actor=SYSTEM,
                account={"username": username, "display_name": "审核员", "password": PASSWORD},
                role=UserRole.bureau,
                region_code=region,
            )
    application = create_app(make_settings(), database=fresh_db)
    application.state.village_id = village.id
    return application


def _post(client, url, data, **kwargs):
    return client.post(url, data=data | {"csrf_token": csrf_token_of(client)}, **kwargs)


def _login(client, username):
    _post(client, "/login", {"username": username, "password": PASSWORD})


def _register_enterprise(client, **overrides):
    form = {
        "username": "zhangsan",
        "display_name": "张三",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "name": "平陆县黄河果业有限公司",
        "credit_code": valid_credit_code(),
        "kind": "private",
        "industry": "A",
        "county_code": "140829",
        "offers": ["industry", "sales"],
        "introduction": "专注苹果深加工",
        "privacy_consent": "1",
    } | overrides
    return _post(client, "/register/enterprise", form, follow_redirects=False)


def test_the_registration_choices_page_links_each_kind(app):
    html = TestClient(app).get("/register").text
    for kind in ("enterprise", "cooperative", "village"):
        assert f'href="/register/{kind}"' in html


def test_an_enterprise_registers_sees_pending_then_works_once_approved(app):
    applicant = TestClient(app)
    response = _register_enterprise(applicant)
    assert (response.status_code, response.headers["location"]) == (303, "/account")
    page = applicant.get("/account")
    assert '<span class="badge badge--pending">待审核</span>' in page.text

    bureau = TestClient(app)
    _login(bureau, "pinglu")
    review = bureau.get("/registrations")
    assert review.context["pending"][0].display_name == "张三"
    user_id = review.context["pending"][0].id
    response = _post(bureau, f"/registrations/{user_id}/approve", {}, follow_redirects=False)
    assert response.status_code == 303
    assert "已通过 张三 的注册申请" in bureau.get("/registrations").text

    page = applicant.get("/account")
    assert '<span class="badge badge--ok">已通过</span>' in page.text
    assert '<span class="whoami__org">平陆县黄河果业有限公司</span>' in page.text


def test_bad_input_is_shown_next_to_its_field_and_kept(app):
    client = TestClient(app)
    response = _register_enterprise(client, credit_code="91350100M000100Y44", name="某公司")
    assert response.status_code == 422
    assert "统一社会信用代码校验位不正确，请核对后重新输入" in response.text
    assert 'value="某公司"' in response.text
    assert 'value="zhangsan"' in response.text
    assert 'value="industry" checked' in response.text
    assert PASSWORD not in response.text


def test_another_countys_bureau_does_not_see_or_decide_the_application(app):
    _register_enterprise(TestClient(app))
    other = TestClient(app)
    _login(other, "ruicheng")
    assert other.get("/registrations").context["pending"] == []
    response = _post(other, "/registrations/3/approve", {}, follow_redirects=False)
    missing = _post(other, "/registrations/999/approve", {}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/registrations")
    assert (missing.status_code, missing.headers["location"]) == (303, "/registrations")
    assert "注册申请不存在" in other.get("/registrations").text


def test_non_bureau_users_get_403_on_the_review_page(app):
    client = TestClient(app)
    _register_enterprise(client)
    assert client.get("/registrations").status_code == 403


def test_village_staff_pick_their_county_then_their_village(app):
    client = TestClient(app)
    first = client.get("/register/village")
    assert 'name="county_code"' in first.text and 'name="village_id"' not in first.text
    second = client.get("/register/village?county_code=140829")
    assert "南坡村" in second.text
    response = _post(
        client,
        "/register/village",
        {
            "username": "cungan",
            "display_name": "王书记",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "county_code": "140829",
            "village_id": str(app.state.village_id),
            "privacy_consent": "1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_hostile_text_in_every_stored_field_renders_inert(app):
    applicant = TestClient(app)
    response = _register_enterprise(
        applicant,
        display_name=HOSTILE[:40],
        name=HOSTILE[:80],
        introduction=HOSTILE,
        contact_name=HOSTILE[:40],
        external_region=HOSTILE[:40],
    )
    assert response.status_code == 303
    _post(applicant, "/account/tokens", {"name": HOSTILE[:60]})
    bureau = TestClient(app)
    _login(bureau, "pinglu")
    pages = [applicant.get("/account").text, bureau.get("/registrations").text]
    for html in pages:
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert '<a hx-get="/logout">' not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_registration_needs_consent_to_the_notice_and_records_its_version(app, fresh_db):
    client = TestClient(app)
    form = client.get("/register/enterprise")
    assert '<a href="/privacy"' in form.text and 'name="privacy_consent"' in form.text
    refused = _register_enterprise(client, privacy_consent="")
    assert refused.status_code == 422
    assert (
        'id="field-privacy_consent-error">请阅读并同意《个人信息处理说明》后再提交' in refused.text
    )
    with fresh_db.read_only() as session:
        assert session.exec(select(User).where(User.username == "zhangsan")).first() is None
    accepted = _register_enterprise(client)
    assert accepted.status_code == 303
    with fresh_db.read_only() as session:
        user = session.exec(select(User).where(User.username == "zhangsan")).one()
        assert user.privacy_notice_version == NOTICE_VERSION
        assert user.privacy_consent_at is not None


def test_the_privacy_notice_is_a_page_linked_from_every_footer(app):
    client = TestClient(app)
    notice = client.get("/privacy")
    assert notice.status_code == 200
    for heading in (
        "我们收集哪些信息",
        "为什么收集",
        "谁能看到",
        "保存多久",
        "如何查询、更正或删除",
    ):
        assert f"<h2>{heading}</h2>" in notice.text
    assert f"版本 {NOTICE_VERSION}" in notice.text
    assert '<a href="/privacy">个人信息处理说明</a>' in client.get("/").text
