"""The summaries subscriber: the dashboard's summary tables follow the events that move them.

- an agreement whose status changed enters or leaves the pairing commitments and the active
  agreements (``pairing_summary.agreement_moved``);
- a submitted report counts for its quarter and enterprise, a verified one for its county's
  actuals (``pairing_summary.report_submitted`` and ``report_verified``); a corrected one
  leaves them until it is verified again (``report_unverified``);
- a received order counts for its month, county and category and for its buyer's year
  (``sales_summary.add_receipt``).

Each update is written in the event's transaction, so a rolled-back change rolls it back too.
The dashboard's other caches need nothing here: they are keyed on change stamps the database moves
itself (``app.services.stamps``) and on the newest audit row.
"""

from sqlmodel import Session

from app.services import pairing_summary, sales_summary
from app.services.domain_events import (
    AgreementEvent,
    Delivery,
    OrderEvent,
    ReportEvent,
    Subscription,
)


def agreement_moved(session: Session, delivery: Delivery) -> None:
    event: AgreementEvent = delivery.event
    if event.was is not None and event.status_changed:
        pairing_summary.agreement_moved(session, event.obj, event.county_code, event.was)


def report_counted(session: Session, delivery: Delivery) -> None:
    event: ReportEvent = delivery.event
    if event.action == "report.submit":
        pairing_summary.report_submitted(session, event.obj, event.agreement, event.county_code)
    elif event.action == "report.verify":
        pairing_summary.report_verified(session, event.obj, event.county_code)
    elif event.action == "report.correct":
        pairing_summary.report_unverified(session, event.before, event.county_code)


def order_received(session: Session, delivery: Delivery) -> None:
    event: OrderEvent = delivery.event
    if event.action == "order.receive":
        sales_summary.add_receipt(session, event.obj, event.product, event.county_code)


SUBSCRIPTIONS = (
    Subscription(AgreementEvent, agreement_moved),
    Subscription(ReportEvent, report_counted),
    Subscription(OrderEvent, order_received),
)
