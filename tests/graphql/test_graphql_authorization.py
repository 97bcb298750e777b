"""Every GraphQL query, nested field, ``node(id)`` and mutation × the nine actors of the
authorization matrix (tests/authz/world.py).

A read path is a query that reaches one private object (or field) of the world; an actor either
reaches it or gets null, an empty list or a permission error — never the data. A write path is a
mutation; the allowed succeed, the others get payload errors and write nothing.
"""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from tests.authz.world import ACTORS, COUNTY_BUREAUS, PASSWORD, SIGNED_IN
from tests.factories import valid_credit_code
from tests.graphql import authz_pairing, authz_trade
from tests.graphql.authz_paths import (
    ADMIN_AND_COUNTY,
    NODE,
    ORGANISATION_STAFF,
    ReadPath,
    WritePath,
    gid,
    ids_of,
    in_connection,
    node_of,
    present,
)
from tests.graphql.graphql_world import GraphQLWorld

_in, _present, _node, _ids = in_connection, present, node_of, ids_of
ACTIVE_AGREEMENT_READERS = frozenset({"enterprise_b", "village"}) | ADMIN_AND_COUNTY
OTHER_COUNTY_AGREEMENT_READERS = frozenset({"bureau_other_county", "bureau_city", "admin"})
VILLAGE_PRIVATE = ORGANISATION_STAFF | COUNTY_BUREAUS
# Contacts (app.permissions.can_see_contact): the village's own staff, the enterprises with a
# proposal (a) or an agreement (b) with it, its cooperative, its bureaus and admins.
VILLAGE_CONTACT = VILLAGE_PRIVATE | {"admin"}
# Nobody of the world deals with the other county's village and enterprise.
OTHER_COUNTY_CONTACT = frozenset({"bureau_other_county", "bureau_city", "admin"})

READ_PATHS = [
    ReadPath("me", "{ me { username } }", lambda w: {}, _present("me"), SIGNED_IN),
    ReadPath(
        "counties",
        "{ counties { code } }",
        lambda w: {},
        lambda d, w: len(d["counties"]) == 2,
        frozenset(ACTORS),
    ),
    ReadPath(
        "villages",
        "{ villages(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("villages", "Village", "other_village"),
        frozenset(ACTORS),
    ),
    ReadPath(
        "village.contactName",
        "query($id: ID!) { village(id: $id) { contactName } }",
        _node("Village", "village"),
        _present("village.contactName"),
        VILLAGE_CONTACT,
    ),
    ReadPath(
        "village.contactPhone (other county)",
        "query($id: ID!) { village(id: $id) { contactPhone } }",
        _node("Village", "other_village"),
        _present("village.contactPhone"),
        OTHER_COUNTY_CONTACT,
    ),
    ReadPath(
        "village.monitoredHouseholds",
        "query($id: ID!) { village(id: $id) { monitoredHouseholds } }",
        _node("Village", "village"),
        _present("village.monitoredHouseholds"),
        VILLAGE_PRIVATE,
    ),
    ReadPath(
        "village.needs",
        "query($id: ID!) { village(id: $id) { needs { nodes { id } } } }",
        _node("Village", "village"),
        _in("village.needs", "VillageNeed", "need"),
        frozenset(ACTORS),
    ),
    ReadPath(
        "village.agreements",
        "query($id: ID!) { village(id: $id) { agreements { nodes { id } } } }",
        _node("Village", "village"),
        _in("village.agreements", "PairingAgreement", "active_agreement"),
        ACTIVE_AGREEMENT_READERS,
    ),
    ReadPath(
        "enterprise.agreements (other county)",
        "query($id: ID!) { enterprise(id: $id) { agreements { nodes { id } } } }",
        _node("Enterprise", "other_enterprise"),
        _in("enterprise.agreements", "PairingAgreement", "other_agreement"),
        OTHER_COUNTY_AGREEMENT_READERS,
    ),
    ReadPath(
        "agreements",
        "{ agreements(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("agreements", "PairingAgreement", "active_agreement"),
        ACTIVE_AGREEMENT_READERS,
    ),
    ReadPath(
        "agreements (other county)",
        "{ agreements(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("agreements", "PairingAgreement", "other_agreement"),
        OTHER_COUNTY_AGREEMENT_READERS,
    ),
    ReadPath(
        "agreement",
        "query($id: ID!) { agreement(id: $id) { id commitJobs } }",
        _node("PairingAgreement", "active_agreement"),
        _present("agreement"),
        ACTIVE_AGREEMENT_READERS,
    ),
    ReadPath(
        "node(PairingAgreement)",
        NODE,
        _node("PairingAgreement", "active_agreement"),
        _present("node"),
        ACTIVE_AGREEMENT_READERS,
    ),
    ReadPath(
        "outcomeReports",
        "{ outcomeReports(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("outcomeReports", "OutcomeReport", "submitted_report"),
        ACTIVE_AGREEMENT_READERS,
    ),
    ReadPath(
        "outcomeReports (other county)",
        "{ outcomeReports(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("outcomeReports", "OutcomeReport", "other_report"),
        OTHER_COUNTY_AGREEMENT_READERS,
    ),
    ReadPath(
        "node(OutcomeReport)",
        NODE,
        _node("OutcomeReport", "submitted_report"),
        _present("node"),
        ACTIVE_AGREEMENT_READERS,
    ),
    ReadPath(
        "enterprises (pending)",
        "{ enterprises(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("enterprises", "Enterprise", "pending_enterprise"),
        ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "enterprise (pending)",
        "query($id: ID!) { enterprise(id: $id) { id } }",
        _node("Enterprise", "pending_enterprise"),
        _present("enterprise"),
        ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "enterprise.contactName",
        "query($id: ID!) { enterprise(id: $id) { contactName } }",
        _node("Enterprise", "other_enterprise"),
        _present("enterprise.contactName"),
        OTHER_COUNTY_CONTACT,
    ),
    ReadPath(
        "enterprise.reservedShare",
        "query($id: ID!) { node(id: $id) { ... on Enterprise { reservedShare } } }",
        lambda w: {"id": gid("Enterprise", w.world.enterprise_a)},
        _present("node.reservedShare"),
        frozenset({"enterprise_a"}) | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "cooperatives (pending)",
        "{ cooperatives(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("cooperatives", "Cooperative", "pending_cooperative"),
        ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "node(Cooperative, pending)",
        NODE,
        _node("Cooperative", "pending_cooperative"),
        _present("node"),
        ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "products (draft)",
        "{ products(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("products", "Product", "draft_product"),
        frozenset({"cooperative"}) | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "product (draft)",
        "query($id: ID!) { product(id: $id) { id } }",
        _node("Product", "draft_product"),
        _present("product"),
        frozenset({"cooperative"}) | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "cooperative.products (draft)",
        "query($id: ID!) { node(id: $id) { ... on Product { cooperative { products(first: 100) { nodes { id } } } } } }",
        _node("Product", "listed_product"),
        _in("node.cooperative.products", "Product", "draft_product"),
        frozenset({"cooperative"}) | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "demands",
        "{ demands(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("demands", "Demand", "demand"),
        frozenset({"enterprise_a", "cooperative", "bureau_other_county"}) | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "node(Demand)",
        NODE,
        _node("Demand", "demand"),
        _present("node"),
        frozenset({"enterprise_a", "cooperative", "bureau_other_county"}) | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "orders",
        "{ orders(first: 100) { nodes { id } } }",
        lambda w: {},
        _in("orders", "Order", "order"),
        frozenset({"enterprise_a", "cooperative"}) | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "node(Order)",
        NODE,
        _node("Order", "order"),
        _present("node"),
        frozenset({"enterprise_a", "cooperative"}) | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "events",
        "query($id: ID!) { events(objectId: $id) { totalCount } }",
        _node("PairingAgreement", "proposal"),
        lambda d, w: d is not None and (d.get("events") or {}).get("totalCount", 0) > 0,
        ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "pendingRegistrations",
        "{ pendingRegistrations { nodes { id } } }",
        lambda w: {},
        lambda d, w: (
            gid("Registration", w.world.pending_user_id) in _ids(d["pendingRegistrations"])
        ),
        COUNTY_BUREAUS,
    ),
    ReadPath(
        "node(Registration)",
        NODE,
        lambda w: {"id": gid("Registration", w.world.pending_user_id)},
        _present("node"),
        COUNTY_BUREAUS,
    ),
    ReadPath(
        "node(ApiToken)",
        NODE,
        lambda w: {"id": gid("ApiToken", w.token_ids["enterprise_a"])},
        _present("node"),
        frozenset({"enterprise_a"}),
    ),
    ReadPath(
        "me.apiTokens",
        "{ me { apiTokens { id } } }",
        lambda w: {},
        lambda d, w: (
            d["me"] is not None
            and gid("ApiToken", w.token_ids["enterprise_a"])
            in {t["id"] for t in d["me"]["apiTokens"]}
        ),
        frozenset({"enterprise_a"}),
    ),
    ReadPath(
        "order.agreement / product / demand nested",
        "query($id: ID!) { node(id: $id) { ... on Order { product { id } buyer { id } } } }",
        _node("Order", "order"),
        _present("node.product"),
        frozenset({"enterprise_a", "cooperative"}) | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "report.agreement nested",
        "query($id: ID!) { node(id: $id) { ... on OutcomeReport { agreement { commitJobs } } } }",
        _node("OutcomeReport", "other_report"),
        _present("node.agreement"),
        OTHER_COUNTY_AGREEMENT_READERS,
    ),
]


READ_PATHS += [*authz_pairing.READ_PATHS, *authz_trade.READ_PATHS]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", READ_PATHS, ids=lambda p: p.name)
def test_read_paths(gql, path, actor):
    world = gql.world
    body = gql.run(path.query, path.variables(world), actor=actor)
    data = body.get("data")
    reached = data is not None and path.reached(data, world)
    assert reached == (actor in path.allowed), body
    for error in body.get("errors", []):
        # A refusal says so; it never leaks the object, nor fails inside the server.
        assert error["extensions"]["code"] in ("permission_denied", "not_found"), error


# Writes ---------------------------------------------------------------------------------------


def _proposal(w: GraphQLWorld) -> dict:
    return {
        "enterpriseId": gid("Enterprise", w.world.enterprise_a),
        "villageId": gid("Village", w.world.spare_village_id),
        "helpKinds": ["SALES"],
        "startOn": "2026-03-01",
        "endOn": "2028-02-28",
        "commitPurchase": "1000",
    }


WRITE_PATHS = [
    WritePath(
        "createVillage",
        "mutation($i: CreateVillageInput!) { createVillage(input: $i) { village { id } errors { code } } }",
        lambda w, a: {"i": {"code": "140829100198", "name": "新建村", "countyCode": "140829"}},
        COUNTY_BUREAUS,
    ),
    WritePath(
        "registerEnterprise",
        "mutation($i: RegisterEnterpriseInput!) { registerEnterprise(input: $i) { enterprise { id } errors { code } } }",
        lambda w, a: {
            "i": {
                "creditCode": valid_credit_code(),
                "name": "新登记企业",
                "kind": "PRIVATE",
                "industry": "C",
                "countyCode": "140829",
            }
        },
        COUNTY_BUREAUS,
    ),
    WritePath(
        "registerCooperative",
        "mutation($i: RegisterCooperativeInput!) { registerCooperative(input: $i) { cooperative { id } errors { code } } }",
        lambda w, a: {
            "i": {
                "creditCode": valid_credit_code("93140829"),
                "name": "新合作社",
                "villageId": gid("Village", w.world.village_id),
            }
        },
        COUNTY_BUREAUS,
    ),
    WritePath(
        "proposeAgreement",
        "mutation($i: ProposeAgreementInput!) { proposeAgreement(input: $i) { agreement { id } errors { code } } }",
        lambda w, a: {"i": _proposal(w)},
        frozenset({"enterprise_a"}),
    ),
    WritePath(
        "reviseProposal",
        "mutation($i: ReviseProposalInput!) { reviseProposal(input: $i) { agreement { id } errors { code } } }",
        lambda w, a: {
            "i": {
                "agreementId": gid("PairingAgreement", w.world.proposal_id),
                "expectedVersion": 1,
                "helpKinds": ["FUNDING"],
                "startOn": "2026-01-01",
                "endOn": "2027-12-31",
                "commitFundingWelfare": "1000",
            }
        },
        frozenset({"enterprise_a"}),
    ),
    WritePath(
        "reviewRegistration",
        "mutation($i: ReviewRegistrationInput!) { reviewRegistration(input: $i) { registration { id } errors { code } } }",
        lambda w, a: {
            "i": {"registrationId": gid("Registration", w.world.pending_user_id), "approve": True}
        },
        COUNTY_BUREAUS,
    ),
    WritePath(
        "createApiToken",
        'mutation { createApiToken(input: {name: "对接"}) { apiToken { id } errors { code } } }',
        lambda w, a: {},
        SIGNED_IN,
    ),
    WritePath(
        "revokeApiToken",
        "mutation($id: ID!) { revokeApiToken(input: {apiTokenId: $id}) { apiToken { id } errors { code } } }",
        # Each signed-in actor revokes its own token; anonymous tries enterprise A's.
        lambda w, a: {"id": gid("ApiToken", w.token_ids.get(a, w.token_ids["enterprise_a"]))},
        SIGNED_IN,
    ),
    WritePath(
        "changePassword",
        'mutation($old: String!) { changePassword(input: {oldPassword: $old, newPassword: "Fenhe2027x"}) { me { username } errors { code } } }',
        lambda w, a: {"old": PASSWORD},
        SIGNED_IN,
    ),
]


WRITE_PATHS += [
    WritePath(
        "revealContact",
        "mutation($i: RevealContactInput!) { revealContact(input: $i) { contact { phone } "
        "errors { code } } }",
        lambda w, a: {"i": {"organisationId": gid("Village", w.world.village_id)}},
        VILLAGE_CONTACT,
    ),
]
WRITE_PATHS += [*authz_pairing.WRITE_PATHS, *authz_trade.WRITE_PATHS]


def _row_counts(database) -> dict[str, int]:
    with database.read_only() as session:
        return {
            name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }


def _payload(body: dict) -> dict:
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    return payload


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("path", WRITE_PATHS, ids=lambda p: p.name)
def test_write_paths(request, path, actor, today_is):
    if path.name.startswith("submitReport"):
        today_is(date(2027, 1, 5))  # the world's 2026Q4 report is due once the quarter has ended
    if path.name == "proposeAgreement":
        today_is(date(2026, 2, 1))  # the proposal starts in that quarter
    client = request.getfixturevalue("gql_writer" if actor in path.allowed else "gql")
    database = client.database if actor in path.allowed else request.getfixturevalue("world_db")
    before = _row_counts(database)
    payload = _payload(client.run(path.query, path.variables(client.world, actor), actor=actor))
    after = _row_counts(database)
    if actor in path.allowed:
        assert payload["errors"] == []
        assert after["events"] > before["events"]
        return
    assert [e["code"] for e in payload["errors"]] in (
        ["permission_denied"],
        ["unauthenticated"],
        ["not_found"],
    )
    assert after == before
