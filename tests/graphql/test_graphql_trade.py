"""Products, demands and orders through GraphQL (read-only until the trade mutations land)."""

import base64
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.actors import Actor, Role
from app.models import Demand, Order, Product, Village
from app.models.enums import Certification, DemandStatus, ProductStatus
from app.models.flags import to_mask
from app.permissions import can_see_demand, can_see_order, can_see_product
from app.services import clock
from tests.authz.world import ACTORS
from tests.graphql.conftest import data_of, execute

PRODUCTS = """query($f: ProductFilter, $o: ProductOrder) {
  products(first: 100, filter: $f, orderBy: $o) { totalCount nodes { name price status category } }
}"""


@pytest.fixture(scope="module")
def products_db(scenario_db):
    """The scenario's four products, made distinct: prices, a certification, an assistance badge."""
    today = clock.today()
    with scenario_db.unit_of_work() as session:
        products = session.execute(sa.select(Product).order_by(Product.id)).scalars().all()
        specs = [
            ("红富士苹果", 450, Certification.green, today + timedelta(days=30)),
            ("杜马百合", 3500, Certification.geographic_indication, None),
            ("小米", 800, None, today - timedelta(days=1)),
            ("花椒", 6000, None, None),
        ]
        for product, (name, price, certification, until) in zip(products, specs, strict=True):
            product.name, product.price_fen = name, price
            product.certifications = to_mask([certification], Certification) if certification else 0
            product.assistance_certified_until = until
    return scenario_db


def _names(db, actor=Actor(role=Role.anonymous), **variables) -> list[str]:
    data = data_of(execute(db, PRODUCTS, variables, actor=actor))
    return [p["name"] for p in data["products"]["nodes"]]


def test_anonymous_sees_listed_products_only(products_db):
    assert sorted(_names(products_db)) == ["杜马百合", "红富士苹果"]


def test_the_bureau_of_the_county_sees_drafts_and_delisted_ones(products_db):
    bureau = Actor(role=Role.bureau, region_code="140829")
    assert sorted(_names(products_db, bureau)) == ["小米", "杜马百合", "红富士苹果", "花椒"]
    other = Actor(role=Role.bureau, region_code="140830")
    assert sorted(_names(products_db, other)) == ["杜马百合", "红富士苹果"]


@pytest.mark.parametrize(
    ("filter_", "names"),
    [
        ({"priceMin": "4.50", "priceMax": "35"}, ["红富士苹果", "小米", "杜马百合"]),
        ({"priceMin": "4.51"}, ["小米", "杜马百合", "花椒"]),
        ({"priceMax": 8}, ["红富士苹果", "小米"]),
        ({"certification": "GREEN"}, ["红富士苹果"]),
        ({"certification": "ORGANIC"}, []),
        ({"assistanceCertified": True}, ["红富士苹果"]),
        ({"assistanceCertified": False}, ["小米", "杜马百合", "花椒"]),
        ({"status": ["DRAFT", "DELISTED"]}, ["小米", "花椒"]),
        ({"category": "VEGETABLE"}, ["红富士苹果", "小米", "杜马百合", "花椒"]),
        ({"category": "FRUIT"}, []),
        ({"countyCode": "140802"}, []),
    ],
)
def test_filters_as_the_county_bureau(products_db, filter_, names):
    bureau = Actor(role=Role.bureau, region_code="140829")
    found = _names(products_db, bureau, f=filter_, o="PRICE_ASC")
    assert found == names


def test_orderings_and_money(products_db):
    data = data_of(execute(products_db, PRODUCTS, {"o": "PRICE_DESC"}))["products"]["nodes"]
    assert [(p["name"], p["price"]) for p in data] == [
        ("杜马百合", "35.00"),
        ("红富士苹果", "4.50"),
    ]
    assert [
        p["name"]
        for p in data_of(execute(products_db, PRODUCTS, {"o": "NAME"}))["products"]["nodes"]
    ]


def test_product_details(products_db):
    query = """{ products(filter: {certification: GREEN}) { nodes {
        id unit minOrder stock harvestMonths certifications assistanceCertified assistanceCertifiedUntil
        rating ratingCount village { code } cooperative { name } } } }"""
    (product,) = data_of(execute(products_db, query))["products"]["nodes"]
    assert product["certifications"] == ["GREEN"]
    assert product["assistanceCertified"] is True
    assert product["assistanceCertifiedUntil"] == (clock.today() + timedelta(days=30)).isoformat()
    assert (product["rating"], product["ratingCount"]) == (None, 0)
    again = data_of(execute(products_db, "query($id: ID!) { product(id: $id) { unit } }", product))
    assert again == {"product": {"unit": "斤"}}


def _county_of_products(session) -> dict[int, str]:
    rows = session.execute(
        sa.select(Product.id, Village.county_code).join(Village, Village.id == Product.village_id)
    )
    return dict(rows.all())


@pytest.mark.parametrize("actor", ACTORS)
def test_world_lists_equal_the_predicates(gql, world_db, actor):
    who = gql.world.world.actors[actor]
    data = gql.data(
        """{ products(first: 100) { nodes { id name } } demands(first: 100) { nodes { title status buyer { name } } }
            orders(first: 100) { nodes { number amount unitPrice product { name } buyer { name } } } }""",
        actor=actor,
    )
    with world_db.read_only() as session:
        counties = _county_of_products(session)
        products = session.execute(sa.select(Product)).scalars().all()
        demands = session.execute(sa.select(Demand)).scalars().all()
        orders = session.execute(sa.select(Order)).scalars().all()
        by_id = {p.id: p for p in products}
    assert {p["name"] for p in data["products"]["nodes"]} == {
        p.name
        for p in products
        if can_see_product(
            who, p.cooperative_id, counties[p.id], listed=p.status == ProductStatus.listed
        )
    }
    assert {d["title"] for d in data["demands"]["nodes"]} == {
        d.title
        for d in demands
        if can_see_demand(who, d.buyer_id, is_open=d.status == DemandStatus.open)
    }
    assert {o["number"] for o in data["orders"]["nodes"]} == {
        o.number
        for o in orders
        if can_see_order(
            who, o.buyer_id, by_id[o.product_id].cooperative_id, counties[o.product_id]
        )
    }
    for order in data["orders"]["nodes"]:
        assert order["amount"].endswith(".00") or "." in order["amount"]


def test_order_filters(gql):
    query = (
        "query($f: OrderFilter) { orders(first: 100, filter: $f) { nodes { status placedAt } } }"
    )
    received = gql.data(query, {"f": {"status": ["RECEIVED"]}}, actor="admin")["orders"]["nodes"]
    assert [o["status"] for o in received] == ["RECEIVED"]
    today = clock.today().isoformat()
    assert (
        len(
            gql.data(query, {"f": {"placedFrom": today, "placedTo": today}}, actor="admin")[
                "orders"
            ]["nodes"]
        )
        >= 4
    )
    assert (
        gql.data(query, {"f": {"placedTo": "2000-01-01"}}, actor="admin")["orders"]["nodes"] == []
    )
    assert received[0]["placedAt"].endswith("+08:00")


def test_demand_filters(gql):
    query = "query($f: DemandFilter) { demands(filter: $f) { nodes { title category deliverBy maxUnitPrice } } }"
    buyer = base64.b64encode(f"Enterprise:{gql.world.world.enterprise_a}".encode()).decode()
    mine = gql.data(query, {"f": {"buyerId": buyer, "category": "VEGETABLE"}}, actor="enterprise_a")
    assert [d["title"] for d in mine["demands"]["nodes"]] == ["食堂采购百合"]
    assert (
        gql.data(query, {"f": {"status": ["CLOSED"]}}, actor="enterprise_a")["demands"]["nodes"]
        == []
    )
