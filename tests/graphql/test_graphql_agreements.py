"""Agreements and outcome reports through GraphQL: scopes equal the predicate, filters, lookups,
nested fields both ways."""

import base64

import pytest
import sqlalchemy as sa

from app.models import OutcomeReport, PairingAgreement, Village
from app.permissions import can_see_agreement
from tests.authz.world import ACTORS


def gid(name: str, key) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


def _visible_numbers(database, actor) -> set[str]:
    with database.read_only() as session:
        rows = session.execute(
            sa.select(PairingAgreement, Village.county_code).join(
                Village, Village.id == PairingAgreement.village_id
            )
        ).all()
    return {
        a.number
        for a, county in rows
        if can_see_agreement(actor, a.enterprise_id, a.village_id, county)
    }


@pytest.mark.parametrize("actor", ACTORS)
def test_the_agreement_list_is_exactly_what_the_predicate_allows(gql, world_db, actor):
    data = gql.data("{ agreements(first: 100) { totalCount nodes { number } } }", actor=actor)
    numbers = {n["number"] for n in data["agreements"]["nodes"]}
    assert numbers == _visible_numbers(world_db, gql.world.world.actors[actor])
    assert data["agreements"]["totalCount"] == len(numbers)


@pytest.mark.parametrize("actor", ACTORS)
def test_the_report_list_follows_its_agreements(gql, world_db, actor):
    data = gql.data(
        "{ outcomeReports(first: 100) { nodes { period agreement { number } } } }", actor=actor
    )
    seen = {(r["agreement"]["number"], r["period"]) for r in data["outcomeReports"]["nodes"]}
    visible = _visible_numbers(world_db, gql.world.world.actors[actor])
    with world_db.read_only() as session:
        rows = session.execute(
            sa.select(PairingAgreement.number, OutcomeReport.year, OutcomeReport.quarter).join(
                PairingAgreement, PairingAgreement.id == OutcomeReport.agreement_id
            )
        ).all()
    assert seen == {(n, f"{y}Q{q}") for n, y, q in rows if n in visible}


def _numbers(gql, filter_: dict, actor="bureau_city") -> set[str]:
    query = "query($f: AgreementFilter) { agreements(first: 100, filter: $f) { nodes { number status startOn endOn helpKinds } } }"
    return gql.data(query, {"f": filter_}, actor=actor)["agreements"]["nodes"]


def test_filters(gql, world_db):
    everything = _numbers(gql, {})
    active = _numbers(gql, {"status": ["ACTIVE"]})
    assert active and {a["status"] for a in active} == {"ACTIVE"}
    assert len(_numbers(gql, {"status": ["ACTIVE", "PROPOSED", "SIGNED"]})) > len(active)
    started_2026 = _numbers(gql, {"startFrom": "2026-01-01", "startTo": "2026-12-31"})
    assert started_2026 and all(a["startOn"].startswith("2026") for a in started_2026)
    ended_2025 = _numbers(gql, {"endTo": "2025-12-31"})
    assert ended_2025 and all(a["endOn"] <= "2025-12-31" for a in ended_2025)
    assert _numbers(gql, {"endFrom": "2040-01-01"}) == []
    industry = _numbers(gql, {"helpKind": "INDUSTRY"})
    assert industry and all("INDUSTRY" in a["helpKinds"] for a in industry)
    other = _numbers(gql, {"countyCode": "140830"})
    assert len(other) == 1
    by_village = _numbers(gql, {"villageId": gid("Village", gql.world.ids["other_village"])})
    by_enterprise = _numbers(
        gql, {"enterpriseId": gid("Enterprise", gql.world.ids["other_enterprise"])}
    )
    assert by_village == by_enterprise == other
    assert len(everything) == len(_visible_numbers(world_db, gql.world.world.actors["bureau_city"]))


def test_orderings(gql):
    query = "query($o: AgreementOrder) { agreements(first: 100, orderBy: $o) { nodes { number startOn endOn } } }"
    by_start = gql.data(query, {"o": "START_ON"}, actor="admin")["agreements"]["nodes"]
    assert [a["startOn"] for a in by_start] == sorted(a["startOn"] for a in by_start)
    by_number = gql.data(query, {"o": "NUMBER"}, actor="admin")["agreements"]["nodes"]
    assert [a["number"] for a in by_number] == sorted(a["number"] for a in by_number)


def test_an_agreement_by_number_with_its_reports_and_latest_report(gql):
    agreement_id = gid("PairingAgreement", gql.world.ids["active_agreement"])
    found = gql.data(
        "query($id: ID!) { agreement(id: $id) { number } }", {"id": agreement_id}, actor="village"
    )["agreement"]
    detail = gql.data(
        """query($n: String!) { agreement(number: $n) {
            id status enterprise { name } village { code }
            reports { period status }
            latestReport { period status returnComment }
        } }""",
        {"n": found["number"]},
        actor="village",
    )["agreement"]
    assert detail["id"] == agreement_id
    assert detail["enterprise"]["name"] == "乙企业"
    periods = [r["period"] for r in detail["reports"]]
    assert periods == sorted(periods) and len(periods) >= 3
    assert detail["latestReport"]["period"] == periods[-1]
    assert gql.data('{ agreement(number: "JD-0000-000000") { id } }', actor="admin") == {
        "agreement": None
    }


def test_nested_both_ways(gql):
    query = """query($id: ID!) { village(id: $id) { code
        agreements(status: [ACTIVE]) { nodes { number
          enterprise { name agreements(first: 100) { nodes { number village { code } } } } } } } }"""
    village = gql.data(
        query, {"id": gid("Village", gql.world.ids["village"])}, actor="bureau_county"
    )
    agreements = village["village"]["agreements"]["nodes"]
    assert agreements
    for agreement in agreements:
        back = agreement["enterprise"]["agreements"]["nodes"]
        assert agreement["number"] in {a["number"] for a in back}
        assert village["village"]["code"] in {a["village"]["code"] for a in back}


def test_an_agreement_seen_elsewhere_stays_hidden_to_the_other_county(gql):
    """The other county's bureau sees the village's public profile, not its agreements."""
    query = (
        """query($id: ID!) { village(id: $id) { name contactName agreements { totalCount } } }"""
    )
    data = gql.data(
        query, {"id": gid("Village", gql.world.ids["village"])}, actor="bureau_other_county"
    )
    assert data["village"]["contactName"] is None
    assert data["village"]["agreements"]["totalCount"] == 0
