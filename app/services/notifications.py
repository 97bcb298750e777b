"""Notifications (消息): who hears of which event, read state, and the mails they cause.

``notify_event`` is called by ``app.services.audit.record_event`` for every event, so each service
that records an event notifies the parties concerned in the same transaction without knowing about
it. A rolled-back action takes its notifications with it; a retried one records a new event and so
a new notification, and UNIQUE(event_id, recipient) keeps it to one per event and recipient.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from app.actors import Actor
from app.errors import NotFoundError, ValidationError
from app.models import (
    CertificationApplication,
    CertificationObjection,
    Event,
    MailSubscription,
    Notification,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    User,
)
from app.models.base import utcnow
from app.models.enums import RecipientKind
from app.permissions import NOTIFICATIONS, require
from app.services import mail
from app.services.audit import record_event
from app.services.paging import Page, paginate

PAGE_SIZE = 20
K = RecipientKind

# Event action → (title, the parties told). The party acting is never told of its own action.
RULES: dict[str, tuple[str, tuple[RecipientKind, ...]]] = {
    "agreement.propose": ("收到新的结对帮扶提议", (K.village,)),
    "agreement.plan": ("收到新的结对帮扶提议", (K.village,)),
    "agreement.revise": ("结对提议的承诺已修改", (K.village,)),
    "agreement.sign": ("结对提议已签约", (K.enterprise,)),
    "agreement.decline": ("结对提议被婉拒", (K.enterprise,)),
    "agreement.withdraw": ("结对提议已撤回", (K.village,)),
    "agreement.file": ("结对协议已备案生效", (K.enterprise, K.village)),
    "agreement.complete": ("结对协议已办结", (K.enterprise, K.village)),
    "agreement.terminate": ("结对协议提前终止", (K.enterprise, K.village)),
    "report.submit": ("收到待确认的成效报告", (K.village,)),
    "report.resubmit": ("成效报告已修改后重新提交", (K.village,)),
    "report.confirm": ("成效报告已经村确认", (K.enterprise,)),
    "report.verify": ("成效报告已核实", (K.enterprise, K.village)),
    "report.return": ("成效报告被退回修改", (K.enterprise,)),
    "order.place": ("收到新订单", (K.cooperative,)),
    "order.confirm": ("订单已确认", (K.enterprise,)),
    "order.ship": ("订单已发货", (K.enterprise,)),
    "order.receive": ("订单已确认收货", (K.cooperative,)),
    "order.cancel": ("订单已取消", (K.enterprise, K.cooperative)),
    "order.rate": ("订单收到评价", (K.cooperative,)),
    "account.approve": ("注册申请已通过", (K.user,)),
    "account.reject": ("注册申请未通过", (K.user,)),
    "certification.approve": ("产品认定审核通过，进入公示期", (K.cooperative,)),
    "certification.reject": ("产品认定未通过", (K.cooperative,)),
    "certification.take_effect": ("产品认定公示期满，已生效", (K.cooperative,)),
    "certification.refuse": ("产品认定因异议成立未予认定", (K.cooperative,)),
    "objection.file": ("产品认定公示收到异议", (K.cooperative,)),
    "objection.resolve": ("产品认定异议已处理", (K.cooperative,)),
    # One notice for a bulk dismissal; its per-objection events ("objection.dismiss_in_bulk") tell
    # no one, or a flood of objections would become a flood of notices.
    "objection.dismiss_bulk": ("产品认定异议已处理", (K.cooperative,)),
}


@dataclass(frozen=True)
class Parties:
    """The organisations (or user) an object concerns, and the page that shows it."""

    ids: dict[RecipientKind, int]
    link: str


def _parties(session: Session, obj: SQLModel) -> Parties | None:
    if isinstance(obj, PairingAgreement):
        ids = {K.enterprise: obj.enterprise_id, K.village: obj.village_id}
        return Parties(ids, f"/agreements/{obj.id}")
    if isinstance(obj, OutcomeReport):
        agreement = session.get(PairingAgreement, obj.agreement_id)
        ids = {K.enterprise: agreement.enterprise_id, K.village: agreement.village_id}
        return Parties(ids, f"/reports/{obj.id}")
    if isinstance(obj, Order):
        product = session.get(Product, obj.product_id)
        ids = {K.enterprise: obj.buyer_id, K.cooperative: product.cooperative_id}
        return Parties(ids, f"/orders/{obj.id}")
    if isinstance(obj, User):
        return Parties({K.user: obj.id}, "/account")
    if isinstance(obj, CertificationObjection):
        obj = session.get(CertificationApplication, obj.application_id)
    if isinstance(obj, CertificationApplication):
        product = session.get(Product, obj.product_id)
        return Parties({K.cooperative: product.cooperative_id}, f"/my/products/{product.id}")
    return None


def _own_parties(session: Session, actor_id: int | None) -> set[tuple[RecipientKind, int]]:
    """The acting user and the organisation they work for."""
    user = session.get(User, actor_id) if actor_id is not None else None
    if user is None:
        return set()
    links = {
        K.user: user.id,
        K.enterprise: user.enterprise_id,
        K.cooperative: user.cooperative_id,
        K.village: user.village_id,
    }
    return {(kind, value) for kind, value in links.items() if value is not None}


def notify_event(session: Session, event: Event, obj: SQLModel) -> list[Notification]:
    """Write the notifications (and, with email on, the mails) an event causes."""
    rule = RULES.get(event.action)
    if rule is None:
        return []
    title, kinds = rule
    parties = _parties(session, obj)
    if parties is None:
        return []
    own = _own_parties(session, event.actor_id)
    recipients = [
        (kind, parties.ids[kind])
        for kind in kinds
        if kind in parties.ids and (kind, parties.ids[kind]) not in own
    ]
    if not recipients:
        return []
    session.flush()  # the event's id
    written = []
    for kind, recipient_id in recipients:
        note = Notification(
            event_id=event.id,
            recipient_kind=kind,
            recipient_id=recipient_id,
            kind=event.action,
            title=title,
            body=event.summary,
            link=parties.link,
        )
        session.add(note)
        written.append(note)
    mail.queue_for(session, written)
    return written


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
    record_event(
        session,
        actor_id=actor.user_id,
        actor_label=actor.label,
        action="mail.subscribe" if address else "mail.unsubscribe",
        obj=row,
        summary="设置消息邮件地址" if address else "停止消息邮件",
        before=before,
        after={"address": address},
    )
    if not address:
        session.delete(row)
    return address
