"""Routes of the to-do inbox, notifications and public disclosure
(where the public files objections to certifications; the bureau resolves them on the
certification pages)."""

from starlette.routing import BaseRoute, Route

from app.web import disclosure, inbox, notifications

POST = ["POST"]

ROUTES: list[BaseRoute] = [
    Route("/inbox", inbox.inbox_page, name="inbox"),
    Route("/inbox/count", inbox.inbox_count, name="inbox_count"),
    Route("/notifications", notifications.notification_list, name="notifications"),
    Route("/notifications/read", notifications.mark_read, methods=POST),
    Route("/notifications/{notification_id:id}/read", notifications.mark_read, methods=POST),
    Route("/notifications/email", notifications.set_mail_address, methods=POST),
    # Public disclosure (公示): no sign-in.
    Route("/disclosure", disclosure.pairings, name="disclosure"),
    Route("/disclosure/products", disclosure.products, name="disclosure_products"),
    Route("/disclosure/outcomes", disclosure.outcomes, name="disclosure_outcomes"),
    Route("/disclosure/objections/{application_id:id}", disclosure.file_objection, methods=POST),
]
