"""Floods through real HTTP requests: 429 with Retry-After, the form kept, nothing written."""

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.models import CertificationObjection, Event, Village
from app.models.enums import ObjectionStatus
from tests.factories import valid_credit_code
from tests.web.conftest import csrf_token_of
from tests.web.notice_site import publicise
from tests.web.trade_site import build_site, post, row_counts

PASSWORD = "Huanghe2026"
FROZEN = datetime(2026, 12, 7, 8, 0, 30, tzinfo=UTC)  # 30 s into an hour: waits are exact


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("app.services.limits.utcnow", lambda: FROZEN)


@pytest.fixture
def site(fresh_db, make_settings, tmp_path, frozen):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _client(site, address: str) -> TestClient:
    return TestClient(site.app, client=(address, 50000))


# Sign-in -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("attacker", ["198.51.100.7", "2001:db8:7::1"])
def test_the_owner_signs_in_while_an_attacker_hammers_the_account(site, attacker):
    hammer = _client(site, attacker)
    answers = [
        post(hammer, "/login", {"username": "hezuoshe", "password": f"guess-{i}x"}).status_code
        for i in range(12)
    ]
    assert answers == [422] * 5 + [429] * 7
    assert post(hammer, "/login", {"username": "hezuoshe", "password": PASSWORD}).status_code == 429
    owner = _client(site, "10.20.30.40")
    assert post(owner, "/login", {"username": "hezuoshe", "password": PASSWORD}).status_code == 303
    assert owner.get("/account", follow_redirects=False).status_code == 200


# Registration ------------------------------------------------------------------------------------


def _register(client, username, credit_code=None):
    form = {
        "username": username,
        "display_name": "张三",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "name": f"{username}果业有限公司",
        "credit_code": credit_code or valid_credit_code(),
        "kind": "private",
        "industry": "A",
        "county_code": "140829",
        "offers": ["industry"],
        "privacy_consent": "1",
    }
    return post(client, "/register/enterprise", form)


@pytest.mark.parametrize("address", ["203.0.113.9", "2001:db8:1:2::9"])
def test_a_registration_flood_from_one_address_is_refused_with_429_and_nothing_written(
    site, address
):
    for i in range(5):  # the default: five an hour per address
        assert _register(_client(site, address), f"flood{i}").status_code == 303
    before = row_counts(site.db)
    response = _register(_client(site, address), "flood5")
    assert response.status_code == 429
    assert response.headers["retry-after"] == str(3600 - 30)
    assert "注册申请过于频繁，请 1 小时后再试" in response.text
    assert 'value="flood5"' in response.text  # the form is kept
    assert row_counts(site.db) == before
    # Someone else is not held back.
    assert _register(_client(site, "203.0.113.200"), "neighbour").status_code == 303


def test_registrations_for_one_village_are_limited_per_day(site):
    # Village staff join an existing village: without a limit one village could fill its
    # bureau's review queue from many addresses.
    with site.db.read_only() as session:
        village_id = session.exec(select(Village.id)).first()

    def register(i):
        form = {
            "username": f"cun{i}",
            "display_name": "村干部",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "county_code": "140829",
            "village_id": str(village_id),
            "privacy_consent": "1",
        }
        return post(_client(site, f"192.0.2.{i}"), "/register/village", form)

    assert [register(i).status_code for i in range(3)] == [303] * 3
    before = row_counts(site.db)
    refused = register(3)
    assert refused.status_code == 429
    assert "该单位的注册申请过于频繁，请 16 小时后再试" in refused.text
    assert row_counts(site.db) == before


# Objections --------------------------------------------------------------------------------------


def _object(client, application_id, contact, reason="价格明显偏高，质次价高。", htmx=False):
    data = {"reason": reason, "filer_contact": contact}
    return post(client, f"/disclosure/objections/{application_id}", data, htmx=htmx)


@pytest.mark.parametrize("htmx", [False, True])
def test_an_objection_flood_from_one_address_is_refused_with_429(site, htmx):
    application_id = publicise(site)
    flooder = _client(site, "198.51.100.23")
    for i in range(10):  # the default: ten an hour per address
        assert _object(flooder, application_id, f"1390000{i:04d}").status_code in (303, 204, 200)
    before = row_counts(site.db)
    response = _object(flooder, application_id, "13700000000", reason="第十一条异议", htmx=htmx)
    assert response.status_code == 429
    assert response.headers["retry-after"] == str(3600 - 30)
    assert "提交过于频繁，请 1 小时后再试" in response.text
    assert "第十一条异议" in response.text
    assert row_counts(site.db) == before


def test_the_same_contact_objecting_again_is_told_it_was_received(site):
    application_id = publicise(site)
    assert _object(_client(site, "10.0.0.1"), application_id, "13912345678").status_code == 303
    before = row_counts(site.db)
    again = _object(_client(site, "10.0.0.2"), application_id, "+86 139-1234-5678")
    assert again.status_code == 422
    assert "该联系方式对这项认定提出的异议已收到" in again.text
    assert row_counts(site.db) == before


# Bulk dismissal ----------------------------------------------------------------------------------


def _flood(site, application_id, count):
    for i in range(count):
        client = _client(site, f"10.1.{i // 200}.{i % 200}")
        assert _object(client, application_id, f"1380000{i:04d}").status_code == 303
    with site.db.read_only() as session:
        return list(session.exec(select(CertificationObjection.id)).all())


def test_the_bureau_dismisses_a_flood_in_one_post(site):
    application_id = publicise(site)
    ids = _flood(site, application_id, 12)
    bureau = site.client("pinglu")
    page = bureau.get("/certifications/objections")
    assert f'action="/certifications/objections/dismiss/{application_id}"' in page.text
    assert page.text.count('name="objection_ids"') == 12
    assert page.text.count("内容重复") == 12  # the same reason twelve times: marked as copies
    response = post(
        bureau,
        f"/certifications/objections/dismiss/{application_id}",
        {"objection_ids": [str(i) for i in ids[:11]], "resolution": "同一内容重复提交"},
    )
    assert response.status_code == 303
    with site.db.read_only() as session:
        statuses = session.exec(
            select(CertificationObjection.status).order_by(CertificationObjection.id)
        ).all()
        bulk = session.exec(select(Event).where(Event.action == "objection.dismiss_bulk")).one()
    assert statuses == [ObjectionStatus.dismissed] * 11 + [ObjectionStatus.open]
    assert bulk.after == {"dismissed": ids[:11]}
    # One left: no bulk form any more.
    assert "objections/dismiss/" not in bureau.get("/certifications/objections").text


def test_a_bulk_dismissal_without_a_resolution_keeps_the_choice_and_writes_nothing(site):
    application_id = publicise(site)
    ids = _flood(site, application_id, 3)
    bureau = site.client("pinglu")
    before = row_counts(site.db)
    response = post(
        bureau,
        f"/certifications/objections/dismiss/{application_id}",
        {"objection_ids": [str(ids[0])], "resolution": ""},
    )
    assert response.status_code == 422
    assert re.search(rf'value="{ids[0]}"\s+checked>', response.text)
    assert not re.search(rf'value="{ids[1]}"\s+checked>', response.text)
    assert row_counts(site.db) == before


def test_another_countys_bureau_cannot_dismiss_in_bulk(site):
    application_id = publicise(site)
    ids = _flood(site, application_id, 2)
    other = site.client("ruicheng")
    response = post(
        other,
        f"/certifications/objections/dismiss/{application_id}",
        {"objection_ids": [str(i) for i in ids], "resolution": "不成立"},
    )
    # Answered as if the certification did not exist (another county's objects are not told).
    assert response.status_code == 404
    with site.db.read_only() as session:
        assert set(session.exec(select(CertificationObjection.status)).all()) == {
            ObjectionStatus.open
        }


def test_csrf_is_still_required_for_the_bulk_dismissal(site):
    application_id = publicise(site)
    bureau = site.client("pinglu")
    csrf_token_of(bureau)
    response = bureau.post(
        f"/certifications/objections/dismiss/{application_id}",
        data={"objection_ids": ["1"], "resolution": "x"},
        follow_redirects=False,
    )
    assert response.status_code == 403
