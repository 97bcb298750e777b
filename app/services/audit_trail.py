"""Reading the audit trail (操作记录) of an object."""

from sqlmodel import Session, select

from app.actors import Actor
from app.models import Event
from app.permissions import can_read_events, require


def object_events(
    *,
    session: Session,
    actor: Actor,
    object_type: str,
    object_id: str | int,
    county_code: str | None,
) -> list[Event]:
    """Events of one object, oldest first, for bureau users whose region covers it and admins."""
    require(can_read_events(actor, county_code))
    return list(
        session.exec(
            select(Event)
            .where(Event.object_type == object_type, Event.object_id == str(object_id))
            .order_by(Event.occurred_at, Event.id)
        ).all()
    )
