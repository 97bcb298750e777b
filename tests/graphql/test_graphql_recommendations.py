"""Recommendations and the coverage planner through GraphQL: the service's ranking with its
Chinese score parts, paged by cursor; the plan for review; accepted lines become proposals."""

import pytest

from app.services.pairing import planner, recommendations
from tests.factories import make_village
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts

VILLAGES = """query($id: ID!, $first: Int, $after: String) {
  recommendedVillages(enterpriseId: $id, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { score village { id name } parts { criterion side points text } } }
  }
}"""


@pytest.fixture(scope="module")
def expected(world_db, world_template):
    """Every village recommended to enterprise 甲, best first, straight from the service
    (with five more villages in this module's copy of the world, to page through)."""
    world = world_template.world.world
    with world_db.unit_of_work() as session:
        for n in range(5):
            make_village(session, key_village=n % 2 == 0, main_industries="苹果")
    with world_db.read_only() as session:
        found = recommendations.recommend_villages(
            session=session,
            actor=world.actors["enterprise_a"],
            enterprise_id=world.enterprise_a,
            size=100,
        )
    return [
        {
            "score": item.score,
            "village": {"id": gid("Village", item.candidate.id), "name": item.candidate.name},
            "parts": [
                {
                    "criterion": p.criterion,
                    "side": p.side.value.upper(),
                    "points": p.points,
                    "text": p.text,
                }
                for p in item.parts
            ],
        }
        for item in found.items
    ]


def _page(gql, *, first, after=None):
    variables = {"id": gid("Enterprise", gql.world.world.enterprise_a), "first": first}
    if after is not None:
        variables["after"] = after
    return gql.data(VILLAGES, variables, actor="enterprise_a")["recommendedVillages"]


def test_the_ranking_and_its_parts_are_the_services(gql, expected):
    page = _page(gql, first=100)
    # Nine: the world's draft and returned agreements (enterprise 乙's) add two villages.
    assert page["totalCount"] == len(expected) == 9
    assert [edge["node"] for edge in page["edges"]] == expected
    assert all(n["score"] == sum(p["points"] for p in n["parts"]) for n in expected)
    assert any(p["text"].startswith("重点帮扶村") for n in expected for p in n["parts"])


def test_cursors_page_through_aligned_or_not(gql, expected):
    first = _page(gql, first=1)
    assert [e["node"] for e in first["edges"]] == expected[:1]
    assert first["pageInfo"]["hasNextPage"] is True
    # After the first item, two at a time: an offset (1) that is no multiple of the size (2).
    second = _page(gql, first=2, after=first["pageInfo"]["endCursor"])
    assert [e["node"] for e in second["edges"]] == expected[1:3]
    aligned = _page(gql, first=2, after=second["edges"][0]["cursor"])
    assert [e["node"] for e in aligned["edges"]] == expected[2:4]
    last = _page(gql, first=2, after=_page(gql, first=100)["pageInfo"]["endCursor"])
    assert (last["edges"], last["pageInfo"]["hasNextPage"]) == ([], False)
    assert _page(gql, first=0)["edges"] == []


def test_enterprises_recommended_to_a_village(gql, world_db):
    world = gql.world.world
    with world_db.read_only() as session:
        found = recommendations.recommend_enterprises(
            session=session, actor=world.actors["village"], village_id=world.village_id, size=100
        )
    data = gql.data(
        """query($id: ID!) { recommendedEnterprises(villageId: $id, first: 100) {
          totalCount nodes { score enterprise { id } parts { text } } } }""",
        {"id": gid("Village", world.village_id)},
        actor="village",
    )["recommendedEnterprises"]
    assert data["totalCount"] == found.total
    assert [(n["enterprise"]["id"], n["score"]) for n in data["nodes"]] == [
        (gid("Enterprise", item.candidate.id), item.score) for item in found.items
    ]


def test_a_refused_recommendation_is_a_permission_error(gql):
    body = gql.run(
        VILLAGES, {"id": gid("Enterprise", gql.world.world.enterprise_a)}, actor="village"
    )
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["permission_denied"]


PLAN = """{ coveragePlan { villages enterprises places totalScore
  lines { score village { id } enterprise { id } parts { text } } unassigned { id } } }"""
ACCEPT = """mutation($i: AcceptCoveragePlanInput!) {
  acceptCoveragePlan(input: $i) {
    agreements { status startOn endOn village { id } enterprise { id } }
    errors { field code message }
  }
}"""


def test_the_plan_is_the_services_and_accepted_lines_become_proposals(gql_writer):
    world = gql_writer.world.world
    with gql_writer.database.read_only() as session:
        plan = planner.plan_coverage(session=session, actor=world.actors["bureau_county"])
    data = gql_writer.data(PLAN, actor="bureau_county")["coveragePlan"]
    assert (data["villages"], data["enterprises"], data["places"], data["totalScore"]) == (
        plan.villages,
        plan.enterprises,
        plan.places,
        plan.total_score,
    )
    lines = [
        {"villageId": line["village"]["id"], "enterpriseId": line["enterprise"]["id"]}
        for line in data["lines"]
    ]
    assert lines
    assert lines == [
        {
            "villageId": gid("Village", line.village.id),
            "enterpriseId": gid("Enterprise", line.enterprise.id),
        }
        for line in plan.lines
    ]
    before = row_counts(gql_writer.database)
    result = payload(
        gql_writer,
        ACCEPT,
        {"lines": lines, "startOn": "2027-01-01", "years": 2},
        actor="bureau_county",
    )
    assert result["errors"] == []
    assert [(a["status"], a["startOn"], a["endOn"]) for a in result["agreements"]] == [
        ("DRAFT", "2027-01-01", "2028-12-31")
    ] * len(lines)
    after = row_counts(gql_writer.database)
    assert after["pairing_agreements"] == before["pairing_agreements"] + len(lines)
    again = payload(gql_writer, ACCEPT, {"lines": lines}, actor="bureau_county")
    assert errors_of(again) == [(None, "plan_outdated", "方案生成后情况已有变化，请重新生成方案")]
    assert row_counts(gql_writer.database) == after


def test_accepting_nothing_or_twice_the_same_village_is_refused(gql_writer):
    world = gql_writer.world.world
    line = {
        "villageId": gid("Village", world.spare_village_id),
        "enterpriseId": gid("Enterprise", world.enterprise_b),
    }
    before = row_counts(gql_writer.database)
    empty = payload(gql_writer, ACCEPT, {"lines": []}, actor="bureau_county")
    assert errors_of(empty) == [("lines", "lines_required", "请至少选择一条结对")]
    twice = payload(gql_writer, ACCEPT, {"lines": [line, line]}, actor="bureau_county")
    assert errors_of(twice) == [("lines", "plan_invalid", "同一个村只能选择一条结对")]
    years = payload(gql_writer, ACCEPT, {"lines": [line], "years": 9}, actor="bureau_county")
    assert errors_of(years) == [("years", "less_than_equal", "帮扶年限不能大于 5")]
    assert row_counts(gql_writer.database) == before
