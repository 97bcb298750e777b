"""Routes of 劳务协作 (decision 0038), all under ``/labour``: postings, supply groups and the
applications between them."""

from starlette.routing import BaseRoute, Route

from app.actors import Role
from app.web import labour_hiring, labour_pages
from app.web.navigation import menu

GET_POST = ["GET", "POST"]
POST = ["POST"]

ROUTES: list[BaseRoute] = [
    Route("/labour/postings", labour_pages.posting_list, methods=GET_POST, name="labour_postings"),
    Route("/labour/postings/{posting_id:id}", labour_pages.posting_detail),
    Route("/labour/postings/{posting_id:id}/close", labour_pages.close_posting, methods=POST),
    Route("/labour/postings/{posting_id:id}/apply", labour_pages.apply, methods=POST),
    Route("/labour/supplies", labour_pages.supply_list, methods=GET_POST, name="labour_supplies"),
    Route("/labour/supplies/{supply_id:id}", labour_pages.supply_detail),
    Route("/labour/supplies/{supply_id:id}/withdraw", labour_pages.withdraw_supply, methods=POST),
    Route("/labour/applications", labour_hiring.application_list),
    Route("/labour/applications/{application_id:id}", labour_hiring.application_detail),
    Route(
        "/labour/applications/{application_id:id}/{action:str}",
        labour_hiring.application_step,
        methods=POST,
    ),
]

MENU = (
    menu(Role.anonymous, 50, "招工岗位", "/labour/postings"),
    menu(Role.village, 75, "劳务协作", "/labour/supplies"),
    menu(Role.enterprise, 75, "招工岗位", "/labour/postings"),
    menu(Role.cooperative, 75, "招工岗位", "/labour/postings"),
    menu(Role.bureau, 85, "劳务协作", "/labour/applications"),
)
