import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS, SYSTEM, Actor, Role
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import Cooperative, Enterprise, Event, SearchOutbox
from app.models.enums import HelpKind, RegistrationStatus
from app.models.flags import from_mask
from app.services.inputs import InputErrors
from app.services.organisations import register_cooperative, register_enterprise
from tests.factories import make_county, make_village, valid_credit_code


def _count(session, model) -> int:
    return session.exec(select(sa.func.count()).select_from(model)).one()


def _enterprise_form(**overrides) -> dict:
    return {
        "credit_code": valid_credit_code(),
        "name": "山西运城果业科技有限公司",
        "kind": "private",
        "industry": "a",
        "county_code": "140829",
        "offers": ["industry", "sales"],
    } | overrides


def test_register_enterprise_writes_the_row_an_event_and_an_outbox_entry(session):
    make_county(session)
    enterprise = register_enterprise(session=session, actor=ANONYMOUS, data=_enterprise_form())
    assert enterprise.status == RegistrationStatus.pending
    assert enterprise.industry == "A"
    assert from_mask(enterprise.offers, HelpKind) == [HelpKind.industry, HelpKind.sales]
    event = session.exec(select(Event).where(Event.object_id == str(enterprise.id))).one()
    assert (event.action, event.object_type, event.county_code) == (
        "enterprise.register",
        "Enterprise",
        "140829",
    )
    assert event.after["credit_code"] == enterprise.credit_code
    outbox = session.exec(select(SearchOutbox)).one()
    assert (outbox.doc_type, outbox.doc_id) == ("enterprise", enterprise.id)


def test_bad_credit_code_is_refused_in_chinese_and_writes_nothing(session):
    make_county(session)
    with pytest.raises(ValidationError) as caught:
        register_enterprise(
            session=session, actor=SYSTEM, data=_enterprise_form(credit_code="91350100M000100Y44")
        )
    assert caught.value.message == "统一社会信用代码校验位不正确，请核对后重新输入"
    assert caught.value.field == "credit_code"
    assert _count(session, Enterprise) == 0
    assert _count(session, Event) == 0
    assert _count(session, SearchOutbox) == 0


def test_duplicate_credit_code_is_a_conflict(session):
    make_county(session)
    form = _enterprise_form()
    register_enterprise(session=session, actor=SYSTEM, data=form)
    with pytest.raises(ConflictError) as caught:
        register_enterprise(session=session, actor=SYSTEM, data=form | {"name": "另一个名字"})
    assert caught.value.code == "credit_code_taken"
    assert _count(session, Enterprise) == 1


def test_unknown_county_and_missing_region_are_refused(session):
    make_county(session)
    with pytest.raises(ValidationError) as caught:
        register_enterprise(
            session=session, actor=SYSTEM, data=_enterprise_form(county_code="110105")
        )
    assert caught.value.code == "county_unknown"
    with pytest.raises(ValidationError) as caught:
        register_enterprise(session=session, actor=SYSTEM, data=_enterprise_form(county_code=None))
    assert caught.value.code == "region_required"
    external = register_enterprise(
        session=session,
        actor=SYSTEM,
        data=_enterprise_form(county_code=None, external_region="北京市朝阳区"),
    )
    assert external.county_code is None


def test_every_invalid_field_is_reported_at_once(session):
    with pytest.raises(InputErrors) as caught:
        register_enterprise(
            session=session,
            actor=SYSTEM,
            data={"credit_code": "x", "name": "", "kind": "pirate", "reserved_share_fen": -1},
        )
    messages = {e.field: e.message for e in caught.value.errors}
    assert messages == {
        "credit_code": "统一社会信用代码应为 18 位",
        "name": "单位名称至少 2 个字符",
        "kind": "请从列表中选择单位类型",
        "industry": "请填写所属行业",
        "reserved_share_fen": "年度预留采购份额不能小于 0",
    }


def test_register_cooperative_in_a_village(session):
    village = make_village(session)
    cooperative = register_cooperative(
        session=session,
        actor=SYSTEM,
        data={
            "credit_code": valid_credit_code("93140829"),
            "name": "平陆县杜马百合种植专业合作社",
            "village_id": village.id,
            "members": 30,
            "lifted_members": 12,
        },
    )
    assert cooperative.id is not None
    event = session.exec(select(Event).where(Event.action == "cooperative.register")).one()
    assert event.county_code == village.county_code


def test_cooperative_with_more_lifted_members_than_members_is_refused(session):
    village = make_village(session)
    with pytest.raises(ValidationError) as caught:
        register_cooperative(
            session=session,
            actor=SYSTEM,
            data={
                "credit_code": valid_credit_code("93140829"),
                "name": "某合作社",
                "village_id": village.id,
                "members": 3,
                "lifted_members": 4,
            },
        )
    assert caught.value.message == "脱贫户成员数不能多于成员总数"
    assert _count(session, Cooperative) == 0


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        (Actor(role=Role.bureau, user_id=1, region_code="140829"), RegistrationStatus.approved),
        (Actor(role=Role.bureau, user_id=1, region_code="140800"), RegistrationStatus.approved),
        (SYSTEM, RegistrationStatus.approved),
        (ANONYMOUS, RegistrationStatus.pending),
    ],
)
def test_who_registers_decides_whether_approval_is_needed(session, actor, status):
    make_county(session)
    enterprise = register_enterprise(session=session, actor=actor, data=_enterprise_form())
    assert enterprise.status == status


@pytest.mark.parametrize(
    "actor",
    [
        Actor(role=Role.bureau, user_id=1, region_code="140830"),
        Actor(role=Role.enterprise, user_id=1, enterprise_id=1),
        Actor(role=Role.village, user_id=1, village_id=1),
    ],
)
def test_others_may_not_register_organisations_and_nothing_is_written(session, actor):
    make_county(session)
    with pytest.raises(PermissionDeniedError):
        register_enterprise(session=session, actor=actor, data=_enterprise_form())
    assert _count(session, Enterprise) == 0
    assert _count(session, Event) == 0
    assert _count(session, SearchOutbox) == 0
