"""劳务供给: a village publishes groups of available workers (counts and skills, no identities),
edits them at a version and withdraws them; who sees them."""

import pytest
from sqlmodel import select

from app.actors import ANONYMOUS
from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.models import Event
from app.models.flags import mask_to_months
from app.models.labour import LabourSupply, SupplyStatus
from app.services.labour import supply
from tests.factories import make_cooperative, make_enterprise, make_village
from tests.labour_factories import SUPPLY_FORM
from tests.pairing_factories import bureau_actor, village_actor
from tests.trade_factories import buyer_actor, cooperative_actor


def _publish(session, village, **overrides):
    return supply.publish_supply(
        session=session, actor=village_actor(village), data=SUPPLY_FORM | overrides
    )


def test_a_village_publishes_a_group_of_workers(session):
    village = make_village(session)
    group = _publish(session, village, can_travel="on")
    assert (group.head_count, group.skills, group.can_travel) == (12, "采摘、装卸", True)
    assert mask_to_months(group.available_months) == [3, 4, 5, 9, 10]
    assert (group.county_code, group.township_code) == (village.county_code, village.township_code)
    assert group.status == SupplyStatus.open
    event = session.exec(select(Event)).one()
    assert event.action == "labour_supply.publish"
    assert "12 人" in event.summary


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("head_count", "0", "人数"),
        ("available_months", [], "请至少选择一个可务工月份"),
        ("available_months", ["13"], "月份应为 1 到 12 的数字"),
        ("skills", "、".join(f"技能{i}" for i in range(13)), "最多填写 12 项技能"),
        ("note", "联系 13912345678", ""),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(session, field, value, message):
    village = make_village(session)
    with pytest.raises(ValidationError) as caught:
        _publish(session, village, **{field: value})
    assert message in caught.value.message
    assert caught.value.field == field
    assert session.exec(select(LabourSupply)).all() == []
    assert session.exec(select(Event)).all() == []


def test_skills_are_split_and_deduplicated(session):
    group = _publish(session, make_village(session), skills="瓦工，电焊 瓦工/采摘")
    assert group.skills == "瓦工、电焊、采摘"


def test_only_the_village_itself_publishes_and_edits(session):
    village = make_village(session)
    other = make_village(session)
    for actor in (ANONYMOUS, buyer_actor(make_enterprise(session)), bureau_actor()):
        with pytest.raises(PermissionDeniedError):
            supply.publish_supply(session=session, actor=actor, data=SUPPLY_FORM)
    group = _publish(session, village)
    with pytest.raises(PermissionDeniedError):
        supply.revise_supply(
            session=session,
            actor=village_actor(other),
            supply_id=group.id,
            expected_version=group.version,
            data=SUPPLY_FORM,
        )


def test_an_edit_carries_its_version_and_a_withdrawn_group_is_final(session):
    village = make_village(session)
    group = _publish(session, village)
    edited = supply.revise_supply(
        session=session,
        actor=village_actor(village),
        supply_id=group.id,
        expected_version=1,
        data=SUPPLY_FORM | {"head_count": "8"},
    )
    assert (edited.head_count, edited.version) == (8, 2)
    with pytest.raises(ConflictError) as stale:
        supply.withdraw_supply(
            session=session, actor=village_actor(village), supply_id=group.id, expected_version=1
        )
    assert stale.value.code == "stale_version"
    supply.withdraw_supply(
        session=session, actor=village_actor(village), supply_id=group.id, expected_version=2
    )
    with pytest.raises(ConflictError):
        supply.revise_supply(
            session=session,
            actor=village_actor(village),
            supply_id=group.id,
            expected_version=3,
            data=SUPPLY_FORM,
        )
    actions = session.exec(select(Event.action).order_by(Event.id)).all()
    assert actions == ["labour_supply.publish", "labour_supply.update", "labour_supply.withdraw"]


def test_who_sees_a_group(session):
    village = make_village(session)
    group = _publish(session, village)
    employer = buyer_actor(make_enterprise(session))
    cooperative = cooperative_actor(make_cooperative(session))
    for actor in (village_actor(village), employer, cooperative, bureau_actor("140829")):
        assert supply.get_supply(session=session, actor=actor, supply_id=group.id) == group
    for actor in (ANONYMOUS, village_actor(make_village(session)), bureau_actor("140830")):
        with pytest.raises(NotFoundError):
            supply.get_supply(session=session, actor=actor, supply_id=group.id)
    supply.withdraw_supply(
        session=session, actor=village_actor(village), supply_id=group.id, expected_version=1
    )
    # A withdrawn group stays with its village and bureau; employers no longer see it.
    with pytest.raises(NotFoundError):
        supply.get_supply(session=session, actor=employer, supply_id=group.id)
    listed = supply.visible_supplies(session=session, actor=village_actor(village))
    assert [row.id for row in listed.items] == [group.id]
    assert supply.visible_supplies(session=session, actor=employer).items == []
