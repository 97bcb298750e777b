"""A flood of objections cannot hold a certification: limits, one open objection per contact,
and dismissal in bulk."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS, Actor, Role
from app.config import get_settings
from app.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ThrottledError,
)
from app.models import CertificationObjection, Event, Notification, User
from app.models.enums import CertificationStatus, ObjectionStatus, UserRole
from app.services import certification, objections
from app.services.inputs import InputErrors
from tests.factories import make_cooperative
from tests.trade_factories import bureau_actor, cooperative_actor, make_listed_product

TODAY = date(2026, 11, 29)
NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
FILED = NOW + timedelta(days=1)
REASON = "该产品实际产地不在本村，且未带动脱贫户。"


@pytest.fixture
def limits_env(monkeypatch):
    """Set limits for one test (they are read from the settings)."""

    def apply(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"CUNQI_{name.upper()}", str(value))
        get_settings.cache_clear()

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()


def _publicised(session):
    cooperative = make_cooperative(session)
    product = make_listed_product(session, cooperative=cooperative)
    application = certification.apply_for_certification(
        session=session, actor=cooperative_actor(cooperative), product_id=product.id
    )
    certification.approve_certification(
        session=session,
        actor=bureau_actor(),
        application_id=application.id,
        data={"expires_on": "2027-11-30"},
        today=TODAY,
        now=NOW,
    )
    return application


def _file(session, application, contact="", *, actor=ANONYMOUS, address=None, reason=REASON):
    return objections.file_objection(
        session=session,
        actor=actor,
        application_id=application.id,
        data={"reason": reason, "filer_contact": contact},
        now=FILED,
        address=address,
    )


def _objection_count(session, **where) -> int:
    query = sa.select(sa.func.count()).select_from(CertificationObjection)
    for name, value in where.items():
        query = query.where(getattr(CertificationObjection, name) == value)
    return session.execute(query).scalar_one()


# One open objection per contact ----------------------------------------------------------------

SAME_MOBILE = [
    "13912345678",
    "139 1234 5678",
    "139-1234-5678",
    "+86 139 1234 5678",
    "+8613912345678",
    "0086-139-1234-5678",
    "8613912345678",
    "（139）12345678",
    "１３９１２３４５６７８",  # full-width digits, as a Chinese input method may type them
]


@pytest.mark.parametrize("again", SAME_MOBILE)
def test_the_same_mobile_written_any_way_cannot_open_a_second_objection(session, again):
    application = _publicised(session)
    first = _file(session, application, "13912345678")
    with pytest.raises(ConflictError) as caught:
        _file(session, application, again, reason="再次提出：价格明显偏高。")
    assert caught.value.code == "objection_already_received"
    assert caught.value.message == (
        "该联系方式对这项认定提出的异议已收到，乡村振兴局正在核查，无需重复提交"
    )
    assert _objection_count(session) == 1
    assert first.contact_key == objections.contact_key(again)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("13912345678", "13912345679"),
        ("13912345678", "03591234567"),
        ("a@example.cn", "b@example.cn"),
    ],
)
def test_different_contacts_are_different_objections(session, one, other):
    application = _publicised(session)
    _file(session, application, one)
    _file(session, application, other)
    assert _objection_count(session, application_id=application.id) == 2


def test_email_addresses_match_in_any_letter_case():
    assert objections.contact_key(" Zhang.San@Example.CN ") == objections.contact_key(
        "zhang.san@example.cn"
    )


def test_the_contact_is_not_stored_twice_in_clear(session):
    application = _publicised(session)
    objection = _file(session, application, "13912345678")
    assert "13912345678" not in objection.contact_key
    assert len(objection.contact_key) == 64


def test_objections_without_a_contact_are_not_taken_for_duplicates(session):
    application = _publicised(session)
    _file(session, application)
    _file(session, application)
    assert _objection_count(session, contact_key="") == 2


def test_a_signed_in_filer_has_one_open_objection_per_certification(session):
    application = _publicised(session)
    user = User(username="filer", display_name="王五", password_hash="x", role=UserRole.admin)
    session.add(user)
    session.flush()
    actor = Actor(role=Role.admin, user_id=user.id, name=user.display_name)
    _file(session, application, actor=actor)
    with pytest.raises(ConflictError) as caught:
        _file(session, application, "13800001111", actor=actor)
    assert caught.value.code == "objection_already_received"


def test_once_the_first_is_resolved_the_same_contact_may_object_again(session):
    application = _publicised(session)
    first = _file(session, application, "13912345678")
    _dismiss(session, application, [first.id])
    second = _file(session, application, "139 1234 5678", reason="补充新的事实：包装标注有误。")
    assert second.status == ObjectionStatus.open


def test_the_database_refuses_a_copy_that_raced_past_the_check(session, monkeypatch):
    # Two requests checking at the same moment both find nothing open: the partial unique
    # index keeps the second out, and the filer reads the same answer.
    application = _publicised(session)
    monkeypatch.setattr(objections, "_already_open", lambda *args: False)
    _file(session, application, "13912345678")
    with pytest.raises(ConflictError) as caught:
        _file(session, application, "+86 139 1234 5678")
    assert caught.value.code == "objection_already_received"
    assert _objection_count(session) == 1


# Limits per address and per contact -------------------------------------------------------------


@pytest.mark.parametrize("per_address", [1, 3, 10])
def test_objections_from_one_address_are_limited_per_hour(session, limits_env, per_address):
    limits_env(objections_per_address_per_hour=per_address)
    application = _publicised(session)
    for i in range(per_address):
        _file(session, application, f"1390000{i:04d}", address="198.51.100.7")
    with pytest.raises(ThrottledError) as caught:
        _file(session, application, "13700000000", address="198.51.100.7")
    # Filed at 02:00 UTC on the hour: the window ends an hour later.
    assert caught.value.retry_after == 3600
    assert caught.value.message == "提交过于频繁，请 1 小时后再试"
    _file(session, application, "13700000000", address="198.51.100.8")
    assert _objection_count(session) == per_address + 1


def test_one_contact_is_limited_per_day_across_certifications(session, limits_env):
    limits_env(objections_per_contact_per_day=2)
    applications = [_publicised(session) for _ in range(3)]
    _file(session, applications[0], "13912345678")
    _file(session, applications[1], "+86 139 1234 5678")
    with pytest.raises(ThrottledError) as caught:
        _file(session, applications[2], "139-1234-5678")
    assert caught.value.message == "该联系方式提交的异议过多，请 22 小时后再试"
    assert _objection_count(session) == 2


# Bulk dismissal ----------------------------------------------------------------------------------


def _flood(session, application, count):
    return [_file(session, application, f"1390000{i:04d}") for i in range(count)]


def _dismiss(session, application, ids, actor=None, resolution="重复提交，经核查不成立", at=FILED):
    return objections.dismiss_objections(
        session=session,
        actor=actor or bureau_actor(),
        application_id=application.id,
        data={"objection_ids": ids, "resolution": resolution},
        now=at,
    )


@pytest.mark.parametrize("count", [2, 17, 60])
def test_a_flood_is_dismissed_in_one_action_audited_each_and_notified_once(session, count):
    application = _publicised(session)
    flood = _flood(session, application, count)
    dismissed = _dismiss(session, application, [o.id for o in flood])
    assert [o.id for o in dismissed] == sorted(o.id for o in flood)
    assert {(o.status, o.resolution) for o in flood} == {
        (ObjectionStatus.dismissed, "重复提交，经核查不成立")
    }
    assert all(o.resolved_at is not None and o.resolved_by is None for o in flood)
    actions = session.exec(
        select(Event.action, Event.object_id).where(Event.action.like("objection.dismiss%"))
    ).all()
    assert sorted(actions) == sorted(
        [("objection.dismiss_bulk", str(application.id))]
        + [("objection.dismiss_in_bulk", str(o.id)) for o in flood]
    )
    notes = session.exec(
        select(Notification.kind).where(Notification.kind.like("objection.dismiss%"))
    ).all()
    assert notes == ["objection.dismiss_bulk"]
    # Nothing open is left: the certification takes effect when the period ends.
    assert certification.open_objections(session, application.id) == 0
    assert certification.take_effect_when_due(session=session, now=NOW + timedelta(days=5)) == 1
    assert application.status == CertificationStatus.approved


def test_dismissing_part_of_a_flood_keeps_the_rest_holding_the_certification(session):
    application = _publicised(session)
    flood = _flood(session, application, 5)
    _dismiss(session, application, [o.id for o in flood[:4]])
    assert certification.take_effect_when_due(session=session, now=NOW + timedelta(days=5)) == 0
    assert flood[4].status == ObjectionStatus.open


def test_after_the_period_the_bulk_dismissal_puts_the_certification_in_force_at_once(session):
    application = _publicised(session)
    flood = _flood(session, application, 3)
    _dismiss(session, application, [o.id for o in flood], at=NOW + timedelta(days=5))
    assert application.status == CertificationStatus.approved


def test_objections_of_another_certification_cannot_be_dismissed_with_this_one(session):
    application, other = _publicised(session), _publicised(session)
    mine, theirs = _flood(session, application, 2), _flood(session, other, 1)
    with pytest.raises(NotFoundError) as caught:
        _dismiss(session, application, [mine[0].id, theirs[0].id])
    assert caught.value.field == "objection_ids"
    assert {o.status for o in mine + theirs} == {ObjectionStatus.open}


def test_a_bulk_dismissal_with_one_already_resolved_changes_nothing(session):
    application = _publicised(session)
    flood = _flood(session, application, 3)
    objections.resolve_objection(
        session=session,
        actor=bureau_actor(),
        objection_id=flood[0].id,
        data={"decision": "dismissed", "resolution": "不成立"},
    )
    with pytest.raises(ConflictError) as caught:
        _dismiss(session, application, [o.id for o in flood])
    assert caught.value.code == "already_resolved"
    assert [o.status for o in flood[1:]] == [ObjectionStatus.open] * 2


@pytest.mark.parametrize(
    ("ids", "resolution", "field"),
    [([], "重复", "objection_ids"), (None, "重复", "objection_ids"), ("flood", "", "resolution")],
)
def test_a_bulk_dismissal_needs_objections_and_a_resolution(session, ids, resolution, field):
    application = _publicised(session)
    flood = _flood(session, application, 2)
    ids = [o.id for o in flood] if ids == "flood" else ids
    with pytest.raises(InputErrors) as caught:
        _dismiss(session, application, ids, resolution=resolution)
    assert [e.field for e in caught.value.errors] == [field]


def test_a_bureau_of_another_county_cannot_dismiss_in_bulk(session):
    application = _publicised(session)
    flood = _flood(session, application, 2)
    with pytest.raises(PermissionDeniedError):
        _dismiss(session, application, [o.id for o in flood], actor=bureau_actor("140830"))
    assert {o.status for o in flood} == {ObjectionStatus.open}
