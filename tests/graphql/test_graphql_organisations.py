"""Enterprises and cooperatives through GraphQL: public registry, pending ones, private fields."""

import base64

import pytest
import sqlalchemy as sa

from app.models import Cooperative, Enterprise, Village
from app.models.enums import RegistrationStatus
from app.permissions import can_see_cooperative, can_see_enterprise
from tests.authz.world import ACTORS


def gid(name: str, key) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


@pytest.mark.parametrize("actor", ACTORS)
def test_enterprise_list_equals_the_predicate(gql, world_db, actor):
    data = gql.data("{ enterprises(first: 100) { totalCount nodes { name } } }", actor=actor)
    names = {n["name"] for n in data["enterprises"]["nodes"]}
    who = gql.world.world.actors[actor]
    with world_db.read_only() as session:
        rows = session.execute(sa.select(Enterprise)).scalars().all()
    expected = {
        e.name
        for e in rows
        if can_see_enterprise(
            who, e.id, e.county_code, approved=e.status == RegistrationStatus.approved
        )
    }
    assert names == expected
    assert data["enterprises"]["totalCount"] == len(expected)


@pytest.mark.parametrize("actor", ACTORS)
def test_cooperative_list_equals_the_predicate(gql, world_db, actor):
    data = gql.data("{ cooperatives(first: 100) { nodes { name } } }", actor=actor)
    who = gql.world.world.actors[actor]
    with world_db.read_only() as session:
        rows = session.execute(
            sa.select(Cooperative, Village.county_code).join(
                Village, Village.id == Cooperative.village_id
            )
        ).all()
    expected = {
        c.name
        for c, county in rows
        if can_see_cooperative(who, c.id, county, approved=c.status == RegistrationStatus.approved)
    }
    assert {n["name"] for n in data["cooperatives"]["nodes"]} == expected


def test_enterprise_filters(gql):
    query = "query($f: EnterpriseFilter) { enterprises(first: 100, filter: $f) { nodes { name kind offers county { code } status } } }"
    other = gql.data(query, {"f": {"countyCode": "140830"}})["enterprises"]["nodes"]
    assert [e["name"] for e in other] == ["芮城丙企业"]
    assert gql.data(query, {"f": {"kind": "SCHOOL"}})["enterprises"]["nodes"] == []
    assert gql.data(query, {"f": {"offers": "WELFARE"}})["enterprises"]["nodes"] == []
    pending = gql.data(query, {"f": {"status": "PENDING"}}, actor="bureau_county")
    assert [e["name"] for e in pending["enterprises"]["nodes"]] == ["待审核企业"]
    assert gql.data(query, {"f": {"status": "PENDING"}})["enterprises"]["nodes"] == []


def test_enterprise_details_and_the_industry_name(gql):
    query = """query($id: ID!) { enterprise(id: $id) {
        name creditCode industry industryName kind county { name } externalRegion maxVillages
        contactName reservedShare statusReason } }"""
    enterprise_a = {"id": gid("Enterprise", gql.world.world.enterprise_a)}
    public = gql.data(query, enterprise_a)["enterprise"]
    assert (public["name"], public["industry"], public["industryName"]) == (
        "甲企业",
        "A",
        "农、林、牧、渔业",
    )
    assert (public["contactName"], public["reservedShare"], public["statusReason"]) == (
        None,
        None,
        None,
    )
    own = gql.data(query, enterprise_a, actor="enterprise_a")["enterprise"]
    assert (own["contactName"], own["reservedShare"], own["statusReason"]) == ("", "0.00", "")
    # 乙企业 has no agreement or order with 甲企业: no purpose, no contact.
    other = gql.data(query, enterprise_a, actor="enterprise_b")["enterprise"]
    assert (other["contactName"], other["reservedShare"], other["statusReason"]) == (
        None,
        None,
        None,
    )
    # The village 甲企业 proposed to sees it.
    village = gql.data(query, enterprise_a, actor="village")["enterprise"]
    assert village["contactName"] == ""


def test_cooperative_with_its_village_and_products(gql):
    query = """query($id: ID!) { node(id: $id) { ... on Product { cooperative {
        name status village { code } contactName products(first: 10) { totalCount nodes { name status } } } } } }"""
    product = {"id": gid("Product", gql.world.ids["listed_product"])}
    public = gql.data(query, product)["node"]["cooperative"]
    assert public["name"] == "合作社甲" and public["contactName"] is None
    assert {p["status"] for p in public["products"]["nodes"]} == {"LISTED"}
    own = gql.data(query, product, actor="cooperative")["node"]["cooperative"]
    assert {p["status"] for p in own["products"]["nodes"]} == {"LISTED", "DRAFT"}
    assert own["products"]["totalCount"] == len(own["products"]["nodes"])
