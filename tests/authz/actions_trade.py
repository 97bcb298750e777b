"""Matrix actions for the 消费帮扶 services: products, photos, demands, orders, reserved shares."""

from tempfile import TemporaryDirectory

from app.models import Demand, Enterprise, Product
from app.models.enums import ProductStatus
from app.services import (
    checkout,
    consumption,
    demands,
    orders,
    pricing,
    product_images,
    products,
    versioning,
)
from app.services.clock import today
from tests.authz.world import COUNTY_BUREAUS, Action
from tests.edit_paths import EditPath, agency_row, demand_row, product_form, product_row
from tests.trade_factories import image_bytes

COOPERATIVE = frozenset({"cooperative"})
BUYERS = frozenset({"enterprise_a", "enterprise_b"})
BUYER_A = frozenset({"enterprise_a"})
ALL_BUREAUS = COUNTY_BUREAUS | {"bureau_other_county"}
BUREAU_READERS = ALL_BUREAUS | {"admin"}

RECIPIENT = {"recipient_name": "王主任", "recipient_phone": "0359-2021234"}
PRODUCT_FORM = {
    "name": "黄河滩枣",
    "category": "dried_nut",
    "unit": "斤",
    "price": "18.80",
    "stock": "300",
    "harvest_months": ["9", "10"],
}


def _upload(s, w, a):
    with TemporaryDirectory() as upload_dir:
        return product_images.add_product_image(
            session=s,
            actor=a,
            product_id=w.trade["product"],
            content=image_bytes("PNG", (64, 48)),
            upload_dir=upload_dir,
        )


def _transition(function, key, **extra):
    return lambda s, w, a: function(
        session=s, actor=a, order_id=w.trade[key], expected_version=1, **extra
    )


def _version(s, model, row_id) -> int:
    """The row's current version: every edit is taken at the version its form showed."""
    return s.get(model, row_id).version


def _set_reserved_share(s, w, a):
    s.get(Enterprise, w.enterprise_a).kind = "agency"  # scaffolding: only these kinds reserve
    return consumption.set_reserved_share(
        session=s,
        actor=a,
        enterprise_id=w.enterprise_a,
        expected_version=_version(s, Enterprise, w.enterprise_a),
        data={"reserved_share": "500000"},
    )


ACTIONS = [
    Action(
        "products.create_product",
        lambda s, w, a: products.create_product(session=s, actor=a, data=PRODUCT_FORM),
        COOPERATIVE,
        covers=("product.create",),
    ),
    Action(
        "products.update_product",
        lambda s, w, a: products.update_product(
            session=s,
            actor=a,
            product_id=w.trade["product"],
            expected_version=_version(s, Product, w.trade["product"]),
            data=PRODUCT_FORM,
        ),
        COOPERATIVE,
        covers=("product.update",),
    ),
    Action(
        "products.update_price_and_stock",
        lambda s, w, a: products.update_price_and_stock(
            session=s,
            actor=a,
            product_id=w.trade["product"],
            expected_version=_version(s, Product, w.trade["product"]),
            data={"price": "30", "stock": "80"},
        ),
        COOPERATIVE,
        covers=("product.update_price_stock",),
    ),
    Action(
        "products.list_product",
        lambda s, w, a: products.list_product(
            session=s,
            actor=a,
            product_id=w.trade["draft_product"],
            expected_version=_version(s, Product, w.trade["draft_product"]),
        ),
        COOPERATIVE,
        covers=("product.list",),
    ),
    Action(
        "products.delist_product",
        lambda s, w, a: products.delist_product(
            session=s,
            actor=a,
            product_id=w.trade["product"],
            expected_version=_version(s, Product, w.trade["product"]),
        ),
        COOPERATIVE,
        covers=("product.delist",),
    ),
    Action("product_images.add_product_image", _upload, COOPERATIVE, covers=("product.add_image",)),
    Action(
        "product_images.check_may_add_image",
        lambda s, w, a: product_images.check_may_add_image(
            session=s, actor=a, product_id=w.trade["product"]
        ),
        COOPERATIVE,
        writes=False,
    ),
    Action(
        "product_images.remove_product_image",
        lambda s, w, a: product_images.remove_product_image(
            session=s, actor=a, image_id=w.trade["image"], upload_dir="/nonexistent"
        ),
        COOPERATIVE,
        covers=("product.remove_image",),
    ),
    Action(
        "pricing.price_flags",
        lambda s, w, a: pricing.price_flags(session=s, actor=a),
        BUREAU_READERS,
        writes=False,
    ),
    Action(
        "demands.post_demand",
        lambda s, w, a: demands.post_demand(
            session=s,
            actor=a,
            data={
                "title": "工会采购滩枣",
                "category": "dried_nut",
                "quantity": "200",
                "unit": "斤",
                "deliver_by": today().isoformat(),
            },
        ),
        BUYERS,
        covers=("demand.post",),
    ),
    Action(
        "demands.close_demand",
        lambda s, w, a: demands.close_demand(
            session=s,
            actor=a,
            demand_id=w.trade["demand"],
            expected_version=_version(s, Demand, w.trade["demand"]),
        ),
        BUYER_A,
        covers=("demand.close",),
    ),
    Action(
        "orders.place_order",
        lambda s, w, a: orders.place_order(
            session=s,
            actor=a,
            product_id=w.trade["product"],
            data=RECIPIENT
            | {"quantity": "10", "unit": "斤", "shipping_address": "运城市盐湖区机关食堂"},
        ),
        BUYERS,
        covers=("order.place",),
    ),
    Action(
        "checkout.checkout",
        lambda s, w, a: checkout.checkout(
            session=s,
            actor=a,
            cooperative_id=w.trade["cooperative"],
            lines={w.trade["product"]: "3"},
            data=RECIPIENT | {"shipping_address": "运城市盐湖区机关食堂"},
        ),
        BUYERS,
        covers=("order.place",),
    ),
    Action(
        "orders.confirm_order",
        _transition(orders.confirm_order, "order_placed"),
        COOPERATIVE,
        covers=("order.confirm",),
    ),
    Action(
        "orders.refuse_order",
        _transition(orders.refuse_order, "order_placed", reason="本周无法发货"),
        COOPERATIVE,
        covers=("order.refuse",),
    ),
    Action(
        "orders.ship_order",
        _transition(orders.ship_order, "order_confirmed", data={"carrier": "中国邮政"}),
        COOPERATIVE,
        covers=("order.ship",),
    ),
    Action(
        "orders.receive_order",
        _transition(orders.receive_order, "order_shipped"),
        BUYER_A,
        covers=("order.receive",),
    ),
    Action(
        "orders.cancel_order",
        _transition(orders.cancel_order, "order_confirmed", reason="改期"),
        BUYER_A | COOPERATIVE,
        covers=("order.cancel",),
    ),
    Action(
        "orders.rate_order",
        _transition(orders.rate_order, "order_received", data={"rating": 4}),
        BUYER_A,
        covers=("order.rate",),
    ),
    Action(
        "consumption.set_reserved_share",
        _set_reserved_share,
        BUYER_A,
        covers=("enterprise.set_reserved_share",),
    ),
    Action(
        "consumption.reserved_share_progress",
        lambda s, w, a: consumption.reserved_share_progress(
            session=s, actor=a, enterprise_id=w.enterprise_a
        ),
        BUYER_A | COUNTY_BUREAUS | {"admin"},
        writes=False,
    ),
    Action(
        "consumption.reserved_share_overview",
        lambda s, w, a: consumption.reserved_share_overview(session=s, actor=a),
        BUREAU_READERS,
        writes=False,
    ),
    Action(
        "consumption.consumption_by_county",
        lambda s, w, a: consumption.consumption_by_county(session=s, actor=a),
        BUREAU_READERS,
        writes=False,
    ),
    Action(
        "consumption.consumption_by_agreement",
        lambda s, w, a: consumption.consumption_by_agreement(session=s, actor=a),
        BUREAU_READERS | BUYERS | {"village"},
        writes=False,
    ),
]

# Edits at a version (tests/edit_paths.py).
EDITS = (
    EditPath(
        "products.update_product",
        Product,
        versioning.PRODUCT_STALE,
        product_row(ProductStatus.listed),
        lambda s, g, v, n: products.update_product(
            session=s, actor=g.actor, product_id=g.row_id, expected_version=v, data=product_form(n)
        ),
    ),
    EditPath(
        "products.update_price_and_stock",
        Product,
        versioning.PRODUCT_STALE,
        product_row(ProductStatus.listed),
        lambda s, g, v, n: products.update_price_and_stock(
            session=s,
            actor=g.actor,
            product_id=g.row_id,
            expected_version=v,
            data={"price": f"3{n}", "stock": str(80 + n)},
        ),
    ),
    EditPath(
        "products.list_product",
        Product,
        versioning.PRODUCT_STALE,
        product_row(ProductStatus.draft),
        lambda s, g, v, n: products.list_product(
            session=s, actor=g.actor, product_id=g.row_id, expected_version=v
        ),
    ),
    EditPath(
        "products.delist_product",
        Product,
        versioning.PRODUCT_STALE,
        product_row(ProductStatus.listed),
        lambda s, g, v, n: products.delist_product(
            session=s, actor=g.actor, product_id=g.row_id, expected_version=v
        ),
    ),
    EditPath(
        "consumption.set_reserved_share",
        Enterprise,
        versioning.ENTERPRISE_STALE,
        agency_row,
        lambda s, g, v, n: consumption.set_reserved_share(
            session=s,
            actor=g.actor,
            enterprise_id=g.row_id,
            expected_version=v,
            data={"reserved_share": str(100000 + n)},
        ),
    ),
    EditPath(
        "demands.close_demand",
        Demand,
        versioning.DEMAND_STALE,
        demand_row,
        lambda s, g, v, n: demands.close_demand(
            session=s, actor=g.actor, demand_id=g.row_id, expected_version=v
        ),
    ),
)
UNVERSIONED = ()
LIFECYCLE_STEPS = (
    "orders.confirm_order",
    "orders.refuse_order",
    "orders.ship_order",
    "orders.receive_order",
    "orders.cancel_order",
    "orders.rate_order",
)
