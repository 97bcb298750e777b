"""Notifications: written with the event, exactly once, to the parties it concerns; read state."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS, SYSTEM
from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.models import Event, MailSubscription, Notification, PairingAgreement
from app.models.enums import AgreementStatus, OrderStatus, RecipientKind, UserRole
from app.services import accounts, notifications, orders
from app.services.pairing.lifecycle import transition_agreement
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_enterprise,
    make_village,
    valid_credit_code,
)
from tests.pairing_factories import bureau_actor, enterprise_actor, village_actor
from tests.trade_factories import buyer_actor, cooperative_actor, make_listed_product, make_order

K = RecipientKind


def _user(session, username, role, **links):
    user = accounts.create_user(
        session=session,
        actor=SYSTEM,
        account={"username": username, "display_name": username, "password": "Huanghe2026"},
        role=role,
        **links,
    )
    return accounts.actor_for(user)


def _rows(session):
    return session.exec(select(Notification).order_by(Notification.id)).all()


def test_signing_tells_the_enterprise_in_the_same_transaction(session):
    agreement = make_agreement(session)
    signer = _user(session, "cun1", UserRole.village, village_id=agreement.village_id)
    transition_agreement(
        session=session, actor=signer, agreement_id=agreement.id, expected_version=1, action="sign"
    )
    event = session.exec(select(Event).where(Event.action == "agreement.sign")).one()
    [note] = _rows(session)
    assert (note.event_id, note.recipient_kind, note.recipient_id) == (
        event.id,
        K.enterprise,
        agreement.enterprise_id,
    )
    assert (note.kind, note.title, note.link) == (
        "agreement.sign",
        "结对提议已签约",
        f"/agreements/{agreement.id}",
    )
    assert note.body == event.summary
    assert note.read_at is None


def test_filing_tells_both_parties_but_an_action_never_tells_its_own_party(session):
    agreement = make_agreement(session, status=AgreementStatus.signed)
    village = session.get(PairingAgreement, agreement.id).village_id
    staff = _user(session, "qiye1", UserRole.enterprise, enterprise_id=agreement.enterprise_id)
    transition_agreement(
        session=session,
        actor=bureau_actor(),
        agreement_id=agreement.id,
        expected_version=1,
        action="file",
    )
    assert [(n.recipient_kind, n.recipient_id) for n in _rows(session)] == [
        (K.enterprise, agreement.enterprise_id),
        (K.village, village),
    ]
    # The enterprise itself ends the agreement: only the village hears of it.
    transition_agreement(
        session=session,
        actor=staff,
        agreement_id=agreement.id,
        expected_version=2,
        action="terminate",
        reason="企业经营调整",
    )
    last = _rows(session)[-1]
    assert (last.kind, last.recipient_kind, last.recipient_id) == (
        "agreement.terminate",
        K.village,
        village,
    )
    assert len(_rows(session)) == 3


def test_exactly_one_notification_per_event_also_after_a_conflict_retry(fresh_db):
    with fresh_db.unit_of_work() as session:
        agreement = make_agreement(session)
        agreement_id, village_id = agreement.id, agreement.village_id

    def sign(session):
        transition_agreement(
            session=session,
            actor=village_actor(village_id),
            agreement_id=agreement_id,
            expected_version=1,
            action="sign",
        )

    # The first attempt wrote its event and notification, then hit a conflict: all rolled back.
    with pytest.raises(ConflictError), fresh_db.unit_of_work() as session:
        sign(session)
        raise ConflictError("模拟提交前的并发冲突", code="stale_version")
    with fresh_db.read_only() as session:
        assert _rows(session) == []
    # A stale retry is refused before anything is written.
    with pytest.raises(ConflictError), fresh_db.unit_of_work() as session:
        session.get(PairingAgreement, agreement_id).version = 2
        session.flush()
        sign(session)
    # The retry that succeeds notifies once.
    with fresh_db.unit_of_work() as session:
        sign(session)
    with fresh_db.read_only() as session:
        events = session.exec(select(Event.id).where(Event.action == "agreement.sign")).all()
        assert [(n.event_id, n.kind) for n in _rows(session)] == [(events[0], "agreement.sign")]


def test_the_database_refuses_a_second_notification_for_the_same_event(session):
    agreement = make_agreement(session)
    transition_agreement(
        session=session,
        actor=village_actor(agreement.village_id),
        agreement_id=agreement.id,
        expected_version=1,
        action="sign",
    )
    [note] = _rows(session)
    duplicate = Notification(
        event_id=note.event_id,
        recipient_kind=note.recipient_kind,
        recipient_id=note.recipient_id,
        kind=note.kind,
        title=note.title,
    )
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.add(duplicate)
        session.flush()


def test_order_steps_notify_the_other_side(session):
    cooperative = make_cooperative(session)
    buyer = make_enterprise(session)
    product = make_listed_product(session, cooperative=cooperative)
    order = make_order(session, buyer, product)
    orders.confirm_order(
        session=session, actor=cooperative_actor(cooperative), order_id=order.id, expected_version=1
    )
    orders.ship_order(
        session=session, actor=cooperative_actor(cooperative), order_id=order.id,
        expected_version=2, data={"carrier": "中国邮政"},
    )  # fmt: skip
    orders.receive_order(
        session=session, actor=buyer_actor(buyer), order_id=order.id, expected_version=3
    )
    assert order.status == OrderStatus.received
    assert [(n.kind, n.recipient_kind, n.recipient_id, n.link) for n in _rows(session)] == [
        ("order.confirm", K.enterprise, buyer.id, f"/orders/{order.id}"),
        ("order.ship", K.enterprise, buyer.id, f"/orders/{order.id}"),
        ("order.receive", K.cooperative, cooperative.id, f"/orders/{order.id}"),
    ]


def test_a_reviewed_registration_tells_the_applicant_user(session):
    make_village(session)
    pending = accounts.register_account(
        session=session,
        kind=UserRole.enterprise,
        account={
            "username": "xin1",
            "display_name": "新企业",
            "password": "Huanghe2026",
            "privacy_consent": True,
        },
        organisation={
            "credit_code": valid_credit_code(),
            "name": "新注册企业",
            "kind": "private",
            "industry": "A",
            "county_code": "140829",
        },
    )
    accounts.review_registration(
        session=session, actor=bureau_actor(), user_id=pending.id, approve=True
    )
    [note] = _rows(session)
    assert (note.recipient_kind, note.recipient_id, note.title, note.link) == (
        K.user,
        pending.id,
        "注册申请已通过",
        "/account",
    )


def test_read_state_is_per_recipient_and_mark_all_read(session):
    enterprise = make_enterprise(session)
    other = make_enterprise(session)
    reader = _user(session, "qiye2", UserRole.enterprise, enterprise_id=enterprise.id)
    stranger = _user(session, "qiye3", UserRole.enterprise, enterprise_id=other.id)
    agreements = [make_agreement(session, enterprise=enterprise) for _ in range(3)]
    make_agreement(session, enterprise=other)
    for agreement in agreements:
        transition_agreement(
            session=session,
            actor=village_actor(agreement.village_id),
            agreement_id=agreement.id,
            expected_version=1,
            action="decline",
            reason="本村已有结对",
        )
    page = notifications.list_notifications(session=session, actor=reader)
    assert page.total == 3
    assert [n.link for n in page.items] == [f"/agreements/{a.id}" for a in reversed(agreements)]
    assert notifications.unread_count(session=session, actor=reader) == 3
    assert notifications.unread_count(session=session, actor=stranger) == 0

    first = page.items[-1].id
    with pytest.raises(NotFoundError):
        notifications.mark_read(session=session, actor=stranger, notification_ids=[first])
    with pytest.raises(ValidationError):
        notifications.mark_read(session=session, actor=reader, notification_ids=[])
    assert notifications.mark_read(session=session, actor=reader, notification_ids=[first]) == 1
    assert notifications.mark_read(session=session, actor=reader, notification_ids=[first]) == 0
    unread = notifications.list_notifications(session=session, actor=reader, unread_only=True)
    assert [n.id for n in unread.items] == [n.id for n in page.items[:2]]
    assert notifications.mark_read(session=session, actor=reader) == 2
    assert notifications.unread_count(session=session, actor=reader) == 0
    assert (
        notifications.visible_notification(session=session, actor=stranger, notification_id=first)
        is None
    )


def test_notifications_need_a_signed_in_user(session):
    with pytest.raises(PermissionDeniedError):
        notifications.list_notifications(session=session, actor=ANONYMOUS)
    with pytest.raises(PermissionDeniedError):
        notifications.mark_read(session=session, actor=enterprise_actor(1))
    assert notifications.unread_count(session=session, actor=ANONYMOUS) == 0


def test_mail_address_is_checked_audited_and_blank_unsubscribes(session):
    enterprise = make_enterprise(session)
    reader = _user(session, "qiye4", UserRole.enterprise, enterprise_id=enterprise.id)
    with pytest.raises(ValidationError) as caught:
        notifications.set_mail_address(session=session, actor=reader, address="not-an-address")
    assert (caught.value.field, caught.value.message) == ("address", "请填写有效的邮箱地址")
    saved = notifications.set_mail_address(
        session=session, actor=reader, address=" caigou@example.cn "
    )
    assert saved == "caigou@example.cn"
    assert notifications.mail_address(session=session, actor=reader) == "caigou@example.cn"
    notifications.set_mail_address(session=session, actor=reader, address="")
    assert session.exec(select(MailSubscription)).all() == []
    actions = session.exec(select(Event.action).where(Event.action.like("mail.%"))).all()
    assert actions == ["mail.subscribe", "mail.unsubscribe"]
