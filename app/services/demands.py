"""Purchase demands (采购需求) posted by buyers."""

from datetime import date

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Demand, Enterprise
from app.models.base import utcnow
from app.models.enums import DemandStatus, ProductCategory
from app.money import MAX_UNIT_PRICE_FEN
from app.permissions import can_buy, can_see_demand, is_enterprise_staff, require
from app.services import clock
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import DemandEvent
from app.services.inputs import BoundedDate, Text, parse
from app.services.paging import Page, paginate
from app.services.privacy import PublicLine, PublicText
from app.services.products import MAX_QUANTITY, check_unit, yuan_field
from app.services.versioning import DEMAND_STALE, expect_version, flush_versioned


class DemandInput(BaseModel):
    title: PublicLine = Field(title="需求标题", min_length=2, max_length=80)
    category: ProductCategory = Field(title="品类")
    keywords: PublicLine = Field(default="", title="关键词", max_length=200)
    quantity: int = Field(title="采购数量", gt=0, le=MAX_QUANTITY)
    unit: Text = Field(title="计量单位")
    max_unit_price: int | None = Field(default=None, title="最高单价")
    deliver_by: BoundedDate = Field(title="交货日期")
    destination_region: Text = Field(default="", title="收货地区", max_length=60)
    note: PublicText = Field(default="", title="补充说明", max_length=2000)

    _unit = field_validator("unit")(check_unit)
    _price = field_validator("max_unit_price", mode="before")(
        yuan_field("最高单价", positive=False, maximum=MAX_UNIT_PRICE_FEN)
    )

    @field_validator("title", "keywords", "destination_region", "note", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value


def post_demand(*, session: Session, actor: Actor, data: dict, today: date | None = None) -> Demand:
    """Publish a buyer's purchase demand; cooperatives see it and products are suggested."""
    buyer = session.get(Enterprise, actor.enterprise_id) if actor.enterprise_id else None
    require(buyer is not None and can_buy(actor, buyer.id, buyer.status))
    form = parse(DemandInput, data)
    if form.deliver_by < (today or clock.today()):
        raise ValidationError("交货日期不能早于今天", code="deliver_by_past", field="deliver_by")
    demand = Demand(
        **form.model_dump(exclude={"max_unit_price"}),
        max_unit_price_fen=form.max_unit_price,
        buyer_id=buyer.id,
    )
    session.add(demand)
    _record(session, actor, "demand.post", demand, buyer, f"发布采购需求“{demand.title}”")
    return demand


def close_demand(
    *, session: Session, actor: Actor, demand_id: int, expected_version: int
) -> Demand:
    """The buyer closes a demand it no longer needs answered."""
    demand = session.get(Demand, demand_id)
    if demand is None:
        raise NotFoundError("采购需求不存在")
    require(is_enterprise_staff(actor, demand.buyer_id))
    expect_version(demand, expected_version, DEMAND_STALE)
    if demand.status == DemandStatus.closed:
        raise ConflictError("该需求已关闭", code="already_closed")
    before = snapshot(demand)
    demand.status = DemandStatus.closed
    demand.updated_at = utcnow()
    flush_versioned(session, DEMAND_STALE)
    buyer = session.get(Enterprise, demand.buyer_id)
    _record(session, actor, "demand.close", demand, buyer, f"关闭采购需求“{demand.title}”", before)
    return demand


def get_demand(*, session: Session, actor: Actor, demand_id: int) -> Demand:
    demand = session.get(Demand, demand_id)
    if demand is None or not can_see_demand(
        actor, demand.buyer_id, is_open=demand.status == DemandStatus.open
    ):
        raise NotFoundError("采购需求不存在或已关闭")
    _ = demand.buyer
    return demand


def my_demands(
    *, session: Session, actor: Actor, status: DemandStatus | None = None, page: int = 1
) -> Page[Demand]:
    """The actor's own demands, newest first (none for anyone but a buyer)."""
    query = select(Demand).where(
        Demand.buyer_id == (actor.enterprise_id or -1),
        sa.true() if status is None else Demand.status == status,
    )
    return paginate(
        session, query.order_by(Demand.created_at.desc(), Demand.id.desc()), number=page
    )


def open_demands(
    *,
    session: Session,
    actor: Actor,
    category: ProductCategory | None = None,
    page: int = 1,
    today: date | None = None,
) -> Page[Demand]:
    """Open demands still deliverable, soonest deadline first (what cooperatives can answer)."""
    if not can_see_demand(actor, -1, is_open=True):
        return Page(items=[], total=0, number=1)
    query = select(Demand).where(
        Demand.status == DemandStatus.open,
        Demand.deliver_by >= (today or clock.today()),
        sa.true() if category is None else Demand.category == category,
    )
    query = query.options(selectinload(Demand.buyer)).order_by(Demand.deliver_by, Demand.id)
    return paginate(session, query, number=page)


def _record(
    session: Session,
    actor: Actor,
    action: str,
    demand: Demand,
    buyer: Enterprise,
    summary: str,
    before: dict | None = None,
) -> None:
    publish(
        session,
        DemandEvent.by(
            actor,
            action=action,
            obj=demand,
            summary=f"{buyer.name}{summary}",
            before=before,
            after=snapshot(demand),
            county_code=buyer.county_code,
        ),
    )
