"""The to-do inbox (待办) page and the badge count the navigation refreshes with htmx."""

from starlette.requests import Request
from starlette.responses import Response

from app.http import current_actor
from app.services import inbox
from app.web.pages import gate, load
from app.web.templating import render

# Sent by actions that may change someone's to-dos: the badge listens for it (base.html).
INBOX_CHANGED = "inbox-changed"


async def inbox_page(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    groups = await load(request, lambda s: inbox.inbox(session=s, actor=actor))
    context = {"groups": groups, "total": sum(g.count for g in groups)}
    return render(request, "inbox/index.html", context, partial="inbox/_groups.html")


async def inbox_count(request: Request) -> Response:
    """The badge's number (an empty badge for visitors and roles without to-dos)."""
    actor = current_actor(request)
    count = 0
    if actor.is_authenticated:
        count = await load(request, lambda s: inbox.inbox_count(session=s, actor=actor))
    response = render(request, "inbox/_badge.html", {"count": count})
    response.headers["Cache-Control"] = "no-store"
    return response
