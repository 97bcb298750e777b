"""A village's own profile and needs list through GraphQL."""

import pytest

from app.services.privacy import PERSONAL_NUMBER_MESSAGE
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts

# A resident ID number with a valid check digit (GB 11643).
ID_NUMBER = "11010519491231002X"

PROFILE = """mutation($i: UpdateVillageProfileInput!) {
  updateVillageProfile(input: $i) {
    village { households liftedHouseholds mainIndustries contactName contactPhone }
    errors { field code message }
  }
}"""
NEED = """mutation($i: %s!) {
  %s(input: $i) { need { kind description amount headcount status } errors { field code message } }
}"""


def profile_input(client, **overrides) -> dict:
    return {
        "villageId": gid("Village", client.world.world.village_id),
        "expectedVersion": client.world.ids["village_version"],
        "population": 1200,
        "households": 320,
        "liftedHouseholds": 40,
        "monitoredHouseholds": 3,
        "mainIndustries": " 苹果、花椒 ",
        "resources": "",
        "introduction": "",
        "contactName": "王支书",
        "contactPhone": "139 0000 0001",
    } | overrides


def test_the_village_updates_its_profile(gql_writer):
    before = row_counts(gql_writer.database)
    result = payload(gql_writer, PROFILE, profile_input(gql_writer), actor="village")
    assert result == {
        "village": {
            "households": 320,
            "liftedHouseholds": 40,
            "mainIndustries": "苹果、花椒",
            "contactName": "王支书",
            # Masked even for the village itself: the full number is an audited reveal.
            "contactPhone": "139****0001",
        },
        "errors": [],
    }
    after = row_counts(gql_writer.database)
    assert after["events"] == before["events"] + 1
    assert after["search_outbox"] == before["search_outbox"] + 1


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"liftedHouseholds": 400},
            [("liftedHouseholds", "lifted_exceeds_households", "脱贫户数不能多于户数")],
        ),
        (
            {"contactPhone": "call me", "population": -5},
            [
                ("population", "greater_than_equal", "户籍人口不能小于 0"),
                ("contactPhone", "value_error", "联系电话只能包含数字、空格、+ 和 -"),
            ],
        ),
        (
            {"introduction": "有事请打村委电话 0359-3500000", "resources": "身份证 " + ID_NUMBER},
            [
                ("resources", "value_error", PERSONAL_NUMBER_MESSAGE),
                ("introduction", "value_error", PERSONAL_NUMBER_MESSAGE),
            ],
        ),
    ],
)
def test_profile_errors_in_chinese_write_nothing(gql_writer, overrides, errors):
    before = row_counts(gql_writer.database)
    result = payload(gql_writer, PROFILE, profile_input(gql_writer, **overrides), actor="village")
    assert (result["village"], errors_of(result)) == (None, errors)
    assert row_counts(gql_writer.database) == before


def test_needs_are_added_changed_met_and_withdrawn(gql_writer):
    village = gid("Village", gql_writer.world.world.village_id)
    added = payload(
        gql_writer,
        NEED % ("AddVillageNeedInput", "addVillageNeed"),
        {"villageId": village, "kind": "FUNDING", "description": "修建灌溉水渠", "amount": "5.5"},
        actor="village",
    )
    assert added == {
        "need": {
            "kind": "FUNDING",
            "description": "修建灌溉水渠",
            "amount": "5.50",
            "headcount": None,
            "status": "OPEN",
        },
        "errors": [],
    }
    need = gid("VillageNeed", gql_writer.world.world.need_id)
    changed = payload(
        gql_writer,
        NEED % ("UpdateVillageNeedInput", "updateVillageNeed"),
        {
            "needId": need,
            "expectedVersion": 1,
            "kind": "EMPLOYMENT",
            "description": "采摘季用工",
            "headcount": 20,
        },
        actor="village",
    )
    assert changed["need"]["headcount"] == 20
    status = NEED % ("SetVillageNeedStatusInput", "setVillageNeedStatus")
    met = payload(
        gql_writer, status, {"needId": need, "expectedVersion": 2, "status": "MET"}, actor="village"
    )
    assert met["need"]["status"] == "MET"
    before = row_counts(gql_writer.database)
    again = payload(
        gql_writer, status, {"needId": need, "expectedVersion": 3, "status": "MET"}, actor="village"
    )
    assert errors_of(again) == [(None, "invalid_state", "该需求已是“已满足”")]
    assert row_counts(gql_writer.database) == before
    listed = gql_writer.data(
        "query($id: ID!) { village(id: $id) { needs(status: MET) { nodes { id } } } }",
        {"id": village},
    )
    assert listed["village"]["needs"]["nodes"] == [{"id": need}]


def test_need_errors_in_chinese(gql_writer):
    result = payload(
        gql_writer,
        NEED % ("AddVillageNeedInput", "addVillageNeed"),
        {
            "villageId": gid("Village", gql_writer.world.world.village_id),
            "kind": "SALES",
            "description": "卖",
            "amount": "1.999",
        },
        actor="village",
    )
    assert errors_of(result) == [
        ("description", "string_too_short", "需求内容至少 4 个字符"),
        ("amount", "value_error", "所需金额最多保留两位小数（精确到分）"),
    ]
