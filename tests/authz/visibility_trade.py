"""The 消费帮扶 domain's kinds in the visibility tests: products, demands, orders and reserved
shares; its reserving buyers, an order and a closed demand in the second county."""

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Role
from app.models import Demand, Enterprise, Order, Product, Village
from app.models.enums import DemandStatus, EnterpriseKind, OrderStatus, ProductCategory
from app.permissions import DEMANDS, ORDERS, PRODUCTS, REGION_ROWS, RESERVED_SHARES
from app.services import clock, consumption, demands, orders, products
from app.services.queries import trade as trade_queries
from tests.authz.read_paths import ReadPath, ids, one_by_one, page_ids, where
from tests.authz.visibility_world import OTHER_COUNTY, OtherCounty, Source
from tests.authz.world import World
from tests.factories import make_enterprise

SOURCES = (
    Source(
        PRODUCTS,
        lambda: sa.select(Product.id).join(Village, Village.id == Product.village_id),
        lambda: {
            "status": Product.status,
            "cooperative_id": Product.cooperative_id,
            "county_code": Village.county_code,
        },
    ),
    Source(
        DEMANDS,
        lambda: sa.select(Demand.id),
        lambda: {"buyer_id": Demand.buyer_id, "status": Demand.status},
    ),
    Source(
        ORDERS,
        lambda: (
            sa.select(Order.id)
            .join(Product, Product.id == Order.product_id)
            .join(Village, Village.id == Product.village_id)
        ),
        lambda: {
            "buyer_id": Order.buyer_id,
            "cooperative_id": Product.cooperative_id,
            "county_code": Village.county_code,
        },
    ),
    Source(
        RESERVED_SHARES,
        lambda: sa.select(Enterprise.id),
        lambda: {"enterprise_id": Enterprise.id, "county_code": Enterprise.county_code},
    ),
)

READ_PATHS = (
    ReadPath(
        "GraphQL products", PRODUCTS, lambda s, a: ids(s, trade_queries.select_products(actor=a))
    ),
    ReadPath(
        "GraphQL demands", DEMANDS, lambda s, a: ids(s, trade_queries.select_demands(actor=a))
    ),
    ReadPath(
        "open demands page",
        DEMANDS,
        lambda s, a: page_ids(demands.open_demands(session=s, actor=a)),
        domain=where(
            Demand, Demand.status == DemandStatus.open, Demand.deliver_by >= clock.today()
        ),
        # What cooperatives can answer: buyers find their own demands on their own list.
        readers=(Role.cooperative, Role.bureau, Role.admin),
    ),
    ReadPath("GraphQL orders", ORDERS, lambda s, a: ids(s, trade_queries.select_orders(actor=a))),
    ReadPath(
        "orders page list",
        ORDERS,
        lambda s, a: page_ids(orders.list_orders(session=s, actor=a)),
    ),
    ReadPath(
        "reserved shares overview",
        RESERVED_SHARES,
        lambda s, a: {
            share.enterprise_id for share in consumption.reserved_share_overview(session=s, actor=a)
        },
        domain=where(
            Enterprise,
            Enterprise.kind.in_(consumption.RESERVING_KINDS),
            Enterprise.status == "approved",
        ),
    ),
    ReadPath(
        "consumption by county",
        REGION_ROWS,
        lambda s, a: {row.code for row in consumption.consumption_by_county(session=s, actor=a)},
    ),
    ReadPath(
        "order page",
        ORDERS,
        one_by_one(Order, lambda s, a, key: orders.get_order(session=s, actor=a, order_id=key)),
    ),
    ReadPath(
        "demand page",
        DEMANDS,
        one_by_one(Demand, lambda s, a, key: demands.get_demand(session=s, actor=a, demand_id=key)),
    ),
    ReadPath(
        "product page",
        PRODUCTS,
        one_by_one(
            Product, lambda s, a, key: products.get_product(session=s, actor=a, product_id=key)
        ),
    ),
)


def _reserving_buyers(session: Session, world: World, other: OtherCounty) -> None:
    """机关事业单位、国有企业 reserve purchase shares: one in each county."""
    make_enterprise(session, kind=EnterpriseKind.agency, name="平陆县机关食堂")
    make_enterprise(
        session, county_code=OTHER_COUNTY, kind=EnterpriseKind.state_owned, name="芮城国企"
    )


def _order_and_closed_demand(session: Session, world: World, other: OtherCounty) -> None:
    listed = other.listed
    session.add_all(
        [
            Order(
                number="DD-FAR-1",
                buyer_id=world.enterprise_b,
                product_id=listed.id,
                quantity=1,
                unit_price_fen=listed.price_fen,
                amount_fen=listed.price_fen,
                status=OrderStatus.placed,
            ),
            Demand(
                buyer_id=world.enterprise_b,
                title="已关闭的需求",
                category=ProductCategory.fruit,
                quantity=5,
                unit="斤",
                deliver_by=clock.today(),
                status=DemandStatus.closed,
            ),
        ]
    )


ROWS = (_reserving_buyers, _order_and_closed_demand)
