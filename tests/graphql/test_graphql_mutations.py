"""Mutations: one payload shape, business errors in ``errors`` with Chinese messages, nothing
written on failure, and reads after a write that see it."""

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from app.models import ApiToken, Enterprise, Event, PairingAgreement, SearchOutbox, Village
from app.models.enums import RegistrationStatus
from app.services.pairing.capacity import open_agreement_count
from tests.authz.world import PASSWORD
from tests.factories import valid_credit_code
from tests.graphql.graphql_world import OTHER_VILLAGE_CODE
from tests.graphql.payload_checks import errors_of, gid, row_counts
from tests.web.conftest import csrf_token_of

CREATE_VILLAGE = """mutation($input: CreateVillageInput!) {
  createVillage(input: $input) {
    village { id code name keyVillage contactName county { name } }
    errors { field code message }
  }
}"""


def test_create_village(gql_writer):
    before = row_counts(gql_writer.database)
    data = gql_writer.data(
        CREATE_VILLAGE,
        {
            "input": {
                "code": "140829100198",
                "name": "新建村",
                "countyCode": "140829",
                "keyVillage": True,
                "contactName": "赵书记",
            }
        },
        actor="bureau_county",
    )["createVillage"]
    assert data["errors"] == []
    village = data["village"]
    assert (village["code"], village["name"], village["keyVillage"]) == (
        "140829100198",
        "新建村",
        True,
    )
    assert (village["contactName"], village["county"]["name"]) == ("赵书记", "平陆县")
    after = row_counts(gql_writer.database)
    assert after["villages"] == before["villages"] + 1
    assert after["events"] == before["events"] + 1
    assert after["search_outbox"] == before["search_outbox"] + 1
    again = gql_writer.data('{ village(code: "140829100198") { name } }')
    assert again == {"village": {"name": "新建村"}}


@pytest.mark.parametrize(
    ("input_", "errors"),
    [
        (
            {"code": "140829100198", "name": "新建村", "countyCode": "140830"},
            [(None, "permission_denied", "您没有权限执行此操作")],
        ),
        (
            {"code": "14082910019", "name": "新建村", "countyCode": "140829"},
            [("code", "village_code_invalid", "村级统计代码应为 12 位数字")],
        ),
        (
            {"code": "140829100198", "name": "新", "countyCode": "140829", "population": -1},
            [
                ("name", "string_too_short", "村名至少 2 个字符"),
                ("population", "greater_than_equal", "户籍人口不能小于 0"),
            ],
        ),
        (
            {"code": OTHER_VILLAGE_CODE, "name": "重复村", "countyCode": "140830"},
            [(None, "permission_denied", "您没有权限执行此操作")],
        ),
    ],
)
def test_create_village_refusals_write_nothing(gql_writer, input_, errors):
    before = row_counts(gql_writer.database)
    payload = gql_writer.data(CREATE_VILLAGE, {"input": input_}, actor="bureau_county")[
        "createVillage"
    ]
    assert payload["village"] is None
    assert errors_of(payload) == errors
    assert row_counts(gql_writer.database) == before


REGISTER_ENTERPRISE = """mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) {
    enterprise { name status offers reservedShare county { code } }
    errors { field code message }
  }
}"""


def _enterprise_input(**overrides) -> dict:
    return {
        "creditCode": valid_credit_code(),
        "name": "运城新登记果业有限公司",
        "kind": "PRIVATE",
        "industry": "a",
        "countyCode": "140829",
        "offers": ["SALES", "INDUSTRY"],
        "reservedShare": "250000.50",
    } | overrides


def test_register_enterprise_by_the_bureau_is_approved_at_once(gql_writer):
    payload = gql_writer.data(
        REGISTER_ENTERPRISE, {"input": _enterprise_input()}, actor="bureau_county"
    )["registerEnterprise"]
    assert payload == {
        "enterprise": {
            "name": "运城新登记果业有限公司",
            "status": "APPROVED",
            "offers": ["INDUSTRY", "SALES"],
            "reservedShare": "250000.50",
            "county": {"code": "140829"},
        },
        "errors": [],
    }


@pytest.mark.parametrize(
    ("actor", "overrides", "errors"),
    [
        ("anonymous", {}, [(None, "unauthenticated", "请先登录（或使用接口令牌）")]),
        ("enterprise_a", {}, [(None, "permission_denied", "您没有权限执行此操作")]),
        ("bureau_other_county", {}, [(None, "permission_denied", "您没有权限执行此操作")]),
        (
            "bureau_county",
            {"reservedShare": "1.234"},
            [("reservedShare", "amount_precision", "预留份额最多保留两位小数（精确到分）")],
        ),
        (
            "bureau_county",
            {"creditCode": "91140829MA0000000X"},
            [("creditCode", "credit_code_check", "统一社会信用代码校验位不正确，请核对后重新输入")],
        ),
    ],
)
def test_register_enterprise_refusals_write_nothing(gql_writer, actor, overrides, errors):
    before = row_counts(gql_writer.database)
    payload = gql_writer.data(
        REGISTER_ENTERPRISE, {"input": _enterprise_input(**overrides)}, actor=actor
    )["registerEnterprise"]
    assert (payload["enterprise"], errors_of(payload)) == (None, errors)
    assert row_counts(gql_writer.database) == before


REGISTER_COOPERATIVE = """mutation($input: RegisterCooperativeInput!) {
  registerCooperative(input: $input) {
    cooperative { name status members village { code } }
    errors { field code message }
  }
}"""


def test_register_cooperative_takes_a_global_village_id(gql_writer):
    village = gid("Village", gql_writer.world.ids["village"])
    good = {
        "creditCode": valid_credit_code("93140829"),
        "name": "百合种植专业合作社",
        "villageId": village,
        "members": 30,
    }
    payload = gql_writer.data(REGISTER_COOPERATIVE, {"input": good}, actor="bureau_city")[
        "registerCooperative"
    ]
    assert payload["errors"] == []
    assert (payload["cooperative"]["status"], payload["cooperative"]["members"]) == ("APPROVED", 30)
    wrong = good | {"creditCode": valid_credit_code("93140829"), "villageId": gid("Enterprise", 1)}
    refused = gql_writer.data(REGISTER_COOPERATIVE, {"input": wrong}, actor="bureau_city")[
        "registerCooperative"
    ]
    assert errors_of(refused) == [("villageId", "invalid_id", "编号无效，请使用查询结果中的 id")]


PROPOSE = """mutation($input: ProposeAgreementInput!) {
  proposeAgreement(input: $input) {
    agreement {
      id number status version helpKinds startOn endOn commitFundingBusiness commitFunding commitJobs
      enterprise { name agreements(first: 0) { totalCount } }
      village { id }
    }
    errors { field code message }
  }
}"""


def _proposal(world, village_id: int, **overrides) -> dict:
    return {
        "enterpriseId": gid("Enterprise", world.world.enterprise_a),
        "villageId": gid("Village", village_id),
        "helpKinds": ["INDUSTRY", "EMPLOYMENT", "FUNDING"],
        "startOn": "2026-03-01",
        "endOn": "2029-02-28",
        "commitFundingBusiness": "1000.50",
        "commitFundingWelfare": "99",
        "commitJobs": 5,
    } | overrides


def test_propose_then_revise_with_the_version(gql_writer, today_is):
    today_is(date(2026, 2, 1))  # the proposals start on 1 March 2026
    world = gql_writer.world
    spare = world.world.spare_village_id
    proposed = gql_writer.data(PROPOSE, {"input": _proposal(world, spare)}, actor="enterprise_a")[
        "proposeAgreement"
    ]
    assert proposed["errors"] == []
    agreement = proposed["agreement"]
    assert agreement["status"] == "PROPOSED"
    assert agreement["helpKinds"] == ["INDUSTRY", "EMPLOYMENT", "FUNDING"]
    assert (agreement["commitFundingBusiness"], agreement["commitFunding"]) == (
        "1000.50",
        "1099.50",
    )
    revise = """mutation($input: ReviseProposalInput!) { reviseProposal(input: $input) {
        agreement { version commitJobs helpKinds } errors { field code message } } }"""
    change = {
        "agreementId": agreement["id"],
        "expectedVersion": agreement["version"],
        "helpKinds": ["EMPLOYMENT"],
        "startOn": "2026-03-01",
        "endOn": "2028-02-29",
        "commitJobs": 8,
    }
    revised = gql_writer.data(revise, {"input": change}, actor="enterprise_a")["reviseProposal"]
    assert revised == {
        "agreement": {
            "version": agreement["version"] + 1,
            "commitJobs": 8,
            "helpKinds": ["EMPLOYMENT"],
        },
        "errors": [],
    }
    before = row_counts(gql_writer.database)
    stale = gql_writer.data(revise, {"input": change}, actor="enterprise_a")["reviseProposal"]
    assert errors_of(stale) == [(None, "stale_version", "该协议已被他人修改，请刷新后再试")]
    assert row_counts(gql_writer.database) == before


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"commitFundingBusiness": "12.345"},
            [("commitFundingBusiness", "value_error", "经营性资金最多保留两位小数（精确到分）")],
        ),
        ({"endOn": "2026-06-30"}, [("endOn", "value_error", "帮扶期限应为 1 至 5 年")]),
        ({"helpKinds": []}, [("helpKinds", "too_short", "请至少选择一项帮扶方式")]),
    ],
)
def test_proposal_field_errors(gql_writer, overrides, errors, today_is):
    today_is(date(2026, 2, 1))  # the proposals start on 1 March 2026
    spare = gql_writer.world.world.spare_village_id
    before = row_counts(gql_writer.database)
    payload = gql_writer.data(
        PROPOSE, {"input": _proposal(gql_writer.world, spare, **overrides)}, actor="enterprise_a"
    )["proposeAgreement"]
    assert (payload["agreement"], errors_of(payload)) == (None, errors)
    assert row_counts(gql_writer.database) == before


def test_a_duplicate_proposal_is_a_conflict(gql_writer, today_is):
    today_is(date(2026, 2, 1))  # the proposals start on 1 March 2026
    village = gql_writer.world.ids["village"]  # enterprise A already proposed to it
    payload = gql_writer.data(
        PROPOSE, {"input": _proposal(gql_writer.world, village)}, actor="enterprise_a"
    )["proposeAgreement"]
    assert errors_of(payload) == [
        (None, "duplicate_pairing", "与该村已有进行中的结对协议，请勿重复提交")
    ]


def test_a_proposal_beyond_the_enterprise_s_limit_is_a_conflict_naming_it(gql_writer, today_is):
    today_is(date(2026, 2, 1))  # the proposals start on 1 March 2026
    world = gql_writer.world
    with gql_writer.database.unit_of_work() as session:
        enterprise = session.get(Enterprise, world.world.enterprise_a)
        taken = open_agreement_count(session, enterprise.id)
        enterprise.max_villages = taken
        session.add(enterprise)
    village = world.ids["other_village"]
    payload = gql_writer.data(PROPOSE, {"input": _proposal(world, village)}, actor="enterprise_a")[
        "proposeAgreement"
    ]
    [(field, code, message)] = errors_of(payload)
    assert (field, code) == (None, "capacity_reached")
    assert f"同时结对帮扶的村数上限为 {taken} 个" in message


def test_each_mutation_of_an_operation_sees_the_ones_before(gql_writer, today_is):
    today_is(date(2026, 2, 1))  # the proposals start on 1 March 2026
    world = gql_writer.world
    with gql_writer.database.unit_of_work() as session:
        second = Village(
            code="140829100197",
            name="第二新村",
            township_code="140829100",
            county_code="140829",
        )
        session.add(second)
        session.flush()
        second_id = second.id
        # Room for the two proposals below within the enterprise's maximum number of villages.
        enterprise = session.get(Enterprise, world.world.enterprise_a)
        enterprise.max_villages = open_agreement_count(session, enterprise.id) + 2
        session.add(enterprise)
    operation = """mutation($a: ProposeAgreementInput!, $b: ProposeAgreementInput!) {
      first: proposeAgreement(input: $a) { agreement { enterprise { agreements(first: 0) { totalCount } } } }
      second: proposeAgreement(input: $b) { agreement { enterprise { agreements(first: 0) { totalCount } } } }
    }"""
    with gql_writer.database.read_only() as session:
        existing = session.execute(
            sa.select(sa.func.count()).where(
                PairingAgreement.enterprise_id == world.world.enterprise_a
            )
        ).scalar_one()
    data = gql_writer.data(
        operation,
        {"a": _proposal(world, world.world.spare_village_id), "b": _proposal(world, second_id)},
        actor="enterprise_a",
    )
    totals = [
        data[k]["agreement"]["enterprise"]["agreements"]["totalCount"] for k in ("first", "second")
    ]
    assert totals == [existing + 1, existing + 2]


REVIEW = """mutation($input: ReviewRegistrationInput!) {
  reviewRegistration(input: $input) {
    registration { username status statusReason enterprise { name status } }
    errors { field code message }
  }
}"""


def test_review_registration(gql_writer):
    registration = gid("Registration", gql_writer.world.world.pending_user_id)
    refused = gql_writer.data(
        REVIEW, {"input": {"registrationId": registration, "approve": False}}, actor="bureau_county"
    )["reviewRegistration"]
    assert errors_of(refused) == [("reason", "reason_required", "请填写不通过的原因")]
    approved = gql_writer.data(
        REVIEW, {"input": {"registrationId": registration, "approve": True}}, actor="bureau_county"
    )["reviewRegistration"]
    assert approved == {
        "registration": {
            "username": "pending1",
            "status": "APPROVED",
            "statusReason": "",
            "enterprise": {"name": "待审核企业", "status": "APPROVED"},
        },
        "errors": [],
    }
    again = gql_writer.data(
        REVIEW, {"input": {"registrationId": registration, "approve": True}}, actor="bureau_city"
    )["reviewRegistration"]
    assert errors_of(again) == [(None, "already_reviewed", "该申请已处理，请刷新页面")]


def test_pending_registrations_queue(gql_writer):
    query = "{ pendingRegistrations { totalCount nodes { username role status } } }"
    queue = gql_writer.data(query, actor="bureau_county")["pendingRegistrations"]
    assert queue == {
        "totalCount": 1,
        "nodes": [{"username": "pending1", "role": "ENTERPRISE", "status": "PENDING"}],
    }
    assert gql_writer.data(query, actor="bureau_other_county")["pendingRegistrations"] == {
        "totalCount": 0,
        "nodes": [],
    }


def test_api_tokens_created_used_and_revoked(gql_writer):
    created = gql_writer.data(
        'mutation { createApiToken(input: {name: "省平台对接"}) { apiToken { id name revokedAt } token errors { code } } }',
        actor="village",
    )["createApiToken"]
    assert created["token"].startswith("cq_") and created["errors"] == []
    headers = {"Authorization": f"Bearer {created['token']}"}
    me = gql_writer.http.post(
        "/graphql", json={"query": "{ me { username apiTokens { name } } }"}, headers=headers
    )
    assert me.json()["data"]["me"]["username"] == "village"
    assert {"name": "省平台对接"} in me.json()["data"]["me"]["apiTokens"]
    revoke = "mutation($id: ID!) { revokeApiToken(input: {apiTokenId: $id}) { apiToken { revokedAt } errors { field code message } } }"
    others = gql_writer.data(revoke, {"id": created["apiToken"]["id"]}, actor="enterprise_a")
    assert errors_of(others["revokeApiToken"]) == [(None, "not_found", "接口令牌不存在")]
    revoked = gql_writer.data(revoke, {"id": created["apiToken"]["id"]}, actor="village")
    assert revoked["revokeApiToken"]["apiToken"]["revokedAt"] is not None
    after = gql_writer.http.post("/graphql", json={"query": "{ me { username } }"}, headers=headers)
    assert after.json() == {"data": {"me": None}}
    with gql_writer.database.read_only() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(ApiToken)).scalar_one() >= 9


def test_api_token_name_is_checked(gql_writer):
    payload = gql_writer.data(
        'mutation { createApiToken(input: {name: "  "}) { apiToken { id } token errors { field code message } } }',
        actor="village",
    )["createApiToken"]
    assert (payload["apiToken"], payload["token"]) == (None, None)
    assert errors_of(payload) == [("name", "name_invalid", "请填写令牌用途（不超过 60 个字符）")]


def test_api_tokens_get_the_chosen_lifetime_and_only_an_offered_one(gql_writer):
    create = """mutation($days: Int!) { createApiToken(input: {name: "对接", lifetimeDays: $days}) {
      apiToken { createdAt expiresAt lastUsedAt } token errors { field code message } } }"""
    created = gql_writer.data(create, {"days": 180}, actor="village")["createApiToken"]
    token = created["apiToken"]
    lifetime = datetime.fromisoformat(token["expiresAt"]) - datetime.fromisoformat(
        token["createdAt"]
    )
    assert (lifetime, token["lastUsedAt"], created["errors"]) == (timedelta(days=180), None, [])
    for days in (0, 1, 91, 366, -30):
        refused = gql_writer.data(create, {"days": days}, actor="village")["createApiToken"]
        assert (refused["token"], errors_of(refused)) == (
            None,
            [("lifetimeDays", "lifetime_invalid", "有效期只能选择 30、90、180 或 365 天")],
        )


CHANGE = """mutation($old: String!, $new: String!) {
  changePassword(input: {oldPassword: $old, newPassword: $new}) { me { username } errors { field code message } }
}"""


def test_change_password(gql_writer):
    wrong = gql_writer.data(CHANGE, {"old": "nope-1234", "new": "Fenhe2027x"}, actor="admin")
    assert errors_of(wrong["changePassword"]) == [("oldPassword", "wrong_password", "原密码不正确")]
    weak = gql_writer.data(CHANGE, {"old": PASSWORD, "new": "short"}, actor="admin")
    assert errors_of(weak["changePassword"]) == [
        ("newPassword", "weak_password", "密码至少 8 位，且须同时包含字母和数字")
    ]
    changed = gql_writer.data(CHANGE, {"old": PASSWORD, "new": "Fenhe2027x"}, actor="admin")
    assert changed["changePassword"] == {"me": {"username": "admin"}, "errors": []}


def test_a_browser_that_changes_its_password_stays_signed_in(gql_writer):
    client = TestClient(gql_writer.http.app)
    token = csrf_token_of(client)
    client.post(
        "/login",
        data={"username": "bureau_city", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    csrf = csrf_token_of(client)
    other = TestClient(gql_writer.http.app)
    other_token = csrf_token_of(other)
    other.post(
        "/login",
        data={"username": "bureau_city", "password": PASSWORD, "csrf_token": other_token},
        follow_redirects=False,
    )
    body = {"query": CHANGE, "variables": {"old": PASSWORD, "new": "Fenhe2027x"}}
    changed = client.post("/graphql", json=body, headers={"X-CSRF-Token": csrf})
    assert changed.json()["data"]["changePassword"]["errors"] == []
    me = {"query": "{ me { username } }"}
    assert client.post("/graphql", json=me, headers={"X-CSRF-Token": csrf}).json() == {
        "data": {"me": {"username": "bureau_city"}}
    }
    # The other browser's session is refused now: it is anonymous (and its CSRF token is gone).
    assert other.get("/account", follow_redirects=False).status_code == 303


def test_registration_status_is_untouched_by_refused_reviews(gql_writer):
    registration = gid("Registration", gql_writer.world.world.pending_user_id)
    for actor in ("anonymous", "enterprise_a", "bureau_other_county", "admin"):
        payload = gql_writer.data(
            REVIEW, {"input": {"registrationId": registration, "approve": True}}, actor=actor
        )["reviewRegistration"]
        assert [e["code"] for e in payload["errors"]] == ["permission_denied"]
    with gql_writer.database.read_only() as session:
        statuses = (
            session.execute(sa.select(Enterprise.status).where(Enterprise.name == "待审核企业"))
            .scalars()
            .all()
        )
        events = session.execute(
            sa.select(sa.func.count()).where(Event.action == "account.approve")
        ).scalar_one()
    assert (statuses, events) == ([RegistrationStatus.pending], 0)


def test_search_outbox_rows_come_with_the_commit(gql_writer):
    before = row_counts(gql_writer.database)["search_outbox"]
    gql_writer.data(REGISTER_ENTERPRISE, {"input": _enterprise_input()}, actor="bureau_city")
    with gql_writer.database.read_only() as session:
        total = session.execute(sa.select(sa.func.count()).select_from(SearchOutbox)).scalar_one()
    assert total == before + 1
