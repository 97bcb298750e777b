"""No slow work inside a write unit of work, through the pages and GraphQL (decision 0016).

Each path that hashes or verifies a password, decodes a photo, parses a spreadsheet or checks
import rows runs with the probe of tests/slow_work.py: the slow function must have run, and never
while the request's writer was open (SQLite has one write lock for everyone).
"""

import base64
import csv
import io

import pytest
from openpyxl import Workbook
from sqlmodel import select

from app.models import Cooperative, ProductImage, User, Village
from app.schema.node import global_id_of
from app.services import api_tokens
from app.services.accounts import actor_for
from app.services.imports.columns import KINDS
from tests.factories import valid_credit_code
from tests.slow_work import SlowWorkProbe
from tests.trade_factories import image_bytes
from tests.web.test_web_registration import _register_enterprise
from tests.web.trade_site import PASSWORD, build_site, post


@pytest.fixture
def site(fresh_db, make_settings):
    return build_site(fresh_db, make_settings())


@pytest.fixture
def probe(monkeypatch):
    return SlowWorkProbe(monkeypatch)


def assert_outside_writers(probe, *expected):
    assert {name: probe.calls[name] > 0 for name in expected} == dict.fromkeys(expected, True)
    assert probe.writers > 0
    assert dict(probe.inside_writer) == {}


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [("hezuoshe", PASSWORD, 303), ("hezuoshe", "Wrong2026x", 422), ("nobody", PASSWORD, 422)],
    ids=["right", "wrong-password", "unknown-user"],
)
def test_sign_in_verifies_outside_the_writer(site, probe, username, password, status):
    client = site.client()
    probe.reset()
    response = post(client, "/login", {"username": username, "password": password})
    assert response.status_code == status
    assert_outside_writers(probe, "argon2")


def test_registration_hashes_outside_the_writer(site, probe):
    response = _register_enterprise(site.client())
    assert response.status_code == 303
    assert_outside_writers(probe, "argon2")


def test_password_change_verifies_and_hashes_outside_the_writer(site, probe):
    client = site.client("hezuoshe")
    probe.reset()
    form = {
        "old_password": PASSWORD,
        "new_password": "Fenhe2027x",
        "new_password_again": "Fenhe2027x",
    }
    assert post(client, "/account/password", form).status_code == 303
    assert probe.calls["argon2"] == 2  # the old one verified, the new one hashed
    assert_outside_writers(probe, "argon2")


def test_product_photo_is_decoded_outside_the_writer(site, probe):
    client = site.client("hezuoshe")
    probe.reset()
    files = {"image": ("a.png", image_bytes("PNG", (800, 600)), "image/png")}
    response = post(client, f"/my/products/{site.product_id}/images", {}, files=files)
    assert response.status_code == 303
    assert_outside_writers(probe, "pillow")


def _rows(site, kind: str) -> list[dict]:
    with site.db.read_only() as session:
        village = session.exec(select(Village)).first()
        cooperative = session.get(Cooperative, site.cooperative_id)
    return {
        "villages": [{"code": "140829100777", "name": "东坡村", "county_code": "140829"}],
        "enterprises": [
            {
                "credit_code": valid_credit_code(),
                "name": "平陆县新建农业有限公司",
                "kind": "民营企业",
                "industry": "A",
                "county_code": "140829",
            }
        ],
        "cooperatives": [
            {"credit_code": valid_credit_code(), "name": "东坡合作社", "village_code": village.code}
        ],
        "products": [
            {
                "cooperative_credit_code": cooperative.credit_code,
                "name": "百合干",
                "category": "水果",
                "unit": "斤",
                "price": "12.50",
                "stock": "100",
            }
        ],
    }[kind]


def _file(kind: str, rows: list[dict], fmt: str) -> bytes:
    headers = [c.header for c in KINDS[kind].columns]
    lines = [headers] + [[row.get(c.field, "") for c in KINDS[kind].columns] for row in rows]
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerows(lines)
        return text.getvalue().encode("utf-8-sig")
    book = Workbook()
    book.active.title = KINDS[kind].title
    for line in lines:
        book.active.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_each_import_is_parsed_and_checked_outside_the_writer(site, probe, kind, fmt):
    client = site.client("pinglu")
    probe.reset()
    content = _file(kind, _rows(site, kind), fmt)
    response = post(client, "/imports", {"kind": kind}, files={"file": (f"a.{fmt}", content)})
    assert response.status_code == 303, response.text
    assert_outside_writers(probe, "openpyxl" if fmt == "xlsx" else "csv", "row check")


def _bearer(site, username: str) -> dict:
    with site.db.unit_of_work() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        _token, raw = api_tokens.create_api_token(
            session=session, actor=actor_for(user), name="测试"
        )
    return {"Authorization": f"Bearer {raw}"}


def test_graphql_password_change_verifies_and_hashes_outside_the_writer(site, probe):
    query = """mutation($old: String!, $new: String!) {
      changePassword(input: {oldPassword: $old, newPassword: $new}) { errors { code } } }"""
    headers = _bearer(site, "hezuoshe")
    probe.reset()
    response = site.client().post(
        "/graphql",
        json={"query": query, "variables": {"old": PASSWORD, "new": "Fenhe2027x"}},
        headers=headers,
    )
    data = response.json()["data"]
    assert data["changePassword"]["errors"] == []
    assert probe.calls["argon2"] == 2
    assert_outside_writers(probe, "argon2")


def test_graphql_product_photo_is_decoded_outside_the_writer(site, probe):
    query = """mutation($id: ID!, $content: String!) {
      addProductImage(input: {productId: $id, contentBase64: $content}) { errors { code } } }"""
    content = base64.b64encode(image_bytes("PNG", (640, 480))).decode()
    headers = _bearer(site, "hezuoshe")
    probe.reset()
    response = site.client().post(
        "/graphql",
        json={
            "query": query,
            "variables": {"id": global_id_of("Product", site.product_id), "content": content},
        },
        headers=headers,
    )
    data = response.json()["data"]
    assert data["addProductImage"]["errors"] == []
    assert_outside_writers(probe, "pillow")
    with site.db.read_only() as session:
        assert len(session.exec(select(ProductImage)).all()) == 1
