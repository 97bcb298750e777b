"""One-time messages (needs SessionMiddleware): a message belongs to the request that made it.

A handler queues it (``flash``); whatever this browser renders next takes it: a full page in its
flash region (``base.html``), an htmx fragment as an out-of-band addition to that region
(``fragment_flashes``, called by ``app.web.templating``). So a message made during an htmx
action (or the redirect it followed) is shown by that action, never later on an unrelated page.
"""

from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape
from starlette.requests import Request

FLASH_KEY = "_flashes"
Level = Literal["info", "success", "error"]


@dataclass(frozen=True, slots=True)
class Flash:
    message: str
    level: Level = "info"


def flash(request: Request, message: str, *, level: Level = "info") -> None:
    """Queue ``message`` for the next full page this browser renders."""
    queued = request.session.get(FLASH_KEY, [])
    request.session[FLASH_KEY] = [*queued, {"message": message, "level": level}]


def pop_flashes(request: Request) -> list[Flash]:
    """Take the queued messages; without a session there are none."""
    if "session" not in request.scope:
        return []
    return [Flash(**item) for item in request.session.pop(FLASH_KEY, [])]


def fragment_flashes(request: Request) -> Markup:
    """Take the queued messages as an out-of-band swap into ``#flash`` (the markup of
    ``components/toast.html``), for the end of an htmx fragment; empty when none are queued."""
    session = request.scope.get("session")
    # Peek without touching the session: a fragment that shows no message must not vary by
    # cookie (the session marks every access, and its middleware then adds Vary: Cookie).
    if session is None or not dict.__contains__(session, FLASH_KEY):
        return Markup("")
    flashes = pop_flashes(request)
    if not flashes:
        return Markup("")
    items = "".join(
        f'<p class="flash flash--{escape(f.level)}">{escape(f.message)}</p>' for f in flashes
    )
    return Markup(f'<div id="flash" hx-swap-oob="beforeend">{items}</div>')
