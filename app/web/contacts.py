"""The contact card's 显示完整号码 action and the personal-information notice page."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.errors import DomainError
from app.permissions import Party
from app.services import contacts
from app.services.privacy import NOTICE_VERSION
from app.web.forms import in_unit_of_work
from app.web.pages import gate, unless_fixable
from app.web.templating import render

_BACK = {Party.village: "/villages/{}", Party.enterprise: "/enterprises/{}", Party.cooperative: "/"}


async def reveal(request: Request) -> Response:
    """POST: the full number, recorded in the audit trail; htmx swaps the card in place."""
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    try:
        party = Party(request.path_params["party"])
    except ValueError:
        raise HTTPException(404) from None
    party_id = request.path_params["party_id"]
    try:
        contact = await in_unit_of_work(
            request,
            lambda s: contacts.reveal_contact(
                session=s, actor=actor, party=party, party_id=party_id
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        raise
    context = {"contact": contact, "back": _BACK[party].format(party_id)}
    response = render(request, "contacts/revealed.html", context, partial="contacts/_contact.html")
    # A full number must not linger in shared caches or the browser's history.
    response.headers["Cache-Control"] = "no-store"
    return response


def privacy_notice(request: Request) -> Response:
    return render(request, "privacy.html", {"notice_version": NOTICE_VERSION})
