"""用户管理 through GraphQL: the list each actor may manage, and its mutations."""

import base64

import pytest
from sqlmodel import select

from app.models import User
from app.services import password_resets

LIST = "{ managedUsers(first: 100) { totalCount nodes { id username isActive assignment } } }"


def gid(name: str, key) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


def _usernames(gql, actor) -> set[str]:
    return {n["username"] for n in gql.data(LIST, actor=actor)["managedUsers"]["nodes"]}


def test_a_county_officer_manages_its_countys_organisations_only(gql):
    names = _usernames(gql, "bureau_county")
    assert {"village", "cooperative", "enterprise_a"} <= names
    assert not names & {"bureau_county", "bureau_city", "bureau_other_county", "admin"}
    assert _usernames(gql, "admin") >= {"bureau_city", "admin", "village"}


@pytest.mark.parametrize("actor", ["anonymous", "enterprise_a", "village"])
def test_organisations_cannot_list_users(gql, actor):
    body = gql.run(LIST, actor=actor)
    assert body["data"] is None or body["data"]["managedUsers"] is None
    assert body["errors"][0]["extensions"]["code"] in ("permission_denied", "unauthenticated")


def test_an_officer_filters_by_role_and_text(gql):
    data = gql.data(
        '{ managedUsers(role: VILLAGE, query: "vill") { nodes { username role } } }',
        actor="bureau_county",
    )
    assert [n["username"] for n in data["managedUsers"]["nodes"]] == ["village"]


ISSUE = """mutation($id: ID!) { issueResetCode(input: {userId: $id}) {
  code expiresAt errors { code message } } }"""
DEACTIVATE = """mutation($id: ID!) { deactivateUser(input: {userId: $id, reason: "调离"}) {
  user { username isActive } errors { code message } } }"""
REASSIGN = """mutation($id: ID!, $seen: String!, $org: ID) {
  reassignUser(input: {userId: $id, role: VILLAGE, organisationId: $org,
                       expectedAssignment: $seen}) {
    user { assignment } errors { code field } } }"""


def test_a_reset_code_is_issued_once_and_works(gql_writer):
    user_id = gql_writer.world.world.user_ids["village"]
    result = gql_writer.data(ISSUE, {"id": gid("ManagedUser", user_id)}, actor="bureau_county")
    code = result["issueResetCode"]["code"]
    assert len(password_resets.normalise_code(code)) == 8 and result["issueResetCode"]["expiresAt"]
    refused = gql_writer.data(
        ISSUE, {"id": gid("ManagedUser", user_id)}, actor="bureau_other_county"
    )
    assert refused["issueResetCode"]["errors"][0]["code"] == "permission_denied"
    attempt = password_resets.prepare_reset(
        username="village", secret=code, new_password="Fenhe2027x", kind="code"
    )
    with gql_writer.database.unit_of_work() as session:
        assert password_resets.redeem_reset(session=session, attempt=attempt, address="1.2.3.4")
    # The village's API token ended with the reset.
    assert gql_writer.data("{ me { username } }", actor="village")["me"] is None


def test_a_deactivated_user_loses_its_api_token(gql_writer):
    user_id = gql_writer.world.world.user_ids["cooperative"]
    assert gql_writer.data("{ me { username } }", actor="cooperative")["me"]
    result = gql_writer.data(DEACTIVATE, {"id": gid("ManagedUser", user_id)}, actor="admin")
    assert result["deactivateUser"] == {
        "user": {"username": "cooperative", "isActive": False},
        "errors": [],
    }
    assert gql_writer.data("{ me { username } }", actor="cooperative")["me"] is None


def test_a_stale_reassignment_is_refused(gql_writer):
    world = gql_writer.world.world
    user_id = world.user_ids["village"]
    variables = {
        "id": gid("ManagedUser", user_id),
        "seen": "village:0",
        "org": gid("Village", world.spare_village_id),
    }
    result = gql_writer.data(REASSIGN, variables, actor="bureau_county")
    assert result["reassignUser"]["errors"][0]["code"] == "stale_version"
    with gql_writer.database.read_only() as session:
        seen = f"village:{session.exec(select(User.village_id).where(User.id == user_id)).one()}"
    result = gql_writer.data(REASSIGN, variables | {"seen": seen}, actor="bureau_county")
    assert result["reassignUser"] == {
        "user": {"assignment": f"village:{world.spare_village_id}"},
        "errors": [],
    }
