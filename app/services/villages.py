"""Villages (行政村): registering them with valid statistical codes, and the profile and needs
list (需求清单) each village keeps itself."""

import re

from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, DomainError, NotFoundError, ValidationError
from app.identifiers import normalize_county_code, normalize_village_code
from app.labels import label
from app.models import Township, Village, VillageNeed
from app.models.base import utcnow
from app.models.enums import HelpKind, NeedStatus
from app.money import yuan_to_fen
from app.permissions import can_create_village, can_edit_village_profile, require
from app.services.audit import snapshot
from app.services.bulk import add_created
from app.services.bus import publish
from app.services.domain_events import Creation, VillageEvent
from app.services.inputs import MAX_HEADCOUNT, Text, parse
from app.services.privacy import PublicLine, PublicText
from app.services.versioning import NEED_STALE, VILLAGE_STALE, expect_version, flush_versioned


class VillageCreate(BaseModel):
    code: Text = Field(title="村级统计代码")
    name: Text = Field(title="村名", min_length=2, max_length=40)
    county_code: Text = Field(title="所属县（市、区）")
    key_village: bool = Field(default=False, title="重点帮扶村")
    lifted_village: bool = Field(default=False, title="脱贫村")
    relocation_site: bool = Field(default=False, title="易地搬迁安置区")
    pv_station: bool = Field(default=False, title="村级光伏电站")
    tourism_demo: bool = Field(default=False, title="旅游示范村")
    population: int = Field(default=0, title="户籍人口", ge=0, le=MAX_HEADCOUNT)
    households: int = Field(default=0, title="户数", ge=0, le=MAX_HEADCOUNT)
    lifted_households: int = Field(default=0, title="脱贫户数", ge=0, le=MAX_HEADCOUNT)
    monitored_households: int = Field(default=0, title="防返贫监测户数", ge=0, le=MAX_HEADCOUNT)
    main_industries: PublicLine = Field(default="", title="主导产业", max_length=200)
    resources: PublicText = Field(default="", title="资源禀赋", max_length=2000)
    introduction: PublicText = Field(default="", title="村情简介", max_length=4000)
    contact_name: Text = Field(default="", title="联系人", max_length=40)
    contact_phone: Text = Field(default="", title="联系电话", max_length=20)


def create_village(*, session: Session, actor: Actor, data: dict) -> Village:
    """Add a village under the township its 12-digit code names."""
    return add_village(
        session=session,
        actor=actor,
        village=check_new_village(session=session, actor=actor, data=data),
    )


def check_new_village(*, session: Session, actor: Actor, data: dict) -> Village:
    """Every rule of a new village, writing nothing: the unsaved village, or a DomainError.

    A read-only session is enough, so a bulk import checks all its rows before writing.
    """
    form = parse(VillageCreate, data)
    county_code = normalize_county_code(form.county_code)
    require(can_create_village(actor, county_code))
    code = normalize_village_code(form.code, county_code=county_code)
    township = session.get(Township, code[:9])
    if township is None:
        raise ValidationError(
            f"村级统计代码前 9 位 {code[:9]} 不是本县的乡镇代码",
            code="township_unknown",
            field="code",
        )
    if form.lifted_households > form.households:
        raise ValidationError(
            "脱贫户数不能多于户数", code="lifted_exceeds_households", field="lifted_households"
        )
    if session.exec(select(Village.id).where(Village.code == code)).first() is not None:
        raise ConflictError("该村级统计代码已存在", code="village_code_taken", field="code")
    return Village(
        **form.model_dump(exclude={"code", "county_code"}),
        code=code,
        county_code=county_code,
        township_code=township.code,
    )


def add_village(*, session: Session, actor: Actor, village: Village) -> Village:
    """Write a village ``check_new_village`` accepted, with its audit event and search entry."""
    session.add(village)
    created = _creation(village)
    _record(session, actor, created.action, village, created.summary, village)
    return village


def add_villages(*, session: Session, actor: Actor, villages: list[Village]) -> None:
    """``add_village`` for many checked villages at once, in batched statements (imports)."""
    add_created(session, actor=actor, creations=[_creation(v) for v in villages])


def _creation(village: Village) -> Creation:
    return Creation("village.create", village, f"新增行政村“{village.name}”", village.county_code)


# The village's own profile and needs list (需求清单) ----------------------------------------------

_PHONE = re.compile(r"^[0-9+\- ]*$")


class VillageProfileUpdate(BaseModel):
    population: int = Field(default=0, title="户籍人口", ge=0, le=MAX_HEADCOUNT)
    households: int = Field(default=0, title="户数", ge=0, le=MAX_HEADCOUNT)
    lifted_households: int = Field(default=0, title="脱贫户数", ge=0, le=MAX_HEADCOUNT)
    monitored_households: int = Field(default=0, title="防返贫监测户数", ge=0, le=MAX_HEADCOUNT)
    main_industries: PublicLine = Field(default="", title="主导产业", max_length=200)
    resources: PublicText = Field(default="", title="资源禀赋", max_length=2000)
    introduction: PublicText = Field(default="", title="村情简介", max_length=4000)
    contact_name: Text = Field(default="", title="联系人", max_length=40)
    contact_phone: Text = Field(default="", title="联系电话", max_length=20)

    @field_validator("main_industries", "resources", "introduction", "contact_name", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = value.strip()
        if not _PHONE.match(value):
            raise ValueError("联系电话只能包含数字、空格、+ 和 -")
        return value


class NeedInput(BaseModel):
    kind: HelpKind = Field(title="帮扶方式")
    description: PublicText = Field(title="需求内容", min_length=4, max_length=1000)
    amount: int | None = Field(default=None, title="所需金额", ge=0)
    headcount: int | None = Field(default=None, title="所需人数", ge=0, le=MAX_HEADCOUNT)

    @field_validator("description", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("amount", mode="before")
    @classmethod
    def _yuan(cls, value):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return yuan_to_fen(str(value), label="所需金额")
        except DomainError as exc:
            raise ValueError(exc.message) from None

    @field_validator("headcount", mode="before")
    @classmethod
    def _blank_headcount(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    def columns(self) -> dict:
        return {
            "kind": self.kind,
            "description": self.description,
            "amount_fen": self.amount,
            "headcount": self.headcount,
        }


def own_contact(*, session: Session, actor: Actor, village_id: int) -> tuple[str, str]:
    """The village's contact name and full phone, for its own staff to edit."""
    require(can_edit_village_profile(actor, village_id))
    village = session.get(Village, village_id)
    if village is None:
        raise NotFoundError("村不存在")
    return village.contact_name, village.contact_phone


def update_village_profile(
    *, session: Session, actor: Actor, village_id: int, expected_version: int, data: dict
) -> Village:
    """Update the facts a village keeps itself: figures, industries, resources and contact."""
    village = _village(session, village_id)
    require(can_edit_village_profile(actor, village.id))
    expect_version(village, expected_version, VILLAGE_STALE)
    form = parse(VillageProfileUpdate, data)
    if form.lifted_households > form.households:
        raise ValidationError(
            "脱贫户数不能多于户数", code="lifted_exceeds_households", field="lifted_households"
        )
    before = snapshot(village)
    for name, value in form.model_dump().items():
        setattr(village, name, value)
    village.updated_at = utcnow()
    flush_versioned(session, VILLAGE_STALE)
    _record(session, actor, "village.update", village, f"更新“{village.name}”村情", village, before)
    return village


def add_need(*, session: Session, actor: Actor, village_id: int, data: dict) -> VillageNeed:
    """Add an item to the village's needs list; it is open until met or withdrawn."""
    village = _village(session, village_id)
    require(can_edit_village_profile(actor, village.id))
    form = parse(NeedInput, data)
    need = VillageNeed(village_id=village.id, status=NeedStatus.open, **form.columns())
    session.add(need)
    _record(session, actor, "need.add", need, f"“{village.name}”新增需求：{_short(need)}", village)
    return need


def update_need(
    *, session: Session, actor: Actor, need_id: int, expected_version: int, data: dict
) -> VillageNeed:
    """Change an item of the needs list."""
    need, village = _need(session, need_id)
    require(can_edit_village_profile(actor, village.id))
    expect_version(need, expected_version, NEED_STALE)
    form = parse(NeedInput, data)
    before = snapshot(need)
    for name, value in form.columns().items():
        setattr(need, name, value)
    need.updated_at = utcnow()
    flush_versioned(session, NEED_STALE)
    _record(session, actor, "need.update", need, f"修改需求：{_short(need)}", village, before)
    return need


def set_need_status(
    *,
    session: Session,
    actor: Actor,
    need_id: int,
    expected_version: int,
    status: NeedStatus | str,
) -> VillageNeed:
    """Mark a need met, withdraw it, or open it again."""
    need, village = _need(session, need_id)
    require(can_edit_village_profile(actor, village.id))
    expect_version(need, expected_version, NEED_STALE)
    try:
        status = NeedStatus(status)
    except ValueError:
        raise ValidationError("需求状态无效", code="status_invalid", field="status") from None
    if need.status == status:
        raise ConflictError(f"该需求已是“{label(status)}”", code="invalid_state")
    before = snapshot(need)
    need.status, need.updated_at = status, utcnow()
    flush_versioned(session, NEED_STALE)
    summary = f"需求“{_short(need)}”改为{label(status)}"
    _record(session, actor, "need.status", need, summary, village, before)
    return need


def _village(session: Session, village_id: int) -> Village:
    village = session.get(Village, village_id)
    if village is None:
        raise NotFoundError("村不存在")
    return village


def _need(session: Session, need_id: int) -> tuple[VillageNeed, Village]:
    need = session.get(VillageNeed, need_id)
    if need is None:
        raise NotFoundError("需求不存在")
    return need, _village(session, need.village_id)


def _short(need: VillageNeed) -> str:
    text = need.description if len(need.description) <= 30 else need.description[:30] + "…"
    return f"{label(need.kind)} · {text}"


def _record(session, actor, action, obj, summary, village, before=None) -> None:
    """Publish a change of the village or its needs (audit, and its search document)."""
    publish(
        session,
        VillageEvent.by(
            actor,
            action=action,
            obj=obj,
            village=village,
            summary=summary,
            before=before,
            after=snapshot(obj),
            county_code=village.county_code,
        ),
    )
