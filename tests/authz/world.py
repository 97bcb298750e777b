"""The world every authorization-matrix action runs in, and the shape of an action."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from app.actors import ANONYMOUS, Actor, Role
from app.models import CertificationApplication, Cooperative, Demand, Order, ProductImage
from app.models.enums import (
    OrderStatus,
    ProductCategory,
    ProductStatus,
    RegistrationStatus,
    UserRole,
)
from app.services import accounts, clock, organisations, pairing
from tests.authz.pairing_world import add_pairing_objects
from tests.factories import (
    make_county,
    make_enterprise,
    make_product,
    make_township,
    make_village,
    valid_credit_code,
)

PASSWORD = "Huanghe2026"


@dataclass
class World:
    """Two counties; the pairing county 平陆 (140829) holds everything acted upon."""

    village_id: int
    enterprise_a: int
    enterprise_b: int
    proposal_id: int
    pending_user_id: int
    actors: dict[str, Actor]
    user_ids: dict[str, int]
    # Products, orders in each state, a demand, an application, a photo: see _trade_objects.
    trade: dict[str, int] = field(default_factory=dict)
    # Pairing objects in every state (tests/authz/pairing_world.py).
    signed_id: int = 0
    active_id: int = 0
    ended_id: int = 0
    draft_id: int = 0
    returned_id: int = 0
    submitted_report_id: int = 0
    confirmed_report_id: int = 0
    returned_report_id: int = 0
    verified_report_id: int = 0
    evidence_id: int = 0
    need_id: int = 0
    spare_village_id: int = 0


def build_world(session: Session) -> World:
    make_county(session, code="140830", name="芮城县", category="overall")
    make_township(session)
    village = make_village(session)
    a = make_enterprise(session, name="甲企业")
    b = make_enterprise(session, name="乙企业")
    proposal = pairing.propose_agreement(
        session=session,
        actor=Actor(role=Role.enterprise, user_id=None, enterprise_id=a.id),
        data={
            "enterprise_id": a.id,
            "village_id": village.id,
            "help_kinds": ["industry"],
            "start_on": "2026-01-01",
            "end_on": "2027-12-31",
            "commit_funding_business": "100,000",
        },
        today=date(2026, 1, 10),  # proposed in the quarter it starts
    )
    cooperative = organisations.register_cooperative(
        session=session,
        actor=Actor(role=Role.system),
        data={
            "credit_code": valid_credit_code("93140829"),
            "name": "合作社甲",
            "village_id": village.id,
        },
    )
    pending = accounts.register_account(
        session=session,
        kind=UserRole.enterprise,
        account={
            "username": "pending1",
            "display_name": "待审",
            "password": PASSWORD,
            "privacy_consent": True,
        },
        organisation={
            "credit_code": valid_credit_code(),
            "name": "待审核企业",
            "kind": "private",
            "industry": "A",
            "county_code": "140829",
        },
    )
    specs = {
        "enterprise_a": (UserRole.enterprise, {"enterprise_id": a.id}),
        "enterprise_b": (UserRole.enterprise, {"enterprise_id": b.id}),
        "cooperative": (UserRole.cooperative, {"cooperative_id": cooperative.id}),
        "village": (UserRole.village, {"village_id": village.id}),
        "bureau_other_county": (UserRole.bureau, {"region_code": "140830"}),
        "bureau_county": (UserRole.bureau, {"region_code": "140829"}),
        "bureau_city": (UserRole.bureau, {"region_code": "140800"}),
        "admin": (UserRole.admin, {}),
    }
    actors: dict[str, Actor] = {"anonymous": ANONYMOUS}
    user_ids: dict[str, int] = {}
    for name, (role, links) in specs.items():
        user = accounts.create_user(
            session=session,
            actor=Actor(role=Role.system),
            account={"username": name, "display_name": name, "password": PASSWORD},
            role=role,
            **links,
        )
        actors[name] = accounts.actor_for(user)
        user_ids[name] = user.id
    session.flush()
    assert pending.status == RegistrationStatus.pending
    world = World(village.id, a.id, b.id, proposal.id, pending.id, actors, user_ids)
    world.trade = _trade_objects(session, cooperative.id, a.id)
    add_pairing_objects(session, world)
    return world


def _trade_objects(session: Session, cooperative_id: int, buyer_id: int) -> dict[str, int]:
    """What the 消费帮扶 actions act upon, all in the world's village (平陆县)."""
    cooperative = session.get(Cooperative, cooperative_id)
    listed = make_product(
        session, cooperative=cooperative, status=ProductStatus.listed, stock=100, name="百合"
    )
    draft = make_product(session, cooperative=cooperative, name="小米")
    orders = {}
    for status in (
        OrderStatus.placed,
        OrderStatus.confirmed,
        OrderStatus.shipped,
        OrderStatus.received,
    ):
        order = Order(
            number=f"DD-WORLD-{status}",
            buyer_id=buyer_id,
            product_id=listed.id,
            quantity=2,
            unit_price_fen=listed.price_fen,
            amount_fen=2 * listed.price_fen,
            status=status,
            # As migration 0022 leaves rows: the placed one predates stock holds.
            stock_held=status != OrderStatus.placed,
        )
        session.add(order)
        session.flush()
        orders[f"order_{status}"] = order.id
    demand = Demand(
        buyer_id=buyer_id,
        title="食堂采购百合",
        category=ProductCategory.vegetable,
        quantity=50,
        unit="斤",
        deliver_by=clock.today() + timedelta(days=30),
    )
    application = CertificationApplication(product_id=listed.id)
    image = ProductImage(
        product_id=listed.id,
        content_type="image/jpeg",
        size_bytes=1,
        width=1,
        height=1,
        sha256="0" * 64,
        storage_key="world/missing.jpg",
        thumbnail_key="world/missing_thumb.jpg",
    )
    session.add_all([demand, application, image])
    session.flush()
    return {
        "cooperative": cooperative_id,
        "product": listed.id,
        "draft_product": draft.id,
        "demand": demand.id,
        "application": application.id,
        "image": image.id,
        **orders,
    }


ActionFn = Callable[[Session, World, Actor], object]


@dataclass(frozen=True)
class Action:
    """One service call in the matrix; ``covers`` names the audit actions (``order.place``) whose
    permission it exercises (tests/test_domain_completeness.py)."""

    name: str
    run: ActionFn
    allowed: frozenset[str]
    writes: bool = True
    covers: tuple[str, ...] = ()


@dataclass(frozen=True)
class PreparedAction(Action):
    """An action whose scaffolding is built before the row counts are taken."""

    prepare: Callable[[Session, World], None] | None = None


SIGNED_IN = frozenset(
    {
        "enterprise_a",
        "enterprise_b",
        "cooperative",
        "village",
        "bureau_other_county",
        "bureau_county",
        "bureau_city",
        "admin",
    }
)
COUNTY_BUREAUS = frozenset({"bureau_county", "bureau_city"})


ACTORS = [
    "anonymous",
    "enterprise_a",
    "enterprise_b",
    "cooperative",
    "village",
    "bureau_other_county",
    "bureau_county",
    "bureau_city",
    "admin",
]
