"""劳务供给: a village's groups of available workers — counts and skills, never identities.

The village publishes a group, edits it at the version it saw, and withdraws it when the workers
are no longer available. Employers read the open groups (``open_supplies``); the village its own.
"""

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, NotFoundError
from app.labels import register
from app.models import Village
from app.models.base import utcnow
from app.models.labour import ALL_MONTHS, LabourSupply, SupplyStatus
from app.permissions import require
from app.permissions.labour import LABOUR_SUPPLIES, can_publish_supply, can_see_supply
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.inputs import parse
from app.services.labour.events import SupplyEvent
from app.services.labour.fields import Flag, Months, Skills
from app.services.paging import Page, paginate
from app.services.privacy import PublicLine, PublicText
from app.services.versioning import expect_version, flush_versioned

SUPPLY_STALE = "该劳务供给信息已被他人修改，请刷新后再试"
# One group is at most this many workers (a village's whole labour force fits).
MAX_GROUP = 5000

register(
    SupplyStatus,
    {SupplyStatus.open: "可务工", SupplyStatus.withdrawn: "已撤回"},
)


class SupplyInput(BaseModel):
    title: PublicLine = Field(title="名称", min_length=2, max_length=80)
    head_count: int = Field(title="人数", gt=0, le=MAX_GROUP)
    skills: Skills = Field(default="", title="技能", max_length=200)
    can_travel: Flag = Field(default=False, title="可外出务工")
    available_months: Months = Field(title="可务工月份", ge=1, le=ALL_MONTHS)
    note: PublicText = Field(default="", title="补充说明", max_length=2000)


def publish_supply(*, session: Session, actor: Actor, data: dict) -> LabourSupply:
    """The village publishes a group of its available workers."""
    village = session.get(Village, actor.village_id) if actor.village_id else None
    require(village is not None and can_publish_supply(actor, village.id))
    form = parse(SupplyInput, data)
    supply = LabourSupply(
        **form.model_dump(),
        village_id=village.id,
        county_code=village.county_code,
        township_code=village.township_code,
    )
    session.add(supply)
    _record(session, actor, "labour_supply.publish", supply, village, "发布劳务供给")
    return supply


def revise_supply(
    *, session: Session, actor: Actor, supply_id: int, expected_version: int, data: dict
) -> LabourSupply:
    """The village corrects a group (head-count, skills, months) at the version it saw."""
    supply = _own(session, actor, supply_id)
    expect_version(supply, expected_version, SUPPLY_STALE)
    if supply.status != SupplyStatus.open:
        raise ConflictError("该劳务供给已撤回，不能修改", code="supply_withdrawn")
    form = parse(SupplyInput, data)
    before = snapshot(supply)
    for name, value in form.model_dump().items():
        setattr(supply, name, value)
    supply.updated_at = utcnow()
    flush_versioned(session, SUPPLY_STALE)
    village = session.get(Village, supply.village_id)
    _record(session, actor, "labour_supply.update", supply, village, "修改劳务供给", before)
    return supply


def withdraw_supply(
    *, session: Session, actor: Actor, supply_id: int, expected_version: int
) -> LabourSupply:
    """The village withdraws a group whose workers are no longer available."""
    supply = _own(session, actor, supply_id)
    expect_version(supply, expected_version, SUPPLY_STALE)
    if supply.status == SupplyStatus.withdrawn:
        raise ConflictError("该劳务供给已撤回", code="already_withdrawn")
    before = snapshot(supply)
    supply.status = SupplyStatus.withdrawn
    supply.updated_at = utcnow()
    flush_versioned(session, SUPPLY_STALE)
    village = session.get(Village, supply.village_id)
    _record(session, actor, "labour_supply.withdraw", supply, village, "撤回劳务供给", before)
    return supply


def get_supply(*, session: Session, actor: Actor, supply_id: int) -> LabourSupply:
    supply = session.get(LabourSupply, supply_id)
    if supply is None or not can_see_supply(
        actor,
        supply.village_id,
        supply.county_code,
        is_open=supply.status == SupplyStatus.open,
    ):
        raise NotFoundError("劳务供给不存在或已撤回")
    return supply


def visible_supplies(
    *, session: Session, actor: Actor, status: SupplyStatus | None = None, page: int = 1
) -> Page[LabourSupply]:
    """The groups the actor may see (the village: its own; employers: the open ones; the
    bureau: its region's), newest first."""
    query = select(LabourSupply).where(
        _visible(actor),
        sa.true() if status is None else LabourSupply.status == status,
    )
    query = query.order_by(LabourSupply.created_at.desc(), LabourSupply.id.desc())
    return paginate(session, query, number=page)


def open_supplies(*, session: Session, actor: Actor) -> list[LabourSupply]:
    """Every open group the actor may see (what the matching reads)."""
    query = select(LabourSupply).where(_visible(actor), LabourSupply.status == SupplyStatus.open)
    return list(session.exec(query.order_by(LabourSupply.id)))


def _visible(actor: Actor):
    return LABOUR_SUPPLIES.where(
        actor,
        village_id=LabourSupply.village_id,
        status=LabourSupply.status,
        county_code=LabourSupply.county_code,
    )


def _own(session: Session, actor: Actor, supply_id: int) -> LabourSupply:
    supply = session.get(LabourSupply, supply_id)
    if supply is None:
        raise NotFoundError("劳务供给不存在")
    require(can_publish_supply(actor, supply.village_id))
    return supply


def _record(
    session: Session,
    actor: Actor,
    action: str,
    supply: LabourSupply,
    village: Village,
    summary: str,
    before: dict | None = None,
) -> None:
    publish(
        session,
        SupplyEvent.by(
            actor,
            action=action,
            obj=supply,
            summary=f"{village.name}{summary}“{supply.title}”（{supply.head_count} 人）",
            before=before,
            after=snapshot(supply),
            county_code=supply.county_code,
        ),
    )
