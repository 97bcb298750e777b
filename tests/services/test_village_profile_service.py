"""A village keeps its own profile and needs list; the public profile hides personal data."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS, Actor, Role
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import Event, SearchOutbox, VillageNeed
from app.models.enums import AgreementStatus, HelpKind, NeedStatus
from app.services.inputs import InputErrors
from app.services.pairing.profiles import village_profile
from app.services.villages import add_need, set_need_status, update_need, update_village_profile
from tests.factories import make_agreement, make_county, make_enterprise, make_village
from tests.pairing_factories import ADMIN, bureau_actor, enterprise_actor, village_actor


@pytest.fixture
def village(session):
    make_county(session, code="140830", name="芮城县", category="overall")
    return make_village(
        session,
        name="南坡村",
        contact_name="王书记",
        contact_phone="13900000000",
        monitored_households=4,
    )


def _profile(**overrides) -> dict:
    return {
        "population": "1200",
        "households": "380",
        "lifted_households": "60",
        "monitored_households": "5",
        "main_industries": " 苹果、花椒 ",
        "resources": "黄河沿岸，光照充足",
        "introduction": "南坡村位于圣人涧镇。",
        "contact_name": "王书记",
        "contact_phone": "0359-3500000",
    } | overrides


def _count(session, model) -> int:
    return session.exec(select(sa.func.count()).select_from(model)).one()


def test_the_village_updates_its_profile(session, village):
    updated = update_village_profile(
        session=session,
        actor=village_actor(village),
        village_id=village.id,
        expected_version=village.version,
        data=_profile(),
    )
    assert (updated.main_industries, updated.households, updated.contact_phone) == (
        "苹果、花椒",
        380,
        "0359-3500000",
    )
    event = session.exec(select(Event)).one()
    assert (event.action, event.before["households"], event.after["households"]) == (
        "village.update",
        300,
        380,
    )
    assert session.exec(select(SearchOutbox.doc_type, SearchOutbox.doc_id)).all() == [
        ("village", village.id)
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lifted_households": "400"}, "lifted_households", "脱贫户数不能多于户数"),
        ({"contact_phone": "call me"}, "contact_phone", "联系电话只能包含数字、空格、+ 和 -"),
        ({"households": "many"}, "households", "户数应为整数"),
    ],
)
def test_bad_profile_input_is_refused_by_field(session, village, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        update_village_profile(
            session=session,
            actor=village_actor(village),
            village_id=village.id,
            expected_version=village.version,
            data=_profile(**overrides),
        )
    errors = caught.value.errors if isinstance(caught.value, InputErrors) else [caught.value]
    assert (errors[0].field, errors[0].message) == (field, message)


@pytest.mark.parametrize(
    "actor",
    [
        village_actor(999),
        enterprise_actor(1),
        bureau_actor("140829"),
        ADMIN,
        ANONYMOUS,
    ],
)
def test_only_the_village_itself_edits_its_profile_and_needs(session, village, actor):
    with pytest.raises(PermissionDeniedError):
        update_village_profile(
            session=session,
            actor=actor,
            village_id=village.id,
            expected_version=village.version,
            data=_profile(),
        )
    with pytest.raises(PermissionDeniedError):
        add_need(
            session=session,
            actor=actor,
            village_id=village.id,
            data={"kind": "sales", "description": "苹果滞销需要帮销"},
        )
    assert _count(session, Event) == _count(session, VillageNeed) == 0


def test_needs_are_added_changed_met_and_reopened(session, village):
    actor = village_actor(village)
    need = add_need(
        session=session,
        actor=actor,
        village_id=village.id,
        data={"kind": "funding", "description": "修建村道", "amount": "300,000", "headcount": ""},
    )
    assert (need.kind, need.amount_fen, need.headcount, need.status) == (
        HelpKind.funding,
        30_000_000,
        None,
        NeedStatus.open,
    )
    update_need(
        session=session,
        actor=actor,
        need_id=need.id,
        expected_version=need.version,
        data={
            "kind": "employment",
            "description": "苹果采摘季用工",
            "amount": "",
            "headcount": "20",
        },
    )
    assert (need.kind, need.amount_fen, need.headcount) == (HelpKind.employment, None, 20)
    set_need_status(
        session=session, actor=actor, need_id=need.id, expected_version=need.version, status="met"
    )
    with pytest.raises(ConflictError):
        set_need_status(
            session=session,
            actor=actor,
            need_id=need.id,
            expected_version=need.version,
            status="met",
        )
    set_need_status(
        session=session, actor=actor, need_id=need.id, expected_version=need.version, status="open"
    )
    with pytest.raises(ValidationError):
        set_need_status(
            session=session,
            actor=actor,
            need_id=need.id,
            expected_version=need.version,
            status="done",
        )
    actions = session.exec(select(Event.action).order_by(Event.id)).all()
    assert actions == ["need.add", "need.update", "need.status", "need.status"]
    assert _count(session, SearchOutbox) == 4


def test_a_need_needs_a_kind_and_a_description(session, village):
    with pytest.raises(InputErrors) as caught:
        add_need(
            session=session,
            actor=village_actor(village),
            village_id=village.id,
            data={"kind": "", "description": "", "amount": "abc"},
        )
    assert {(e.field, e.message) for e in caught.value.errors} == {
        ("kind", "请选择帮扶方式"),
        ("description", "需求内容至少 4 个字符"),
        ("amount", "所需金额应为数字，如 12.50"),
    }


@pytest.mark.parametrize(
    ("actor_of", "private", "contact"),
    [
        (lambda v: ANONYMOUS, False, False),
        (lambda v: village_actor(v), True, True),
        (lambda v: village_actor(999), False, False),
        # An approved enterprise sees the household figures, but no contact without a dealing.
        (lambda v: enterprise_actor(1), True, False),
        # Staff of a pending enterprise act for none: neither.
        (lambda v: Actor(role=Role.enterprise, user_id=7), False, False),
        (lambda v: bureau_actor("140829"), True, True),
        (lambda v: bureau_actor("140830"), False, False),
    ],
)
def test_the_public_profile_hides_contacts_and_monitored_households(
    session, village, actor_of, private, contact
):
    profile = village_profile(session=session, actor=actor_of(village), village_id=village.id)
    assert profile.name == "南坡村" and profile.county_name == "平陆县"
    assert profile.monitored_households == (4 if private else None)
    if contact:
        assert (profile.contact.name, profile.contact.phone) == ("王书记", "139****0000")
    else:
        assert profile.contact is None


def test_withdrawn_needs_are_shown_only_to_the_village_itself(session, village):
    actor = village_actor(village)
    kept = add_need(
        session=session,
        actor=actor,
        village_id=village.id,
        data={"kind": "sales", "description": "苹果帮销 5 万斤"},
    )
    gone = add_need(
        session=session,
        actor=actor,
        village_id=village.id,
        data={"kind": "talent", "description": "电商运营人才"},
    )
    set_need_status(
        session=session,
        actor=actor,
        need_id=gone.id,
        expected_version=gone.version,
        status="withdrawn",
    )
    public = village_profile(session=session, actor=ANONYMOUS, village_id=village.id)
    own = village_profile(session=session, actor=actor, village_id=village.id)
    assert [n.id for n in public.needs] == [kept.id]
    assert [n.id for n in own.needs] == [kept.id, gone.id]
    assert own.can_edit and not public.can_edit


def test_partners_are_listed_with_links_only_for_those_who_may_open_them(session, village):
    enterprise = make_enterprise(session, name="黄河果业")
    agreement = make_agreement(
        session, enterprise=enterprise, village=village, status=AgreementStatus.active
    )
    make_agreement(session, village=village, status=AgreementStatus.proposed)
    public = village_profile(session=session, actor=ANONYMOUS, village_id=village.id)
    assert [(p.enterprise_name, p.agreement_id) for p in public.partners] == [("黄河果业", None)]
    own = village_profile(session=session, actor=village_actor(village), village_id=village.id)
    assert [p.agreement_id for p in own.partners] == [agreement.id]
