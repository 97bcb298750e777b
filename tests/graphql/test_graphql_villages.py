"""Villages through GraphQL: filters, orderings, paging, lookups, private fields and needs."""

import base64

import pytest

from app.actors import Actor, Role
from tests.graphql.conftest import data_of, execute

ALL_CODES = ["140802001201", "140802001202", "140829100201", "140829100202", "140829100203"]
VILLAGES = """
query($filter: VillageFilter, $order: VillageOrder, $first: Int, $after: String) {
  villages(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { code }
  }
}"""


def _gid(name: str, key) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


def _villages(db, **variables) -> dict:
    return data_of(execute(db, VILLAGES, variables))["villages"]


def _codes(db, **variables) -> list[str]:
    return [node["code"] for node in _villages(db, **variables)["nodes"]]


def test_every_village_is_listed_in_code_order_by_default(scenario_db):
    villages = _villages(scenario_db)
    assert villages["totalCount"] == 5
    assert [n["code"] for n in villages["nodes"]] == ALL_CODES
    assert villages["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    ("filter_", "codes"),
    [
        ({"countyCode": "140829"}, ALL_CODES[2:]),
        ({"countyCategory": "KEY"}, ALL_CODES[2:]),
        ({"countyCategory": "DEMONSTRATION"}, ALL_CODES[:2]),
        ({"countyCategory": "OVERALL"}, []),
        ({"keyVillage": True}, ["140802001202", "140829100201", "140829100202"]),
        ({"keyVillage": False}, ["140802001201", "140829100203"]),
        # Paired: an active agreement (v1, v3); proposed, completed and terminated ones do not count.
        ({"paired": True}, ["140829100201", "140829100203"]),
        ({"paired": False}, ["140802001201", "140802001202", "140829100202"]),
        ({"needKind": "INDUSTRY"}, ["140829100202"]),
        # The sales need of 140802001201 is met, not open.
        ({"needKind": "SALES"}, []),
        ({"countyCode": "140829", "keyVillage": True, "paired": False}, ["140829100202"]),
    ],
)
def test_filters(scenario_db, filter_, codes):
    assert _codes(scenario_db, filter=filter_) == codes


def test_orderings(scenario_db):
    assert _codes(scenario_db, order="UPDATED_DESC")[0] == "140802001202"
    by_name = _codes(scenario_db, order="NAME")
    assert sorted(by_name) == sorted(ALL_CODES)


def test_paging_forward_with_cursors(scenario_db):
    first = _villages(scenario_db, first=2)
    assert [n["code"] for n in first["nodes"]] == ALL_CODES[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    second = _villages(scenario_db, first=2, after=first["pageInfo"]["endCursor"])
    assert [n["code"] for n in second["nodes"]] == ALL_CODES[2:4]
    assert second["pageInfo"]["hasPreviousPage"] is True
    last = _villages(scenario_db, first=2, after=second["pageInfo"]["endCursor"])
    assert [n["code"] for n in last["nodes"]] == ALL_CODES[4:]
    assert last["pageInfo"]["hasNextPage"] is False
    assert last["totalCount"] == 5


def test_first_zero_gives_only_the_count(scenario_db):
    villages = _villages(scenario_db, first=0)
    assert (villages["nodes"], villages["totalCount"]) == ([], 5)
    assert villages["pageInfo"]["endCursor"] is None


@pytest.mark.parametrize(
    ("variables", "code", "message"),
    [
        ({"first": 101}, "page_size_invalid", "first 应在 0 到 100 之间（收到 101）"),
        ({"first": -1}, "page_size_invalid", "first 应在 0 到 100 之间（收到 -1）"),
        ({"after": "not-a-cursor"}, "invalid_cursor", "游标无效，请使用 pageInfo.endCursor 的值"),
    ],
)
def test_bad_paging_arguments_are_refused_with_a_code(scenario_db, variables, code, message):
    result = execute(scenario_db, VILLAGES, variables)
    assert result.data is None or result.data.get("villages") is None
    assert [(e.message, e.extensions["code"]) for e in result.errors] == [(message, code)]


def test_one_village_by_code_by_id_and_by_node(scenario_db):
    found = data_of(
        execute(scenario_db, '{ village(code: "140829100202") { id code name county { name } } }')
    )["village"]
    assert (found["code"], found["county"]["name"]) == ("140829100202", "平陆县")
    by_id = data_of(execute(scenario_db, "query($id: ID!) { village(id: $id) { code } }", found))
    by_node = data_of(
        execute(scenario_db, "query($id: ID!) { node(id: $id) { ... on Village { code } } }", found)
    )
    assert by_id["village"] == by_node["node"] == {"code": "140829100202"}


def test_unknown_village_is_null_and_a_foreign_id_is_refused(scenario_db):
    missing = execute(
        scenario_db, "query($id: ID!) { village(id: $id) { code } }", {"id": _gid("Village", 999)}
    )
    assert data_of(missing) == {"village": None}
    assert data_of(execute(scenario_db, '{ village(code: "000000000000") { code } }')) == {
        "village": None
    }
    foreign = execute(
        scenario_db, "query($id: ID!) { village(id: $id) { code } }", {"id": _gid("Enterprise", 1)}
    )
    assert [(e.message, e.extensions["code"]) for e in foreign.errors] == [
        ("编号无效，请使用查询结果中的 id", "invalid_id")
    ]


@pytest.mark.parametrize(
    "code",
    ["14082910020\x00", "\x00", "1408291002021", "14082910020x", "１４０８２９１００２０２", ""],
    ids=["nul-inside", "nul", "13-digits", "letter", "full-width", "empty"],
)
def test_a_code_that_cannot_be_a_village_code_finds_nothing(scenario_db, code):
    # PostgreSQL refuses a NUL byte in text with an error: such a code must not reach it.
    result = execute(scenario_db, "query($c: String) { village(code: $c) { code } }", {"c": code})
    assert (result.errors, result.data) == (None, {"village": None})


def test_needs_are_public_and_open_ones_by_default(scenario_db):
    query = """{ v2: village(code: "140829100202") { needs { totalCount nodes { kind description amount status village { code } } } }
                 v4: village(code: "140802001201") {
                   open: needs { totalCount }
                   met: needs(status: MET) { nodes { kind status } } } }"""
    data = data_of(execute(scenario_db, query))
    assert data["v2"]["needs"] == {
        "totalCount": 1,
        "nodes": [
            {
                "kind": "INDUSTRY",
                "description": "建设冷库",
                "amount": "123456.00",
                "status": "OPEN",
                "village": {"code": "140829100202"},
            }
        ],
    }
    assert data["v4"]["open"] == {"totalCount": 0}
    assert data["v4"]["met"] == {"nodes": [{"kind": "SALES", "status": "MET"}]}


PRIVATE = (
    '{ village(code: "140829100201") { population contactName contactPhone monitoredHouseholds } }'
)


@pytest.mark.parametrize(
    ("actor", "sees", "contact"),
    [
        (Actor(role=Role.anonymous), False, False),
        # Approved organisations see the household figures; a contact only with a dealing:
        # enterprise 1 has an agreement with village 1, cooperative 1 is in it; 3 has none.
        (Actor(role=Role.enterprise, enterprise_id=1), True, True),
        (Actor(role=Role.cooperative, cooperative_id=1), True, True),
        (Actor(role=Role.enterprise, enterprise_id=3), True, False),
        # Staff of a pending organisation act for none.
        (Actor(role=Role.enterprise, user_id=9), False, False),
        (Actor(role=Role.village, village_id=1), True, True),
        (Actor(role=Role.village, village_id=2), False, False),
        (Actor(role=Role.bureau, region_code="140830"), False, False),
        (Actor(role=Role.bureau, region_code="140829"), True, True),
        (Actor(role=Role.bureau, region_code="140800"), True, True),
        (Actor(role=Role.admin), False, True),
    ],
)
def test_private_village_fields_follow_the_permission(scenario_db, actor, sees, contact):
    village = data_of(execute(scenario_db, PRIVATE, actor=actor))["village"]
    assert village["population"] == 1000
    assert village["monitoredHouseholds"] == (0 if sees else None)
    assert (village["contactName"], village["contactPhone"]) == (
        ("", "") if contact else (None, None)
    )


def test_counties_are_the_thirteen_in_code_order(scenario_db):
    counties = data_of(execute(scenario_db, "{ counties { code name category } }"))["counties"]
    assert len(counties) == 13
    assert counties[0] == {"code": "140802", "name": "盐湖区", "category": "DEMONSTRATION"}
    assert {c["code"]: c["category"] for c in counties}["140829"] == "KEY"
