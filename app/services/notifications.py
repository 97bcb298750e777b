"""Notifications (消息): reading them, their read state, and the address their mails go to.

Notifications are written by the notifications subscriber (``app.services.notifying``) for the
domain events services publish, in the same transaction.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import NotFoundError, ValidationError
from app.models import (
    MailSubscription,
    Notification,
)
from app.models.base import utcnow
from app.models.enums import RecipientKind
from app.permissions import NOTIFICATIONS, require
from app.services import mail
from app.services.bus import publish
from app.services.domain_events import AccountEvent
from app.services.paging import Page, paginate

PAGE_SIZE = 20
K = RecipientKind


# Reading and read state -----------------------------------------------------------------------


def _recipient_condition(actor: Actor) -> sa.ColumnElement[bool]:
    """Notifications addressed to the actor or to the organisation they work for."""
    return NOTIFICATIONS.where(
        actor,
        recipient_kind=Notification.recipient_kind,
        recipient_id=Notification.recipient_id,
    )


def can_read_notifications(actor: Actor) -> bool:
    return actor.is_authenticated and actor.user_id is not None


def list_notifications(
    *,
    session: Session,
    actor: Actor,
    unread_only: bool = False,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page[Notification]:
    """The actor's notifications, newest first."""
    require(can_read_notifications(actor))
    conditions = [_recipient_condition(actor)]
    if unread_only:
        conditions.append(Notification.read_at.is_(None))
    query = (
        sa.select(Notification)
        .where(*conditions)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    return paginate(session, query, number=page, size=size)


def visible_notification(
    *, session: Session, actor: Actor, notification_id: int
) -> Notification | None:
    """One of the actor's notifications; None for anyone else's (ids reveal nothing)."""
    if not can_read_notifications(actor):
        return None
    return session.exec(
        select(Notification).where(Notification.id == notification_id, _recipient_condition(actor))
    ).first()


def unread_count(*, session: Session, actor: Actor) -> int:
    """How many of the actor's notifications are unread (one aggregate query)."""
    if not can_read_notifications(actor):
        return 0
    return session.execute(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(_recipient_condition(actor), Notification.read_at.is_(None))
    ).scalar_one()


def mark_read(*, session: Session, actor: Actor, notification_ids: list[int] | None = None) -> int:
    """Mark the given notifications (all when None) read; returns how many changed."""
    require(can_read_notifications(actor))
    conditions = [_recipient_condition(actor), Notification.read_at.is_(None)]
    if notification_ids is not None:
        if not notification_ids:
            raise ValidationError("请选择要标记的消息", code="nothing_selected", field="ids")
        mine = session.execute(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(_recipient_condition(actor), Notification.id.in_(notification_ids))
        ).scalar_one()
        if mine != len(set(notification_ids)):
            raise NotFoundError("消息不存在", field="ids")
        conditions.append(Notification.id.in_(notification_ids))
    now: datetime = utcnow()
    result = session.execute(sa.update(Notification).where(*conditions).values(read_at=now))
    return result.rowcount


# Email address --------------------------------------------------------------------------------


def mail_address(*, session: Session, actor: Actor) -> str:
    require(can_read_notifications(actor))
    row = session.exec(
        select(MailSubscription).where(MailSubscription.user_id == actor.user_id)
    ).first()
    return row.address if row else ""


def set_mail_address(*, session: Session, actor: Actor, address: str) -> str:
    """Subscribe the actor's notifications to ``address``; blank unsubscribes."""
    require(can_read_notifications(actor))
    address = mail.check_address(address)
    row = session.exec(
        select(MailSubscription).where(MailSubscription.user_id == actor.user_id)
    ).first()
    if row is None:
        row = MailSubscription(user_id=actor.user_id, address=address)
        session.add(row)
    before = {"address": row.address}
    row.address = address
    publish(
        session,
        AccountEvent.by(
            actor,
            action="mail.subscribe" if address else "mail.unsubscribe",
            obj=row,
            summary="设置消息邮件地址" if address else "停止消息邮件",
            before=before,
            after={"address": address},
        ),
    )
    if not address:
        session.delete(row)
    return address
