"""Routes of personal information: the privacy notice and revealing a contact's full number."""

from starlette.routing import BaseRoute, Route

from app.web import contacts

ROUTES: list[BaseRoute] = [
    Route("/privacy", contacts.privacy_notice, name="privacy"),
    Route("/contacts/{party:str}/{party_id:id}/reveal", contacts.reveal, methods=["POST"]),
]

MENU = ()
