"""Updating registered enterprises and cooperatives from a re-imported directory sheet.

A row whose credit code is already registered updates that organisation instead of failing as a
duplicate. Checking (``check_*_update``) writes nothing and returns the field-level changes, which
the import's preview shows; applying (``apply_update``) writes exactly those changes, after
confirming that every field still holds the value the preview showed (a field changed meanwhile
is a conflict and the whole import is rolled back).

Rules:
- Only the fields of the sheet's non-blank cells change; a blank cell never clears a field.
- The registration status (审核状态) never changes through an import: approving or rejecting is
  the bureau's review, so a pending or rejected organisation stays so whatever the sheet says.
- The officer must be allowed to register directly in the organisation's county (and in the
  county it moves to).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Cooperative, Enterprise, Village
from app.models.enums import HelpKind
from app.models.flags import from_mask, to_mask
from app.permissions import can_register_directly, require
from app.services import organisations
from app.services.bus import publish
from app.services.domain_events import OrganisationEvent
from app.services.inputs import parse

STALE = "导入预览之后，{name}的信息已被他人修改，未导入任何数据，请重新预览"

ENTERPRISE_FIELDS = (
    "name",
    "kind",
    "industry",
    "county_code",
    "external_region",
    "offers",
    "reserved_share_fen",
    "contact_name",
    "contact_phone",
)
COOPERATIVE_FIELDS = (
    "name",
    "village_id",
    "members",
    "lifted_members",
    "contact_name",
    "contact_phone",
)


@dataclass(frozen=True, slots=True)
class Update:
    """The changes one row makes to a registered organisation: field → (before, after)."""

    kind: str  # "enterprises" or "cooperatives"
    id: int
    name: str
    county_code: str | None
    changes: dict[str, tuple[Any, Any]]


def registered(session: Session, model, credit_code: str):
    """The organisation of ``model`` with this credit code, or None."""
    return session.exec(select(model).where(model.credit_code == credit_code)).first()


def check_enterprise_update(
    *, session: Session, actor: Actor, enterprise: Enterprise, data: dict
) -> Update:
    """The changes of an enterprise row (its service's rules), writing nothing."""
    require(can_register_directly(actor, enterprise.county_code))
    current = {f: getattr(enterprise, f) for f in ENTERPRISE_FIELDS}
    current["offers"] = from_mask(enterprise.offers, HelpKind)
    given = {k: v for k, v in data.items() if k in ENTERPRISE_FIELDS}
    if "county_code" in given:
        current["external_region"] = ""
    elif "external_region" in given:
        current["county_code"] = None
    form = parse(organisations.EnterpriseCreate, {**current, **given, "credit_code": "x"})
    if form.industry.upper() not in organisations.INDUSTRY_SECTIONS:
        raise ValidationError(
            "所属行业应为国民经济行业分类门类 A–T", code="industry_invalid", field="industry"
        )
    county = organisations.county_or_region(session, form.county_code, form.external_region)
    require(can_register_directly(actor, county))
    after = form.model_dump(include=set(ENTERPRISE_FIELDS))
    after.update(industry=form.industry.upper(), county_code=county)
    after["offers"] = to_mask(form.offers, HelpKind)
    return _update("enterprises", enterprise, enterprise.county_code, after)


def check_cooperative_update(
    *, session: Session, actor: Actor, cooperative: Cooperative, data: dict, village: Village
) -> Update:
    """The changes of a cooperative row in ``village`` (a saved one), writing nothing."""
    home = session.get(Village, cooperative.village_id)
    require(can_register_directly(actor, home.county_code))
    if village.id is None:
        raise ValidationError(
            "已登记的合作社不能迁到本文件新增的村，请先导入该村", field="village_code"
        )
    require(can_register_directly(actor, village.county_code))
    current = {f: getattr(cooperative, f) for f in COOPERATIVE_FIELDS if f != "village_id"}
    given = {k: v for k, v in data.items() if k in current}
    form = parse(organisations.CooperativeFields, {**current, **given, "credit_code": "x"})
    if form.lifted_members > form.members:
        raise ValidationError(
            "脱贫户成员数不能多于成员总数", code="lifted_exceeds_members", field="lifted_members"
        )
    after = form.model_dump(include=set(COOPERATIVE_FIELDS))
    after["village_id"] = village.id
    return _update("cooperatives", cooperative, home.county_code, after)


def _update(kind: str, obj, county_code: str | None, after: dict) -> Update:
    changes = {
        f: (getattr(obj, f), value) for f, value in after.items() if getattr(obj, f) != value
    }
    return Update(kind, obj.id, obj.name, county_code, changes)


MODELS = {"enterprises": Enterprise, "cooperatives": Cooperative}
LABELS = {"enterprises": "帮扶主体", "cooperatives": "合作社"}


def apply_update(*, session: Session, actor: Actor, update: Update) -> None:
    """Write one checked update with its audit event; ConflictError if a field moved since."""
    obj = session.get(MODELS[update.kind], update.id)
    if obj is None:
        raise NotFoundError(f"{LABELS[update.kind]}“{update.name}”已被删除，请重新预览")
    require(can_register_directly(actor, update.county_code))
    if any(getattr(obj, f) != before for f, (before, _after) in update.changes.items()):
        raise ConflictError(STALE.format(name=update.name), code="import_stale")
    for field, (_before, after) in update.changes.items():
        setattr(obj, field, after)
    obj.updated_at = datetime.now(UTC)
    session.add(obj)
    enterprise = update.kind == "enterprises"
    publish(
        session,
        OrganisationEvent.by(
            actor,
            action="enterprise.import_update" if enterprise else "cooperative.import_update",
            obj=obj,
            summary=f"导入更新{LABELS[update.kind]}“{obj.name}”",
            before={f: _plain(b) for f, (b, _a) in update.changes.items()},
            after={f: _plain(a) for f, (_b, a) in update.changes.items()},
            county_code=update.county_code,
        ),
    )


def _plain(value: Any) -> Any:
    return getattr(value, "value", value)
