"""Every GraphQL edit carries ``expectedVersion``; a stale one is ``stale_version`` in the payload
and writes nothing (docs/decisions/0015-every-edit-versioned.md). One row per service of the
registry in tests/edit_paths.py."""

import pytest
import sqlalchemy as sa

from app.models import Demand, Enterprise, Product, Village, VillageNeed
from app.services import versioning
from tests.edit_paths import edits
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts

EDITS = edits()

PRODUCT = {
    "name": "黄河滩枣",
    "category": "DRIED_NUT",
    "unit": "斤",
    "price": "18.80",
    "stock": 100,
}
PROFILE = {
    "population": 1200,
    "households": 320,
    "liftedHouseholds": 40,
    "monitoredHouseholds": 3,
    "mainIndustries": "苹果、花椒",
    "resources": "",
    "introduction": "",
    "contactName": "王支书",
    "contactPhone": "13900000001",
}

# service → (mutation, input type, actor, model, the row's id in the world, the input)
MUTATIONS = {
    "products.update_product": (
        "updateProduct",
        "UpdateProductInput",
        "cooperative",
        Product,
        lambda w: w.trade["product"],
        lambda w: PRODUCT | {"productId": gid("Product", w.trade["product"])},
    ),
    "products.update_price_and_stock": (
        "updatePriceAndStock",
        "UpdatePriceAndStockInput",
        "cooperative",
        Product,
        lambda w: w.trade["product"],
        lambda w: {"productId": gid("Product", w.trade["product"]), "price": "30", "stock": 100},
    ),
    "products.list_product": (
        "listProduct",
        "ProductStatusInput",
        "cooperative",
        Product,
        lambda w: w.trade["draft_product"],
        lambda w: {"productId": gid("Product", w.trade["draft_product"])},
    ),
    "products.delist_product": (
        "delistProduct",
        "ProductStatusInput",
        "cooperative",
        Product,
        lambda w: w.trade["product"],
        lambda w: {"productId": gid("Product", w.trade["product"])},
    ),
    "villages.update_village_profile": (
        "updateVillageProfile",
        "UpdateVillageProfileInput",
        "village",
        Village,
        lambda w: w.village_id,
        lambda w: PROFILE | {"villageId": gid("Village", w.village_id)},
    ),
    "villages.update_need": (
        "updateVillageNeed",
        "UpdateVillageNeedInput",
        "village",
        VillageNeed,
        lambda w: w.need_id,
        lambda w: {
            "needId": gid("VillageNeed", w.need_id),
            "kind": "EMPLOYMENT",
            "description": "采摘季用工 20 人",
        },
    ),
    "villages.set_need_status": (
        "setVillageNeedStatus",
        "SetVillageNeedStatusInput",
        "village",
        VillageNeed,
        lambda w: w.need_id,
        lambda w: {"needId": gid("VillageNeed", w.need_id), "status": "MET"},
    ),
    "consumption.set_reserved_share": (
        "setReservedShare",
        "SetReservedShareInput",
        "enterprise_a",
        Enterprise,
        lambda w: w.enterprise_a,
        lambda w: {"enterpriseId": gid("Enterprise", w.enterprise_a), "reservedShare": "5000"},
    ),
    "demands.close_demand": (
        "closeDemand",
        "CloseDemandInput",
        "enterprise_a",
        Demand,
        lambda w: w.trade["demand"],
        lambda w: {"demandId": gid("Demand", w.trade["demand"])},
    ),
}
MESSAGES = {path.name: path.message for path in EDITS}


def _row(database, model, row_id) -> dict:
    with database.read_only() as session:
        row = session.get(model, row_id)
        return {c.key: getattr(row, c.key) for c in sa.inspect(model).column_attrs}


def test_every_registered_edit_has_its_mutation():
    assert set(MUTATIONS) == {path.name for path in EDITS}


@pytest.mark.parametrize("offset", [-1, 1], ids=["older", "newer"])
@pytest.mark.parametrize("service", sorted(MUTATIONS))
def test_a_stale_expected_version_is_refused_and_nothing_is_written(gql_writer, service, offset):
    mutation, input_type, actor, model, row_id, variables = MUTATIONS[service]
    world = gql_writer.world.world
    query = f"""mutation($i: {input_type}!) {{
      {mutation}(input: $i) {{ errors {{ field code message }} }} }}"""
    # Given the row as it is, and a client that saw another version of it
    row = _row(gql_writer.database, model, row_id(world))
    before = row_counts(gql_writer.database)
    stale = row["version"] + offset
    # When the edit is sent with that version
    result = payload(gql_writer, query, variables(world) | {"expectedVersion": stale}, actor=actor)
    # Then the payload says stale_version in Chinese and nothing changed
    assert errors_of(result) == [(None, "stale_version", MESSAGES[service])]
    assert _row(gql_writer.database, model, row_id(world)) == row
    assert row_counts(gql_writer.database) == before


def test_expected_version_is_required_on_every_edit(gql_writer):
    # An edit without the version it was based on is not a valid operation at all.
    world = gql_writer.world.world
    for service, (mutation, input_type, actor, _, _, variables) in MUTATIONS.items():
        query = f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ errors {{ code }} }} }}"
        response = gql_writer.run(query, {"i": variables(world)}, actor=actor)
        assert response["data"] is None, service
        assert "expectedVersion" in response["errors"][0]["message"], service


STALE_FORM = """mutation($i: UpdateProductInput!) {
  updateProduct(input: $i) { product { stock } errors { field code message } } }"""
CONFIRM = """mutation($i: OrderStepInput!) {
  confirmOrder(input: $i) { order { status } errors { code } } }"""


def test_a_stale_product_form_after_a_confirmed_order_leaves_stock_untouched(gql_writer):
    world = gql_writer.world.world
    product = gid("Product", world.trade["product"])
    # Given the cooperative read the product (its stock and version) ...
    read = gql_writer.data(
        "query($id: ID!) { product(id: $id) { stock version } }",
        {"id": product},
        actor="cooperative",
    )["product"]
    # ... and then confirmed an order, which reserved stock
    confirmed = payload(
        gql_writer,
        CONFIRM,
        {"orderId": gid("Order", world.trade["order_placed"]), "expectedVersion": 1},
        actor="cooperative",
    )
    assert (confirmed["order"], confirmed["errors"]) == ({"status": "CONFIRMED"}, [])
    after_sale = _row(gql_writer.database, Product, world.trade["product"])
    assert after_sale["stock"] < read["stock"]
    # When the form is saved with the stock it read
    result = payload(
        gql_writer,
        STALE_FORM,
        PRODUCT
        | {"productId": product, "stock": read["stock"], "expectedVersion": read["version"]},
        actor="cooperative",
    )
    # Then it is refused and the stock stays what the sale left
    assert errors_of(result) == [(None, "stale_version", versioning.PRODUCT_STALE)]
    assert _row(gql_writer.database, Product, world.trade["product"]) == after_sale
