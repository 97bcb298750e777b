"""GraphQL authorization paths for 消费帮扶: products, photos, certification, price flags,
demands and their suggestions, orders, consumption figures and reserved shares. The allowed
actors are those of the service matrix (tests/authz/actions_trade.py)."""

import base64

from app.services.clock import today
from tests.authz.world import ACTORS, COUNTY_BUREAUS
from tests.graphql.authz_paths import (
    ADMIN_AND_COUNTY,
    ALL_BUREAUS,
    NODE,
    ReadPath,
    WritePath,
    gid,
    in_list,
    node_of,
    non_empty,
    present,
    value_at,
)
from tests.trade_factories import image_bytes

COOPERATIVE = frozenset({"cooperative"})
BUYER_A = frozenset({"enterprise_a"})
BUYERS = frozenset({"enterprise_a", "enterprise_b"})
BUREAU_READERS = ALL_BUREAUS | {"admin"}
DEMAND_READERS = frozenset({"enterprise_a", "cooperative", "bureau_other_county"}) | (
    ADMIN_AND_COUNTY
)


def _county_listed(data: dict, world) -> bool:
    return "140829" in {row["code"] for row in value_at(data, "consumptionByCounty") or []}


def _reserves_a(data: dict, world) -> bool:
    rows = value_at(data, "reservedShares") or []
    return gid("Enterprise", world.world.enterprise_a) in {r["enterprise"]["id"] for r in rows}


READ_PATHS = [
    ReadPath(
        "product.images",
        "query($id: ID!) { product(id: $id) { images { id url thumbnailUrl } } }",
        node_of("Product", "listed_product"),
        non_empty("product.images"),
        frozenset(ACTORS),
    ),
    ReadPath(
        "node(ProductImage)",
        NODE,
        node_of("ProductImage", "image"),
        present("node"),
        frozenset(ACTORS),
    ),
    ReadPath(
        "product.priceCheck",
        "query($id: ID!) { product(id: $id) { priceCheck { median flagged comparables } } }",
        node_of("Product", "listed_product"),
        present("product.priceCheck"),
        frozenset(ACTORS),
    ),
    ReadPath(
        "node(CertificationApplication)",
        "query($id: ID!) { node(id: $id) { ... on CertificationApplication { status product { id } } } }",
        node_of("CertificationApplication", "application"),
        present("node"),
        COOPERATIVE | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "product.certificationApplication",
        "query($id: ID!) { product(id: $id) { certificationApplication { id status } } }",
        node_of("Product", "listed_product"),
        present("product.certificationApplication"),
        COOPERATIVE | ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "certificationApplications",
        "{ certificationApplications { id status product { name } } }",
        lambda w: {},
        in_list("certificationApplications", "CertificationApplication", "application"),
        ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "priceFlags",
        "{ priceFlags { total items { product { id } check { percentOfMedian explanation } } } }",
        lambda w: {},
        present("priceFlags"),
        BUREAU_READERS,
    ),
    ReadPath(
        "demandSuggestions",
        "query($id: ID!) { demandSuggestions(demandId: $id) { score reasons { text met } } }",
        node_of("Demand", "demand"),
        present("demandSuggestions"),
        DEMAND_READERS,
    ),
    ReadPath(
        "consumptionByCounty",
        "{ consumptionByCounty { code amount pairedAmount } }",
        lambda w: {},
        _county_listed,
        ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "consumptionByAgreement",
        "{ consumptionByAgreement { number amount agreement { id } } }",
        lambda w: {},
        present("consumptionByAgreement"),
        BUREAU_READERS | BUYERS | {"village"},
    ),
    ReadPath(
        "reservedShares",
        "{ reservedShares { reserved bought enterprise { id } } }",
        lambda w: {},
        _reserves_a,
        ADMIN_AND_COUNTY,
    ),
    ReadPath(
        "reservedShare",
        "query($id: ID!) { reservedShare(enterpriseId: $id) { reserved bought percent } }",
        lambda w: {"id": gid("Enterprise", w.world.enterprise_a)},
        present("reservedShare"),
        BUYER_A | ADMIN_AND_COUNTY,
    ),
]


def _mutation(name: str, input_type: str, node: str) -> str:
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ {node} {{ id }} errors {{ code }} }} }}"


PRODUCT = {
    "name": "黄河滩枣",
    "category": "DRIED_NUT",
    "unit": "斤",
    "price": "18.80",
    "stock": 300,
    "harvestMonths": [9, 10],
}


def _path(name, input_type, node, allowed, values) -> WritePath:
    return WritePath(
        name, _mutation(name, input_type, node), lambda w, a: {"i": values(w)}, allowed
    )


def _order_step(name: str, input_type: str, key: str, allowed, **extra) -> WritePath:
    return _path(
        name,
        input_type,
        "order",
        allowed,
        lambda w: {"orderId": gid("Order", w.world.trade[key]), "expectedVersion": 1} | extra,
    )


def _product(key: str):
    return lambda w: {"productId": gid("Product", w.world.trade[key])}


def _edit(key: str):
    """A product edit at the version the world's row has (every edit carries one)."""
    return lambda w: _product(key)(w) | {"expectedVersion": 1}


def _application(w) -> dict:
    return {"applicationId": gid("CertificationApplication", w.world.trade["application"])}


PNG = base64.b64encode(image_bytes("PNG", (64, 48))).decode()
NEXT_YEAR = today().replace(year=today().year + 1, day=1).isoformat()

WRITE_PATHS = [
    _path("createProduct", "ProductFieldsInput", "product", COOPERATIVE, lambda w: PRODUCT),
    _path(
        "updateProduct",
        "UpdateProductInput",
        "product",
        COOPERATIVE,
        lambda w: PRODUCT | _edit("product")(w),
    ),
    _path(
        "updatePriceAndStock",
        "UpdatePriceAndStockInput",
        "product",
        COOPERATIVE,
        lambda w: _edit("product")(w) | {"price": "30", "stock": 80},
    ),
    _path("listProduct", "ProductStatusInput", "product", COOPERATIVE, _edit("draft_product")),
    _path("delistProduct", "ProductStatusInput", "product", COOPERATIVE, _edit("product")),
    _path(
        "addProductImage",
        "AddProductImageInput",
        "product",
        COOPERATIVE,
        lambda w: _product("product")(w) | {"contentBase64": PNG},
    ),
    _path(
        "removeProductImage",
        "RemoveProductImageInput",
        "product",
        COOPERATIVE,
        lambda w: {"imageId": gid("ProductImage", w.world.trade["image"])},
    ),
    _path(
        "applyForCertification",
        "ApplyForCertificationInput",
        "application",
        COOPERATIVE,
        lambda w: _product("draft_product")(w) | {"note": "带贫 30 户"},
    ),
    _path(
        "approveCertification",
        "ApproveCertificationInput",
        "application",
        COUNTY_BUREAUS,
        lambda w: _application(w) | {"expiresOn": NEXT_YEAR},
    ),
    _path(
        "rejectCertification",
        "RejectCertificationInput",
        "application",
        COUNTY_BUREAUS,
        lambda w: _application(w) | {"reason": "材料不全"},
    ),
    _path(
        "postDemand",
        "PostDemandInput",
        "demand",
        BUYERS,
        lambda w: {
            "title": "工会采购滩枣",
            "category": "DRIED_NUT",
            "quantity": 200,
            "unit": "斤",
            "deliverBy": today().isoformat(),
        },
    ),
    _path(
        "closeDemand",
        "CloseDemandInput",
        "demand",
        BUYER_A,
        lambda w: {"demandId": gid("Demand", w.world.trade["demand"]), "expectedVersion": 1},
    ),
    _path(
        "placeOrder",
        "PlaceOrderInput",
        "order",
        BUYERS,
        lambda w: (
            _product("product")(w)
            | {"quantity": 10, "unit": "斤", "shippingAddress": "运城市盐湖区机关食堂"}
            | {"recipientName": "王主任", "recipientPhone": "0359-2021234"}
        ),
    ),
    WritePath(
        "checkout",
        _mutation("checkout", "CheckoutInput", "orders"),
        lambda w, a: {
            "i": {
                "cooperativeId": gid("Cooperative", w.world.trade["cooperative"]),
                "lines": [{"productId": gid("Product", w.world.trade["product"]), "quantity": 3}],
                "recipientName": "王主任",
                "recipientPhone": "0359-2021234",
                "shippingAddress": "运城市盐湖区机关食堂",
            }
        },
        BUYERS,
    ),
    _order_step("confirmOrder", "OrderStepInput", "order_placed", COOPERATIVE),
    _order_step("refuseOrder", "RefuseOrderInput", "order_placed", COOPERATIVE, reason="无货"),
    _order_step("shipOrder", "ShipOrderInput", "order_confirmed", COOPERATIVE, carrier="中国邮政"),
    _order_step("receiveOrder", "OrderStepInput", "order_shipped", BUYER_A),
    _order_step(
        "cancelOrder", "CancelOrderInput", "order_confirmed", BUYER_A | COOPERATIVE, reason="改期"
    ),
    _order_step("rateOrder", "RateOrderInput", "order_received", BUYER_A, rating=4),
    _path(
        "setReservedShare",
        "SetReservedShareInput",
        "enterprise",
        BUYER_A,
        lambda w: {
            "enterpriseId": gid("Enterprise", w.world.enterprise_a),
            "expectedVersion": w.ids["enterprise_a_version"],
            "reservedShare": "500000",
        },
    ),
]
