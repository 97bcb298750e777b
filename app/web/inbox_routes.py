"""Routes of the to-do inbox, notifications, public disclosure and objections to certifications."""

from starlette.routing import BaseRoute, Route

from app.web import disclosure, inbox, notifications, trade_bureau

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
    # The bureau resolves objections.
    Route("/certifications/objections", trade_bureau.objection_queue, name="objections"),
    Route(
        "/certifications/objections/{objection_id:id}/resolve",
        trade_bureau.resolve_objection,
        methods=POST,
    ),
    Route(
        "/certifications/objections/dismiss/{application_id:id}",
        trade_bureau.dismiss_objections,
        methods=POST,
    ),
]
