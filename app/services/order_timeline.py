"""An order's timeline (进度) for its page, read from its audit events (操作记录): each step the
order's state machine took, when, with the carrier or the reason it recorded. The order page
already checked that the reader may see the order (``orders.get_order``); actors' names are not
shown, only the party (采购单位, 合作社, 系统; a cancellation, taken by either side, names none)."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.models import Event, Order
from app.services.order_states import ORDER

BY_PARTY = {
    "place": "采购单位",
    "receive": "采购单位",
    "rate": "采购单位",
    "confirm": "合作社",
    "refuse": "合作社",
    "ship": "合作社",
    "expire": "系统",
}


@dataclass(frozen=True, slots=True)
class Step:
    at: datetime
    label: str
    party: str
    detail: str


def timeline(session: Session, order: Order) -> list[Step]:
    """The order's steps, oldest first."""
    events = session.exec(
        select(Event.occurred_at, Event.action, Event.after)
        .where(Event.object_type == "Order", Event.object_id == str(order.id))
        .order_by(Event.occurred_at, Event.id)
    ).all()
    labels = {t.event: t.label for t in ORDER.transitions}
    steps = []
    for at, action, after in events:
        name = action.removeprefix("order.")
        label = labels.get(action, action)
        steps.append(Step(at, label, BY_PARTY.get(name, ""), _detail(name, after or {})))
    return steps


def _detail(name: str, after: dict) -> str:
    if name == "ship":
        carrier, tracking = after.get("carrier", ""), after.get("tracking_number", "")
        return carrier + (f" · 运单号 {tracking}" if tracking else "")
    if name in ("cancel", "refuse", "expire"):
        return after.get("cancel_reason", "")
    if name == "rate":
        return f"{after.get('rating')} 分"
    return ""
