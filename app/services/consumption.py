"""What consumption assistance really happened: received orders summed in SQL.

Only received (已收货) orders count. Totals by county follow the product's origin village; totals
by agreement follow the agreement an order was attributed to on receipt (结对帮销). Reserved shares
(预留份额) compare what a public buyer (机关, 事业单位 such as public schools and hospitals,
国有企业: ``PUBLIC_BUYER_KINDS``) received this calendar year with its amount, summed from the
``purchases_yearly`` summary the order service keeps (app/services/sales_summary); the overview
lists the approved ones only.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session

from app.actors import Actor, Role
from app.errors import NotFoundError, ValidationError
from app.models import (
    County,
    Enterprise,
    Order,
    PairingAgreement,
    Product,
    PurchasesYearly,
    Village,
)
from app.models.base import utcnow
from app.models.enums import EnterpriseKind, OrderStatus, RegistrationStatus
from app.permissions import (
    AGREEMENTS,
    PUBLIC_BUYER_KINDS,
    REGION_ROWS,
    RESERVED_SHARES,
    acts_for_approved_organisation,
    can_edit_enterprise,
    can_see_reserved_share,
    can_view_consumption,
    require,
)
from app.services import clock
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import ConsumptionEvent
from app.services.inputs import parse
from app.services.products import yuan_field
from app.services.versioning import ENTERPRISE_STALE, expect_version, flush_versioned

# Every budget unit reserves a share (预留份额): the public buyer kinds.
RESERVING_KINDS = PUBLIC_BUYER_KINDS
PURCHASES = PurchasesYearly.__table__


@dataclass(frozen=True, slots=True)
class CountyConsumption:
    code: str
    name: str
    orders: int
    amount_fen: int
    paired_amount_fen: int


@dataclass(frozen=True, slots=True)
class AgreementConsumption:
    agreement_id: int
    number: str
    enterprise_name: str
    village_name: str
    orders: int
    amount_fen: int
    commit_purchase_fen: int


@dataclass(frozen=True, slots=True)
class ReservedShare:
    enterprise_id: int
    enterprise_name: str
    kind: EnterpriseKind
    year: int
    reserved_fen: int
    bought_fen: int
    # The enterprise row's version: the reserved-share form sends it back (decision 0015).
    version: int = 1

    @property
    def percent(self) -> int | None:
        """Bought as a whole percentage of the reserved amount (None when nothing is reserved)."""
        if self.reserved_fen <= 0:
            return None
        return self.bought_fen * 100 // self.reserved_fen


class ReservedShareInput(BaseModel):
    reserved_share: int | None = Field(title="年度预留采购份额")

    _amount = field_validator("reserved_share", mode="before")(
        yuan_field("年度预留采购份额", positive=False)
    )

    @field_validator("reserved_share", mode="after")
    @classmethod
    def _required(cls, value: int | None) -> int:
        if value is None:
            raise ValueError("请填写年度预留采购份额")
        return value


def _received(since: datetime | None, until: datetime | None) -> list[sa.ColumnElement[bool]]:
    conditions = [Order.status == OrderStatus.received]
    if since is not None:
        conditions.append(Order.received_at >= since)
    if until is not None:
        conditions.append(Order.received_at < until)
    return conditions


def consumption_by_county(
    *,
    session: Session,
    actor: Actor,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[CountyConsumption]:
    """Received orders per county of origin (every county in scope, zeros included)."""
    require(can_view_consumption(actor))
    totals = (
        sa.select(
            Village.county_code.label("county_code"),
            sa.func.count(Order.id).label("orders"),
            sa.func.sum(Order.amount_fen).label("amount"),
            sa.func.sum(
                sa.case((Order.agreement_id.is_not(None), Order.amount_fen), else_=0)
            ).label("paired"),
        )
        .join(Product, Product.id == Order.product_id)
        .join(Village, Village.id == Product.village_id)
        .where(*_received(since, until))
        .group_by(Village.county_code)
        .subquery("totals")
    )
    rows = session.execute(
        sa.select(County.code, County.name, totals.c.orders, totals.c.amount, totals.c.paired)
        .outerjoin(totals, totals.c.county_code == County.code)
        .where(REGION_ROWS.where(actor, county_code=County.code))
        .order_by(County.code)
    ).all()
    return [
        CountyConsumption(code, name, int(orders or 0), int(amount or 0), int(paired or 0))
        for code, name, orders, amount, paired in rows
    ]


def consumption_by_agreement(
    *,
    session: Session,
    actor: Actor,
    agreement_ids: list[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AgreementConsumption]:
    """Received orders attributed to each agreement (结对帮销 actuals), largest first.

    The bureau sees its region's agreements; an enterprise or a village sees its own.
    """
    scope = _agreement_scope(actor)
    conditions = [*_received(since, until), scope]
    if agreement_ids is not None:
        conditions.append(PairingAgreement.id.in_(agreement_ids))
    amount = sa.func.sum(Order.amount_fen)
    rows = session.execute(
        sa.select(
            PairingAgreement.id,
            PairingAgreement.number,
            Enterprise.name,
            Village.name,
            sa.func.count(Order.id),
            amount,
            PairingAgreement.commit_purchase_fen,
        )
        .join(Order, Order.agreement_id == PairingAgreement.id)
        .join(Enterprise, Enterprise.id == PairingAgreement.enterprise_id)
        .join(Village, Village.id == PairingAgreement.village_id)
        .where(*conditions)
        .group_by(
            PairingAgreement.id,
            PairingAgreement.number,
            Enterprise.name,
            Village.name,
            PairingAgreement.commit_purchase_fen,
        )
        .order_by(amount.desc(), PairingAgreement.id)
    ).all()
    return [
        AgreementConsumption(a_id, number, e_name, v_name, int(n), int(total), int(commit))
        for a_id, number, e_name, v_name, n, total, commit in rows
    ]


def _agreement_scope(actor: Actor) -> sa.ColumnElement[bool]:
    """The agreements ``actor`` may see (``AGREEMENTS``); only their parties and those who may
    view consumption totals ask."""
    party = actor.role in (Role.enterprise, Role.village) and acts_for_approved_organisation(actor)
    require(party or can_view_consumption(actor))
    return AGREEMENTS.where(
        actor,
        enterprise_id=PairingAgreement.enterprise_id,
        village_id=PairingAgreement.village_id,
        county_code=Village.county_code,
    )


def set_reserved_share(
    *, session: Session, actor: Actor, enterprise_id: int, expected_version: int, data: dict
):
    """A public buyer (``PUBLIC_BUYER_KINDS``) sets its annual reserved purchase amount (元)."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFoundError("帮扶主体不存在")
    require(can_edit_enterprise(actor, enterprise.id))
    expect_version(enterprise, expected_version, ENTERPRISE_STALE)
    if enterprise.kind not in RESERVING_KINDS:
        raise ValidationError(
            "只有机关、事业单位（含公立学校、医院）和国有企业设置预留份额",
            code="kind_not_reserving",
            field="reserved_share",
        )
    form = parse(ReservedShareInput, data)
    before = snapshot(enterprise, ("reserved_share_fen",))
    enterprise.reserved_share_fen = form.reserved_share
    enterprise.updated_at = utcnow()
    flush_versioned(session, ENTERPRISE_STALE)
    publish(
        session,
        ConsumptionEvent.by(
            actor,
            action="enterprise.set_reserved_share",
            obj=enterprise,
            summary=f"{enterprise.name}设置年度预留采购份额",
            before=before,
            after=snapshot(enterprise, ("reserved_share_fen",)),
            county_code=enterprise.county_code,
        ),
    )
    return enterprise


def reserved_share_progress(
    *, session: Session, actor: Actor, enterprise_id: int, year: int | None = None
) -> ReservedShare:
    """One buyer's received purchases this calendar year against its reserved amount."""
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFoundError("帮扶主体不存在")
    require(can_see_reserved_share(actor, enterprise.id, enterprise.county_code))
    shares = _shares(session, year or clock.today().year, Enterprise.id == enterprise.id)
    return shares[0]


def reserved_share_overview(
    *, session: Session, actor: Actor, year: int | None = None
) -> list[ReservedShare]:
    """Every approved public buyer in the officer's region, lowest progress first."""
    require(can_view_consumption(actor))
    shares = _shares(
        session,
        year or clock.today().year,
        Enterprise.kind.in_(RESERVING_KINDS),
        Enterprise.status == RegistrationStatus.approved,
        RESERVED_SHARES.where(
            actor, enterprise_id=Enterprise.id, county_code=Enterprise.county_code
        ),
    )
    return sorted(
        shares,
        key=lambda s: (s.percent is None, s.percent or 0, s.enterprise_name, s.enterprise_id),
    )


def _shares(session: Session, year: int, *conditions) -> list[ReservedShare]:
    """Received this Asia/Shanghai calendar year, from every county, per buyer: read from
    ``purchases_yearly`` (kept by ``orders.receive_order``, migration 0011)."""
    clock.valid_year(year)
    # Per listed buyer, a look-up of its own rows by the key (year, buyer_id, …): the few
    # thousand reserving buyers, not the year's tens of thousands of rows grouped.
    bought = (
        sa.select(sa.func.sum(PURCHASES.c.amount_fen))
        .where(PURCHASES.c.year == year, PURCHASES.c.buyer_id == Enterprise.id)
        .scalar_subquery()
    )
    rows = session.execute(
        sa.select(
            Enterprise.id,
            Enterprise.name,
            Enterprise.kind,
            Enterprise.reserved_share_fen,
            bought,
            Enterprise.version,
        ).where(*conditions)
    ).all()  # ordered by the caller (no ORDER BY: walking the name index costs 3× a scan)
    return [
        ReservedShare(
            e_id, name, EnterpriseKind(kind), year, int(reserved), int(total or 0), version
        )
        for e_id, name, kind, reserved, total, version in rows
    ]
