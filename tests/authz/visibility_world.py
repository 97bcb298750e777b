"""Rows of every kind for the visibility tests: the authorization world plus a second county.

The authorization world keeps everything in 平陆县 (140829); the rows added here sit in 芮城县
(140830), so a county officer's region really excludes some rows, and a pending enterprise of
that county is hidden from everyone but its bureau. ``SOURCES`` binds each kind's facts to the
columns of its table (joined to where its county lives), which both tests read.
"""

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.actors import SYSTEM, Actor, Role
from app.models import (
    CertificationApplication,
    CertificationObjection,
    Cooperative,
    County,
    Demand,
    Enterprise,
    Event,
    ExportJob,
    Notification,
    Order,
    PairingAgreement,
    Product,
    Township,
    User,
    Village,
)
from app.models.enums import (
    AgreementStatus,
    DemandStatus,
    EnterpriseKind,
    OrderStatus,
    ProductCategory,
    ProductStatus,
    RecipientKind,
    RegistrationStatus,
)
from app.models.exports import ExportFormat
from app.permissions import visibility as v
from app.services import clock
from tests.authz.world import World, build_world
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_enterprise,
    make_product,
    make_village,
)

OTHER_COUNTY = "140830"
PA = PairingAgreement


@dataclass(frozen=True)
class Source:
    """A kind's rows: ``select`` of their ids, joined so that ``columns`` (fact → column) read."""

    select: Callable[[], sa.Select]
    columns: Callable[[], dict]


def _pending_user_county() -> tuple[sa.Select, dict]:
    coop_village, own_village = aliased(Village), aliased(Village)
    select = (
        sa.select(User.id)
        .outerjoin(Enterprise, Enterprise.id == User.enterprise_id)
        .outerjoin(Cooperative, Cooperative.id == User.cooperative_id)
        .outerjoin(coop_village, coop_village.id == Cooperative.village_id)
        .outerjoin(own_village, own_village.id == User.village_id)
    )
    county = sa.func.coalesce(
        Enterprise.county_code, coop_village.county_code, own_village.county_code
    )
    return select, {"user_id": User.id, "county_code": county}


_USERS = _pending_user_county()
_REGION = {"county_code": County.code}

SOURCES: dict[v.Visibility, Source] = {
    v.AGREEMENTS: Source(
        lambda: sa.select(PA.id).join(Village, Village.id == PA.village_id),
        lambda: {
            "enterprise_id": PA.enterprise_id,
            "village_id": PA.village_id,
            "county_code": Village.county_code,
        },
    ),
    v.ENTERPRISES: Source(
        lambda: sa.select(Enterprise.id),
        lambda: {
            "status": Enterprise.status,
            "id": Enterprise.id,
            "county_code": Enterprise.county_code,
        },
    ),
    v.COOPERATIVES: Source(
        lambda: sa.select(Cooperative.id).join(Village, Village.id == Cooperative.village_id),
        lambda: {
            "status": Cooperative.status,
            "id": Cooperative.id,
            "county_code": Village.county_code,
        },
    ),
    v.PRODUCTS: Source(
        lambda: sa.select(Product.id).join(Village, Village.id == Product.village_id),
        lambda: {
            "status": Product.status,
            "cooperative_id": Product.cooperative_id,
            "county_code": Village.county_code,
        },
    ),
    v.DEMANDS: Source(
        lambda: sa.select(Demand.id),
        lambda: {"buyer_id": Demand.buyer_id, "status": Demand.status},
    ),
    v.ORDERS: Source(
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
    v.RESERVED_SHARES: Source(
        lambda: sa.select(Enterprise.id),
        lambda: {"enterprise_id": Enterprise.id, "county_code": Enterprise.county_code},
    ),
    v.PRIVATE_VILLAGE_DATA: Source(
        lambda: sa.select(Village.id),
        lambda: {"village_id": Village.id, "county_code": Village.county_code},
    ),
    v.REGION_ROWS: Source(lambda: sa.select(County.code), lambda: _REGION),
    v.CERTIFICATION_APPLICATIONS: Source(
        lambda: (
            sa.select(CertificationApplication.id)
            .join(Product, Product.id == CertificationApplication.product_id)
            .join(Village, Village.id == Product.village_id)
        ),
        lambda: {"county_code": Village.county_code},
    ),
    v.CERTIFICATION_OBJECTIONS: Source(
        lambda: (
            sa.select(CertificationObjection.id)
            .join(
                CertificationApplication,
                CertificationApplication.id == CertificationObjection.application_id,
            )
            .join(Product, Product.id == CertificationApplication.product_id)
            .join(Village, Village.id == Product.village_id)
        ),
        lambda: {"county_code": Village.county_code},
    ),
    v.AUDIT_EVENTS: Source(lambda: sa.select(Event.id), lambda: {"county_code": Event.county_code}),
    v.REGISTRATIONS: Source(lambda: _USERS[0], lambda: _USERS[1]),
    v.EXPORT_JOBS: Source(
        lambda: sa.select(ExportJob.id), lambda: {"region_code": ExportJob.region_code}
    ),
    v.NOTIFICATIONS: Source(
        lambda: sa.select(Notification.id),
        lambda: {
            "recipient_kind": Notification.recipient_kind,
            "recipient_id": Notification.recipient_id,
        },
    ),
}


def facts_of(session: Session, kind: v.Visibility) -> dict:
    """Every row of ``kind``: its id → its facts."""
    source = SOURCES[kind]
    columns = source.columns()
    names = list(columns)
    query = source.select().add_columns(*(columns[name].label(f"f_{name}") for name in names))
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in session.execute(query)}


def allowed(session: Session, kind: v.Visibility, actor: Actor) -> set:
    """The ids the predicate lets ``actor`` see."""
    return {key for key, facts in facts_of(session, kind).items() if kind.allows(actor, **facts)}


def selected(session: Session, kind: v.Visibility, actor: Actor) -> set:
    """The ids the SQL filter lets ``actor`` see."""
    source = SOURCES[kind]
    query = source.select().where(kind.where(actor, **source.columns()))
    return set(session.execute(query).scalars())


def build_visibility_world(session: Session) -> World:
    """The authorization world, a second county's rows, and two actors the world lacks."""
    world = build_world(session)
    session.add(Township(code=f"{OTHER_COUNTY}100", name="古魏镇", county_code=OTHER_COUNTY))
    session.flush()
    far = make_village(
        session,
        code=f"{OTHER_COUNTY}100201",
        township_code=f"{OTHER_COUNTY}100",
        county_code=OTHER_COUNTY,
    )
    outsider = make_enterprise(
        session, county_code=OTHER_COUNTY, status=RegistrationStatus.pending, name="芮城待审企业"
    )
    make_enterprise(
        session,
        county_code=None,
        external_region="北京市",
        name="市外企业",
        status=RegistrationStatus.pending,
    )
    # Reserving buyers (机关事业单位、国有企业), one in each county, for the reserved shares.
    make_enterprise(session, kind=EnterpriseKind.agency, name="平陆县机关食堂")
    make_enterprise(
        session, county_code=OTHER_COUNTY, kind=EnterpriseKind.state_owned, name="芮城国企"
    )
    coop = make_cooperative(session, village=far, status=RegistrationStatus.pending)
    draft = make_product(session, cooperative=coop, name="芮城苹果")
    listed = make_product(session, cooperative=coop, name="芮城花椒", status=ProductStatus.listed)
    make_agreement(session, enterprise=outsider, village=far, status=AgreementStatus.proposed)
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
    far_application = CertificationApplication(product_id=draft.id)
    session.add(far_application)
    session.flush()
    for application_id in (world.trade["application"], far_application.id):
        session.add(CertificationObjection(application_id=application_id, reason="价格偏高"))
    event = Event(action="test.visibility", object_type="test", object_id="1")
    session.add(event)
    session.flush()
    recipients = [(RecipientKind.user, uid) for uid in world.user_ids.values()] + [
        (RecipientKind.enterprise, world.enterprise_a),
        (RecipientKind.cooperative, coop.id),
        (RecipientKind.village, far.id),
    ]
    session.add_all(
        Notification(
            event_id=event.id,
            recipient_kind=kind,
            recipient_id=rid,
            kind="test",
            title="t",
            body="b",
            link="/",
        )
        for kind, rid in recipients
    )
    session.add_all(
        ExportJob(region_code=region, format=ExportFormat.csv)
        for region in ("140800", "140829", OTHER_COUNTY)
    )
    session.flush()
    world.actors["system"] = SYSTEM
    world.actors["pending_enterprise"] = Actor(
        role=Role.enterprise, user_id=world.pending_user_id, name="待审"
    )
    return world
