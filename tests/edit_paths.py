"""Every service that edits an existing row at the version its form showed
(docs/decisions/0015-every-edit-versioned.md), and the writers that deliberately carry none.

Each domain declares its own, beside its authorization-matrix actions (``tests/authz/actions_<d>.py``):
``EDITS`` (an ``EditPath`` each), ``UNVERSIONED`` (name and reason pairs) and ``LIFECYCLE_STEPS``
(steps versioned with their lifecycles). An ``EditPath`` builds a row and the actor allowed to
edit it, and calls the service with a version; ``attempt`` 0 is "someone else's" edit, 1 the
user's stale one, so the two write different values. The service, GraphQL and page tests are all
parametrized over ``edits()``; ``test_every_edit_path_is_registered`` fails when a new editing
service appears outside them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, SQLModel

from app.actors import Actor
from app.domains import Part
from app.models.enums import EnterpriseKind, ProductStatus
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


def product_row(status: ProductStatus) -> Callable[[Session], Given]:
    def given(session: Session) -> Given:
        cooperative = make_cooperative(session)
        product = make_product(session, cooperative=cooperative, status=status)
        return Given(product.id, cooperative_actor(cooperative))

    return given


def village_row(session: Session) -> Given:
    village = make_village(session)
    return Given(village.id, village_actor(village))


def need_row(session: Session) -> Given:
    village = make_village(session)
    return Given(make_need(session, village).id, village_actor(village))


def agency_row(session: Session) -> Given:
    agency = make_enterprise(session, kind=EnterpriseKind.agency)
    return Given(agency.id, buyer_actor(agency))


def demand_row(session: Session) -> Given:
    buyer = make_enterprise(session)
    demand = make_demand(session, buyer, deliver_by=date.today() + timedelta(days=30))
    return Given(demand.id, buyer_actor(buyer))


def profile_form(attempt: int) -> dict:
    return {
        "population": str(1200 + attempt),
        "households": str(300 + attempt),
        "lifted_households": "40",
        "main_industries": f"苹果{'、花椒' * attempt}",
        "contact_name": "王支书",
        "contact_phone": "13900000001",
    }


def need_form(attempt: int) -> dict:
    return {"kind": "employment", "description": f"采摘季用工 {20 + attempt} 人"}


EDIT_PART = Part("tests.authz.actions_{domain}", ("EDITS", "UNVERSIONED", "LIFECYCLE_STEPS"))


def edits() -> list[EditPath]:
    return list(EDIT_PART.gather("EDITS"))


def unversioned() -> dict[str, str]:
    return dict(EDIT_PART.gather("UNVERSIONED"))


def lifecycle_steps() -> set[str]:
    return set(EDIT_PART.gather("LIFECYCLE_STEPS"))
