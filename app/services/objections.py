"""Objections (异议) to a certification on public notice, and the bureau's resolution of them.

Anyone, signed in or not, may object while the notice period runs. The filer's name and contact
are kept for the bureau only and never appear on a public page or in the audit summary. Each
open objection holds the certification back; the bureau upholds it (the certification is
refused) or dismisses it (the certification proceeds, at once if the period is already over).

A flood cannot hold a certification for long (docs/decisions/0018-abuse-limits.md): filing is
limited per client address and per contact, the same contact (or signed-in filer) cannot open a
second objection while the first is open, and the bureau dismisses many objections in one action
(``dismiss_objections``). Only open objections hold a certification; dismissed ones never do.
"""

import hashlib
import hmac
import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from app.actors import Actor
from app.config import get_settings
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import CertificationApplication, CertificationObjection, Product, Village
from app.models.base import utcnow
from app.models.enums import CertificationStatus, ObjectionStatus
from app.permissions import (
    CERTIFICATION_OBJECTIONS,
    can_review_certifications,
    require,
)
from app.services import certification, limits
from app.services.bus import publish
from app.services.certification_states import OBJECTION, ObjectionCase
from app.services.domain_events import ObjectionEvent
from app.services.inputs import MultilineText, RowId, Text, parse

MAX_BULK = 500
ALREADY_RECEIVED = "该联系方式对这项认定提出的异议已收到，乡村振兴局正在核查，无需重复提交"
MOBILE = re.compile(r"1[3-9]\d{9}")
# The bureau's decision on an objection, and the transition it takes.
RESOLUTIONS = {ObjectionStatus.upheld: "uphold", ObjectionStatus.dismissed: "dismiss"}


class ObjectionInput(BaseModel):
    reason: MultilineText = Field(title="异议理由", min_length=5, max_length=1000)
    filer_name: Text = Field(default="", title="姓名或单位", max_length=40)
    filer_contact: Text = Field(default="", title="联系方式", max_length=60)


class BulkDismissalInput(BaseModel):
    objection_ids: list[RowId] = Field(title="异议", min_length=1, max_length=MAX_BULK)
    resolution: MultilineText = Field(title="处理意见", min_length=1, max_length=500)


class ResolutionInput(BaseModel):
    decision: ObjectionStatus = Field(title="处理结果")
    resolution: MultilineText = Field(title="处理意见", min_length=1, max_length=500)


def file_objection(
    *,
    session: Session,
    actor: Actor,
    application_id: int,
    data: dict,
    now: datetime | None = None,
    address: str | None = None,
) -> CertificationObjection:
    """Object to a certification during its notice period (open to everyone).

    ``address`` is the client's: filing is limited per address and per contact.
    """
    form = parse(ObjectionInput, {k: str(v).strip() for k, v in data.items()})
    application = session.get(CertificationApplication, application_id)
    if application is None or application.status != CertificationStatus.publicised:
        raise NotFoundError("该产品不在公示期内")
    if (now or utcnow()) >= application.notice_ends_at:
        raise ConflictError("公示期已结束，不能再提出异议", code="notice_ended")
    key = contact_key(form.filer_contact)
    if _already_open(session, application.id, key, actor.user_id):
        raise ConflictError(ALREADY_RECEIVED, code="objection_already_received")
    per_address, per_contact = limits.objection_limits()
    if address is not None:
        limits.hit(session, per_address, limits.address_key(address), now=now, what="提交过于频繁")
    if key:
        limits.hit(session, per_contact, key, now=now, what="该联系方式提交的异议过多")
    objection = CertificationObjection(
        application_id=application.id,
        reason=form.reason,
        filer_name=form.filer_name,
        filer_contact=form.filer_contact,
        filer_user_id=actor.user_id,
        contact_key=key,
    )
    try:
        with session.begin_nested():  # a concurrent copy meets the partial unique index
            session.add(objection)
    except IntegrityError:
        raise ConflictError(ALREADY_RECEIVED, code="objection_already_received") from None
    _record(session, actor, "objection.file", objection, application, "收到公示异议")
    return objection


def contact_key(contact: str) -> str:
    """A keyed digest of the contact as people write it ("" for none): a mobile number with or
    without +86, spaces or dashes is one contact; an email address is one in any letter case."""
    text = unicodedata.normalize("NFKC", contact or "").strip().lower()
    if not text:
        return ""
    compact = re.sub(r"[\s\-–—()（）.]", "", text)
    number = re.sub(r"^(\+86|0086|86)(?=1[3-9]\d{9}$)", "", compact)
    if MOBILE.fullmatch(number):
        normal = f"mobile:{number}"
    elif "@" in compact:
        normal = f"email:{compact}"
    else:
        normal = f"other:{compact}"
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, normal.encode(), hashlib.sha256).hexdigest()


def _already_open(session: Session, application_id: int, key: str, user_id: int | None) -> bool:
    same_filer = []
    if key:
        same_filer.append(CertificationObjection.contact_key == key)
    if user_id is not None:
        same_filer.append(CertificationObjection.filer_user_id == user_id)
    if not same_filer:
        return False
    found = session.exec(
        select(CertificationObjection.id).where(
            CertificationObjection.application_id == application_id,
            CertificationObjection.status == ObjectionStatus.open,
            sa.or_(*same_filer),
        )
    ).first()
    return found is not None


def resolve_objection(
    *, session: Session, actor: Actor, objection_id: int, data: dict
) -> CertificationObjection:
    """Uphold (the certification is refused) or dismiss an objection, with the bureau's view."""
    objection = session.get(CertificationObjection, objection_id)
    if objection is None:
        raise NotFoundError("异议不存在")
    application = session.get(CertificationApplication, objection.application_id)
    case = ObjectionCase(objection, _county(session, application))
    OBJECTION.authorize_any(RESOLUTIONS.values(), actor, case)
    form = parse(ResolutionInput, {k: str(v).strip() for k, v in data.items()})
    if form.decision not in RESOLUTIONS:
        raise ValidationError("请选择异议成立或不成立", code="invalid_decision", field="decision")
    OBJECTION.check_state(RESOLUTIONS[form.decision], actor, case)
    OBJECTION.move(RESOLUTIONS[form.decision], case)
    objection.resolution = form.resolution
    objection.resolved_at = utcnow()
    objection.resolved_by = actor.user_id
    verdict = "异议成立" if form.decision == ObjectionStatus.upheld else "异议不成立"
    _record(
        session, actor, "objection.resolve", objection, application, f"{verdict}：{form.resolution}"
    )
    if form.decision == ObjectionStatus.upheld:
        if application.status == CertificationStatus.publicised:
            certification.refuse_after_objection(
                session, application, actor=actor, reason=form.resolution
            )
    else:
        certification.take_effect(session, application, actor=actor)
    return objection


def dismiss_objections(
    *,
    session: Session,
    actor: Actor,
    application_id: int,
    data: dict,
    now: datetime | None = None,
) -> list[CertificationObjection]:
    """Dismiss many open objections to one certification in one action (a flood of copies):
    each is audited, the cooperative is told once, and the certification proceeds as after a
    single dismissal."""
    application = session.get(CertificationApplication, application_id)
    if application is None:
        raise NotFoundError("认定申请不存在")
    county_code = _county(session, application)
    OBJECTION.authorize("dismiss_in_bulk", actor, ObjectionCase(None, county_code))
    ids = data.get("objection_ids") or []
    form = parse(
        BulkDismissalInput,
        {"objection_ids": ids, "resolution": str(data.get("resolution", "")).strip()},
    )
    wanted = set(form.objection_ids)
    found = session.exec(
        select(CertificationObjection)
        .where(
            CertificationObjection.id.in_(wanted),
            CertificationObjection.application_id == application.id,
        )
        .order_by(CertificationObjection.id)
    ).all()
    if len(found) != len(wanted):
        raise NotFoundError("所选异议不存在或不属于该认定", field="objection_ids")
    cases = [ObjectionCase(objection, county_code) for objection in found]
    for case in cases:
        OBJECTION.check_state("dismiss_in_bulk", actor, case)
    moment = now or utcnow()
    for objection, case in zip(found, cases, strict=True):
        OBJECTION.move("dismiss_in_bulk", case)
        objection.resolution = form.resolution
        objection.resolved_at = moment
        objection.resolved_by = actor.user_id
        summary = f"异议不成立（批量处理）：{form.resolution}"
        _record(session, actor, "objection.dismiss_in_bulk", objection, application, summary)
    product = session.get(Product, application.product_id)
    publish(
        session,
        ObjectionEvent.by(
            actor,
            action="objection.dismiss_bulk",
            obj=application,
            summary=f"“{product.name}”的消费帮扶产品认定有 {len(found)} 条异议不成立："
            f"{form.resolution}",
            after={"dismissed": [o.id for o in found]},
            county_code=_county(session, application),
        ),
    )
    certification.take_effect(session, application, actor=actor, now=moment)
    return list(found)


def open_in_region(query: sa.Select, actor: Actor) -> sa.Select:
    """``query`` over objections narrowed to the open ones in the bureau actor's region
    (joined with their application, product and the product's village)."""
    return (
        query.join(
            CertificationApplication,
            CertificationApplication.id == CertificationObjection.application_id,
        )
        .join(Product, Product.id == CertificationApplication.product_id)
        .join(Village, Village.id == Product.village_id)
        .where(
            CertificationObjection.status == ObjectionStatus.open,
            CERTIFICATION_OBJECTIONS.where(actor, county_code=Village.county_code),
        )
    )


def objection_queue(*, session: Session, actor: Actor) -> list[CertificationObjection]:
    """Open objections in the officer's region, oldest first, with the product they concern."""
    require(can_review_certifications(actor))
    return list(
        session.exec(
            open_in_region(select(CertificationObjection), actor)
            .options(
                selectinload(CertificationObjection.application)
                .selectinload(CertificationApplication.product)
                .selectinload(Product.cooperative)
            )
            .order_by(CertificationObjection.filed_at, CertificationObjection.id)
        ).all()
    )


def visible_objection(
    *, session: Session, actor: Actor, objection_id: int
) -> CertificationObjection | None:
    """An objection for the bureau that resolves it (and admins); None for anyone else."""
    objection = session.get(CertificationObjection, objection_id)
    if objection is None:
        return None
    application = session.get(CertificationApplication, objection.application_id)
    allowed = CERTIFICATION_OBJECTIONS.allows(actor, county_code=_county(session, application))
    return objection if allowed else None


def _county(session: Session, application: CertificationApplication) -> str:
    product = session.get(Product, application.product_id)
    return session.get(Village, product.village_id).county_code


def _record(
    session: Session,
    actor: Actor,
    action: str,
    objection: CertificationObjection,
    application: CertificationApplication,
    summary: str,
) -> None:
    product = session.get(Product, application.product_id)
    publish(
        session,
        ObjectionEvent.by(
            actor,
            action=action,
            obj=objection,
            # Never the filer's name or contact: the summary is shown to the cooperative.
            summary=f"“{product.name}”的消费帮扶产品认定{summary}",
            after={"status": str(objection.status), "application_id": application.id},
            county_code=_county(session, application),
        ),
    )
