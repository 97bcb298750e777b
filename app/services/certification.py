"""Consumption-assistance certification (消费帮扶产品认定).

A cooperative applies for one of its products; a bureau officer of the product's county approves
it with an expiry date or rejects it with a reason. An approval is first published for a notice
period (公示期, ``certification_notice_days``) during which anyone may object
(``app.services.objections``); it takes effect only when the period has ended with no open
objection (``take_effect_when_due``, run periodically). The product then carries the date
(``assistance_certified_until``), so the badge disappears by itself once the date has passed:
nothing has to run on the expiry day.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from app.actors import SYSTEM, Actor
from app.config import get_settings
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import CertificationApplication, CertificationObjection, Product, Village
from app.models.base import utcnow
from app.models.enums import CertificationStatus, ObjectionStatus
from app.permissions import (
    CERTIFICATION_APPLICATIONS,
    can_review_certifications,
    require,
)
from app.services import clock
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.certification_states import CERTIFICATION, CertificationCase
from app.services.domain_events import CertificationEvent
from app.services.inputs import BoundedDate, MultilineText, parse

MAX_CERTIFICATION_YEARS = 3


class ApplicationInput(BaseModel):
    note: MultilineText = Field(default="", title="申请说明", max_length=500)


class ApprovalInput(BaseModel):
    expires_on: BoundedDate = Field(title="认定有效期至")


class RejectionInput(BaseModel):
    reason: MultilineText = Field(title="不通过的原因", min_length=1, max_length=500)


def apply_for_certification(
    *, session: Session, actor: Actor, product_id: int, data: dict | None = None
) -> CertificationApplication:
    """Ask the bureau to certify a product; one application per product waits at a time."""
    product = session.get(Product, product_id)
    if product is None:
        raise NotFoundError("产品不存在")
    CERTIFICATION.authorize("apply", actor, product)
    form = parse(ApplicationInput, data or {})
    CERTIFICATION.check_guards("apply", product)
    waiting = session.exec(
        select(CertificationApplication.id).where(
            CertificationApplication.product_id == product.id,
            CertificationApplication.status.in_(
                (CertificationStatus.pending, CertificationStatus.publicised)
            ),
        )
    ).first()
    if waiting is not None:
        raise ConflictError("该产品已有待审核的认定申请", code="already_applied")
    application = CertificationApplication(product_id=product.id, note=form.note.strip())
    session.add(application)
    _record(session, actor, "certification.apply", application, product, "申请消费帮扶产品认定")
    return application


def approve_certification(
    *,
    session: Session,
    actor: Actor,
    application_id: int,
    data: dict,
    today: date | None = None,
    now: datetime | None = None,
) -> CertificationApplication:
    """Approve until ``expires_on`` (at most three years ahead), first on public notice."""
    application, product = _decidable(session, actor, application_id, "approve")
    form = parse(ApprovalInput, data)
    today = today or clock.today()
    if form.expires_on <= today:
        raise ValidationError("有效期应晚于今天", code="expiry_past", field="expires_on")
    if form.expires_on > _years_after(today, MAX_CERTIFICATION_YEARS):
        raise ValidationError(
            f"有效期最长 {MAX_CERTIFICATION_YEARS} 年", code="expiry_too_far", field="expires_on"
        )
    notice_ends_at = (now or utcnow()) + timedelta(days=get_settings().certification_notice_days)
    _decide(
        session,
        application,
        "approve",
        actor,
        expires_on=form.expires_on,
        notice_ends_at=notice_ends_at,
    )
    summary = (
        f"审核通过，有效期至 {form.expires_on.isoformat()}，"
        f"公示至 {clock.local_date(notice_ends_at).isoformat()}"
    )
    _record(session, actor, "certification.approve", application, product, summary)
    return application


def open_objections(session: Session, application_id: int) -> int:
    """How many objections to the application still wait for the bureau."""
    return session.execute(
        sa.select(sa.func.count())
        .select_from(CertificationObjection)
        .where(
            CertificationObjection.application_id == application_id,
            CertificationObjection.status == ObjectionStatus.open,
        )
    ).scalar_one()


def take_effect(
    session: Session,
    application: CertificationApplication,
    *,
    actor: Actor = SYSTEM,
    now: datetime | None = None,
) -> bool:
    """Put a publicised certification in force, if its period is over and nothing is open."""
    case = CertificationCase(
        application,
        now=now or utcnow(),
        open_objections=lambda: open_objections(session, application.id),
    )
    if not CERTIFICATION.may("take_effect", actor, case):
        return False
    product = session.get(Product, application.product_id)
    _move(session, application, "take_effect")
    # Written without a version bump (decision 0015): no form edits this date, so the
    # cooperative's open product form stays valid when the certification comes into force.
    table = Product.__table__
    session.execute(
        sa.update(table)
        .where(table.c.id == product.id)
        .values(assistance_certified_until=application.expires_on, updated_at=utcnow())
    )
    session.expire(product, ["assistance_certified_until", "updated_at"])
    summary = f"公示期满无异议，认定生效，有效期至 {application.expires_on.isoformat()}"
    _record(
        session, actor, "certification.take_effect", application, product, summary, certified=True
    )
    return True


def take_effect_when_due(*, session: Session, now: datetime | None = None) -> int:
    """Put in force every certification whose notice period has ended without open objection."""
    now = now or utcnow()
    blocked = (
        sa.select(CertificationObjection.id)
        .where(
            CertificationObjection.application_id == CertificationApplication.id,
            CertificationObjection.status == ObjectionStatus.open,
        )
        .exists()
    )
    due = session.exec(
        select(CertificationApplication).where(
            CertificationApplication.status == CertificationStatus.publicised,
            CertificationApplication.notice_ends_at <= now,
            ~blocked,
        )
    ).all()
    done = 0
    for application in due:
        try:
            with session.begin_nested():
                done += take_effect(session, application, now=now)
        except ConflictError:
            continue  # another app process put it in force first
    return done


def refuse_after_objection(
    session: Session, application: CertificationApplication, *, actor: Actor, reason: str
) -> None:
    """An upheld objection ends the notice period: the certification is refused."""
    product = session.get(Product, application.product_id)
    _move(session, application, "refuse", reason=reason[:500])
    _record(
        session, actor, "certification.refuse", application, product, f"公示期异议成立：{reason}"
    )


def reject_certification(
    *, session: Session, actor: Actor, application_id: int, data: dict
) -> CertificationApplication:
    """Refuse the application with a reason the cooperative will read."""
    application, product = _decidable(session, actor, application_id, "reject")
    form = parse(RejectionInput, {"reason": str(data.get("reason", "")).strip()})
    _decide(session, application, "reject", actor, reason=form.reason)
    _record(
        session,
        actor,
        "certification.reject",
        application,
        product,
        f"消费帮扶产品认定未通过：{form.reason}",
    )
    return application


def certification_queue(*, session: Session, actor: Actor) -> list[CertificationApplication]:
    """Applications waiting for this bureau officer, oldest first, with product and origin."""
    require(can_review_certifications(actor))
    return list(
        session.exec(
            select(CertificationApplication)
            .join(Product, Product.id == CertificationApplication.product_id)
            .join(Village, Village.id == Product.village_id)
            .where(
                CertificationApplication.status == CertificationStatus.pending,
                CERTIFICATION_APPLICATIONS.where(actor, county_code=Village.county_code),
            )
            .options(
                selectinload(CertificationApplication.product).selectinload(Product.village),
                selectinload(CertificationApplication.product).selectinload(Product.cooperative),
            )
            .order_by(CertificationApplication.applied_at, CertificationApplication.id)
        ).all()
    )


def latest_applications(
    session: Session, product_ids: list[int]
) -> dict[int, CertificationApplication]:
    """Each product's most recent application, in one query (for the cooperative's list)."""
    if not product_ids:
        return {}
    newest = (
        sa.select(sa.func.max(CertificationApplication.id))
        .where(CertificationApplication.product_id.in_(product_ids))
        .group_by(CertificationApplication.product_id)
    )
    rows = session.exec(
        select(CertificationApplication).where(CertificationApplication.id.in_(newest))
    ).all()
    return {row.product_id: row for row in rows}


def _decidable(
    session: Session, actor: Actor, application_id: int, name: str
) -> tuple[CertificationApplication, Product]:
    application = session.get(CertificationApplication, application_id)
    if application is None:
        raise NotFoundError("认定申请不存在")
    product = session.get(Product, application.product_id)
    county_code = session.get(Village, product.village_id).county_code
    CERTIFICATION.check(name, actor, CertificationCase(application, county_code))
    return application, product


def _decide(
    session: Session,
    application: CertificationApplication,
    name: str,
    actor: Actor,
    **values,
) -> None:
    """Conditional on the application still pending: two officers cannot both decide it."""
    values.update(decided_at=utcnow(), decided_by=actor.user_id)
    _move(session, application, name, **values)


def _move(session: Session, application: CertificationApplication, name: str, **values) -> None:
    """Take transition ``name`` only if the status still is its source: of two concurrent moves
    one fails."""
    transition = CERTIFICATION.transition(name)
    (source,) = transition.sources
    table = CertificationApplication.__table__
    result = session.execute(
        sa.update(table)
        .where(table.c.id == application.id, table.c.status == source)
        .values(status=transition.target, **values)
    )
    if result.rowcount != 1:
        raise ConflictError(CERTIFICATION.wrong_state, code=CERTIFICATION.wrong_state_code)
    session.refresh(application)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _record(
    session: Session,
    actor: Actor,
    action: str,
    application: CertificationApplication,
    product: Product,
    summary: str,
    *,
    certified: bool = False,
) -> None:
    """Publish the application's change; ``certified``: the product is now certified."""
    publish(
        session,
        CertificationEvent.by(
            actor,
            action=action,
            obj=application,
            product=product,
            product_changed=certified,
            summary=f"“{product.name}”{summary}",
            after=snapshot(application),
            county_code=session.get(Village, product.village_id).county_code,
        ),
    )
