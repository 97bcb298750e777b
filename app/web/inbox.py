"""The to-do inbox (待办) page and the badge count the navigation refreshes with htmx."""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from app.http import current_actor
from app.services import inbox
from app.services.paging import page_number
from app.web.pages import gate, load
from app.web.templating import render

# Sent by actions that may change someone's to-dos: the badge listens for it (base.html).
INBOX_CHANGED = "inbox-changed"


async def inbox_page(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    # ?kind=overdue_reports&page=2 turns the pages of one kind; the others show their first.
    pages = {}
    kind = request.query_params.get("kind")
    if kind:
        pages[kind] = page_number(request.query_params.get("page"))
    groups = await load(request, lambda s: inbox.inbox(session=s, actor=actor, pages=pages))
    context = {"groups": groups, "total": sum(g.count for g in groups), "page_url": _page_url}
    return render(request, "inbox/index.html", context, partial="inbox/_groups.html")


def _page_url(kind: str):
    """The pager's links for one kind of to-do (``pager`` in _macros.html calls it per page)."""
    return lambda number: f"/inbox?{urlencode({'kind': kind, 'page': number})}"


async def inbox_count(request: Request) -> Response:
    """The badge's number (an empty badge for visitors and roles without to-dos)."""
    actor = current_actor(request)
    count = 0
    if actor.is_authenticated:
        count = await load(request, lambda s: inbox.inbox_count(session=s, actor=actor))
    response = render(request, "inbox/_badge.html", {"count": count})
    response.headers["Cache-Control"] = "no-store"
    return response
