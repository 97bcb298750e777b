"""Claiming an organisation through real HTTP requests: the registration offers it, the claim
form reports every problem at once, the right county bureau reviews it with the proof."""

import pytest
from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.asgi import create_app
from app.models.enums import UserRole
from app.services.accounts import create_user
from tests.factories import make_county, make_enterprise
from tests.image_factories import png_bytes
from tests.web.conftest import csrf_token_of

PASSWORD = "Huanghe2026"


@pytest.fixture
def app(fresh_db, make_settings, tmp_path):
    with fresh_db.unit_of_work() as session:
        make_county(session)
        make_county(session, code="140830", name="芮城县", category="overall")
        enterprise = make_enterprise(session, name="平陆县黄河果业有限公司")
        for username, region in (("pinglu", "140829"), ("ruicheng", "140830")):
            create_user(
                session=session,
                actor=SYSTEM,
                account={"username": username, "display_name": "审核员", "password": PASSWORD},
                role=UserRole.bureau,
                region_code=region,
            )
        create_user(
            session=session,
            actor=SYSTEM,
            account={"username": "old", "display_name": "老账号", "password": PASSWORD},
            role=UserRole.enterprise,
            enterprise_id=enterprise.id,
        )
    application = create_app(make_settings(upload_dir=tmp_path / "up"), database=fresh_db)
    application.state.credit_code = enterprise.credit_code
    return application


def _claim(client, app, files=None, **overrides):
    form = {
        "credit_code": app.state.credit_code,
        "username": "zhang",
        "display_name": "张经理",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "privacy_consent": "1",
    } | overrides
    files = files if files is not None else {"document": ("营业执照.png", png_bytes(), "image/png")}
    return client.post(
        "/register/claim/enterprise",
        data=form | {"csrf_token": csrf_token_of(client)},
        files=files,
        follow_redirects=False,
    )


def _login(client, username):
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_token_of(client)},
    )


def test_registering_a_registered_credit_code_offers_the_claim(app):
    client = TestClient(app)
    response = client.post(
        "/register/enterprise",
        data={
            "username": "zhang",
            "display_name": "张经理",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "name": "随便",
            "credit_code": app.state.credit_code,
            "kind": "private",
            "industry": "A",
            "county_code": "140829",
            "privacy_consent": "1",
            "csrf_token": csrf_token_of(client),
        },
    )
    assert response.status_code == 422
    assert f"/register/claim/enterprise?credit_code={app.state.credit_code}" in response.text


def test_the_claim_form_reports_every_problem_at_once(app):
    client = TestClient(app)
    response = _claim(
        client,
        app,
        files={"document": ("x.txt", b"hello", "text/plain")},
        credit_code="123",
        username="a",
        password_again="other",
    )
    assert response.status_code == 422
    text = response.text
    assert "统一社会信用代码应为 18 位" in text
    assert "不是 PDF、JPG 或 PNG 文件" in text
    assert "两次输入的密码不一致" in text
    assert 'id="field-username-error"' in text
    assert 'value="张经理"' in text  # values kept


def test_a_claim_is_reviewed_by_its_county_bureau_with_the_proof(app):
    applicant = TestClient(app)
    response = _claim(applicant, app)
    assert (response.status_code, response.headers["location"]) == (303, "/account")
    assert "待审核" in applicant.get("/account").text

    bureau = TestClient(app)
    _login(bureau, "pinglu")
    page = bureau.get("/registrations").text
    assert "认领已登记单位" in page and "该单位已有有效账号（old）" in page
    link = page.split('href="/registrations/')[1].split('"')[0]
    proof = bureau.get(f"/registrations/{link}")
    assert proof.status_code == 200 and proof.headers["content-type"] == "image/png"
    assert proof.headers["cache-control"] == "private, no-store"

    other = TestClient(app)
    _login(other, "ruicheng")
    assert "平陆县黄河果业有限公司" not in other.get("/registrations").text
    assert other.get(f"/registrations/{link}").status_code == 404
