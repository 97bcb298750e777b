"""Products, purchase demands and orders for lists, scoped to what the reader may see."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor
from app.models import Demand, Order, Product, Village
from app.models.enums import (
    Certification,
    DemandStatus,
    OrderStatus,
    ProductCategory,
    ProductStatus,
)
from app.models.flags import has_any, to_mask
from app.permissions import DEMANDS, ORDERS, PRODUCTS
from app.services import clock
from app.services.queries.batches import by_keys


class ProductOrder(StrEnum):
    newest = "newest"
    price_asc = "price_asc"
    price_desc = "price_desc"
    rating_desc = "rating_desc"
    name = "name"


PRODUCT_ORDER = {
    ProductOrder.newest: (Product.created_at.desc(), Product.id.desc()),
    ProductOrder.price_asc: (Product.price_fen, Product.id),
    ProductOrder.price_desc: (Product.price_fen.desc(), Product.id),
    # Average rating without division by zero: unrated products last.
    ProductOrder.rating_desc: (
        (Product.rating_count > 0).desc(),
        (Product.rating_total * 1.0 / sa.func.nullif(Product.rating_count, 0)).desc(),
        Product.id,
    ),
    ProductOrder.name: (Product.name, Product.id),
}


@dataclass(frozen=True, slots=True)
class ProductFilter:
    """Every field narrows the list; prices are in 分 and inclusive."""

    category: ProductCategory | None = None
    certification: Certification | None = None
    # The bureau's consumption-assistance certification is in force today (Asia/Shanghai).
    assistance_certified: bool | None = None
    price_min_fen: int | None = None
    price_max_fen: int | None = None
    statuses: tuple[ProductStatus, ...] = ()
    county_code: str | None = None
    cooperative_id: int | None = None
    village_id: int | None = None


@dataclass(frozen=True, slots=True)
class DemandFilter:
    statuses: tuple[DemandStatus, ...] = ()
    category: ProductCategory | None = None
    buyer_id: int | None = None


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """Placed dates are calendar days in Asia/Shanghai, inclusive."""

    statuses: tuple[OrderStatus, ...] = ()
    placed_from: date | None = None
    placed_to: date | None = None
    product_id: int | None = None
    buyer_id: int | None = None


def select_products(
    *,
    actor: Actor,
    filters: ProductFilter = ProductFilter(),
    order: ProductOrder = ProductOrder.newest,
) -> sa.Select:
    """Listed products, plus the actor's own drafts and its region's, as ``can_see_product``."""
    # No join: a county is a set of villages, which lets SQLite start from the county's villages
    # (``village_id IN (…)``) instead of scanning a whole category (bench/README.md).
    county_of_product = (
        sa.select(Village.county_code).where(Village.id == Product.village_id).scalar_subquery()
    )
    query = sa.select(Product).where(
        PRODUCTS.where(
            actor,
            status=Product.status,
            cooperative_id=Product.cooperative_id,
            county_code=county_of_product,
        )
    )
    if filters.category is not None:
        query = query.where(Product.category == filters.category)
    if filters.certification is not None:
        mask = to_mask([filters.certification], Certification)
        query = query.where(has_any(Product.certifications, mask))
    if filters.assistance_certified is not None:
        until = Product.assistance_certified_until
        in_force = sa.and_(until.is_not(None), until >= clock.today())
        query = query.where(in_force if filters.assistance_certified else sa.not_(in_force))
    if filters.price_min_fen is not None:
        query = query.where(Product.price_fen >= filters.price_min_fen)
    if filters.price_max_fen is not None:
        query = query.where(Product.price_fen <= filters.price_max_fen)
    if filters.statuses:
        query = query.where(Product.status.in_(filters.statuses))
    if filters.county_code is not None:
        in_county = sa.select(Village.id).where(Village.county_code == filters.county_code)
        query = query.where(Product.village_id.in_(in_county))
    if filters.cooperative_id is not None:
        query = query.where(Product.cooperative_id == filters.cooperative_id)
    if filters.village_id is not None:
        query = query.where(Product.village_id == filters.village_id)
    return query.order_by(*PRODUCT_ORDER[order])


def select_demands(*, actor: Actor, filters: DemandFilter = DemandFilter()) -> sa.Select:
    """The buyer's own demands; open ones for cooperatives, the bureau and admins."""
    query = sa.select(Demand).where(
        DEMANDS.where(actor, status=Demand.status, buyer_id=Demand.buyer_id)
    )
    if filters.statuses:
        query = query.where(Demand.status.in_(filters.statuses))
    if filters.category is not None:
        query = query.where(Demand.category == filters.category)
    if filters.buyer_id is not None:
        query = query.where(Demand.buyer_id == filters.buyer_id)
    return query.order_by(Demand.created_at.desc(), Demand.id.desc())


def select_orders(*, actor: Actor, filters: OrderFilter = OrderFilter()) -> sa.Select:
    """Orders the actor is party to, or of its region's products for the bureau, newest first."""
    query = (
        sa.select(Order)
        .join(Product, Product.id == Order.product_id)
        .join(Village, Village.id == Product.village_id)
        .where(
            ORDERS.where(
                actor,
                buyer_id=Order.buyer_id,
                cooperative_id=Product.cooperative_id,
                county_code=Village.county_code,
            )
        )
    )
    if filters.statuses:
        query = query.where(Order.status.in_(filters.statuses))
    if filters.placed_from is not None:
        query = query.where(Order.placed_at >= clock.start_of_day(filters.placed_from))
    if filters.placed_to is not None:
        next_day = filters.placed_to + timedelta(days=1)
        query = query.where(Order.placed_at < clock.start_of_day(next_day))
    if filters.product_id is not None:
        query = query.where(Order.product_id == filters.product_id)
    if filters.buyer_id is not None:
        query = query.where(Order.buyer_id == filters.buyer_id)
    return query.order_by(Order.placed_at.desc(), Order.id.desc())


def products_by_id(session: Session, ids) -> dict[int, Product]:
    """Unscoped: callers check ``can_see_product`` on each."""
    return by_keys(session, Product.id, ids)


def demands_by_id(session: Session, ids) -> dict[int, Demand]:
    """Unscoped: callers check ``can_see_demand`` on each."""
    return by_keys(session, Demand.id, ids)


def orders_by_id(session: Session, ids) -> dict[int, Order]:
    """Unscoped: callers check ``can_see_order`` on each."""
    return by_keys(session, Order.id, ids)
