"""GraphQL under abuse limits: requests per minute (429 with the error code), objection floods
and duplicates, and dismissObjections."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from app.asgi import create_app
from app.models import CertificationObjection, Event
from app.models.enums import ObjectionStatus
from app.services import certification
from app.services.clock import today
from tests.graphql.conftest import GraphQLClient, app_settings
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts

FROZEN = datetime(2026, 12, 7, 8, 0, 15, tzinfo=UTC)  # 15 s into a minute
QUERY = "{ disclosure { pairingCounts { code } } }"
FILE = """mutation($i: FileObjectionInput!) {
  fileObjection(input: $i) { objection { status } errors { field code message } }
}"""
DISMISS = """mutation($i: DismissObjectionsInput!) {
  dismissObjections(input: $i) {
    objections { id status resolution }
    errors { field code message }
  }
}"""


@pytest.fixture
def limited(fresh_world, world_template, monkeypatch):
    """A client of an app allowing 3 requests a minute per account and 2 per anonymous address."""
    monkeypatch.setattr("app.services.api_limits.utcnow", lambda: FROZEN)
    settings = app_settings(
        fresh_world.engine.url.render_as_string(hide_password=False),
        api_requests_per_minute=3,
        api_anonymous_requests_per_minute=2,
    )
    app = create_app(settings, database=fresh_world)
    # Sync by hand (below): a sync thread outliving the test would race its teardown.
    limiter = next(r.app for r in app.routes if getattr(r, "path", "") == "/graphql").rate_limiter
    limiter.background = False
    client = GraphQLClient(app, world_template.world)
    client.database = fresh_world
    client.limiter = limiter
    return client


def _refusal(response):
    assert response.status_code == 429
    assert response.headers["retry-after"] == "45"
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == "接口请求过于频繁，请 45 秒后再试"
    assert error["extensions"]["code"] == "throttled"
    assert error["extensions"]["retryAfter"] == 45


@pytest.mark.parametrize("actor", ["enterprise_a", "bureau_county", "anonymous"])
def test_requests_past_the_limit_answer_429_with_the_code(limited, actor):
    allowed = 2 if actor == "anonymous" else 3
    assert [limited.post(QUERY, actor=actor).status_code for _ in range(allowed)] == [200] * allowed
    _refusal(limited.post(QUERY, actor=actor))
    # Mutations count too, and refused ones run nothing.
    before = row_counts(limited.database)
    _refusal(
        limited.post(FILE, {"i": {"applicationId": "x", "reason": "重复提交的异议"}}, actor=actor)
    )
    assert row_counts(limited.database) == before


def test_each_account_and_each_address_has_its_own_count(limited):
    for _ in range(3):
        limited.post(QUERY, actor="enterprise_a")
    _refusal(limited.post(QUERY, actor="enterprise_a"))
    assert limited.post(QUERY, actor="enterprise_b").status_code == 200
    assert limited.post(QUERY).status_code == 200
    elsewhere = TestClient(limited.http.app, client=("203.0.113.77", 50000))
    response = elsewhere.post("/graphql", json={"query": QUERY})
    assert response.status_code == 200


# Objections --------------------------------------------------------------------------------------


def _on_notice(client) -> str:
    world = client.world.world
    with client.database.unit_of_work() as session:
        certification.approve_certification(
            session=session,
            actor=world.actors["bureau_county"],
            application_id=world.trade["application"],
            data={"expires_on": today().replace(year=today().year + 1, day=1)},
        )
    return gid("CertificationApplication", world.trade["application"])


def _file(client, application_id, contact):
    data = {"applicationId": application_id, "reason": "价格明显偏高。", "filerContact": contact}
    return payload(client, FILE, {"i": data}["i"], actor="anonymous")


def test_the_same_contact_gets_the_already_received_code(gql_writer):
    application_id = _on_notice(gql_writer)
    assert _file(gql_writer, application_id, "13912345678")["errors"] == []
    before = row_counts(gql_writer.database)
    again = _file(gql_writer, application_id, "+86 139 1234 5678")
    assert errors_of(again) == [
        (
            None,
            "objection_already_received",
            "该联系方式对这项认定提出的异议已收到，乡村振兴局正在核查，无需重复提交",
        )
    ]
    assert row_counts(gql_writer.database) == before


def test_an_objection_flood_through_the_api_is_throttled_per_address(gql_writer, monkeypatch):
    monkeypatch.setattr("app.services.limits.utcnow", lambda: FROZEN)
    application_id = _on_notice(gql_writer)
    for i in range(10):
        assert _file(gql_writer, application_id, f"1390000{i:04d}")["errors"] == []
    refused = _file(gql_writer, application_id, "13700000000")
    assert errors_of(refused) == [(None, "throttled", "提交过于频繁，请 1 小时后再试")]


def test_dismiss_objections_in_one_mutation(gql_writer):
    application_id = _on_notice(gql_writer)
    for i in range(4):
        _file(gql_writer, application_id, f"1390000{i:04d}")
    with gql_writer.database.read_only() as session:
        ids = session.exec(select(CertificationObjection.id)).all()
    data = {
        "applicationId": application_id,
        "objectionIds": [gid("CertificationObjection", i) for i in ids],
        "resolution": "同一内容重复提交",
    }
    refused = payload(gql_writer, DISMISS, data, actor="bureau_other_county")
    assert errors_of(refused) == [(None, "permission_denied", "您没有权限执行此操作")]
    bad = payload(gql_writer, DISMISS, data | {"objectionIds": ["nonsense"]}, actor="bureau_county")
    assert errors_of(bad) == [("objectionIds", "invalid_id", "编号无效，请使用查询结果中的 id")]
    done = payload(gql_writer, DISMISS, data, actor="bureau_county")
    assert done["errors"] == []
    assert [o["status"] for o in done["objections"]] == ["DISMISSED"] * 4
    with gql_writer.database.read_only() as session:
        statuses = set(session.exec(select(CertificationObjection.status)).all())
        bulk = session.exec(select(Event).where(Event.action == "objection.dismiss_bulk")).all()
    assert statuses == {ObjectionStatus.dismissed}
    assert len(bulk) == 1
