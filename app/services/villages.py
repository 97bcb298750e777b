"""Villages (行政村): registering them with valid statistical codes."""

from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ConflictError, ValidationError
from app.identifiers import normalize_county_code, normalize_village_code
from app.models import Township, Village
from app.permissions import can_create_village, require
from app.services.audit import enqueue_search, record_event, snapshot
from app.services.inputs import parse


class VillageCreate(BaseModel):
    code: str = Field(title="村级统计代码")
    name: str = Field(title="村名", min_length=2, max_length=40)
    county_code: str = Field(title="所属县（市、区）")
    key_village: bool = Field(default=False, title="重点帮扶村")
    lifted_village: bool = Field(default=False, title="脱贫村")
    relocation_site: bool = Field(default=False, title="易地搬迁安置区")
    pv_station: bool = Field(default=False, title="村级光伏电站")
    tourism_demo: bool = Field(default=False, title="旅游示范村")
    population: int = Field(default=0, title="户籍人口", ge=0)
    households: int = Field(default=0, title="户数", ge=0)
    lifted_households: int = Field(default=0, title="脱贫户数", ge=0)
    monitored_households: int = Field(default=0, title="防返贫监测户数", ge=0)
    main_industries: str = Field(default="", title="主导产业", max_length=200)
    resources: str = Field(default="", title="资源禀赋", max_length=2000)
    introduction: str = Field(default="", title="村情简介", max_length=4000)
    contact_name: str = Field(default="", title="联系人", max_length=40)
    contact_phone: str = Field(default="", title="联系电话", max_length=20)


def create_village(*, session: Session, actor: Actor, data: dict) -> Village:
    """Add a village under the township its 12-digit code names."""
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
    village = Village(
        **form.model_dump(exclude={"code", "county_code"}),
        code=code,
        county_code=county_code,
        township_code=township.code,
    )
    session.add(village)
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="village.create",
        obj=village,
        summary=f"新增行政村“{village.name}”",
        after=snapshot(village),
        county_code=county_code,
    )
    enqueue_search(session, "village", village.id)
    return village
