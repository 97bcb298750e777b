"""Invitation codes through real HTTP requests: the bureau downloads the list (xlsx, CSV) with
Chinese headers, regenerates and revokes; staff set up their account at /invite."""

import csv
import io

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from app.actors import SYSTEM
from app.asgi import create_app
from app.models.enums import UserRole
from app.services.accounts import create_user
from tests.factories import make_cooperative, make_county, make_enterprise
from tests.web.conftest import csrf_token_of

PASSWORD = "Huanghe2026"
HEADERS = ["名称", "统一社会信用代码/村代码", "邀请码", "有效期至"]


@pytest.fixture
def app(fresh_db, make_settings):
    with fresh_db.unit_of_work() as session:
        make_county(session)
        make_county(session, code="140830", name="芮城县", category="overall")
        make_enterprise(session, name="平陆县无账号企业")
        make_cooperative(session, name="南坡村种植专业合作社")
        for username, region in (("pinglu", "140829"), ("ruicheng", "140830")):
            create_user(
                session=session,
                actor=SYSTEM,
                account={"username": username, "display_name": "审核员", "password": PASSWORD},
                role=UserRole.bureau,
                region_code=region,
            )
    return create_app(make_settings(), database=fresh_db)


def _post(client, url, **data):
    return client.post(
        url, data=data | {"csrf_token": csrf_token_of(client)}, follow_redirects=False
    )


def _officer(app, username="pinglu") -> TestClient:
    client = TestClient(app)
    _post(client, "/login", username=username, password=PASSWORD)
    return client


def test_the_bureau_downloads_codes_once_and_staff_accept_one(app):
    officer = _officer(app)
    assert "邀请码" in officer.get("/invitations").text
    response = _post(officer, "/invitations/generate", kind="enterprise", format="csv")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == HEADERS and len(rows) == 2 and rows[1][0] == "平陆县无账号企业"
    code = rows[1][2]
    # Asking again: nothing left to invite.
    again = _post(officer, "/invitations/generate", kind="enterprise", format="csv")
    assert (again.status_code, again.headers["location"]) == (303, "/invitations")

    sheet = _post(officer, "/invitations/generate", kind="cooperative", format="xlsx")
    book = load_workbook(io.BytesIO(sheet.content))
    values = list(book.active.values)
    assert list(values[0]) == HEADERS and values[1][0] == "南坡村种植专业合作社"

    staff = TestClient(app)
    bad = _post(
        staff, "/invite", code="WRONG-CODE-0000", username="a", password="short", password_again="x"
    )
    assert bad.status_code == 422
    assert "两次输入的密码不一致" in bad.text and 'id="field-username-error"' in bad.text
    done = _post(
        staff,
        "/invite",
        code=code.lower(),
        username="liu_kuaiji",
        display_name="刘会计",
        password=PASSWORD,
        password_again=PASSWORD,
        privacy_consent="1",
    )
    assert (done.status_code, done.headers["location"]) == (
        303,
        "/agreements",
    )  # the enterprise's home
    assert "平陆县无账号企业" in staff.get("/account").text
    assert "已使用" in officer.get("/invitations").text


def test_regenerate_shows_the_new_code_once_and_other_counties_cannot(app):
    officer = _officer(app)
    _post(officer, "/invitations/generate", kind="enterprise", format="csv")
    page = officer.get("/invitations").text
    invitation_id = page.split('action="/invitations/')[2].split("/")[0]
    other = _officer(app, "ruicheng")
    assert "平陆县无账号企业" not in other.get("/invitations").text
    refused = _post(other, f"/invitations/{invitation_id}/revoke")
    assert refused.status_code in (303, 403)
    assert "已作废" not in officer.get("/invitations").text
    fresh = _post(officer, f"/invitations/{invitation_id}/regenerate")
    assert fresh.status_code == 200 and 'id="issued-code"' in fresh.text
    assert "已作废" in fresh.text
