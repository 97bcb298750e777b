"""Routes of the bureau-wide pages: the to-do inbox, notifications and public disclosure
(``inbox_routes``), then the dashboard, ledger exports and bulk imports."""

from starlette.routing import BaseRoute, Route

from app.actors import Role
from app.web import dashboard, exports, imports, inbox_routes
from app.web.navigation import HOME, INBOX, menu

ROUTES: list[BaseRoute] = [
    *inbox_routes.ROUTES,
    Route("/dashboard", dashboard.dashboard_page, name="dashboard"),
    Route("/dashboard/{panel:str}", dashboard.dashboard_panel),
    Route("/exports", exports.export_page, name="exports"),
    Route("/exports", exports.start_export, methods=["POST"]),
    Route("/exports/{job_id:id}", exports.export_job),
    Route("/exports/{job_id:id}/download", exports.download),
    Route("/exports/{job_id:id}/retry", exports.retry_export, methods=["POST"]),
    Route("/imports", imports.import_page, name="imports"),
    Route("/imports", imports.upload, methods=["POST"]),
    Route("/imports/confirm", imports.confirm, methods=["POST"]),
    Route("/imports/templates/{kind:str}", imports.template),
]

# Every role has the home page (the bureau before its 工作台); the parties have a to-do list.
PARTIES = (Role.enterprise, Role.cooperative, Role.village)
MENU = (
    *(menu(role, 10, HOME) for role in (Role.anonymous, *PARTIES, Role.admin)),
    menu(Role.bureau, 5, HOME),
    menu(Role.anonymous, 40, "公示", "/disclosure"),
    *(menu(role, 80, INBOX) for role in PARTIES),
    menu(Role.bureau, 10, "工作台", "/dashboard"),
    menu(Role.bureau, 70, "台账导出", "/exports"),
    menu(Role.bureau, 80, "数据导入", "/imports"),
)
