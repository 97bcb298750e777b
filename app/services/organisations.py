"""Registering enterprises (帮扶主体) and cooperatives (合作社)."""

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.actors import Actor, Role
from app.errors import ConflictError, NotFoundError, ValidationError
from app.identifiers import normalize_county_code, normalize_credit_code
from app.models import Cooperative, County, Enterprise, Village
from app.models.enums import INDUSTRY_SECTIONS, EnterpriseKind, HelpKind, RegistrationStatus
from app.models.flags import to_mask
from app.money import MAX_AMOUNT_FEN
from app.permissions import can_register_directly, require
from app.services.audit import enqueue_search, record_event, snapshot
from app.services.inputs import MAX_HEADCOUNT, MultilineText, RowId, Text, parse


class EnterpriseCreate(BaseModel):
    credit_code: Text = Field(title="统一社会信用代码")
    name: Text = Field(title="单位名称", min_length=2, max_length=80)
    kind: EnterpriseKind = Field(title="单位类型")
    industry: Text = Field(title="所属行业", min_length=1, max_length=1)
    county_code: Text | None = Field(default=None, title="所在县（市、区）")
    external_region: Text = Field(default="", title="市外所在地区", max_length=40)
    offers: list[HelpKind] = Field(default_factory=list, title="可提供的帮扶方式")
    reserved_share_fen: int = Field(default=0, title="年度预留采购份额", ge=0, le=MAX_AMOUNT_FEN)
    introduction: MultilineText = Field(default="", title="单位简介", max_length=2000)
    contact_name: Text = Field(default="", title="联系人", max_length=40)
    contact_phone: Text = Field(default="", title="联系电话", max_length=20)


class CooperativeCreate(BaseModel):
    credit_code: Text = Field(title="统一社会信用代码")
    name: Text = Field(title="合作社名称", min_length=2, max_length=80)
    village_id: RowId = Field(title="所在村")
    members: int = Field(default=0, title="成员数", ge=0, le=MAX_HEADCOUNT)
    lifted_members: int = Field(default=0, title="其中脱贫户成员数", ge=0, le=MAX_HEADCOUNT)
    introduction: MultilineText = Field(default="", title="简介", max_length=2000)
    contact_name: Text = Field(default="", title="联系人", max_length=40)
    contact_phone: Text = Field(default="", title="联系电话", max_length=20)


def register_enterprise(*, session: Session, actor: Actor, data: dict) -> Enterprise:
    """Register a helping organisation: pending when self-registered, approved when the bureau
    enters it."""
    form = parse(EnterpriseCreate, data)
    credit_code = normalize_credit_code(form.credit_code)
    if form.industry.upper() not in INDUSTRY_SECTIONS:
        raise ValidationError(
            "所属行业应为国民经济行业分类门类 A–T", code="industry_invalid", field="industry"
        )
    county_code = _county_or_region(session, form.county_code, form.external_region)
    status = _registration_status(actor, county_code)
    _ensure_credit_code_free(session, credit_code)
    enterprise = Enterprise(
        **form.model_dump(exclude={"credit_code", "industry", "county_code", "offers"}),
        credit_code=credit_code,
        industry=form.industry.upper(),
        county_code=county_code,
        offers=to_mask(form.offers, HelpKind),
        status=status,
    )
    session.add(enterprise)
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="enterprise.register",
        obj=enterprise,
        summary=f"登记帮扶主体“{enterprise.name}”",
        after=snapshot(enterprise),
        county_code=county_code,
    )
    enqueue_search(session, "enterprise", enterprise.id)
    return enterprise


def register_cooperative(*, session: Session, actor: Actor, data: dict) -> Cooperative:
    """Register a cooperative in a village: pending when self-registered, approved when the
    bureau enters it."""
    form = parse(CooperativeCreate, data)
    credit_code = normalize_credit_code(form.credit_code)
    if form.lifted_members > form.members:
        raise ValidationError(
            "脱贫户成员数不能多于成员总数", code="lifted_exceeds_members", field="lifted_members"
        )
    village = session.get(Village, form.village_id)
    if village is None:
        raise NotFoundError("所选村不存在", field="village_id")
    status = _registration_status(actor, village.county_code)
    _ensure_credit_code_free(session, credit_code)
    cooperative = Cooperative(
        **form.model_dump(exclude={"credit_code"}), credit_code=credit_code, status=status
    )
    session.add(cooperative)
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="cooperative.register",
        obj=cooperative,
        summary=f"登记合作社“{cooperative.name}”",
        after=snapshot(cooperative),
        county_code=village.county_code,
    )
    return cooperative


def _registration_status(actor: Actor, county_code: str | None) -> RegistrationStatus:
    if can_register_directly(actor, county_code):
        return RegistrationStatus.approved
    require(actor.role == Role.anonymous)
    return RegistrationStatus.pending


def _county_or_region(
    session: Session, county_code: str | None, external_region: str
) -> str | None:
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
            "该统一社会信用代码已登记，请勿重复注册", code="credit_code_taken", field="credit_code"
        )
