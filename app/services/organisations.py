"""Registering enterprises (帮扶主体) and cooperatives (合作社)."""

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.actors import Actor, Role
from app.errors import ConflictError, NotFoundError, ValidationError
from app.identifiers import normalize_county_code, normalize_credit_code
from app.models import Cooperative, County, Enterprise, Village
from app.models.enums import (
    INDUSTRY_SECTIONS,
    EnterpriseKind,
    HelpKind,
    RegistrationStatus,
)
from app.models.flags import to_mask
from app.money import MAX_AMOUNT_FEN
from app.permissions import can_register_directly, require
from app.services.audit import snapshot
from app.services.bulk import add_created
from app.services.bus import publish
from app.services.domain_events import Creation, OrganisationEvent
from app.services.inputs import MAX_HEADCOUNT, ErrorCollector, RowId, Text, parse
from app.services.privacy import PublicText


class EnterpriseCreate(BaseModel):
    credit_code: Text = Field(title="统一社会信用代码")
    name: Text = Field(title="单位名称", min_length=2, max_length=80)
    kind: EnterpriseKind = Field(title="单位类型")
    industry: Text = Field(title="所属行业", min_length=1, max_length=1)
    county_code: Text | None = Field(default=None, title="所在县（市、区）")
    external_region: Text = Field(default="", title="市外所在地区", max_length=40)
    offers: list[HelpKind] = Field(default_factory=list, title="可提供的帮扶方式")
    reserved_share_fen: int = Field(default=0, title="年度预留采购份额", ge=0, le=MAX_AMOUNT_FEN)
    introduction: PublicText = Field(default="", title="单位简介", max_length=2000)
    contact_name: Text = Field(default="", title="联系人", max_length=40)
    contact_phone: Text = Field(default="", title="联系电话", max_length=20)


class CooperativeFields(BaseModel):
    """A new cooperative's own fields; its village is given apart (it may be an unsaved row)."""

    credit_code: Text = Field(title="统一社会信用代码")
    name: Text = Field(title="合作社名称", min_length=2, max_length=80)
    members: int = Field(default=0, title="成员数", ge=0, le=MAX_HEADCOUNT)
    lifted_members: int = Field(default=0, title="其中脱贫户成员数", ge=0, le=MAX_HEADCOUNT)
    introduction: PublicText = Field(default="", title="简介", max_length=2000)
    contact_name: Text = Field(default="", title="联系人", max_length=40)
    contact_phone: Text = Field(default="", title="联系电话", max_length=20)


class CooperativeCreate(CooperativeFields):
    village_id: RowId = Field(title="所在村")


def register_enterprise(*, session: Session, actor: Actor, data: dict) -> Enterprise:
    """Register a helping organisation: pending when self-registered, approved when the bureau
    enters it."""
    enterprise = check_new_enterprise(session=session, actor=actor, data=data)
    return add_enterprise(session=session, actor=actor, enterprise=enterprise)


def check_new_enterprise(*, session: Session, actor: Actor, data: dict) -> Enterprise:
    """Every rule of a new organisation, writing nothing: the unsaved row, or InputErrors naming
    every problem at once (the input model's and the rules' after it)."""
    errors = ErrorCollector()
    form = errors.check(parse, EnterpriseCreate, data)
    credit_code = errors.check(normalize_credit_code, str(data.get("credit_code") or ""))
    if credit_code is not None:
        errors.check(_ensure_credit_code_free, session, credit_code)
    county_code = None
    if form is not None:
        if form.industry.upper() not in INDUSTRY_SECTIONS:
            errors.add(
                ValidationError(
                    "所属行业应为国民经济行业分类门类 A–T",
                    code="industry_invalid",
                    field="industry",
                )
            )
        county_code = errors.check(
            county_or_region, session, form.county_code, form.external_region
        )
    errors.raise_any()
    status = _registration_status(actor, county_code)
    return Enterprise(
        **form.model_dump(exclude={"credit_code", "industry", "county_code", "offers"}),
        credit_code=credit_code,
        industry=form.industry.upper(),
        county_code=county_code,
        offers=to_mask(form.offers, HelpKind),
        status=status,
    )


def add_enterprise(*, session: Session, actor: Actor, enterprise: Enterprise) -> Enterprise:
    """Write an organisation ``check_new_enterprise`` accepted, audited and searchable."""
    session.add(enterprise)
    _publish(session, actor, _enterprise_creation(enterprise))
    return enterprise


def add_enterprises(*, session: Session, actor: Actor, enterprises: list[Enterprise]) -> None:
    """``add_enterprise`` for many checked organisations at once, batched (imports)."""
    creations = [_enterprise_creation(e) for e in enterprises]
    add_created(session, actor=actor, creations=creations)


def _enterprise_creation(enterprise: Enterprise) -> Creation:
    summary = f"登记帮扶主体“{enterprise.name}”"
    return Creation("enterprise.register", enterprise, summary, enterprise.county_code)


def register_cooperative(*, session: Session, actor: Actor, data: dict) -> Cooperative:
    """Register a cooperative in a village: pending when self-registered, approved when the
    bureau enters it."""
    village = find_cooperative_village(session, data)
    cooperative = check_new_cooperative(session=session, actor=actor, data=data, village=village)
    return add_cooperative(
        session=session, actor=actor, cooperative=cooperative, county_code=village.county_code
    )


def find_cooperative_village(session: Session, data: dict) -> Village:
    """The village a new cooperative names, or the error of its field (with every other field's
    errors, so the form shows them all at once)."""
    errors = ErrorCollector()
    form = errors.check(parse, CooperativeCreate, data)
    village = session.get(Village, form.village_id) if form is not None else None
    if form is not None and village is None:
        errors.add(NotFoundError("所选村不存在", field="village_id"))
    if errors.errors:
        # The cooperative's own fields too (their messages, not only the village's).
        errors.check(_check_cooperative_fields, session, data)
    errors.raise_any()
    return village


def check_new_cooperative(
    *, session: Session, actor: Actor, data: dict, village: Village
) -> Cooperative:
    """Every rule of a new cooperative in ``village``, writing nothing: the unsaved row.

    ``village`` may itself be unsaved (a bulk import's earlier row): the cooperative then refers
    to it and is written after it.
    """
    form, credit_code = _check_cooperative_fields(session, data)
    status = _registration_status(actor, village.county_code)
    cooperative = Cooperative(
        **form.model_dump(exclude={"credit_code"}),
        credit_code=credit_code,
        status=status,
    )
    if village.id is None:
        cooperative.village = village
    else:
        cooperative.village_id = village.id
    return cooperative


def _check_cooperative_fields(session: Session, data: dict) -> tuple[CooperativeFields, str]:
    """A new cooperative's own fields and rules, every problem at once."""
    errors = ErrorCollector()
    form = errors.check(
        parse, CooperativeFields, {k: v for k, v in data.items() if k != "village_id"}
    )
    credit_code = errors.check(normalize_credit_code, str(data.get("credit_code") or ""))
    if credit_code is not None:
        errors.check(_ensure_credit_code_free, session, credit_code)
    if form is not None and form.lifted_members > form.members:
        errors.add(
            ValidationError(
                "脱贫户成员数不能多于成员总数",
                code="lifted_exceeds_members",
                field="lifted_members",
            )
        )
    errors.raise_any()
    return form, credit_code


def add_cooperative(
    *, session: Session, actor: Actor, cooperative: Cooperative, county_code: str
) -> Cooperative:
    """Write a cooperative ``check_new_cooperative`` accepted, with its audit event."""
    session.add(cooperative)
    _publish(session, actor, _cooperative_creation(cooperative, county_code))
    return cooperative


def _publish(session: Session, actor: Actor, created: Creation) -> None:
    """Publish one registration (audit; an enterprise becomes searchable)."""
    publish(
        session,
        OrganisationEvent.by(
            actor,
            action=created.action,
            obj=created.obj,
            summary=created.summary,
            after=snapshot(created.obj),
            county_code=created.county_code,
        ),
    )


def add_cooperatives(
    *, session: Session, actor: Actor, cooperatives: list[tuple[Cooperative, str]]
) -> None:
    """``add_cooperative`` for many (cooperative, county code) pairs at once, batched (imports).

    A cooperative whose village is new in the same batch refers to it, already written.
    """
    for cooperative, _county in cooperatives:
        if cooperative.village_id is None:
            cooperative.village_id = cooperative.village.id
    creations = [_cooperative_creation(c, county) for c, county in cooperatives]
    add_created(session, actor=actor, creations=creations)


def _cooperative_creation(cooperative: Cooperative, county_code: str) -> Creation:
    return Creation(
        "cooperative.register", cooperative, f"登记合作社“{cooperative.name}”", county_code
    )


def _registration_status(actor: Actor, county_code: str | None) -> RegistrationStatus:
    if can_register_directly(actor, county_code):
        return RegistrationStatus.approved
    require(actor.role == Role.anonymous)
    return RegistrationStatus.pending


def county_or_region(session: Session, county_code: str | None, external_region: str) -> str | None:
    if county_code:
        code = normalize_county_code(county_code)
        if session.get(County, code) is None:
            raise ValidationError(
                "该县级代码不在本市范围内", code="county_unknown", field="county_code"
            )
        return code
    if not external_region.strip():
        raise ValidationError(
            "请选择所在县（市、区），市外单位请填写所在地区",
            code="region_required",
            field="county_code",
        )
    return None


def _ensure_credit_code_free(session: Session, credit_code: str) -> None:
    taken = (
        session.exec(select(Enterprise.id).where(Enterprise.credit_code == credit_code)).first()
        or session.exec(
            select(Cooperative.id).where(Cooperative.credit_code == credit_code)
        ).first()
    )
    if taken is not None:
        raise ConflictError(
            "该统一社会信用代码已登记；如您是该单位的工作人员，请认领该单位",
            code="credit_code_taken",
            field="credit_code",
        )
