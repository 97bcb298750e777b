"""The to-do subscriber: tells whoever watches that a committed unit of work may have changed
someone's to-dos (待办).

The to-do inbox is derived from state (``app.services.inbox``), so nothing is stored; but a page
shows a badge with the count, which should refresh after an action that changed it. Every state
change is a published event, so an event committed is the signal. A page request ``watch()``es
(``app.web.triggers``); the flag is set after the commit only, never for a rolled-back action.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlmodel import Session

from app.db import on_commit
from app.services.domain_events import CreatedInBulk, Delivery, DomainEvent, Subscription

_SIGNALLED = "cunqi_todo_signalled"


@dataclass(slots=True)
class Watch:
    """Whether a unit of work run under ``watch()`` committed an event."""

    changed: bool = False

    def mark(self) -> None:
        self.changed = True


# The watch itself is shared (not copied) with the worker threads the unit of work runs in.
_watch: ContextVar[Watch | None] = ContextVar("todo_watch", default=None)


@contextmanager
def watch() -> Iterator[Watch]:
    """Watch the units of work run in this context (and the threads it starts)."""
    current = Watch()
    token = _watch.set(current)
    try:
        yield current
    finally:
        _watch.reset(token)


def signal(session: Session, _delivery: Delivery) -> None:
    current = _watch.get()
    if current is None or session.info.get(_SIGNALLED) is current:
        return
    session.info[_SIGNALLED] = current
    on_commit(session, current.mark)


SUBSCRIPTIONS = (Subscription((DomainEvent, CreatedInBulk), signal),)
