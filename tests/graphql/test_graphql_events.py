"""The audit trail through ``events(objectId)`` and objects through ``node(id)``."""

import base64

import pytest


def gid(name: str, key) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


EVENTS = "query($id: ID!) { events(objectId: $id) { totalCount nodes { action actorLabel summary occurredAt after } } }"


def test_the_bureau_reads_an_agreements_events(gql):
    proposal = gid("PairingAgreement", gql.world.world.proposal_id)
    events = gql.data(EVENTS, {"id": proposal}, actor="bureau_county")["events"]
    assert events["totalCount"] == 1
    (event,) = events["nodes"]
    assert event["action"] == "agreement.propose"
    assert event["summary"].endswith("提出结对帮扶")
    assert event["after"]["status"] == "proposed"
    assert event["occurredAt"].endswith("+08:00")


@pytest.mark.parametrize(
    ("actor", "code"),
    [
        # A party to the agreement sees it, but not its audit trail.
        ("village", "permission_denied"),
        ("enterprise_a", "permission_denied"),
        # Those who cannot see the agreement learn nothing, not even that it exists.
        ("bureau_other_county", "not_found"),
        ("anonymous", "not_found"),
    ],
)
def test_others_may_not(gql, actor, code):
    proposal = gid("PairingAgreement", gql.world.world.proposal_id)
    body = gql.run(EVENTS, {"id": proposal}, actor=actor)
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [code]


def test_events_of_a_registration_and_a_county(gql):
    registration = gid("Registration", gql.world.world.pending_user_id)
    events = gql.data(EVENTS, {"id": registration}, actor="bureau_city")["events"]
    assert [e["action"] for e in events["nodes"]] == ["account.register"]
    county = gql.data(EVENTS, {"id": gid("County", "140829")}, actor="admin")["events"]
    assert county == {"totalCount": 0, "nodes": []}


@pytest.mark.parametrize(
    "type_name",
    [
        "County",
        "Village",
        "VillageNeed",
        "Enterprise",
        "Cooperative",
        "PairingAgreement",
        "OutcomeReport",
        "Product",
        "Demand",
        "Order",
        "Registration",
        "ApiToken",
    ],
)
def test_every_node_type_round_trips_for_the_city_bureau(gql, world_db, type_name):
    import sqlalchemy as sa

    from app import models

    model = models.User if type_name == "Registration" else getattr(models, type_name)
    key_column = model.code if type_name == "County" else model.id
    if type_name == "ApiToken":
        key = gql.world.token_ids["bureau_city"]
    elif type_name == "Registration":
        key = gql.world.world.pending_user_id
    else:
        with world_db.read_only() as session:
            key = session.execute(sa.select(key_column).order_by(key_column)).scalars().first()
    node_id = gid(type_name, key)
    data = gql.data(
        "query($id: ID!) { node(id: $id) { __typename id } }", {"id": node_id}, actor="bureau_city"
    )
    assert data == {"node": {"__typename": type_name, "id": node_id}}


@pytest.mark.parametrize(
    "value", ["", "bm90LWEtbm9kZQ==", gid("Nope", 1), gid("Village", "x"), "%%%"]
)
def test_malformed_ids_are_null(gql, value):
    assert gql.data("query($id: ID!) { node(id: $id) { id } }", {"id": value}) == {"node": None}
