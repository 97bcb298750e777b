"""The registry of every service that edits an existing row at the version its form showed
(docs/decisions/0015-every-edit-versioned.md), and of the writers that deliberately carry none.

Each entry builds a row and the actor allowed to edit it, and calls the service with a version;
``attempt`` 0 is "someone else's" edit, 1 the user's stale one, so the two write different values.
The service, GraphQL and page tests are all parametrized over ``EDITS``;
``test_every_edit_path_is_registered`` fails when a new editing service appears outside it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, SQLModel

from app.actors import Actor
from app.models import Demand, Enterprise, Product, Village, VillageNeed
from app.models.enums import EnterpriseKind, ProductStatus
from app.services import consumption, demands, products, versioning, villages
from tests.factories import make_cooperative, make_enterprise, make_product, make_village
from tests.pairing_factories import make_need, village_actor
from tests.trade_factories import buyer_actor, cooperative_actor, make_demand


@dataclass(frozen=True)
class Given:
    row_id: int
    actor: Actor


@dataclass(frozen=True)
class EditPath:
    name: str  # "module.function" under app.services
    model: type[SQLModel]
    message: str  # the Chinese conflict message of this kind of row
    given: Callable[[Session], Given]
    call: Callable[[Session, Given, int, int], object]  # (session, given, version, attempt)


def product_form(attempt: int) -> dict:
    return {
        "name": f"黄河滩枣{'甲乙'[attempt]}",
        "category": "dried_nut",
        "unit": "斤",
        "price": f"1{attempt}.80",
        "min_order": "2",
        "stock": str(300 + attempt),
        "harvest_months": ["9", "10"],
    }


def _product(status: ProductStatus) -> Callable[[Session], Given]:
    def given(session: Session) -> Given:
        cooperative = make_cooperative(session)
        product = make_product(session, cooperative=cooperative, status=status)
        return Given(product.id, cooperative_actor(cooperative))

    return given


def _village(session: Session) -> Given:
    village = make_village(session)
    return Given(village.id, village_actor(village))


def _need(session: Session) -> Given:
    village = make_village(session)
    return Given(make_need(session, village).id, village_actor(village))


def _agency(session: Session) -> Given:
    agency = make_enterprise(session, kind=EnterpriseKind.agency)
    return Given(agency.id, buyer_actor(agency))


def _demand(session: Session) -> Given:
    buyer = make_enterprise(session)
    demand = make_demand(session, buyer, deliver_by=date.today() + timedelta(days=30))
    return Given(demand.id, buyer_actor(buyer))


def _profile(attempt: int) -> dict:
    return {
        "population": str(1200 + attempt),
        "households": str(300 + attempt),
        "lifted_households": "40",
        "main_industries": f"苹果{'、花椒' * attempt}",
        "contact_name": "王支书",
        "contact_phone": "13900000001",
    }


def _need_form(attempt: int) -> dict:
    return {"kind": "employment", "description": f"采摘季用工 {20 + attempt} 人"}


EDITS = [
    EditPath(
        "products.update_product",
        Product,
        versioning.PRODUCT_STALE,
        _product(ProductStatus.listed),
        lambda s, g, v, n: products.update_product(
            session=s, actor=g.actor, product_id=g.row_id, expected_version=v, data=product_form(n)
        ),
    ),
    EditPath(
        "products.update_price_and_stock",
        Product,
        versioning.PRODUCT_STALE,
        _product(ProductStatus.listed),
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
        _product(ProductStatus.draft),
        lambda s, g, v, n: products.list_product(
            session=s, actor=g.actor, product_id=g.row_id, expected_version=v
        ),
    ),
    EditPath(
        "products.delist_product",
        Product,
        versioning.PRODUCT_STALE,
        _product(ProductStatus.listed),
        lambda s, g, v, n: products.delist_product(
            session=s, actor=g.actor, product_id=g.row_id, expected_version=v
        ),
    ),
    EditPath(
        "villages.update_village_profile",
        Village,
        versioning.VILLAGE_STALE,
        _village,
        lambda s, g, v, n: villages.update_village_profile(
            session=s, actor=g.actor, village_id=g.row_id, expected_version=v, data=_profile(n)
        ),
    ),
    EditPath(
        "villages.update_need",
        VillageNeed,
        versioning.NEED_STALE,
        _need,
        lambda s, g, v, n: villages.update_need(
            session=s, actor=g.actor, need_id=g.row_id, expected_version=v, data=_need_form(n)
        ),
    ),
    EditPath(
        "villages.set_need_status",
        VillageNeed,
        versioning.NEED_STALE,
        _need,
        lambda s, g, v, n: villages.set_need_status(
            session=s,
            actor=g.actor,
            need_id=g.row_id,
            expected_version=v,
            status=("met", "withdrawn")[n],
        ),
    ),
    EditPath(
        "consumption.set_reserved_share",
        Enterprise,
        versioning.ENTERPRISE_STALE,
        _agency,
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
        _demand,
        lambda s, g, v, n: demands.close_demand(
            session=s, actor=g.actor, demand_id=g.row_id, expected_version=v
        ),
    ),
]

# Services named like edits that carry no version, and why (decision 0015).
UNVERSIONED = {
    "credentials.change_password": "the old password is the guard; it bumps auth_version, which "
    "ends every other session of the account",
    "notifications.set_mail_address": "one value, only its owner writes it, and the form replaces "
    "it whole: nothing read earlier is written back",
}

# Steps of the lifecycles versioned before (decision 0004), tested with their own lifecycles; they
# take ``expected_version`` too (the agreement's named steps pass it on to transition_agreement).
LIFECYCLE_STEPS = {
    "orders.confirm_order",
    "orders.ship_order",
    "orders.receive_order",
    "orders.cancel_order",
    "orders.rate_order",
    "pairing.lifecycle.transition_agreement",
    "pairing.proposals.revise_proposal",
    "pairing.reports.resubmit_report",
    "pairing.reports.confirm_report",
    "pairing.reports.verify_report",
    "pairing.reports.return_report",
}
