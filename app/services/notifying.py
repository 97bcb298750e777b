"""The notifications subscriber: who hears of each published event, and the mails that causes.

Each domain declares its actions' notification decisions in its own ``*_notices`` module
(``ACTIONS``: action → ``Notice`` or ``NOBODY``); ``DOMAINS`` lists those modules and this
subscriber reads them. It runs after the audit subscriber and refers to the row it wrote. A
rolled-back action takes its notifications with it; a retried one records a new event and so a new
notification, and UNIQUE(event_id, recipient) keeps it to one per event and recipient. An action
published without a declared decision fails the unit of work (``UndeclaredAction``).
"""

from dataclasses import dataclass
from types import ModuleType

from sqlmodel import Session, SQLModel

from app.models import (
    CertificationApplication,
    CertificationObjection,
    Notification,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    User,
)
from app.models.enums import RecipientKind
from app.services import (
    account_notices,
    certification_notices,
    directory_notices,
    mail,
    pairing_notices,
    trade_notices,
)
from app.services.domain_events import CreatedInBulk, Delivery, DomainEvent, Subscription
from app.services.notice_rules import Notice

K = RecipientKind

# The modules declaring each domain's ``ACTIONS``.
DOMAINS: tuple[ModuleType, ...] = (
    pairing_notices,
    trade_notices,
    certification_notices,
    account_notices,
    directory_notices,
)


class UndeclaredAction(LookupError):
    """An action was published that no domain declared a notification decision for."""


def declared_actions() -> dict[str, Notice]:
    """Every action the domains declared, with its notification decision."""
    declared: dict[str, Notice] = {}
    for domain in DOMAINS:
        for action, decision in domain.ACTIONS.items():
            if action in declared:
                raise ValueError(f"{action} is declared twice ({domain.__name__})")
            declared[action] = decision
    return declared


def actions_by_domain() -> dict[str, dict[str, Notice]]:
    """Each declaring module's actions and decisions, by the module's name
    (``pairing_notices`` …)."""
    return {domain.__name__.rsplit(".", 1)[1]: dict(domain.ACTIONS) for domain in DOMAINS}


_DECISIONS = declared_actions()


def decision_for(action: str) -> Notice:
    try:
        return _DECISIONS[action]
    except KeyError:
        raise UndeclaredAction(f"no notification decision declared for {action!r}") from None


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


def notify_event(session: Session, delivery: Delivery) -> None:
    """Write the notifications (and, with email on, the mails) one event causes."""
    event: DomainEvent = delivery.event
    decision = decision_for(event.action)
    if not decision.recipients:
        return
    parties = _parties(session, event.obj)
    if parties is None:
        return
    own = _own_parties(session, event.actor_id)
    recipients = [
        (kind, parties.ids[kind])
        for kind in decision.recipients
        if kind in parties.ids and (kind, parties.ids[kind]) not in own
    ]
    if not recipients:
        return
    session.flush()  # the audit row's id
    written = []
    for kind, recipient_id in recipients:
        note = Notification(
            event_id=delivery.record.id,
            recipient_kind=kind,
            recipient_id=recipient_id,
            kind=event.action,
            title=decision.title,
            body=event.summary,
            link=parties.link,
        )
        session.add(note)
        written.append(note)
    mail.queue_for(session, written)


class NoticeInBulk(ValueError):
    """A bulk creation's action is declared to tell someone."""


def refuse_notices_in_bulk(session: Session, delivery: Delivery) -> None:
    """Rows written in bulk tell no one: an import of a thousand rows must not become a thousand
    notices (a domain that wants one publishes a summary event, as ``objection.dismiss_bulk``
    does). Their actions are declared ``NOBODY``; anything else is a programming error."""
    event: CreatedInBulk = delivery.event
    for action in {c.action for c in event.creations}:
        if decision_for(action).recipients:
            raise NoticeInBulk(f"{action} is created in bulk but declared to notify")


SUBSCRIPTIONS = (
    Subscription(DomainEvent, notify_event),
    Subscription(CreatedInBulk, refuse_notices_in_bulk),
)
