"""Publishing domain events inside the unit of work.

A service changes state, then publishes what happened (``publish(session, AgreementEvent(...))``).
The subscribers run at once, synchronously, in the service's transaction: whatever they write
commits or rolls back with the change, and a subscriber that fails fails the whole unit of work.
What must wait for the commit (sending mail, the to-do signal) registers with ``app.db.on_commit``.

The concerns and their order are this module's ``CONCERNS``; each concern lists its own
``SUBSCRIPTIONS`` (event type → handler) in its module, and no concern imports another:

1. audit (``app.services.audit``): the ``Event`` row (操作记录), first: notifications refer to
   it;
2. notifications (``app.services.notifying``): who hears of it, by the domains' declared rules,
   and their mails;
3. summaries (``app.services.summaries``): the dashboard's summary tables;
4. search (``app.services.search_outbox``): outbox rows for the documents it changed;
5. to-dos (``app.services.todo_changes``): the signal that to-do counts may have changed.
"""

from types import ModuleType

from sqlmodel import Session

from app.services import audit, notifying, search_outbox, summaries, todo_changes
from app.services.domain_events import Delivery, Published, Subscription

CONCERNS: tuple[ModuleType, ...] = (audit, notifying, summaries, search_outbox, todo_changes)
SUBSCRIBERS: tuple[Subscription, ...] = tuple(
    subscription for concern in CONCERNS for subscription in concern.SUBSCRIPTIONS
)


def publish(session: Session, event: Published) -> Delivery:
    """Run every subscriber of ``event``, in order, in the session's transaction."""
    delivery = Delivery(event)
    for subscription in SUBSCRIBERS:
        if isinstance(event, subscription.event_type):
            subscription.handler(session, delivery)
    return delivery
