"""The notifications subscriber: who hears of each published event, and the mails that causes.

Each domain declares, in ``NOTICES`` of its ``app.services.<domain>_domain`` module, its actions'
notification decisions (action → ``Notice`` or ``NOBODY``) and who the parties of its objects are
(``notice_rules.Notices``); this subscriber reads them there. It runs after the audit subscriber
and refers to the row it wrote. A rolled-back action takes its notifications with it; a retried
one records a new event and so a new notification, and UNIQUE(event_id, recipient) keeps it to
one per event and recipient. An action published without a declared decision fails the unit of
work (``UndeclaredAction``).
"""

from functools import cache

from sqlmodel import Session, SQLModel

from app.domains import DOMAINS
from app.models import Notification, User
from app.models.enums import RecipientKind
from app.services import domains, mail
from app.services.domain_events import CreatedInBulk, Delivery, DomainEvent, Subscription
from app.services.notice_rules import Notice, Parties, PartiesOf

K = RecipientKind


class UndeclaredAction(LookupError):
    """An action was published that no domain declared a notification decision for."""


@cache
def declared_actions() -> dict[str, Notice]:
    """Every action the domains declared (``NOTICES`` of each domain), with its decision."""
    declared: dict[str, Notice] = {}
    for notices in domains.notices():
        for action, decision in notices.actions.items():
            if action in declared:
                raise ValueError(f"{action} is declared twice")
            declared[action] = decision
    return declared


def actions_by_domain() -> dict[str, dict[str, Notice]]:
    """Each domain's actions and decisions, by the domain's name."""
    by_domain = {}
    for domain in DOMAINS:
        module = domains.SERVICE_PART.load(domain)
        by_domain[domain] = {a: d for n in module.NOTICES for a, d in n.actions.items()}
    return by_domain


def decision_for(action: str) -> Notice:
    try:
        return declared_actions()[action]
    except KeyError:
        raise UndeclaredAction(f"no notification decision declared for {action!r}") from None


@cache
def _parties_of() -> dict[type, PartiesOf]:
    found: dict[type, PartiesOf] = {}
    for notices in domains.notices():
        for model, parties in notices.parties.items():
            if model in found:
                raise ValueError(f"two domains say who the parties of {model.__name__} are")
            found[model] = parties
    return found


def _parties(session: Session, obj: SQLModel) -> Parties | None:
    """The parties of ``obj`` as its domain declares them; None for objects that concern no one."""
    parties = _parties_of().get(type(obj))
    return parties(session, obj) if parties is not None else None


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
