"""Routes of the bureau's certification pages (产品认定): the application queue and its decisions,
objections filed during public notice and their resolution.

A cooperative applies from its product's page (``/my/products/{id}/certification``, among the trade
routes, where it must come before the product's other actions); the public files an objection
from the disclosure pages (bureau routes).
"""

from starlette.routing import BaseRoute, Route

from app.actors import Role
from app.web import trade_bureau
from app.web.navigation import menu

POST = ["POST"]

ROUTES: list[BaseRoute] = [
    Route("/certifications", trade_bureau.certification_queue, name="certifications"),
    Route(
        "/certifications/{application_id:id}/{decision:str}",
        trade_bureau.decide,
        methods=POST,
    ),
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

MENU = (menu(Role.bureau, 40, "产品认定", "/certifications"),)
