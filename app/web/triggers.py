"""Refresh the to-do badge after an htmx action that changed state, without each handler asking.

An action that commits a domain event (a sign, a confirmation, a shipment …) may add or remove
to-do items for the acting user; the badge in the navigation listens for ``inbox-changed``
(base.html). The to-do subscriber (``app.services.todo_changes``) marks the request's watch when
such a unit of work commits; adding the header here, once, keeps every present and future handler
honest.
"""

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.services import todo_changes

INBOX_CHANGED = "inbox-changed"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def with_inbox_changed(trigger: str | None) -> str:
    """``trigger`` (empty, event names, or a JSON object) with ``inbox-changed`` added once."""
    if not trigger:
        return INBOX_CHANGED
    text = trigger.strip()
    if text.startswith("{"):
        events = json.loads(text)
        events.setdefault(INBOX_CHANGED, True)
        return json.dumps(events, ensure_ascii=False)
    names = [name.strip() for name in text.split(",") if name.strip()]
    if INBOX_CHANGED not in names:
        names.append(INBOX_CHANGED)
    return ", ".join(names)


class InboxTriggerMiddleware:
    """Adds ``HX-Trigger: inbox-changed`` to successful htmx responses to unsafe requests that
    committed a domain event."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        if "hx-request" not in Headers(scope=scope):
            await self.app(scope, receive, send)
            return

        with todo_changes.watch() as watch:

            async def send_with_trigger(message: Message) -> None:
                start = message["type"] == "http.response.start"
                if start and message["status"] < 400 and watch.changed:
                    headers = MutableHeaders(scope=message)
                    headers["HX-Trigger"] = with_inbox_changed(headers.get("hx-trigger"))
                await send(message)

            await self.app(scope, receive, send_with_trigger)
